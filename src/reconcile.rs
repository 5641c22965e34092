//! Align the locales and pick canonical facts by the configured policy.
//!
//! Facts align by (article, rule id), procedures by (article, section anchor).
//! Policy `source-wins`: the source locale's value is canonical, and where the
//! source does not state a fact, the newest article that does. Policy
//! `newest-wins`: the article with the newest date wins (ties: source locale,
//! then locale id), so a fresher translation can correct a stale source.

pub(crate) mod findings;
pub mod outline;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::extract::{Extraction, Fact};
use crate::load::config::Policy;
use crate::rules::{Discrepancy, LocaleFact, LocaleProcedure, Procedure, Rule};

/// The extraction of one article in one locale, with what ranks it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArticleFacts {
    /// The locale id.
    pub locale: String,
    /// The article's slug (its file stem, the same in every locale).
    pub article: String,
    /// The file's path relative to the project root.
    pub path: String,
    /// The date that ranks its statements under `newest-wins`
    /// ([`crate::frontmatter::Frontmatter::effective_date`]); `None` when
    /// undated.
    pub date: Option<NaiveDate>,
    /// The article's title in the table of contents (the site needs it
    /// before it renders any page).
    pub nav_title: String,
    /// The anchors of its sections, in order (the site checks links to
    /// them before it renders any page).
    pub anchors: Vec<String>,
    /// What its page links to and shows (the site's findings are made
    /// from these every build, before the data files are written).
    #[serde(default)]
    pub refs: crate::site::chapter::PageRefs,
    /// What the article states.
    pub extraction: Extraction,
    /// What the cross-locale checks compare besides facts.
    pub outline: outline::Outline,
}

/// What reconciling every locale's facts gives: the rules, procedures and
/// findings of rules.json, procedures.json and report.json.
#[derive(Debug, Clone)]
pub struct Reconciled {
    /// The rules: one per fact id (and section, where an article states it in
    /// several), its value chosen by the policy.
    pub rules: Vec<Rule>,
    /// The procedures, in order of article and section.
    pub procedures: Vec<Procedure>,
    /// The findings, sorted.
    pub discrepancies: Vec<Discrepancy>,
    /// Each article's target-text disagreements (path, findings), in the
    /// articles' order: the report lists them after the sorted findings,
    /// placed by article.
    pub tails: Vec<(String, Vec<Discrepancy>)>,
}

/// Rank of a locale's statement under a policy: higher wins.
fn rank(policy: Policy, source_locale: &str, a: &ArticleFacts) -> (u8, Option<NaiveDate>, bool) {
    let is_source = a.locale == source_locale;
    match policy {
        Policy::SourceWins => (u8::from(is_source), a.date, is_source),
        Policy::NewestWins => (0, a.date, is_source),
    }
}

