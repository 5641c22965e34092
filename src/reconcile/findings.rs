//! The translator's findings: every way a translation differs from its
//! canonical article, each with where (both sides), what, and why it matters.
//!
//! Codes (DESIGN.md): fact-mismatch, role-mismatch, missing-fact,
//! extra-fact, missing-section, extra-section, stale-translation,
//! untranslated-segment, number-mismatch, term-drift, step-count-mismatch.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::json;

use super::ArticleFacts;
use crate::extract::Fact;
use crate::rules::{Discrepancy, Procedure, Provenance, Rule, Value};

/// How much a finding matters; ordered so that `>=` means "at least as bad".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            _ => return None,
        })
    }
}

/// An article's locale and path, allocated once for all the findings that
/// cite it.
struct Names {
    locale: Arc<str>,
    path: Arc<str>,
}

impl Names {
    fn of(a: &ArticleFacts) -> Self {
        Names {
            locale: a.locale.as_str().into(),
            path: a.path.as_str().into(),
        }
    }

    fn at(&self, line: u32, section: Option<Arc<str>>, segment: Option<String>) -> Provenance {
        Provenance {
            column: None,
            locale: self.locale.clone(),
            path: self.path.clone(),
            line,
            segment,
            section,
        }
    }
}

struct Finding {
    code: &'static str,
    severity: Severity,
    locale: Arc<str>,
    rule: Option<String>,
    section: Option<Arc<str>>,
    expected: serde_json::Value,
    found: serde_json::Value,
    message: String,
    source: Option<Provenance>,
    canonical: Option<Provenance>,
}

impl Finding {
    fn into_discrepancy(self) -> Discrepancy {
        Discrepancy {
            code: Cow::Borrowed(self.code),
            severity: Cow::Borrowed(self.severity.id()),
            locale: self.locale,
            rule: self.rule,
            section: self.section,
            expected: self.expected,
            found: self.found,
            message: self.message,
            source: self.source,
            canonical: self.canonical,
        }
    }
}

/// Compare every translation with the canonical article of the same name.
pub(crate) fn findings(
    articles: &[ArticleFacts],
    rules: &[Rule],
    procedures: &[Procedure],
    canonical_of: &dyn Fn(&str) -> Option<String>,
    (source_locale, locales): (&str, &[String]),
) -> Vec<Discrepancy> {
    let mut out: Vec<Finding> = Vec::new();
    let by_key: BTreeMap<(&str, &str), &ArticleFacts> = articles
        .iter()
        .map(|a| ((a.article.as_str(), a.locale.as_str()), a))
        .collect();
    for a in articles {
        let Some(canonical_locale) = canonical_of(&a.article) else {
            continue;
        };
        let Some(c) = by_key
            .get(&(a.article.as_str(), canonical_locale.as_str()))
            .copied()
        else {
            continue;
        };
        // segment health is a property of the file itself, canonical or not
        segment_findings(a, &mut out);
        if a.locale == c.locale {
            continue;
        }
        section_findings(a, c, &mut out);
        stale(a, c, &mut out);
        term_drift(a, c, &mut out);
    }
    // article → its locales, built once (per-rule scans of every article
    // would be quadratic)
    let mut by_article: BTreeMap<&str, Vec<&ArticleFacts>> = BTreeMap::new();
    for a in articles {
        by_article.entry(a.article.as_str()).or_default().push(a);
    }
    for members in by_article.values() {
        presence(members, source_locale, locales, &mut out);
    }
    let none: Vec<&ArticleFacts> = Vec::new();
    for rule in rules {
        fact_findings(
            rule,
            by_article.get(rule.article.as_str()).unwrap_or(&none),
            source_locale,
            &mut out,
        );
    }
    for p in procedures {
        step_counts(
            p,
            by_article.get(p.article.as_str()).unwrap_or(&none),
            canonical_of,
            &mut out,
        );
    }
    let mut discrepancies: Vec<Discrepancy> =
        out.into_iter().map(Finding::into_discrepancy).collect();
    // The key borrows: cloning its five strings for every comparison was
    // most of what reconcile cost (BENCHMARKS.md, 'What each optimisation
    // buys').
    type Key<'d> = (
        &'d str,
        Option<(&'d str, u32)>,
        &'d str,
        Option<&'d str>,
        &'d str,
    );
    fn key(d: &Discrepancy) -> Key<'_> {
        (
            &d.locale,
            d.source.as_ref().map(|s| (&*s.path, s.line)),
            &d.code,
            d.rule.as_deref(),
            d.message.as_str(),
        )
    }
    discrepancies.sort_by(|x, y| key(x).cmp(&key(y)));
    discrepancies
}

