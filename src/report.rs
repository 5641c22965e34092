//! The translator report: the discrepancies of a build with a per-locale
//! summary, written as `book/report.json` and printed by `rulebook diff` as
//! text (grouped by locale and section), JSON, or SARIF 2.1.0 for CI systems
//! and code-scanning views.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::reconcile::findings::Severity;
use crate::rules::{Discrepancy, Provenance};

/// The report file's types are the contract's (`rulebook_rules::report`):
/// one definition for the writer, the schema and any reader. What a report
/// says, how it is filtered and printed, is here ([`ReportExt`]).
pub(crate) use crate::rules::{
    LocaleSummary, REPORT_SCHEMA_ID as REPORT_SCHEMA, ReportFile as Report,
};

/// One line of help per code: what it means and why it matters (SARIF rule
/// descriptions and the text legend share it).
pub(crate) const CODES: &[(&str, &str)] = &[
    (
        "fact-mismatch",
        "A fact (market list, limit, role …) differs from the canonical article.",
    ),
    (
        "role-mismatch",
        "A roles line names other roles for the same action than the canonical article's.",
    ),
    (
        "missing-fact",
        "The canonical article states a fact this translation does not.",
    ),
    (
        "extra-fact",
        "A translation states a fact its source article does not (in that section).",
    ),
    (
        "missing-section",
        "A section of the canonical article (by anchor) is missing.",
    ),
    (
        "extra-section",
        "A section (by anchor) that the canonical article does not have.",
    ),
    (
        "stale-translation",
        "The translation is dated before its source.",
    ),
    (
        "untranslated-segment",
        "A segment's target text is still its source text.",
    ),
    (
        "number-mismatch",
        "A segment's target and source give different numbers.",
    ),
    (
        "term-drift",
        "A product is called by an older name than the source uses.",
    ),
    (
        "step-count-mismatch",
        "A procedure has a different number of steps than the canonical one.",
    ),
    (
        "missing-article",
        "The source locale has an article this locale has no translation of.",
    ),
    (
        "extra-article",
        "An article only translations have: its facts are read from a translation.",
    ),
    (
        "broken-link",
        "A link leads to no page of the locale's site, or to a section its page lacks.",
    ),
    (
        "missing-media",
        "An image or video the article shows is not in the locale's folder or the source locale's.",
    ),
    (
        "cross-article-conflict",
        "Articles state different values for the same kind of rule and subject; `check` answers with the stricter.",
    ),
];

/// What the build does with a report: make it from findings, keep some
/// locales, find its worst severity, print it as text or SARIF.
pub(crate) trait ReportExt: Sized {
    /// A report of `discrepancies`, their counts added to `summary`.
    fn new(
        canonical_locale: &str,
        summary: BTreeMap<String, LocaleSummary>,
        discrepancies: std::sync::Arc<Vec<Discrepancy>>,
    ) -> Self;
    /// Keep only the findings (and summaries) of these locales; none: all.
    fn only_locales(self, locales: &[String]) -> Self;
    /// The most severe finding's severity.
    fn worst(&self) -> Option<Severity>;
    /// The report as text, grouped by locale and section.
    fn to_text(&self, color: bool) -> String;
    /// The report as SARIF 2.1.0.
    fn to_sarif(&self, version: &str) -> serde_json::Value;
}

