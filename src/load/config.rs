//! `book.toml`: mdBook's own tables, rulebook's settings in
//! `[output.rulebook]` (a renderer table, which mdBook passes through, so
//! the file is a valid mdBook configuration), and the older top-level
//! `[rulebook]` table, still read with a deprecation warning.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Location};
use crate::position::LineIndex;

/// How the canonical value of a fact is chosen: defined with the rules
/// file it is recorded in (the rules crate), read here from book.toml.
pub use rulebook_rules::Policy;

/// The `[output.rulebook]` table (formerly `[rulebook]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub struct RulebookConfig {
    /// mdBook's key for every renderer table: `true` lets plain
    /// `mdbook build` skip the `mdbook-rulebook` renderer it cannot find.
    /// rulebook itself does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// mdBook's key for the renderer's command line; rulebook does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
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
    /// The docs site that absolute links to pages the tree does not hold
    /// (`/partner-center/develop/…`) go to: the link's path is appended
    /// (default `https://learn.microsoft.com/`). Empty: such links show as
    /// text, with a `broken-link` warning. Only `https://` or `http://`.
    #[serde(default = "default_docs_base_url", deserialize_with = "docs_base_url")]
    pub docs_base_url: String,
}

fn default_docs_base_url() -> String {
    "https://learn.microsoft.com/".to_owned()
}

/// A base URL for links: `http(s)://host…` or nothing; any other scheme
/// (a `javascript:` one) would make every such link a script.
fn docs_base_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    let lower = url.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let ok = url.is_empty()
        || host.is_some_and(|h| {
            !h.is_empty()
                && !h.starts_with('/')
                && !url.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\')
                })
        });
    if ok {
        Ok(url)
    } else {
        Err(serde::de::Error::custom(format!(
            "docs-base-url must be an https:// or http:// address of a docs site (or empty), not `{url}`"
        )))
    }
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
            optional: None,
            command: None,
            source_locale: default_source_locale(),
            locales: None,
            policy: Policy::default(),
            page_size: default_page_size(),
            docs_base_url: default_docs_base_url(),
        }
    }
}

/// mdBook's `[output.html]`, its keys that concern rulebook's site typed
/// (a wrong type is a located error). The site honours them as mdBook does
/// (`site::html_output`, which checks the values: where a path or URL may
/// lead is settled there).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct HtmlConfig {
    /// The site's address (`https://docs.example.com/help/`).
    #[serde(default)]
    pub site_url: Option<String>,
    /// Style sheets, paths relative to the project root.
    #[serde(default)]
    pub additional_css: Vec<String>,
    /// Redirect pages: old page path (`/old.html`) to its new place.
    #[serde(default)]
    pub redirect: std::collections::BTreeMap<String, String>,
    /// Every other key of mdBook's HTML renderer, accepted and left to it.
    #[serde(flatten)]
    pub other: toml::Table,
}

/// The `[output]` tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct OutputTables {
    /// rulebook's settings.
    #[serde(default)]
    pub rulebook: Option<toml::Spanned<RulebookConfig>>,
    /// mdBook's HTML renderer.
    #[serde(default)]
    pub html: Option<HtmlConfig>,
    /// Other renderers' tables, accepted and left to mdBook.
    #[serde(flatten)]
    pub other: toml::Table,
}

/// The whole file as written. mdBook's tables are kept as TOML values for
/// the site stage; an unknown top-level table is an error, since a typo
/// there would otherwise be silently ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBookToml {
    #[serde(default)]
    book: Option<toml::Table>,
    #[serde(default)]
    build: Option<toml::Table>,
    #[serde(default)]
    output: OutputTables,
    #[serde(default)]
    preprocessor: Option<toml::Table>,
    #[serde(default)]
    rust: Option<toml::Table>,
    /// The table's old place, before mdBook rejected unknown top-level tables.
    #[serde(default)]
    rulebook: Option<toml::Spanned<RulebookConfig>>,
}

/// The whole file, read.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BookToml {
    /// mdBook's `[book]`: accepted here, read by mdBook (title, authors, …).
    pub book: Option<toml::Table>,
    /// mdBook's `[build]`: accepted here, read by mdBook.
    pub build: Option<toml::Table>,
    /// mdBook's `[output.html]`.
    pub html: HtmlConfig,
    /// mdBook's `[preprocessor.*]`: accepted here, read by mdBook.
    pub preprocessor: Option<toml::Table>,
    /// mdBook's `[rust]`: accepted here, read by mdBook.
    pub rust: Option<toml::Table>,
    /// rulebook's settings: `[output.rulebook]`, or the deprecated
    /// `[rulebook]`; defaults when neither is there.
    pub rulebook: RulebookConfig,
    /// What is read but should change (the deprecated table).
    pub warnings: Vec<Diagnostic>,
}