fn segment_findings(a: &ArticleFacts, out: &mut Vec<Finding>) {
    let names = Names::of(a);
    for seg in &a.outline.untranslated {
        let section: Option<Arc<str>> = seg.section.as_deref().map(Arc::from);
        out.push(Finding {
            code: "untranslated-segment",
            severity: Severity::Info,
            locale: names.locale.clone(),
            rule: None,
            section: section.clone(),
            expected: serde_json::Value::Null,
            found: json!(seg.text),
            message: format!(
                "segment {} is still in the source language: readers of {} see English here",
                seg.id, a.locale
            ),
            source: Some(names.at(seg.line, section, Some(seg.id.clone()))),
            canonical: None,
        });
    }
    for m in &a.outline.number_mismatches {
        let section: Option<Arc<str>> = m.segment.section.as_deref().map(Arc::from);
        out.push(Finding {
            code: "number-mismatch",
            severity: Severity::Error,
            locale: names.locale.clone(),
            rule: None,
            section: section.clone(),
            expected: json!({"numbers": m.source_numbers, "text": m.source}),
            found: json!({"numbers": m.target_numbers, "text": m.segment.text}),
            message: format!(
                "segment {} says {:?} where its source says {:?}: a reader of the translation gets other numbers than the source states",
                m.segment.id, m.target_numbers, m.source_numbers
            ),
            source: Some(names.at(m.segment.line, section, Some(m.segment.id.clone()))),
            canonical: None,
        });
    }
}

fn section_findings(a: &ArticleFacts, c: &ArticleFacts, out: &mut Vec<Finding>) {
    let ours: BTreeSet<&str> = a
        .outline
        .sections
        .iter()
        .map(|s| s.anchor.as_str())
        .collect();
    let theirs: BTreeSet<&str> = c
        .outline
        .sections
        .iter()
        .map(|s| s.anchor.as_str())
        .collect();
    let (ours_names, their_names) = (Names::of(a), Names::of(c));
    for s in &c.outline.sections {
        if ours.contains(s.anchor.as_str()) {
            continue;
        }
        let after = place_of(a, c, &s.anchor);
        let anchor: Arc<str> = s.anchor.as_str().into();
        out.push(Finding {
            code: "missing-section",
            severity: Severity::Warning,
            locale: ours_names.locale.clone(),
            rule: None,
            section: Some(anchor.clone()),
            expected: json!({"anchor": s.anchor, "title": s.title}),
            found: serde_json::Value::Null,
            message: format!(
                "section `{}` (\"{}\") of {} is missing: readers of {} do not get its content",
                s.anchor, s.title, c.locale, a.locale
            ),
            source: Some(ours_names.at(
                after.map_or(0, |p| p.line),
                after.map(|p| p.anchor.as_str().into()),
                None,
            )),
            canonical: Some(their_names.at(s.line, Some(anchor), None)),
        });
    }
    for s in &a.outline.sections {
        if theirs.contains(s.anchor.as_str()) {
            continue;
        }
        let anchor: Arc<str> = s.anchor.as_str().into();
        out.push(Finding {
            code: "extra-section",
            severity: Severity::Warning,
            locale: ours_names.locale.clone(),
            rule: None,
            section: Some(anchor.clone()),
            expected: serde_json::Value::Null,
            found: json!({"anchor": s.anchor, "title": s.title}),
            message: format!(
                "section `{}` is not in the {} article: it may be left over from an older source",
                s.anchor, c.locale
            ),
            source: Some(ours_names.at(s.line, Some(anchor), None)),
            canonical: Some(their_names.at(0, None, None)),
        });
    }
}

/// The section of `a` with this anchor or, where `a` lacks it, the nearest
/// earlier section of `c` that `a` has: where the missing text would go.
fn place_of<'a>(
    a: &'a ArticleFacts,
    c: &ArticleFacts,
    anchor: &str,
) -> Option<&'a super::outline::SectionRef> {
    if let Some(own) = a.outline.sections.iter().find(|s| s.anchor == anchor) {
        return Some(own);
    }
    let i = c.outline.sections.iter().position(|s| s.anchor == anchor)?;
    c.outline.sections[..i]
        .iter()
        .rev()
        .find_map(|p| a.outline.sections.iter().find(|q| q.anchor == p.anchor))
}

