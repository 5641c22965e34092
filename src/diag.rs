//! Located diagnostics: every problem rulebook reports names a file, a line and a
//! column where it has them, a stable code, and a help line saying how to fix it.
//!
//! The one-line form `path:line:col: severity[code]: message` is a contract
//! (DESIGN.md): editors and CI log scanners parse it, so it is rendered here and
//! nowhere else.

use std::fmt;

use serde::Serialize;

/// How bad a diagnostic is. Errors make a command exit non-zero; warnings do not.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; the command still succeeds.
    Warning,
    /// The command fails (exit 1, or 2 for usage and unreadable input).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A place in a file: 1-based line and column (column counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct Location {
    /// The file as the user names it: relative to the project root,
    /// `/`-separated.
    pub path: String,
    /// Line, from 1; 0 when only the file is known.
    pub line: u32,
    /// Column in characters, from 1; 0 when unknown.
    pub col: u32,
}

impl Location {
    /// A location at `line`:`col` of `path` (0 for either when unknown).
    pub fn new(path: impl Into<String>, line: u32, col: u32) -> Self {
        Location {
            path: path.into(),
            line,
            col,
        }
    }

    /// A location that names only a file (line and column unknown).
    pub fn file(path: impl Into<String>) -> Self {
        Location::new(path, 0, 0)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = Escaped(&self.path);
        match (self.line, self.col) {
            (0, _) => write!(f, "{path}"),
            (line, 0) => write!(f, "{path}:{line}"),
            (line, col) => write!(f, "{path}:{line}:{col}"),
        }
    }
}

/// Text from the input (a file name, a quoted value, another tool's error)
/// as it may appear in the one-line form: a line break would start a line
/// of its own that CI runners obey (GitHub Actions reads `::error …`,
/// `::add-mask::`, `::stop-commands::` at the start of any log line) and
/// log scanners read as another diagnostic; an escape sequence would drive
/// the terminal, a bidirectional control reorder what a reviewer sees.
/// Each such character is written as a Rust escape (`\n`, `\u{202e}`); a
/// tab stays.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |c: char| {
            (c.is_control() && c != '\t')
                || matches!(
                    c,
                    '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
                )
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        };
        let mut rest = self.0;
        while let Some(at) = rest.find(hidden) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether it fails the command.
    pub severity: Severity,
    /// Stable kebab-case id, e.g. `yaml-frontmatter`; documented in docs/diagnostics.md.
    pub code: &'static str,
    /// What is wrong, in one sentence that quotes the offending input.
    pub message: String,
    /// Where it is; `None` for a problem of no file (a bad command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// How to fix it, printed as `  = help: …` under the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A diagnostic as the build cache keeps it (an article's warnings are
/// said again, every build, from its cached analysis).
#[derive(serde::Deserialize)]
struct Stored {
    severity: Severity,
    code: String,
    message: String,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    help: Option<String>,
}

/// Codes read back from the cache, each made `'static` once: they are a
/// few dozen fixed words, so a cache naming more is refused (and its
/// articles analyzed anew) rather than growing this.
static CODES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
const MAX_CODES: usize = 256;

fn intern(code: String) -> Option<&'static str> {
    let mut codes = CODES.lock().ok()?;
    if let Some(known) = codes.iter().find(|c| **c == code) {
        return Some(known);
    }
    if codes.len() >= MAX_CODES {
        return None;
    }
    let code: &'static str = Box::leak(code.into_boxed_str());
    codes.push(code);
    Some(code)
}

impl<'de> serde::Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Stored::deserialize(d)?;
        let code =
            intern(s.code).ok_or_else(|| serde::de::Error::custom("too many diagnostic codes"))?;
        Ok(Diagnostic {
            severity: s.severity,
            code,
            message: s.message,
            location: s.location,
            help: s.help,
        })
    }
}

impl Diagnostic {
    /// An error with stable code `code` (kebab-case, docs/diagnostics.md).
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    /// A warning with stable code `code`: reported, but the command still
    /// succeeds.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The diagnostic located at `location`.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// The diagnostic with `help` saying how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for an error, false for a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(
            f,
            "{}[{}]: {}",
            self.severity,
            self.code,
            Escaped(&self.message)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", Escaped(help))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// A list of diagnostics gathered while working through many files, so that one
/// run reports every problem, not just the first (as a compiler does).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Add one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Add every diagnostic of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// True when any of them is an error (the command fails).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors among them, in order.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every diagnostic, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Sort by file, line, column, then code, so output does not depend on the
    /// order in which parallel workers finished; a diagnostic said twice
    /// (the same one of the same file from two stages, e.g. a source TOC's
    /// entry for the source locale and again for a locale that borrows that
    /// TOC) is kept once.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message))
        });
        self.0.dedup();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_contract_form() {
        let d = Diagnostic::error("yaml-frontmatter", "mapping values are not allowed here")
            .at(Location::new("content/en/a.md", 3, 7))
            .with_help("quote the value");
        assert_eq!(
            d.to_string(),
            "content/en/a.md:3:7: error[yaml-frontmatter]: mapping values are not allowed here\n  = help: quote the value"
        );
    }

    #[test]
    fn sorting_keeps_a_diagnostic_said_twice_once() {
        let d = |line, message: &str| {
            Diagnostic::warning("toc-entry", message)
                .at(Location::new("content/zh-TW/TOC.yml", line, 1))
                .with_help("fix the href")
        };
        let mut all = Diagnostics(vec![d(9, "b"), d(2, "a"), d(9, "b"), d(9, "c"), d(2, "a")]);
        all.sort();
        assert_eq!(all.0, [d(2, "a"), d(9, "b"), d(9, "c")]);
    }

    #[test]
    fn file_only_location_has_no_zero_line() {
        let d = Diagnostic::warning("x", "m").at(Location::file("a.md"));
        assert_eq!(d.to_string(), "a.md: warning[x]: m");
    }

    #[test]
    fn text_from_the_input_stays_on_its_line() {
        let d = Diagnostic::error("empty-article", "`x\n::error::forged` is empty\u{1b}[2J")
            .at(Location::new(
                "content/en/x\r\n::add-mask::y\u{202e}.md",
                1,
                1,
            ))
            .with_help("fix\u{2028}it\tnow");
        let shown = d.to_string();
        assert_eq!(
            shown,
            "content/en/x\\r\\n::add-mask::y\\u{202e}.md:1:1: error[empty-article]: `x\\n::error::forged` is empty\\u{1b}[2J\n  = help: fix\\u{2028}it\tnow"
        );
        assert_eq!(shown.lines().count(), 2);
    }
}
