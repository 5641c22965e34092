# `rulebook check` (検証ツール) のメッセージ。変数は en/validator.ftl と同じ。

answer-yes = はい
answer-no = いいえ
list-separator = 、

purchase-unavailable = { $product }は{ $market } ({ $code }) では購入できません。このルールは、{ $product }を利用できない市場として{ $market }を挙げています。
purchase-not-listed = { $product }は{ $market } ({ $code }) で購入できます。{ $product }を利用できない { $count } の市場に{ $market }は含まれていません。
purchase-no-rule = { $product }は{ $market } ({ $code }) で購入できます。販売する市場を制限するルールはありません。

tax-included = { $market } ({ $code }) の価格は税込みです。
tax-excluded = { $market } ({ $code }) の価格は税抜きです。価格に税が含まれる市場ではありません。
tax-no-rule = 価格に税が含まれる市場を定めたルールがないため、{ $market } ({ $code }) の価格は税抜きとみなします。

cancel-within = 購入をキャンセルできます。購入から { $elapsed } 日目で、{ $days } 日間の期間内です。
cancel-past = 購入はもうキャンセルできません。購入から { $elapsed } 日目で、{ $days } 日間の期間を過ぎています。
cancel-no-rule = キャンセル期間を定めたルールがないため、キャンセルできないものとみなします。

link-usable = ダウンロード リンクは使用できます。有効期限は { $expires } (発行から { $days } 日) で、ダウンロードは { $max } 回中 { $downloads } 回済みです。
link-expired = ダウンロード リンクは発行から { $days } 日後の { $expires } に期限切れになりました。
link-exhausted = ダウンロード リンクは { $downloads } 回使用されています。ダウンロードは { $max } 回までです。
link-no-rule = ダウンロード リンクの制限を定めたルールがないため、リンクは使用できないものとみなします。

role-granted = { $role }は{ $action }ことができます。
role-denied = 指定されたロール ({ $roles }) はいずれも{ $action }ことができません。次のいずれかが必要です: { $required }。
role-unknown = "{ $role }" は既知のロールではありません。権限は付与されません。
role-no-rule = { $action }ことができるロールを定めたルールがないため、どのロールにも許可されません。

request-complete = 要求には必要なフィールドがすべて有効な値でそろっています: { $fields }。
request-missing = 必須フィールドがありません: { $field } (JSON キー { $keys })。
request-invalid = 必須フィールドの値が無効です: { $field } (JSON キー { $keys })。
request-unknown-field = このルールが求めるフィールドを検証ツールは確認できません: { $field }。
request-no-rule = キャンセル要求に必要なフィールドを定めたルールがありません。

# 複数の記事のルールが異なる答えを出す場合、ルールを引用する各理由にその記事を示します。
conflict-reason = { $reason } (記事 { $article } による。ほかの記事は異なる内容を述べています。)
# The line `rulebook check` prints under the answer when `conflict` is true.
decision-conflict = この質問については記事の内容が一致しません。より厳しい答えを示します。

product-azure-reservations = Azure の予約
product-windows-server = Windows Server
product-sql-server = SQL Server

role-admin-agent = 管理者エージェント
role-global-admin = 全体管理者
role-account-admin = アカウント管理者
role-referral-admin = 紹介管理者
role-marketing-content-admin = マーケティング コンテンツ管理者

action-buy-software = ソフトウェアを購入する
action-download-software = ソフトウェアをダウンロードする
action-get-keys = ライセンス認証キーを取得する
action-cancel-purchase = 購入をキャンセルする
action-view-activity-log = アクティビティ ログを表示する

field-tenant = 顧客のテナント (GUID またはドメイン名)
field-order-or-subscription-id = 注文 ID またはサブスクリプション ID
field-refund-reason = 返金の理由
field-amount-requested = 請求金額 (正の小数)