const HELP: &str = "book.toml takes mdBook's [book], [build], [output.*], [preprocessor.*] tables; rulebook's settings go in [output.rulebook]: source-locale, locales, policy (source-wins | newest-wins), page-size (a positive number) and mdBook's optional = true";

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
        let lines = LineIndex::new(text);
        let at = |offset: usize| {
            let (line, col) = lines.line_col(text, offset);
            Location::new(display, line, col)
        };
        let raw = toml::from_str::<RawBookToml>(text).map_err(|e| {
            Diagnostic::error("book-toml", format!("invalid book.toml: {}", e.message()))
                .at(at(e.span().map_or(0, |span| span.start)))
                .with_help(HELP)
        })?;
        let mut warnings = Vec::new();
        let rulebook = match (raw.output.rulebook, raw.rulebook) {
            (Some(new), Some(old)) => {
                return Err(Diagnostic::error(
                    "book-toml",
                    "book.toml has both [rulebook] and [output.rulebook]: which settings hold is unclear",
                )
                .at(at(table_start(text, old.span().start)))
                .with_help(format!(
                    "move the settings of [rulebook] into [output.rulebook] (line {}) and delete [rulebook]",
                    lines.line_col(text, table_start(text, new.span().start)).0
                )));
            }
            (Some(new), None) => new.into_inner(),
            (None, Some(old)) => {
                warnings.push(
                    Diagnostic::warning(
                        "deprecated-config",
                        "the top-level [rulebook] table is deprecated: mdBook 0.5 refuses book.toml with it",
                    )
                    .at(at(table_start(text, old.span().start)))
                    .with_help("rename the table header to [output.rulebook] and add `optional = true`, so that plain `mdbook build` reads the file and skips rulebook's renderer"),
                );
                old.into_inner()
            }
            (None, None) => RulebookConfig::default(),
        };
        Ok(BookToml {
            book: raw.book,
            build: raw.build,
            html: raw.output.html.unwrap_or_default(),
            preprocessor: raw.preprocessor,
            rust: raw.rust,
            rulebook,
            warnings,
        })
    }
}

/// Where the table whose body starts at `offset` is declared: its `[header]`
/// line when it has one (a table's span may start at its first key).
fn table_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    if text
        .get(line_start..)
        .is_some_and(|l| l.trim_start().starts_with('['))
    {
        return line_start;
    }
    // the header line above the first key
    before
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('['))
        .last()
        .map_or(offset, |(n, _)| {
            before.lines().take(n).map(|l| l.len() + 1).sum()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_output_rulebook_with_mdbooks_optional_key() {
        let b = BookToml::parse(
            "[book]\ntitle = \"x\"\n\n[output.html]\nsite-url = \"/help/\"\ndefault-theme = \"light\"\n\n[output.rulebook]\noptional = true\npolicy = \"newest-wins\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(b.rulebook.policy, Policy::NewestWins);
        assert_eq!(b.rulebook.optional, Some(true));
        assert_eq!(b.html.site_url.as_deref(), Some("/help/"));
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn the_old_table_is_read_with_a_located_deprecation_warning() {
        let b = BookToml::parse(
            "[book]\ntitle = \"x\"\n\n[rulebook]\npolicy = \"newest-wins\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(b.rulebook.policy, Policy::NewestWins);
        let w = &b.warnings[0];
        assert_eq!((w.code, w.is_error()), ("deprecated-config", false));
        assert_eq!(w.location.as_ref().unwrap().line, 4);
        assert!(w.help.as_deref().unwrap().contains("[output.rulebook]"));
    }

    #[test]
    fn both_tables_at_once_are_a_located_error() {
        let d = BookToml::parse(
            "[rulebook]\npolicy = \"newest-wins\"\n\n[output.rulebook]\npolicy = \"source-wins\"\n",
            "book.toml",
        )
        .unwrap_err();
        assert!(d.is_error());
        assert_eq!(d.location.as_ref().unwrap().line, 1);
        assert!(
            d.help.as_deref().unwrap().contains("line 4"),
            "{:?}",
            d.help
        );
    }

    #[test]
    fn an_unknown_key_of_output_rulebook_is_located() {
        let d = BookToml::parse(
            "[output.rulebook]\noptional = true\npolicyy = \"x\"\n",
            "book.toml",
        )
        .unwrap_err();
        assert_eq!(d.location.unwrap().line, 3);
        assert!(d.message.contains("policyy"), "{}", d.message);
    }

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
