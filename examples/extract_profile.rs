//! Profiling aid for extraction: parses, extracts and outlines every article
//! of one locale of a project three times, the way `emit::analyze` does for
//! one article (same locale data, same arguments).
//!
//! ```sh
//! cargo build --release --example extract_profile
//! valgrind --tool=callgrind --toggle-collect='*extract_profile::work*' \
//!   target/release/examples/extract_profile ROOT LOCALE [MODE]
//! ```
//!
//! MODE is `full` (parse + extract + outline, the default), `parse` (parse
//! only: the difference is what extraction costs) or `pulldown` (pulldown-cmark
//! parse + HTML with the options of `parse_profile`, the baseline). Reading the
//! files and loading the locale data happen outside `work`, so with
//! `--toggle-collect` the counts hold the per-article work only.
//!
//! LOCALE `all` takes every locale of the project (in project order, as a
//! build does), and then `full` also reconciles: each pass makes every
//! article's `ArticleFacts` and then calls `reconcile::reconcile` once per
//! article group (one file name across locales, members in build order), as
//! a build's `data_files::Group::reconcile` does. So one run counts
//! parsing, extraction, outlines and reconciliation over the same files
//! that `pulldown` counts; `callgrind_annotate --inclusive=yes` splits it
//! by stage.

use std::collections::BTreeMap;
use std::path::Path;

use rulebook::lexicon::{LocaleData, load_locale_data};
use rulebook::load::config::Policy;
use rulebook::reconcile::ArticleFacts;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Full,
    Parse,
    Pulldown,
}

/// One article to analyze: locale, slug, project-relative path, text.
struct File {
    locale: String,
    slug: String,
    path: String,
    text: String,
}

/// A locale's data and the English data its source segments are read with.
struct Data {
    own: LocaleData,
    english: LocaleData,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(locale)) = (args.next(), args.next()) else {
        eprintln!("usage: extract_profile ROOT LOCALE|all [full|parse|pulldown]");
        std::process::exit(2);
    };
    let mode = match args.next().as_deref() {
        None | Some("full") => Mode::Full,
        Some("parse") => Mode::Parse,
        Some("pulldown") => Mode::Pulldown,
        Some(other) => {
            eprintln!("unknown mode `{other}`");
            std::process::exit(2);
        }
    };
    let root = Path::new(&root);
    let project = rulebook::load::load_project(root).unwrap();
    let source = project.config.rulebook.source_locale.clone();
    let policy = project.config.rulebook.policy;
    let mut files = Vec::new();
    let mut data = BTreeMap::new();
    for l in &project.locales {
        if locale != "all" && l.id != locale {
            continue;
        }
        for a in &l.articles {
            files.push(File {
                locale: l.id.clone(),
                slug: a.slug.clone(),
                path: a.path.clone(),
                text: a.read().unwrap(),
            });
        }
        // English data reads the source segments, as in `emit::analyze`
        // (the bench corpus's English has a lexicon).
        let own = load_locale_data(root, &l.id).unwrap();
        let english = load_locale_data(root, "en").unwrap();
        let english = if english.lexicon.is_some() {
            english
        } else {
            own.clone()
        };
        data.insert(l.id.clone(), Data { own, english });
    }
    let reconcile = (locale == "all").then_some(policy);
    let n = work(&files, &source, &data, mode, reconcile);
    println!("{n}");
}

#[inline(never)]
fn work(
    files: &[File],
    source: &str,
    data: &BTreeMap<String, Data>,
    mode: Mode,
    reconcile: Option<Policy>,
) -> usize {
    let language = |l: &str| l.split('-').next().unwrap_or(l).to_owned();
    let mut n = 0;
    for _ in 0..3 {
        let mut articles = Vec::new();
        for file in files {
            let (locale, text) = (file.locale.as_str(), file.text.as_str());
            if mode == Mode::Pulldown {
                let o = pulldown_cmark::Options::ENABLE_TABLES
                    | pulldown_cmark::Options::ENABLE_GFM
                    | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
                    | pulldown_cmark::Options::ENABLE_TASKLISTS;
                let mut html = String::new();
                pulldown_cmark::html::push_html(
                    &mut html,
                    pulldown_cmark::Parser::new_ext(text, o),
                );
                n += html.len();
                continue;
            }
            let Ok(doc) = rulebook::docfx::parse_article(&file.path, text) else {
                continue;
            };
            n += doc.sections.len();
            if mode == Mode::Parse {
                continue;
            }
            let Data { own, english } = &data[locale];
            let translated = language(locale) != language(source);
            let own_lexicon = own.lexicon.as_ref().filter(|_| own.locale == locale);
            let source_lexicon = own_lexicon.and(english.lexicon.as_ref());
            let extraction = rulebook::extract::extract(&doc, locale, own, english);
            let outline = rulebook::reconcile::outline::outline(
                &doc,
                text,
                own_lexicon,
                source_lexicon,
                translated,
            );
            n += extraction.facts.len()
                + extraction.terms.len()
                + extraction.procedures.len()
                + outline.number_mismatches.len()
                + outline.untranslated.len();
            if reconcile.is_some() {
                articles.push(ArticleFacts {
                    locale: locale.to_owned(),
                    article: file.slug.clone(),
                    path: file.path.clone(),
                    date: doc.frontmatter.effective_date(),
                    nav_title: rulebook::site::chapter::nav_title(&doc, &file.slug),
                    anchors: rulebook::site::links::page_anchors(&doc, text),
                    refs: Default::default(),
                    extraction,
                    outline,
                });
            }
        }
        if let Some(policy) = reconcile {
            n += reconcile_groups(articles, policy, source);
        }
    }
    n
}

/// Reconcile article groups (one slug across locales, members in build
/// order) one at a time, as a build does.
#[inline(never)]
fn reconcile_groups(articles: Vec<ArticleFacts>, policy: Policy, source: &str) -> usize {
    let mut locales: Vec<String> = articles.iter().map(|a| a.locale.clone()).collect();
    locales.dedup();
    let mut groups: BTreeMap<String, Vec<ArticleFacts>> = BTreeMap::new();
    for a in articles {
        groups.entry(a.article.clone()).or_default().push(a);
    }
    let mut n = 0;
    for members in groups.values() {
        let r = rulebook::reconcile::reconcile(members, policy, source, &locales);
        n += r.rules.len() + r.procedures.len() + r.discrepancies.len();
    }
    n
}
