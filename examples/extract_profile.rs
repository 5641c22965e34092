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

use std::path::Path;

use rulebook::lexicon::{LocaleData, load_locale_data};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Full,
    Parse,
    Pulldown,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(locale)) = (args.next(), args.next()) else {
        eprintln!("usage: extract_profile ROOT LOCALE [full|parse|pulldown]");
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
    let dir = root.join("content").join(&locale);
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            files.push((
                format!("content/{locale}/{name}"),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    files.sort();
    // The source locale is `en` in the bench corpus (book.toml); English data
    // reads the source segments, as in `emit::analyze`.
    let source = "en";
    let own = load_locale_data(root, &locale).unwrap();
    let english = load_locale_data(root, source).unwrap();
    let english = if english.lexicon.is_some() {
        english
    } else {
        own.clone()
    };
    let n = work(&files, &locale, source, &own, &english, mode);
    println!("{n}");
}

#[inline(never)]
fn work(
    files: &[(String, String)],
    locale: &str,
    source: &str,
    own: &LocaleData,
    english: &LocaleData,
    mode: Mode,
) -> usize {
    let language = |l: &str| l.split('-').next().unwrap_or(l).to_owned();
    let translated = language(locale) != language(source);
    let own_lexicon = own.lexicon.as_ref().filter(|_| own.locale == locale);
    let source_lexicon = own_lexicon.and(english.lexicon.as_ref());
    let mut n = 0;
    for _ in 0..3 {
        for (path, text) in files {
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
            let Ok(doc) = rulebook::docfx::parse_article(path, text) else {
                continue;
            };
            n += doc.sections.len();
            if mode == Mode::Parse {
                continue;
            }
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
        }
    }
    n
}
