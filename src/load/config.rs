//! `book.toml`: mdBook's own tables plus rulebook's `[rulebook]` table.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Location};
use crate::position::LineIndex;

/// How the canonical value of a fact is chosen: defined with the rules
/// file it is recorded in (the rules crate), read here from book.toml.
pub use rulebook_rules::Policy;

/// The `[rulebook]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub struct RulebookConfig {
    /// Locale of the source language, whose segments are the source text
    /// (default `en`).
    #[serde(default = "default_source_locale")]
    pub source_locale: String,
    /// Locales to build; default: every folder of `content/`.
    #[serde(default)]
    pub locales: Option<Vec<String>>,
    /// How the canonical value of a fact is chosen when locales disagree.
    #[serde(default)]
    pub policy: Policy,
    /// Rules on one page of the rules page, findings on one page of a
    /// status page: longer lists are split into pages.
    #[serde(default = "default_page_size")]
    pub page_size: std::num::NonZeroUsize,
}

fn default_source_locale() -> String {
    "en".to_owned()
}

fn default_page_size() -> std::num::NonZeroUsize {
    std::num::NonZeroUsize::new(500).unwrap_or(std::num::NonZeroUsize::MIN)
}

impl Default for RulebookConfig {
    fn default() -> Self {
        RulebookConfig {
            source_locale: default_source_locale(),
            locales: None,
            policy: Policy::default(),
            page_size: default_page_size(),
        }
    }
}

/// The whole file. mdBook's tables are kept as TOML values for the site stage;
/// an unknown top-level table is an error, since a typo there would otherwise
/// be silently ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BookToml {
    /// mdBook's `[book]`: accepted here, read by mdBook (title, authors, …).
    #[serde(default)]
    pub book: Option<toml::Table>,
    /// mdBook's `[build]`: accepted here, read by mdBook.
    #[serde(default)]
    pub build: Option<toml::Table>,
    /// mdBook's `[output.*]`: accepted here, read by mdBook.
    #[serde(default)]
    pub output: Option<toml::Table>,
    /// mdBook's `[preprocessor.*]`: accepted here, read by mdBook.
    #[serde(default)]
    pub preprocessor: Option<toml::Table>,
    /// mdBook's `[rust]`: accepted here, read by mdBook.
    #[serde(default)]
    pub rust: Option<toml::Table>,
    /// rulebook's own `[rulebook]` table; defaults when absent.
    #[serde(default)]
    pub rulebook: RulebookConfig,
}

impl BookToml {
    /// Read `root/book.toml`; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Self, Diagnostic> {
        let path = root.join("book.toml");
        let display = "book.toml";
        if !path.exists() {
            return Ok(BookToml::default());
        }
        // a regular file of bounded size (book.toml may be a link, e.g. to
        // a shared configuration, but never a FIFO or a device)
        let bytes = crate::load::confine::read_any(&path).map_err(|r| r.diagnostic(display))?;
        let text = crate::load::text::decode(bytes, display)?;
        Self::parse(&text, display)
    }

    /// Parse the text of a book.toml; `display` names the file in diagnostics.
    pub fn parse(text: &str, display: &str) -> Result<Self, Diagnostic> {
        toml::from_str::<BookToml>(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |span| LineIndex::new(text).line_col(text, span.start));
            Diagnostic::error("book-toml", format!("invalid book.toml: {}", e.message()))
                .at(Location::new(display, line, col))
                .with_help("book.toml takes mdBook's [book], [build], [output.*], [preprocessor.*] tables and a [rulebook] table with source-locale, locales, policy (source-wins | newest-wins) and page-size (a positive number)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rulebook_table() {
        let b = BookToml::parse(
            "[book]\ntitle = \"x\"\n[rulebook]\npolicy = \"newest-wins\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(b.rulebook.policy, Policy::NewestWins);
        assert_eq!(b.rulebook.source_locale, "en");
    }

    #[test]
    fn unknown_key_is_located() {
        let d = BookToml::parse(
            "[rulebook]\nsource-locale = \"en\"\npolicyy = \"x\"\n",
            "book.toml",
        )
        .unwrap_err();
        assert_eq!(d.code, "book-toml");
        assert_eq!(d.location.unwrap().line, 3);
        assert!(d.message.contains("policyy"), "{}", d.message);
    }

    #[test]
    fn wrong_type_is_located() {
        let d = BookToml::parse("[rulebook]\nlocales = \"en\"\n", "book.toml").unwrap_err();
        assert_eq!(d.location.unwrap().line, 2);
    }
}
