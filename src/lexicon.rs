//! Locale knowledge as data: `locales/<locale>/lexicon.toml` (terms, cues,
//! number words, duration units, patterns) and the market-name tables
//! `regions.tsv` (CLDR display names) and `markets.tsv` (aliases beyond CLDR).
//! Nothing here knows a sentence of any article; docs/lexicon.md has the format.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use crate::diag::{Diagnostic, Location};

/// The lexicon file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    numbers: BTreeMap<String, u32>,
    #[serde(default)]
    units: BTreeMap<String, u32>,
    #[serde(default)]
    products: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    programs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    actions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
    /// Older names of products and programs (a subset of their terms), for
    /// the terminology-drift check.
    #[serde(default)]
    superseded: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    cues: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    patterns: BTreeMap<String, String>,
}

/// Terms of one vocabulary (roles, products …): id → matcher.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    terms: Vec<(String, Regex)>,
}

impl Terms {
    fn compile(map: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut terms = Vec::new();
        for (id, words) in map {
            if words.is_empty() {
                continue;
            }
            let mut words: Vec<&String> = words.iter().collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            let alternation: Vec<String> = words.iter().map(|w| bounded(w)).collect();
            let re = Regex::new(&format!("(?i){}", alternation.join("|")))
                .map_err(|e| format!("term `{id}`: {e}"))?;
            terms.push((id.clone(), re));
        }
        Ok(Terms { terms })
    }

    /// Ids of every term found in `text`, in vocabulary order.
    pub fn find_all(&self, text: &str) -> Vec<&str> {
        self.terms
            .iter()
            .filter(|(_, re)| re.is_match(text))
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Every occurrence of every term: (id, the words as written).
    pub fn find_matches<'t>(&self, text: &'t str) -> Vec<(&str, &'t str)> {
        let mut found: Vec<(usize, &str, &'t str)> = self
            .terms
            .iter()
            .flat_map(|(id, re)| {
                re.find_iter(text)
                    .map(move |m| (m.start(), id.as_str(), m.as_str()))
            })
            .collect();
        found.sort_by_key(|(start, _, _)| *start);
        found.into_iter().map(|(_, id, m)| (id, m)).collect()
    }

    /// The term that occurs first in `text`.
    pub fn first(&self, text: &str) -> Option<&str> {
        self.terms
            .iter()
            .filter_map(|(id, re)| re.find(text).map(|m| (m.start(), id.as_str())))
            .min()
            .map(|(_, id)| id)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// A regex for a literal word, with word boundaries where the word starts or
/// ends with a Latin letter or digit (CJK text has no spaces to bound on).
fn bounded(word: &str) -> String {
    let mut s = String::new();
    if word.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        s.push_str(r"\b");
    }
    s.push_str(&regex::escape(word).replace(' ', r"\s+"));
    if word.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        s.push_str(r"\b");
    }
    s
}

/// A compiled lexicon for one locale.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Lexicon {
    pub locale: String,
    pub products: Terms,
    pub programs: Terms,
    pub roles: Terms,
    pub actions: Terms,
    pub fields: Terms,
    /// Older product names, folded to lower case (see `is_superseded`).
    superseded: HashMap<String, Vec<String>>,
    cues: HashMap<String, Vec<Regex>>,
    /// `duration`, `count`, `percent`: regexes with groups `n` (and `unit`).
    patterns: HashMap<String, Regex>,
    numbers: HashMap<String, u32>,
    /// All number words in one regex (longest first), compiled once.
    number_words: Option<Regex>,
    units: HashMap<String, u32>,
}

/// The cue and pattern names extraction asks for; a lexicon naming another is
/// a typo, reported as an error.
pub const CUES: &[&str] = &[
    "unavailable-markets",
    "tax-inclusive",
    "role-required",
    "link-expiry",
    "renewable",
    "cancellation",
    "no-fee",
    "savings",
];
pub const PATTERNS: &[&str] = &["duration", "count", "percent"];

