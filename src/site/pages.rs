//! The generated pages: "Rules at a glance" from rules.json and
//! "Translation status" from the report, both in the page's language.

use std::collections::BTreeMap;

use fluent_bundle::FluentArgs;
use serde::Serialize;

use super::Templates;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::report::{LocaleSummary, severity};
use crate::rules::{Discrepancy, Market, Messages, Rule, Value};

#[derive(Serialize)]
struct MarketRow {
    name: String,
    code: String,
}

#[derive(Serialize)]
struct MarketTable {
    id: String,
    heading: String,
    markets: Vec<MarketRow>,
    href: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct RoleRow {
    id: String,
    action: String,
    roles: String,
    href: String,
}

#[derive(Serialize)]
struct Other {
    id: String,
    heading: String,
    text: String,
    href: String,
    note: Option<String>,
}

fn template_error(name: &str, e: &tera::Error) -> Diagnostics {
    Diagnostic::error("template", format!("template {name} failed: {e}"))
        .at(Location::file(format!("templates/{name}")))
        .with_help("check the variables the template uses against docs of the site templates")
        .into()
}

/// A part of the build's own output that could not be read back.
fn read_back_error(file: &str, e: &std::io::Error) -> Diagnostics {
    Diagnostic::error(
        "internal",
        format!("cannot read back this build's {file} parts: {e}"),
    )
    .with_help("delete the output folder and build again; if it persists, report a bug")
    .into()
}

fn plain(messages: &Messages, id: &str) -> String {
    messages.format(id, &FluentArgs::new())
}

/// Where a fact is stated for readers of `locale`: their own article's
/// paragraph when it says the same, else the canonical article's, with a note.
fn link(
    rule: &Rule,
    locale: &str,
    canonical: &str,
    messages: &Messages,
) -> (String, Option<String>) {
    match rule.by_locale.get(locale) {
        Some(own) if own.agrees => (
            format!(
                "{}#L{}",
                super::href::path(&format!("{}.html", rule.article)),
                own.source.line
            ),
            None,
        ),
        _ => {
            let mut args = FluentArgs::new();
            args.set("language", messages.language_name(canonical));
            (
                format!(
                    "{}#L{}",
                    super::href::in_locale(canonical, &format!("{}.html", rule.article)),
                    rule.source.line
                ),
                Some(messages.format("rules-from-canonical", &args)),
            )
        }
    }
}

fn market_rows(messages: &Messages, codes: &[String]) -> Vec<MarketRow> {
    let mut rows: Vec<MarketRow> = codes
        .iter()
        .map(|code| MarketRow {
            name: Market::from_code(code).map_or_else(|| code.clone(), |m| messages.market_name(m)),
            code: code.clone(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    rows
}

/// Where a page stands among the pages of its list.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Pager {
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// Every page: its number, file, and whether it is this one.
    pub links: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The navigation's accessible name.
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

/// The chapter file of page `page` of a generated list: `rules.md`, then
/// `rules-2.md`, `rules-3.md` …
pub(super) fn page_file(stem: &str, page: usize) -> String {
    if page <= 1 {
        format!("{stem}.md")
    } else {
        format!("{stem}-{page}.md")
    }
}

/// How many pages `items` take (one, even for none).
pub(super) fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

impl Pager {
    pub(super) fn new(messages: &Messages, stem: &str, page: usize, pages: usize) -> Pager {
        let href = |n: usize| {
            std::path::Path::new(&page_file(stem, n))
                .with_extension("html")
                .to_string_lossy()
                .into_owned()
        };
        Pager {
            page,
            pages,
            links: (1..=pages)
                .map(|n| PageLink {
                    number: n,
                    href: href(n),
                    current: n == page,
                })
                .collect(),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            label: plain(messages, "pager"),
        }
    }
}

/// The rules page (one page of it); `rules` hands it the page's rules in
/// rules.json order, one at a time (a big project's rules are read back
/// from disk, never held).
pub(super) fn rules_page(
    templates: &Templates,
    messages: &Messages,
    rules: impl FnOnce(&mut dyn FnMut(Rule)) -> std::io::Result<()>,
    canonical: &str,
    locale: &str,
    pager: &Pager,
) -> Result<String, Diagnostics> {
    let list_separator = plain(messages, "list-separator");
    let mut unavailable = Vec::new();
    // one table per article that states its tax-inclusive markets
    let mut taxes = Vec::new();
    let mut roles = Vec::new();
    let mut others = Vec::new();
    let mut add = |rule: Rule| {
        let rule = &rule;
        let (href, note) = link(rule, locale, canonical, messages);
        match &rule.value {
            Value::UnavailableMarkets(v) => {
                let mut args = FluentArgs::new();
                args.set("product", messages.name("product", &v.product));
                args.set("count", v.markets.len());
                unavailable.push(MarketTable {
                    id: rule.id.clone(),
                    heading: messages.format("rules-unavailable", &args),
                    markets: market_rows(messages, &v.markets),
                    href,
                    note,
                });
            }
            Value::TaxInclusiveMarkets(v) => {
                taxes.push(MarketTable {
                    id: rule.id.clone(),
                    heading: plain(messages, "rules-tax"),
                    markets: market_rows(messages, &v.markets),
                    href,
                    note,
                });
            }
            Value::RoleRequirement(v) => roles.push(RoleRow {
                id: rule.id.clone(),
                action: messages.name("action", &v.action),
                roles: v
                    .any_of_roles
                    .iter()
                    .map(|r| messages.name("role", r))
                    .collect::<Vec<_>>()
                    .join(&list_separator),
                href,
            }),
            Value::LinkLimits(v) => {
                let mut args = FluentArgs::new();
                args.set("days", v.valid_days);
                args.set("downloads", v.max_downloads);
                args.set("renewable", if v.renewable { "yes" } else { "no" });
                others.push(Other {
                    id: rule.id.clone(),
                    heading: plain(messages, "rules-link"),
                    text: messages.format("rules-link-value", &args),
                    href,
                    note,
                });
            }
            Value::CancellationWindow(v) => {
                let mut args = FluentArgs::new();
                args.set("days", v.days);
                args.set("fee", if v.early_termination_fee { "yes" } else { "no" });
                others.push(Other {
                    id: rule.id.clone(),
                    heading: plain(messages, "rules-cancel"),
                    text: messages.format("rules-cancel-value", &args),
                    href,
                    note,
                });
            }
            Value::CancellationRequestFields(v) => others.push(Other {
                id: rule.id.clone(),
                heading: plain(messages, "rules-fields"),
                text: v
                    .fields
                    .iter()
                    .map(|f| messages.name("field", f))
                    .collect::<Vec<_>>()
                    .join(&list_separator),
                href,
                note,
            }),
            Value::SavingsClaim(v) => {
                let mut args = FluentArgs::new();
                args.set("program", messages.name("program", &v.program));
                args.set("percent", v.max_percent);
                others.push(Other {
                    id: rule.id.clone(),
                    heading: plain(messages, "rules-savings"),
                    text: messages.format("rules-savings-value", &args),
                    href,
                    note,
                });
            }
        }
    };
    rules(&mut add).map_err(|e| read_back_error("rules.json", &e))?;
    let ui: BTreeMap<&str, String> = [
        ("title", "rules-title"),
        ("intro", "rules-intro"),
        ("market", "rules-market"),
        ("code", "rules-code"),
        ("tax", "rules-tax"),
        ("roles", "rules-roles"),
        ("action", "rules-action"),
        ("roles_needed", "rules-roles-needed"),
        ("source", "rules-source"),
    ]
    .into_iter()
    .map(|(k, id)| (k, plain(messages, id)))
    .collect();
    let mut context = tera::Context::new();
    context.insert("ui", &ui);
    context.insert("unavailable", &unavailable);
    context.insert("taxes", &taxes);
    context.insert("roles", &roles);
    context.insert("others", &others);
    context.insert("pager", pager);
    templates
        .render("rules.html", &context)
        .map_err(|e| template_error("rules.html", &e))
}

#[derive(Serialize)]
struct Coverage {
    name: String,
    text: String,
}

#[derive(Serialize)]
struct FindingRow {
    code: String,
    severity: String,
    place: String,
    href: Option<String>,
    message: String,
}

/// One page of a locale's status page; `findings` hands it that page's
/// findings of the locale in report order, one at a time.
pub(super) fn status_page(
    templates: &Templates,
    messages: &Messages,
    summary: &BTreeMap<String, LocaleSummary>,
    findings: impl FnOnce(&mut dyn FnMut(Discrepancy)) -> std::io::Result<()>,
    locales: &[String],
    pager: &Pager,
) -> Result<String, Diagnostics> {
    let mut coverage = Vec::new();
    let mut bars = Vec::new();
    for l in locales {
        let s = summary.get(l).cloned().unwrap_or_default();
        let name = messages.language_name(l);
        let (text, share) = if s.segments > 0 {
            let translated = s.segments - s.untranslated_segments;
            let mut args = FluentArgs::new();
            args.set("translated", translated);
            args.set("total", s.segments);
            (
                messages.format("status-segments", &args),
                Some(translated as f64 / s.segments as f64),
            )
        } else {
            (plain(messages, "status-plain"), None)
        };
        bars.push((name.clone(), share));
        coverage.push(Coverage { name, text });
    }
    let mut rows: Vec<FindingRow> = Vec::new();
    let mut add = |d: Discrepancy| {
        let (place, href) = match &d.source {
            Some(s) if s.line > 0 => {
                let slug = crate::load::slug_of(&s.path);
                (
                    format!("{}:{}", s.path, s.line),
                    Some(format!(
                        "{}#L{}",
                        super::href::path(&format!("{slug}.html")),
                        s.line
                    )),
                )
            }
            Some(s) => (s.path.to_string(), None),
            None => (String::new(), None),
        };
        rows.push(FindingRow {
            code: d.code.to_string(),
            severity: severity(&d).id().to_owned(),
            place,
            href,
            message: d.message,
        });
    };
    findings(&mut add).map_err(|e| read_back_error("report.json", &e))?;
    let ui: BTreeMap<&str, String> = [
        ("title", "status-title"),
        ("intro", "status-intro"),
        ("coverage", "status-coverage"),
        ("findings", "status-findings"),
        ("none", "status-none"),
        ("code", "status-code"),
        ("where", "status-where"),
        ("message", "status-message"),
    ]
    .into_iter()
    .map(|(k, id)| (k, plain(messages, id)))
    .collect();
    let mut context = tera::Context::new();
    context.insert("ui", &ui);
    context.insert("coverage", &coverage);
    context.insert("findings", &rows);
    context.insert("pager", pager);
    context.insert("chart", &chart(&bars));
    templates
        .render("status.html", &context)
        .map_err(|e| template_error("status.html", &e))
}

/// A small inline SVG bar chart of translated segments per locale (plain
/// translations, which have no segments, are drawn hatched as "n/a").
fn chart(bars: &[(String, Option<f64>)]) -> String {
    const WIDTH: f64 = 300.0;
    let row = 28;
    let height = bars.len() * row + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" class=\"rulebook-coverage-chart\">",
        WIDTH as usize + 200
    );
    for (i, (name, share)) in bars.iter().enumerate() {
        let y = i * row + 4;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>",
            y + 16,
            super::html::escape(name)
        ));
        svg.push_str(&format!(
            "<rect x=\"150\" y=\"{y}\" width=\"{WIDTH}\" height=\"20\" fill=\"#eaeef2\"/>"
        ));
        match share {
            Some(s) => {
                svg.push_str(&format!(
                    "<rect x=\"150\" y=\"{y}\" width=\"{:.1}\" height=\"20\" fill=\"#1a7f37\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{:.0} %</text>",
                    WIDTH * s,
                    160.0 + WIDTH,
                    y + 15,
                    s * 100.0
                ));
            }
            None => svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"12\">n/a</text>",
                160.0 + WIDTH,
                y + 15
            )),
        }
    }
    svg.push_str("</svg>");
    svg
}