/// Reconcile the facts of every locale: one canonical value per rule under
/// `policy` (`source_locale` is the locale that wins under `source-wins`), the
/// procedures, and every finding where locales disagree.
pub fn reconcile(
    articles: &[ArticleFacts],
    policy: Policy,
    source_locale: &str,
    locales: &[String],
) -> Reconciled {
    // A local id that one locale's article states in several sections is
    // one rule per section, its id qualified by the section's anchor. (Not
    // across locales: a translation that keeps a fact under another
    // heading states the same fact, and differs from its source only there.)
    let mut in_sections: BTreeMap<(&str, &str, &str), std::collections::BTreeSet<Option<&str>>> =
        BTreeMap::new();
    for a in articles {
        for f in &a.extraction.facts {
            in_sections
                .entry((&a.article, &f.rule, &a.locale))
                .or_default()
                .insert(f.source.section.as_deref());
        }
    }
    let mut sections_of: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for ((article, rule, _), sections) in &in_sections {
        *sections_of.entry((article, rule)).or_default() |= sections.len() > 1;
    }
    // (article, rule, section where it repeats) → statements, in a stable
    // order
    type Key<'a> = (&'a str, &'a str, Option<&'a str>);
    let mut facts: BTreeMap<Key, Vec<(&ArticleFacts, &Fact)>> = BTreeMap::new();
    for a in articles {
        for f in &a.extraction.facts {
            let repeats = sections_of
                .get(&(a.article.as_str(), f.rule.as_str()))
                .copied()
                .unwrap_or(false);
            let section = f.source.section.as_deref().filter(|_| repeats);
            facts
                .entry((&a.article, &f.rule, section))
                .or_default()
                .push((a, f));
        }
    }
    // one rule per key: sized once, not grown (a rule is large to move)
    let mut rules = Vec::with_capacity(facts.len());
    for ((article, id, qualifier), mut statements) in facts {
        statements.sort_by(|(a, _), (b, _)| {
            rank(policy, source_locale, b)
                .cmp(&rank(policy, source_locale, a))
                .then_with(|| a.locale.cmp(&b.locale))
        });
        let Some(&(_, canonical)) = statements.first() else {
            continue;
        };
        let by_locale = statements
            .iter()
            .map(|(a, f)| {
                (
                    a.locale.clone(),
                    Box::new(LocaleFact {
                        value: f.value.clone(),
                        source: f.source.clone(),
                        agrees: f.value == canonical.value,
                    }),
                )
            })
            .collect();
        rules.push(Rule {
            id: crate::rules::rule_id(article, qualifier, id),
            kind: canonical.kind(),
            article: article.to_owned(),
            section: canonical.source.section.as_deref().map(str::to_owned),
            value: canonical.value.clone(),
            source: canonical.source.clone(),
            by_locale,
        });
    }

    let mut procedures: BTreeMap<(&str, &str), Procedure> = BTreeMap::new();
    let mut ranked: Vec<&ArticleFacts> = articles.iter().collect();
    ranked.sort_by(|a, b| {
        rank(policy, source_locale, b)
            .cmp(&rank(policy, source_locale, a))
            .then_with(|| a.locale.cmp(&b.locale))
    });
    for a in ranked {
        for p in &a.extraction.procedures {
            let entry = procedures
                .entry((&a.article, &p.section))
                .or_insert_with(|| Procedure {
                    article: a.article.clone(),
                    section: p.section.clone(),
                    requires_role: p.requires_role.clone(),
                    by_locale: BTreeMap::new(),
                });
            if entry.requires_role.is_empty() {
                entry.requires_role = p.requires_role.clone();
            }
            entry
                .by_locale
                .entry(a.locale.clone())
                .or_insert_with(|| LocaleProcedure {
                    title: p.title.clone(),
                    path: a.path.clone(),
                    steps: p.steps.clone(),
                });
        }
    }

    let procedures: Vec<Procedure> = procedures.into_values().collect();
    // The article each translation is compared with: the best-ranked locale
    // that has it (the source locale under source-wins).
    // Computed once for all articles: a search per call would make the
    // findings grow with the square of the article count.
    let mut best: std::collections::HashMap<&str, &ArticleFacts> = std::collections::HashMap::new();
    for a in articles {
        let better = best.get(a.article.as_str()).is_none_or(|b| {
            rank(policy, source_locale, a)
                .cmp(&rank(policy, source_locale, b))
                .then_with(|| b.locale.cmp(&a.locale))
                .is_gt()
        });
        if better {
            best.insert(&a.article, a);
        }
    }
    let canonical_of =
        |article: &str| -> Option<String> { best.get(article).map(|a| a.locale.clone()) };
    let mut discrepancies = findings::findings(
        articles,
        &rules,
        &procedures,
        &canonical_of,
        (source_locale, locales),
    );
    discrepancies.shrink_to_fit();
    let id_of = |article: &str, local: &str, section: Option<&str>| {
        let repeats = sections_of.get(&(article, local)).copied().unwrap_or(false);
        crate::rules::rule_id(article, section.filter(|_| repeats), local)
    };
    let tails = articles
        .iter()
        .filter_map(|a| {
            let mut found = Vec::new();
            findings::target_disagreements(
                a,
                &|local, section| id_of(&a.article, local, section),
                &mut found,
            );
            (!found.is_empty()).then(|| (a.path.clone(), found))
        })
        .collect();
    Reconciled {
        rules,
        procedures,
        discrepancies,
        tails,
    }
}
