//! rulebook turns localized DocFX help articles into two products: a localized
//! static help site and a machine-readable rules file with a validator.
//!
//! The pipeline runs one stage per module, data flowing one way:
//! [`load`] → [`docfx`] → extract → reconcile → emit; see ARCHITECTURE.md.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cache;
pub(crate) mod data_files;

pub mod diag;
pub mod docfx;
pub mod emit;
pub mod extract;
pub mod frontmatter;
#[doc(hidden)]
pub mod fuzzing;
pub mod lexicon;
pub mod load;
pub(crate) mod output;
pub(crate) mod position;
pub mod reconcile;
pub(crate) mod report;
pub mod serve;
pub mod site;
pub(crate) mod timings;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};
/// The rules.json contract and the validator live in their own crate
/// (`crates/rulebook-rules`), which a service links without the build's
/// dependencies; `crate::rules::…` and `rulebook::rules::…` name it.
pub use rulebook_rules as rules;
pub mod cli;
pub(crate) mod fsutil;

/// The real articles unit tests check guarantees on: every Markdown file of
/// the bundled content and of the shared corpus (`../shared/corpus`,
/// required: a guarantee is worth the text it was checked on).
#[cfg(test)]
pub(crate) fn real_articles() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus");
    assert!(shared.is_dir(), "../shared/corpus is missing");
    let mut texts = Vec::new();
    let mut dirs = vec![root.join("content"), shared];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                texts.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    texts
}