fn stale(a: &ArticleFacts, c: &ArticleFacts, out: &mut Vec<Finding>) {
    let (Some(ours), Some(theirs)) = (a.date, c.date) else {
        return;
    };
    if ours >= theirs {
        return;
    }
    let (ours_names, their_names) = (Names::of(a), Names::of(c));
    out.push(Finding {
        code: "stale-translation",
        severity: Severity::Warning,
        locale: ours_names.locale.clone(),
        rule: None,
        section: None,
        expected: json!(theirs.to_string()),
        found: json!(ours.to_string()),
        message: format!(
            "the translation dates from {ours}, the {} source from {theirs}: changes made since may be missing",
            c.locale
        ),
        source: Some(ours_names.at(a.outline.date_line, None, None)),
        canonical: Some(their_names.at(c.outline.date_line, None, None)),
    });
}

fn term_drift(a: &ArticleFacts, c: &ArticleFacts, out: &mut Vec<Finding>) {
    for t in a.extraction.terms.iter().filter(|t| t.superseded) {
        let Some(current) = c
            .extraction
            .terms
            .iter()
            .find(|u| u.product == t.product && !u.superseded)
        else {
            continue;
        };
        out.push(Finding {
            code: "term-drift",
            severity: Severity::Warning,
            locale: t.source.locale.clone(),
            rule: None,
            section: t.source.section.clone(),
            expected: json!(current.name),
            found: json!(t.name),
            message: format!(
                "{} is called \"{}\", an older name; the {} source says \"{}\"",
                t.product, t.name, c.locale, current.name
            ),
            source: Some(t.source.clone()),
            canonical: Some(current.source.clone()),
        });
    }
}

/// An article the source locale has and a locale lacks (`missing-article`:
/// that locale's readers get the source text), or one only translations
/// have (`extra-article`: its facts are read from a translation).
/// `members`: the article in each locale that has it.
fn presence(
    members: &[&ArticleFacts],
    source_locale: &str,
    locales: &[String],
    out: &mut Vec<Finding>,
) {
    let Some(source) = members.iter().find(|a| a.locale == source_locale) else {
        for a in members {
            let names = Names::of(a);
            out.push(Finding {
                code: "extra-article",
                severity: Severity::Warning,
                locale: names.locale.clone(),
                rule: None,
                section: None,
                expected: serde_json::Value::Null,
                found: json!(a.path),
                message: format!(
                    "{} has no {source_locale} source: its facts are read from this translation",
                    a.path
                ),
                source: Some(names.at(1, None, None)),
                canonical: None,
            });
        }
        return;
    };
    for locale in locales {
        if *locale == source.locale || members.iter().any(|a| a.locale == *locale) {
            continue;
        }
        let names = Names::of(source);
        out.push(Finding {
            code: "missing-article",
            severity: Severity::Warning,
            locale: locale.as_str().into(),
            rule: None,
            section: None,
            expected: json!(source.path),
            found: serde_json::Value::Null,
            message: format!(
                "{locale} has no translation of {}: its readers miss the article",
                source.path
            ),
            source: None,
            canonical: Some(names.at(1, None, None)),
        });
    }
}

