# UI strings of the generated site. $language is a language name (language-*),
# $date a YYYY-MM-DD date, $facts a list of fact names (kind-*).

language-en = English
language-zh-TW = Chinese (Traditional)
language-ja-JP = Japanese
language-self = English

alert-note = Note
alert-tip = Tip
alert-important = Important
alert-caution = Caution
alert-warning = Warning

nav-contents = Contents
nav-languages = Languages
nav-rules = Rules at a glance
nav-status = Translation status
# A long list (rules, findings) split into pages: the page navigation, and a later page's title
pager = Pages
nav-page = { $title } ({ $page }/{ $pages })
search-placeholder = Search this site…
search-none = No pages found.
picker-title = Choose a language
not-found-title = Page not found
not-found-text = This page does not exist. Choose a language:

banner-stale = This translation is older than the { $language } version ({ $date }).
banner-facts = This translation differs from the { $language } version: { $facts }.
banner-stale-and-facts = This translation is older than the { $language } version ({ $date }) and differs from it: { $facts }.
banner-link = Read the { $language } version
# An article the locale lacks, shown in the source language: $language is this locale's language, $source the source's
fallback-notice = This article is not yet available in { $language }; it is shown in { $source }.

kind-unavailable-markets = the markets where it cannot be sold
kind-tax-inclusive-markets = the markets whose prices include tax
kind-role-requirement = the roles an action needs
kind-link-limits = the download link limits
kind-cancellation-window = the cancellation window
kind-cancellation-request-fields = the fields of a cancellation request
kind-savings-claim = the savings claim

rules-title = Rules at a glance
rules-intro = Every fact below is read from the articles; each links to the paragraph it comes from.
rules-unavailable = { $product } is not available in these { $count } markets
rules-tax = Prices include tax in these markets
rules-market = Market
rules-code = Code
rules-roles = Who may do what
rules-action = Action
rules-roles-needed = Roles (any one of them)
rules-link = Download links
rules-link-value = A link works for { $days } days or { $downloads } downloads, whichever comes first{ $renewable ->
    [yes] ; it can be renewed.
   *[no] .
}
rules-cancel = Cancellation
rules-cancel-value = A purchase can be cancelled within { $days } days{ $fee ->
    [yes] ; an early termination fee may apply.
   *[no] , with no early termination fee.
}
rules-fields = A cancellation request needs
rules-savings = Savings
rules-savings-value = { $program }: save up to { $percent } %.
rules-source = source
rules-from-canonical = stated in { $language } only

status-title = Translation status
status-intro = Where each translation differs from its source, found by comparing facts, sections and segments.
status-coverage = Translated segments per locale
status-segments = { $translated } of { $total } segments translated
status-plain = plain translation (no segments)
status-findings = Findings for this language
status-none = No findings.
status-code = Finding
status-where = Where
status-message = What

program-azure-hybrid-benefit = Azure Hybrid Benefit
