# `rulebook check`（驗證工具）的訊息。變數與 en/validator.ftl 相同。

answer-yes = 是
answer-no = 否
list-separator = 、

purchase-unavailable = { $product } 無法在{ $market } ({ $code }) 購買：此規則將{ $market }列為 { $product } 無法使用的市場。
purchase-not-listed = { $product } 可以在{ $market } ({ $code }) 購買：{ $market }不在 { $product } 無法使用的 { $count } 個市場之中。
purchase-no-rule = { $product } 可以在{ $market } ({ $code }) 購買：沒有規則限制其銷售市場。

tax-included = { $market } ({ $code }) 的價格含稅。
tax-excluded = { $market } ({ $code }) 的價格不含稅：它不在價格含稅的市場之中。
tax-no-rule = 沒有規則說明哪些市場的價格含稅，因此{ $market } ({ $code }) 的價格視為不含稅。

cancel-within = 可以取消購買：購買後第 { $elapsed } 天，仍在 { $days } 天的期限內。
cancel-past = 已無法取消購買：購買後第 { $elapsed } 天，已超過 { $days } 天的期限。
cancel-no-rule = 沒有規則規定取消期限，因此視為無法取消。

link-usable = 下載連結可以使用：到期時間為 { $expires }（發出後 { $days } 天），已下載 { $downloads } 次，上限 { $max } 次。
link-expired = 下載連結已於 { $expires } 到期，即發出後 { $days } 天。
link-exhausted = 下載連結已使用 { $downloads } 次；上限為 { $max } 次。
link-no-rule = 沒有規則規定下載連結的限制，因此視為無法使用。

role-granted = { $role }可以{ $action }。
role-denied = 所提供的角色（{ $roles }）都不能{ $action }；需要下列其中一個角色：{ $required }。
role-unknown = 「{ $role }」不是已知的角色，不授予任何權限。
role-no-rule = 沒有規則規定誰可以{ $action }，因此任何角色都不能。

request-complete = 要求包含所有必要欄位，且皆有效：{ $fields }。
request-missing = 缺少必要欄位：{ $field }（JSON 鍵 { $keys }）。
request-invalid = 必要欄位無效：{ $field }（JSON 鍵 { $keys }）。
request-unknown-field = 此規則要求的欄位無法由驗證工具檢查：{ $field }。
request-no-rule = 沒有規則規定取消要求需要哪些欄位。

# 多篇文章的規則對問題給出不同答案時，每個引用規則的理由都會註明出處文章。
conflict-reason = { $reason }（出自文章 { $article }；其他文章的說法不同。）
# The line `rulebook check` prints under the answer when `conflict` is true.
decision-conflict = 各篇文章對此問題的說法不一致；此處採用較嚴格的答案。

product-azure-reservations = Azure 保留
product-windows-server = Windows Server
product-sql-server = SQL Server

role-admin-agent = 系統管理代理人
role-global-admin = 全域管理員
role-account-admin = 帳戶管理員
role-referral-admin = 推薦管理員
role-marketing-content-admin = 行銷內容管理員

action-buy-software = 購買軟體
action-download-software = 下載軟體
action-get-keys = 取得啟用金鑰
action-cancel-purchase = 取消購買
action-view-activity-log = 檢視活動記錄

field-tenant = 客戶租用戶（GUID 或網域名稱）
field-order-or-subscription-id = 訂單識別碼或訂閱識別碼
field-refund-reason = 退款原因
field-amount-requested = 要求金額（正的小數）