/// `articles`: the locales of the rule's article.
fn fact_findings(
    rule: &Rule,
    articles: &[&ArticleFacts],
    source_locale: &str,
    out: &mut Vec<Finding>,
) {
    for fact in rule.by_locale.values() {
        if fact.agrees {
            continue;
        }
        let (expected, found, what) = difference(&rule.value, &fact.value);
        out.push(Finding {
            code: mismatch_code(&rule.value, &fact.value),
            severity: Severity::Error,
            locale: fact.source.locale.clone(),
            rule: Some(rule.id.clone()),
            section: fact.source.section.clone(),
            expected,
            found,
            message: format!(
                "{} differs from the {} source: {what}",
                rule.id, rule.source.locale
            ),
            source: Some(fact.source.clone()),
            canonical: Some(rule.source.clone()),
        });
    }
    // The source locale's article, when it is read and does not state the
    // fact: then the fact is one only translations state (`extra-fact`,
    // reported at each of them), and a translation that lacks it agrees
    // with the source rather than missing anything.
    let silent_source = articles.iter().copied().find(|a| {
        a.locale == source_locale && !a.extraction.unread && !rule.by_locale.contains_key(&a.locale)
    });
    if let Some(s) = silent_source {
        extra_facts(rule, s, articles, out);
        return;
    }
    // a translation of the article that does not state the fact at all (one
    // whose facts were not read may state it: it has its `no-lexicon`
    // warning instead)
    for a in articles {
        if rule.by_locale.contains_key(&a.locale)
            || *a.locale == *rule.source.locale
            || a.extraction.unread
        {
            continue;
        }
        let section = rule.source.section.clone();
        let canonical = articles.iter().find(|c| *c.locale == *rule.source.locale);
        let line = match (section.as_deref(), canonical) {
            (Some(anchor), Some(c)) => place_of(a, c, anchor).map_or(0, |s| s.line),
            _ => 0,
        };
        let names = Names::of(a);
        out.push(Finding {
            code: "missing-fact",
            severity: Severity::Error,
            locale: names.locale.clone(),
            rule: Some(rule.id.clone()),
            section: section.clone(),
            expected: serde_json::to_value(&rule.value).unwrap_or_default(),
            found: serde_json::Value::Null,
            message: format!(
                "{} states {} and this translation does not: its readers miss the rule",
                rule.source.locale, rule.id
            ),
            source: Some(names.at(line, section, None)),
            canonical: Some(rule.source.clone()),
        });
    }
}

/// A fact that translations state and `source`, the source locale's
/// article, does not: one `extra-fact` per translation that states it, at
/// its statement, with the source's section where it would stand (the
/// section of that anchor, or the nearest earlier one the source has; the
/// article itself when the fact stands at the top).
fn extra_facts(
    rule: &Rule,
    source: &ArticleFacts,
    articles: &[&ArticleFacts],
    out: &mut Vec<Finding>,
) {
    let source_names = Names::of(source);
    for (locale, fact) in &rule.by_locale {
        let section = fact.source.section.clone();
        let ours = articles.iter().find(|a| a.locale == *locale);
        let place = match (section.as_deref(), ours) {
            (Some(anchor), Some(a)) => place_of(source, a, anchor),
            _ => None,
        };
        out.push(Finding {
            code: "extra-fact",
            severity: Severity::Warning,
            locale: fact.source.locale.clone(),
            rule: Some(rule.id.clone()),
            section: section.clone(),
            expected: serde_json::Value::Null,
            found: serde_json::to_value(&fact.value).unwrap_or_default(),
            message: format!(
                "{} is stated by this translation and not by its {} source: readers of the source do not get it, and it may be left over from an older source or added by the translator",
                rule.id, source.locale
            ),
            source: Some(fact.source.clone()),
            canonical: Some(source_names.at(
                place.map_or(0, |p| p.line),
                place.map(|p| p.anchor.as_str().into()),
                None,
            )),
        });
    }
}

/// The code of a value that differs from the canonical one: the roles of the
/// same action are a `role-mismatch` (who may do it), anything else a
/// `fact-mismatch`.
fn mismatch_code(expected: &Value, found: &Value) -> &'static str {
    match (expected, found) {
        (Value::RoleRequirement(x), Value::RoleRequirement(y)) if x.action == y.action => {
            "role-mismatch"
        }
        _ => "fact-mismatch",
    }
}

