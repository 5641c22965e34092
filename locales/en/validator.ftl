# Messages of `rulebook check` (the validator). Variables: $market is the
# market's display name from regions.tsv, $code its ISO code; product-*,
# role-*, action-* and field-* give display names for ids.

answer-yes = yes
answer-no = no
list-separator = {", "}

purchase-unavailable = { $product } cannot be bought in { $market } ({ $code }): the market is on the rule's list of markets where it is not available.
purchase-not-listed = { $product } can be bought in { $market } ({ $code }): the market is not on the rule's list of { $count } markets where it is not available.
purchase-no-rule = { $product } can be bought in { $market } ({ $code }): no rule restricts the markets where it is sold.

tax-included = Prices in { $market } ({ $code }) include tax.
tax-excluded = Prices in { $market } ({ $code }) exclude tax: it is not among the markets whose prices include tax.
tax-no-rule = No rule says which markets' prices include tax, so prices in { $market } ({ $code }) are taken to exclude it.

cancel-within = The purchase can be cancelled: day { $elapsed } after the purchase is within the { $days }-day window.
cancel-past = The purchase can no longer be cancelled: day { $elapsed } after the purchase is past the { $days }-day window.
cancel-no-rule = No rule gives a cancellation window, so the purchase is taken not to be cancellable.

link-usable = The download link is usable: it expires at { $expires } ({ $days } days after issue) and { $downloads } of { $max } downloads have been made.
link-expired = The download link expired at { $expires }, { $days } days after it was issued.
link-exhausted = The download link has been used { $downloads } times; it allows { $max } downloads.
link-no-rule = No rule gives the download link's limits, so the link is taken not to be usable.

role-granted = { $role } may { $action }.
role-denied = None of the given roles ({ $roles }) may { $action }; that takes one of: { $required }.
role-unknown = "{ $role }" is not a known role; it grants nothing.
role-no-rule = No rule says who may { $action }, so no role grants it.

request-complete = The request carries every required field, valid: { $fields }.
request-missing = Required field missing: { $field } (JSON key { $keys }).
request-invalid = Required field not valid: { $field } (JSON key { $keys }).
request-unknown-field = The rule requires a field this validator cannot check: { $field }.
request-no-rule = No rule says which fields a cancellation request needs.

# The rules of several articles answer the question differently: every
# reason that cites a rule names the article stating it ($article is the
# article's path under its locale folder, e.g. partner-center/activity-logs).
conflict-reason = { $reason } (Stated in the article { $article }; other articles say otherwise.)
# The line `rulebook check` prints under the answer when `conflict` is true.
decision-conflict = The articles disagree on this question; the stricter answer is given.

product-azure-reservations = Azure reservations
product-windows-server = Windows Server
product-sql-server = SQL Server

role-admin-agent = Admin agent
role-global-admin = Global admin
role-account-admin = Account admin
role-referral-admin = Referral admin
role-marketing-content-admin = Marketing content admin

action-buy-software = buy software
action-download-software = download software
action-get-keys = get activation keys
action-cancel-purchase = cancel a purchase
action-view-activity-log = view the activity log

field-tenant = customer tenant (GUID or domain name)
field-order-or-subscription-id = order ID or subscription ID
field-refund-reason = refund reason
field-amount-requested = amount requested (a positive decimal)
