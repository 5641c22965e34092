language-en = 英語
language-zh-TW = 中国語 (繁体字)
language-ja-JP = 日本語
language-self = 日本語

alert-note = 注記
alert-tip = ヒント
alert-important = 重要
alert-caution = 注意
alert-warning = 警告

nav-contents = 目次
nav-languages = 言語
nav-rules = ルールの一覧
nav-status = 翻訳の状況
pager = ページ
nav-page = { $title } ({ $page }/{ $pages })
search-placeholder = このサイトを検索…
search-none = ページが見つかりません。
picker-title = 言語を選んでください
not-found-title = ページが見つかりません
not-found-text = このページは存在しません。言語を選んでください:

banner-stale = この翻訳は{ $language }版 ({ $date }) より古いものです。
banner-facts = この翻訳は{ $language }版と{ $facts }が異なります。
banner-stale-and-facts = この翻訳は{ $language }版 ({ $date }) より古く、{ $facts }が異なります
banner-link = { $language }版を読む
# An article the locale lacks, shown in the source language: $language is this locale's language, $source the source's
fallback-notice = この記事はまだ{ $language }で提供されていません。{ $source }で表示しています。

kind-unavailable-markets = 販売できない市場の一覧
kind-tax-inclusive-markets = 価格が税込みの市場
kind-role-requirement = 操作に必要なロール
kind-link-limits = ダウンロード リンクの制限
kind-cancellation-window = 取り消しの期限
kind-cancellation-request-fields = 取り消し要求の項目
kind-savings-claim = 節約額の説明

rules-title = ルールの一覧
rules-intro = 以下の事実はすべて記事から読み取ったもので、それぞれ出典の段落にリンクしています。
rules-unavailable = { $product } は次の { $count } の市場では購入できません
rules-tax = 次の市場では価格に税が含まれます
rules-market = 市場
rules-code = コード
rules-roles = 操作ごとのロール
rules-action = 操作
rules-roles-needed = ロール (いずれか)
rules-link = ダウンロード リンク
rules-link-value = リンクは { $days } 日間または { $downloads } 回のダウンロードのいずれか早い方まで有効です{ $renewable ->
    [yes] 。再度有効にできます。
   *[no] 。
}
rules-cancel = 取り消し
rules-cancel-value = 購入から { $days } 日以内に取り消せます{ $fee ->
    [yes] 。早期解約手数料がかかる場合があります。
   *[no] 。早期解約手数料はかかりません。
}
rules-fields = 取り消し要求に必要な項目
rules-savings = 節約
rules-savings-value = { $program }: 最大 { $percent }% 節約できます。
rules-source = 出典
rules-from-canonical = { $language }版のみに記載

status-title = 翻訳の状況
status-intro = 事実、セクション、セグメントを比べて見つかった、翻訳と原文との違いです。
status-coverage = ロケールごとの翻訳済みセグメント
status-segments = { $total } セグメント中 { $translated } が翻訳済み
status-plain = 通常の翻訳 (セグメントなし)
status-findings = この言語の指摘
status-none = 指摘はありません。
status-code = 指摘
status-where = 場所
status-message = 内容

program-azure-hybrid-benefit = Azure ハイブリッド特典