/// Expected and found values, with the set difference for market lists.
fn difference(expected: &Value, found: &Value) -> (serde_json::Value, serde_json::Value, String) {
    let markets = |v: &Value| match v {
        Value::UnavailableMarkets(m) => Some(m.markets.clone()),
        Value::TaxInclusiveMarkets(m) => Some(m.markets.clone()),
        _ => None,
    };
    let e = serde_json::to_value(expected).unwrap_or_default();
    let f = serde_json::to_value(found).unwrap_or_default();
    if let (Value::RoleRequirement(x), Value::RoleRequirement(y)) = (expected, found)
        && x.action == y.action
    {
        let extra: Vec<&String> = y
            .any_of_roles
            .iter()
            .filter(|r| !x.any_of_roles.contains(r))
            .collect();
        let missing: Vec<&String> = x
            .any_of_roles
            .iter()
            .filter(|r| !y.any_of_roles.contains(r))
            .collect();
        let what = format!(
            "{} may be done by {} here and by {} in the source (extra: {}; missing: {})",
            x.action,
            join_all(&y.any_of_roles),
            join_all(&x.any_of_roles),
            join(&extra),
            join(&missing)
        );
        let found = json!({"value": f, "extra": extra, "missing": missing});
        return (e, found, what);
    }
    if let (Some(x), Some(y)) = (markets(expected), markets(found)) {
        let extra: Vec<&String> = y.iter().filter(|m| !x.contains(m)).collect();
        let missing: Vec<&String> = x.iter().filter(|m| !y.contains(m)).collect();
        let found = json!({"value": f, "extra": extra, "missing": missing});
        let what = format!(
            "lists {} the source does not ({}) and lacks {} ({})",
            extra.len(),
            join(&extra),
            missing.len(),
            join(&missing)
        );
        return (e, found, what);
    }
    let what = format!("expected {e}, found {f}");
    (e, f, what)
}

fn join_all(roles: &[String]) -> String {
    if roles.is_empty() {
        "no role".to_owned()
    } else {
        roles.join(", ")
    }
}

fn join(codes: &[&String]) -> String {
    if codes.is_empty() {
        "none".to_owned()
    } else {
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn step_counts(
    p: &Procedure,
    articles: &[&ArticleFacts],
    canonical_of: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Finding>,
) {
    let Some(canonical_locale) = canonical_of(&p.article) else {
        return;
    };
    let Some(canonical) = p.by_locale.get(&canonical_locale) else {
        return;
    };
    let line_of = |locale: &str| {
        articles
            .iter()
            .find(|a| a.locale == locale)
            .and_then(|a| {
                a.extraction
                    .procedures
                    .iter()
                    .find(|q| q.section == p.section)
            })
            .map_or(0, |q| q.line)
    };
    for (locale, ours) in &p.by_locale {
        if ours.steps.len() == canonical.steps.len() {
            continue;
        }
        let section: Arc<str> = p.section.as_str().into();
        let ours_locale: Arc<str> = locale.as_str().into();
        out.push(Finding {
            code: "step-count-mismatch",
            severity: Severity::Warning,
            locale: ours_locale.clone(),
            rule: None,
            section: Some(section.clone()),
            expected: json!(canonical.steps.len()),
            found: json!(ours.steps.len()),
            message: format!(
                "the procedure has {} steps, the {} one {}: a partner following it may miss or repeat a step",
                ours.steps.len(),
                canonical_locale,
                canonical.steps.len()
            ),
            source: Some(Provenance {
                column: None,
                locale: ours_locale,
                path: ours.path.as_str().into(),
                line: line_of(locale),
                segment: None,
                section: Some(section.clone()),
            }),
            canonical: Some(Provenance {
                column: None,
                locale: canonical_locale.as_str().into(),
                path: canonical.path.as_str().into(),
                line: line_of(&canonical_locale),
                segment: None,
                section: Some(section),
            }),
        });
    }
}

/// Facts the bilingual target text states differently from its source
/// segments, where the segment-level number check does not already say so.
/// `id_of(local id, section)` is the project-wide id of the article's rule.
pub(crate) fn target_disagreements(
    a: &ArticleFacts,
    id_of: &dyn Fn(&str, Option<&str>) -> String,
    out: &mut Vec<Discrepancy>,
) {
    for (source, target) in &a.extraction.target_disagreements {
        if is_numeric(source) {
            continue;
        }
        let (expected, found, what) = difference(&source.value, &target.value);
        let id = id_of(&source.rule, source.source.section.as_deref());
        out.push(Discrepancy {
            code: Cow::Borrowed(mismatch_code(&source.value, &target.value)),
            severity: Cow::Borrowed(Severity::Error.id()),
            locale: target.source.locale.clone(),
            rule: Some(id.clone()),
            section: source.source.section.clone(),
            expected,
            found,
            message: format!(
                "the translated text of {id} says other than its own source segments: {what}"
            ),
            source: Some(target.source.clone()),
            canonical: Some(source.source.clone()),
        });
    }
}

fn is_numeric(f: &Fact) -> bool {
    matches!(
        f.value,
        Value::LinkLimits(_) | Value::CancellationWindow(_) | Value::SavingsClaim(_)
    )
}