impl ReportExt for Report {
    fn new(
        canonical_locale: &str,
        mut summary: BTreeMap<String, LocaleSummary>,
        discrepancies: std::sync::Arc<Vec<Discrepancy>>,
    ) -> Self {
        for d in discrepancies.iter() {
            let s = summary.entry(d.locale.to_string()).or_default();
            match severity(d) {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        Report {
            schema: REPORT_SCHEMA.to_owned(),
            canonical_locale: canonical_locale.to_owned(),
            summary,
            discrepancies,
        }
    }

    /// Keep only the findings (and summaries) of these locales; none: all.
    fn only_locales(mut self, locales: &[String]) -> Self {
        if !locales.is_empty() {
            std::sync::Arc::make_mut(&mut self.discrepancies)
                .retain(|d| locales.iter().any(|l| **l == *d.locale));
            self.summary.retain(|l, _| locales.contains(l));
        }
        self
    }

    fn worst(&self) -> Option<Severity> {
        self.discrepancies.iter().map(severity).max()
    }

    /// Text for a terminal: grouped by locale, then section; `path:line` on
    /// every finding, the canonical side under it.
    fn to_text(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_owned()
            }
        };
        let mut out = String::new();
        // sections in the order they first appear (findings are sorted by
        // file and line), not alphabetically
        type Sections<'r> = Vec<(&'r str, Vec<&'r Discrepancy>)>;
        let mut by_locale: BTreeMap<&str, Sections<'_>> = BTreeMap::new();
        for d in self.discrepancies.iter() {
            let sections = by_locale.entry(&d.locale).or_default();
            let section = d.section.as_deref().unwrap_or("");
            match sections.iter_mut().find(|(s, _)| *s == section) {
                Some((_, list)) => list.push(d),
                None => sections.push((section, vec![d])),
            }
        }
        for (locale, sections) in &by_locale {
            let s = self.summary.get(*locale).cloned().unwrap_or_default();
            let _ = writeln!(
                out,
                "{} — {} errors, {} warnings, {} notes; {} of {} segments untranslated",
                paint("1", locale),
                s.errors,
                s.warnings,
                s.infos,
                s.untranslated_segments,
                s.segments
            );
            for (section, findings) in sections {
                let _ = writeln!(
                    out,
                    "  § {}",
                    if section.is_empty() {
                        "(article)"
                    } else {
                        section
                    }
                );
                for d in findings {
                    let level = match severity(d) {
                        Severity::Error => paint("31;1", "error"),
                        Severity::Warning => paint("33;1", "warning"),
                        Severity::Info => paint("36", "note"),
                    };
                    let _ = writeln!(
                        out,
                        "    {}: {level}[{}]: {}",
                        // a finding about a file the locale lacks is
                        // placed at the file it lacks the translation of
                        place(d.source.as_ref().or(d.canonical.as_ref())),
                        d.code,
                        d.message
                    );
                    if let Some(c) = &d.canonical {
                        let _ = writeln!(out, "      canonical: {}", place(Some(c)));
                    }
                }
            }
            out.push('\n');
        }
        if self.discrepancies.is_empty() {
            out.push_str("no discrepancies\n");
        }
        out
    }

    /// SARIF 2.1.0: rule ids are the codes, results point at the
    /// translation's file and line, the canonical side is a related location.
    fn to_sarif(&self, version: &str) -> serde_json::Value {
        let rules: Vec<serde_json::Value> = CODES
            .iter()
            .map(|(id, text)| {
                json!({
                    "id": id,
                    "shortDescription": {"text": text},
                    "defaultConfiguration": {"level": sarif_level(default_severity(id))},
                })
            })
            .collect();
        let results: Vec<serde_json::Value> = self
            .discrepancies
            .iter()
            .map(|d| {
                let mut result = json!({
                    "ruleId": d.code,
                    "level": sarif_level(severity(d)),
                    "message": {"text": d.message},
                    "properties": {"locale": d.locale},
                });
                if let Some(index) = CODES.iter().position(|(id, _)| *id == d.code) {
                    result["ruleIndex"] = json!(index);
                }
                if let Some(s) = &d.source {
                    result["locations"] = json!([sarif_location(s)]);
                }
                if let Some(c) = &d.canonical {
                    let mut related = sarif_location(c);
                    related["id"] = json!(0);
                    related["message"] = json!({"text": format!("canonical ({})", c.locale)});
                    result["relatedLocations"] = json!([related]);
                }
                if let Some(rule) = &d.rule {
                    result["properties"]["rule"] = json!(rule);
                }
                if let Some(section) = &d.section {
                    result["properties"]["section"] = json!(section);
                }
                result
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "rulebook",
                    "version": version,
                    "rules": rules,
                }},
                "results": results,
            }],
        })
    }
}

pub(crate) fn severity(d: &Discrepancy) -> Severity {
    Severity::parse(&d.severity).unwrap_or(Severity::Error)
}

fn default_severity(code: &str) -> Severity {
    match code {
        "fact-mismatch" | "role-mismatch" | "missing-fact" | "number-mismatch" => Severity::Error,
        "untranslated-segment" => Severity::Info,
        _ => Severity::Warning,
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_location(p: &Provenance) -> serde_json::Value {
    let mut physical = json!({"artifactLocation": {"uri": p.path}});
    if p.line > 0 {
        physical["region"] = match p.column {
            Some(col) => json!({"startLine": p.line, "startColumn": col}),
            None => json!({"startLine": p.line}),
        };
    }
    json!({"physicalLocation": physical})
}

fn place(p: Option<&Provenance>) -> String {
    match p {
        Some(p) if p.line > 0 => match (&p.segment, p.column) {
            (Some(seg), _) => format!("{}:{} ({seg})", p.path, p.line),
            (None, Some(col)) => format!("{}:{}:{col}", p.path, p.line),
            (None, None) => format!("{}:{}", p.path, p.line),
        },
        Some(p) => p.path.to_string(),
        None => "(no file)".to_owned(),
    }
}