impl Lexicon {
    /// Load `dir/lexicon.toml`; `None` when the locale has none.
    pub fn load(dir: &Path, locale: &str, display: &str) -> Result<Option<Self>, Diagnostic> {
        let path = dir.join("lexicon.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(
                    Diagnostic::error("unreadable", format!("cannot read lexicon: {e}"))
                        .at(Location::file(display)),
                );
            }
        };
        Self::parse(&text, locale, display).map(Some)
    }

    pub fn parse(text: &str, locale: &str, display: &str) -> Result<Self, Diagnostic> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| {
                crate::position::LineIndex::new(text).line_col(text, s.start)
            });
            Diagnostic::error("lexicon", format!("invalid lexicon: {}", e.message()))
                .at(Location::new(display, line, col))
                .with_help("see docs/lexicon.md for the lexicon format")
        })?;
        let bad = |message: String| {
            Diagnostic::error("lexicon", message)
                .at(Location::file(display))
                .with_help("see docs/lexicon.md for the lexicon format")
        };
        let mut cues = HashMap::new();
        for (name, list) in &file.cues {
            if !CUES.contains(&name.as_str()) {
                return Err(bad(format!(
                    "unknown cue `{name}` (known: {})",
                    CUES.join(", ")
                )));
            }
            let compiled = list
                .iter()
                .map(|p| {
                    Regex::new(&format!("(?i){p}")).map_err(|e| bad(format!("cue `{name}`: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            cues.insert(name.clone(), compiled);
        }
        let number_alt = alternation(file.numbers.keys(), r"\d+");
        let unit_alt = alternation(file.units.keys(), "");
        let mut patterns = HashMap::new();
        for (name, p) in &file.patterns {
            if !PATTERNS.contains(&name.as_str()) {
                return Err(bad(format!(
                    "unknown pattern `{name}` (known: {})",
                    PATTERNS.join(", ")
                )));
            }
            let expanded = p
                .replace("{number}", &format!("(?P<n>{number_alt})"))
                .replace("{unit}", &format!("(?P<unit>{unit_alt})"));
            let re = Regex::new(&format!("(?i){expanded}"))
                .map_err(|e| bad(format!("pattern `{name}`: {e}")))?;
            patterns.insert(name.clone(), re);
        }
        let number_words = {
            let mut words: Vec<&String> = file.numbers.keys().collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            let alt: Vec<String> = words.iter().map(|w| bounded(w)).collect();
            if alt.is_empty() {
                None
            } else {
                Some(
                    Regex::new(&format!("(?i){}", alt.join("|")))
                        .map_err(|e| bad(format!("numbers: {e}")))?,
                )
            }
        };
        let terms = |m: &BTreeMap<String, Vec<String>>| Terms::compile(m).map_err(bad);
        Ok(Lexicon {
            number_words,
            locale: locale.to_owned(),
            products: terms(&file.products)?,
            programs: terms(&file.programs)?,
            roles: terms(&file.roles)?,
            actions: terms(&file.actions)?,
            fields: terms(&file.fields)?,
            superseded: file
                .superseded
                .into_iter()
                .map(|(id, names)| (id, names.iter().map(|n| normalize_name(n)).collect()))
                .collect(),
            cues,
            patterns,
            numbers: file
                .numbers
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
            units: file
                .units
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
        })
    }

    /// Whether `name` is an older name of product `id` in this lexicon.
    pub fn is_superseded(&self, id: &str, name: &str) -> bool {
        self.superseded
            .get(id)
            .is_some_and(|names| names.contains(&normalize_name(name)))
    }

    /// Whether any regex of cue `name` matches.
    pub fn cue(&self, name: &str, text: &str) -> bool {
        self.cues
            .get(name)
            .is_some_and(|list| list.iter().any(|re| re.is_match(text)))
    }

    fn number(&self, s: &str) -> Option<u32> {
        s.parse()
            .ok()
            .or_else(|| self.numbers.get(&s.to_lowercase()).copied())
    }

    /// A duration in days (`two weeks` → 14, `60 天` → 60).
    pub fn duration_days(&self, text: &str) -> Option<u32> {
        let c = self.patterns.get("duration")?.captures(text)?;
        let n = self.number(c.name("n")?.as_str())?;
        let unit = self
            .units
            .get(&c.name("unit")?.as_str().to_lowercase())
            .copied()?;
        n.checked_mul(unit)
    }

    /// A count (`50 downloads`).
    pub fn count(&self, text: &str) -> Option<u32> {
        self.numbered("count", text)
    }

    pub fn percent(&self, text: &str) -> Option<u32> {
        self.numbered("percent", text)
    }

    fn numbered(&self, pattern: &str, text: &str) -> Option<u32> {
        let c = self.patterns.get(pattern)?.captures(text)?;
        self.number(c.name("n")?.as_str())
    }

    /// Every number in a text, digits or number words (for number-mismatch
    /// checks), sorted.
    pub fn numbers_in(&self, text: &str) -> Vec<u32> {
        let mut out = digits_in(text);
        if let Some(words) = &self.number_words {
            out.extend(
                words
                    .find_iter(text)
                    .filter_map(|m| self.numbers.get(&m.as_str().to_lowercase()).copied()),
            );
        }
        out.sort_unstable();
        out
    }
}

/// Every run of ASCII digits in a text, as numbers, sorted.
pub fn digits_in(text: &str) -> Vec<u32> {
    let mut out: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| !d.is_empty())
        .filter_map(|d| d.parse().ok())
        .collect();
    out.sort_unstable();
    out
}

fn alternation<'a>(words: impl Iterator<Item = &'a String>, extra: &str) -> String {
    let mut words: Vec<&String> = words.collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let mut parts: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
    if !extra.is_empty() {
        parts.push(extra.to_owned());
    }
    parts.join("|")
}

/// Market names of one locale → ISO 3166-1 alpha-2.
#[derive(Debug, Clone, Default)]
pub struct MarketNames {
    by_name: HashMap<String, String>,
    /// The display name of each code (the first CLDR name).
    display: BTreeMap<String, String>,
    scanner: Option<Regex>,
}

/// Fold a market name for lookup: trim, one space for any run of white space
/// (U+00A0 included), no emphasis stars, lower case.
pub fn normalize_name(name: &str) -> String {
    let name = name.replace("&nbsp;", " ");
    let folded: Vec<&str> = name.split_whitespace().collect();
    folded
        .join(" ")
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim()
        .to_lowercase()
}

impl MarketNames {
    /// Load `regions.tsv` then `markets.tsv` from `dir` (either may be absent).
    pub fn load(dir: &Path, display: &str) -> Result<Self, Diagnostic> {
        let mut names = MarketNames::default();
        for file in ["regions.tsv", "markets.tsv"] {
            let path = dir.join(file);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Diagnostic::error(
                        "unreadable",
                        format!("cannot read {file}: {e}"),
                    )
                    .at(Location::file(format!("{display}/{file}"))));
                }
            };
            names.add_tsv(&text, &format!("{display}/{file}"), file == "regions.tsv")?;
        }
        names.build_scanner();
        Ok(names)
    }

    fn add_tsv(&mut self, text: &str, display: &str, is_cldr: bool) -> Result<(), Diagnostic> {
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (a, b) = line.split_once('\t').ok_or_else(|| {
                Diagnostic::error("market-table", "expected two tab-separated columns")
                    .at(Location::new(display, i as u32 + 1, 1))
                    .with_help(
                        "write `CODE<TAB>Name` in regions.tsv and `Name<TAB>CODE` in markets.tsv",
                    )
            })?;
            let (code, name) = if is_cldr { (a, b) } else { (b, a) };
            let code = code.trim();
            if code.len() != 2 || !code.bytes().all(|c| c.is_ascii_uppercase()) {
                return Err(Diagnostic::error(
                    "market-table",
                    format!("`{code}` is not an ISO 3166-1 alpha-2 code"),
                )
                .at(Location::new(display, i as u32 + 1, 1)));
            }
            if is_cldr {
                self.display
                    .entry(code.to_owned())
                    .or_insert_with(|| name.trim().to_owned());
            }
            self.by_name
                .entry(normalize_name(name))
                .or_insert_with(|| code.to_owned());
        }
        Ok(())
    }

    fn build_scanner(&mut self) {
        let mut names: Vec<&String> = self
            .by_name
            .keys()
            .filter(|n| n.chars().count() > 1)
            .collect();
        names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        if names.is_empty() {
            return;
        }
        let alt: Vec<String> = names.iter().map(|n| bounded(n)).collect();
        self.scanner = Regex::new(&format!("(?i){}", alt.join("|"))).ok();
    }

    pub fn resolve(&self, name: &str) -> Option<&str> {
        self.by_name.get(&normalize_name(name)).map(String::as_str)
    }

    /// Codes of every market named in a sentence, in order of appearance.
    pub fn scan(&self, text: &str) -> Vec<String> {
        let Some(scanner) = &self.scanner else {
            return Vec::new();
        };
        scanner
            .find_iter(text)
            .filter_map(|m| self.resolve(m.as_str()).map(str::to_owned))
            .collect()
    }

    pub fn display_name(&self, code: &str) -> Option<&str> {
        self.display.get(code).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Everything extraction knows about one locale.
#[derive(Debug, Clone)]
pub struct LocaleData {
    pub locale: String,
    pub lexicon: Option<Lexicon>,
    pub markets: MarketNames,
}

/// Find the data folder for a locale: `locales/<id>`, else the folder of the
/// same language (`ja` for `ja-JP`, or `ja-JP` for `ja`).
pub fn locale_dir(root: &Path, locale: &str) -> Option<(std::path::PathBuf, String)> {
    let base = root.join("locales");
    let exact = base.join(locale);
    if exact.is_dir() {
        return Some((exact, format!("locales/{locale}")));
    }
    let language = locale.split('-').next().unwrap_or(locale);
    let mut candidates: Vec<String> = std::fs::read_dir(&base)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.split('-').next() == Some(language))
        .collect();
    candidates.sort();
    let name = candidates.into_iter().next()?;
    Some((base.join(&name), format!("locales/{name}")))
}

/// Load the lexicon and market names of a locale (both optional).
pub fn load_locale_data(root: &Path, locale: &str) -> Result<LocaleData, Diagnostic> {
    let Some((dir, display)) = locale_dir(root, locale) else {
        return Ok(LocaleData {
            locale: locale.to_owned(),
            lexicon: None,
            markets: MarketNames::default(),
        });
    };
    Ok(LocaleData {
        locale: locale.to_owned(),
        lexicon: Lexicon::load(&dir, locale, &format!("{display}/lexicon.toml"))?,
        markets: MarketNames::load(&dir, &display)?,
    })
}
