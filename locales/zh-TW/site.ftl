language-en = 英文
language-zh-TW = 繁體中文
language-ja-JP = 日文
language-self = 繁體中文

alert-note = 附註
alert-tip = 提示
alert-important = 重要
alert-caution = 注意
alert-warning = 警告

nav-contents = 目錄
nav-languages = 語言
nav-rules = 規則一覽
nav-status = 翻譯狀態
pager = 頁面
nav-page = { $title }（{ $page }/{ $pages }）
search-placeholder = 搜尋本網站…
search-none = 找不到頁面。
picker-title = 選擇語言
not-found-title = 找不到頁面
not-found-text = 此頁面不存在。請選擇語言：

banner-stale = 此翻譯比{ $language }版 ({ $date }) 舊。
banner-facts = 此翻譯與{ $language }版不同：{ $facts }。
banner-stale-and-facts = 此翻譯比{ $language }版 ({ $date }) 舊，且{ $facts }不同。
banner-link = 閱讀{ $language }版
# An article the locale lacks, shown in the source language: $language is this locale's language, $source the source's
fallback-notice = 此文章尚未提供{ $language }版本，目前以{ $source }顯示。

kind-unavailable-markets = 無法銷售的市場清單
kind-tax-inclusive-markets = 價格含稅的市場
kind-role-requirement = 動作所需的角色
kind-link-limits = 下載連結的限制
kind-cancellation-window = 取消期限
kind-cancellation-request-fields = 取消要求的欄位
kind-savings-claim = 節省金額的說明

rules-title = 規則一覽
rules-intro = 以下每項事實都讀自文章，並連結到其出處段落。
rules-unavailable = { $product } 無法在以下 { $count } 個市場購買
rules-tax = 以下市場的價格含稅
rules-market = 市場
rules-code = 代碼
rules-roles = 誰可以執行哪些動作
rules-action = 動作
rules-roles-needed = 角色 (任一即可)
rules-link = 下載連結
rules-link-value = 連結可使用 { $days } 天或 { $downloads } 次下載 (以先到者為準){ $renewable ->
    [yes] ，並可重新啟用。
   *[no] 。
}
rules-cancel = 取消
rules-cancel-value = 購買後 { $days } 天內可以取消{ $fee ->
    [yes] ，可能收取提前終止費用。
   *[no] ，不收取提前終止費用。
}
rules-fields = 取消要求需要
rules-savings = 節省
rules-savings-value = { $program }：最多可節省 { $percent }%。
rules-source = 出處
rules-from-canonical = 僅見於{ $language }版

status-title = 翻譯狀態
status-intro = 比較事實、章節與區段後，各翻譯與來源的差異。
status-coverage = 各語言已翻譯的區段
status-segments = { $total } 個區段中已翻譯 { $translated } 個
status-plain = 一般翻譯 (無區段)
status-findings = 此語言的發現
status-none = 沒有發現。
status-code = 發現
status-where = 位置
status-message = 說明

program-azure-hybrid-benefit = Azure Hybrid Benefit
