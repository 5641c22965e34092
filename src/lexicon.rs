//! Locale knowledge as data: `locales/<locale>/lexicon.toml` (terms, cues,
//! number words, duration units, patterns) and the market-name tables
//! `regions.tsv` (CLDR display names) and `markets.tsv` (aliases beyond CLDR).
//! Nothing here knows a sentence of any article; docs/lexicon.md has the format.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use regex::Regex;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::diag::{Diagnostic, Location};

mod prefilter;
use prefilter::Prefilter;

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
    /// The old place of the role names, now `roles.tsv`: refused with a
    /// pointer there, so a lexicon never holds a second, stale copy.
    #[serde(default)]
    roles: Option<toml::Value>,
    /// How a roles line is recognised (`[roles-line]`).
    #[serde(default, rename = "roles-line")]
    roles_line: RolesLineFile,
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

/// `[roles-line]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesLineFile {
    /// What a roles line starts with (`Appropriate roles`).
    #[serde(default)]
    labels: Vec<String>,
    /// What joins role names written on one line (`|`, `,`, ` or `).
    #[serde(default)]
    separators: Vec<String>,
}

/// How a locale writes a roles line (`**Appropriate roles**: Admin agent |
/// Global admin`, or the label alone above a list of roles) and names roles
/// (`roles.tsv`).
#[derive(Debug, Clone, Default)]
pub struct RoleNames {
    /// The labels, folded (`normalize_name`), longest first: a longer label
    /// ("Appropriate roles to perform this task") wins over its prefix.
    pub(crate) labels: Vec<String>,
    /// What joins several role names in one item or after the label.
    pub(crate) separators: Vec<String>,
    /// Folded name → role id.
    by_name: HashMap<String, String>,
    /// Role id → its names, as written (the role terms notes are read with).
    pub(crate) names: BTreeMap<String, Vec<String>>,
}

impl RoleNames {
    /// The id of a role name written whole, if `roles.tsv` knows it.
    pub(crate) fn resolve(&self, name: &str) -> Option<&str> {
        self.by_name.get(&normalize_name(name)).map(String::as_str)
    }

    /// Read `roles.tsv` (`NAME<TAB>ID`, `#` comments); `display` names the
    /// file in diagnostics.
    pub fn parse_tsv(&mut self, text: &str, display: &str) -> Result<(), Diagnostic> {
        for (i, line) in text.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [name, id] = fields[..] else {
                return Err(Diagnostic::error(
                    "role-table",
                    format!(
                        "expected a role name and its id separated by one tab, found {} column(s)",
                        fields.len()
                    ),
                )
                .at(Location::new(display, n, 1))
                .with_help("write `Name<TAB>role-id`, one name a line (docs/lexicon.md, Roles)"));
            };
            let (name, id) = (name.trim(), id.trim());
            if name.is_empty() {
                return Err(Diagnostic::error("role-table", "the role name is empty")
                    .at(Location::new(display, n, 1))
                    .with_help(
                        "write `Name<TAB>role-id`, one name a line (docs/lexicon.md, Roles)",
                    ));
            }
            if !is_id(id) {
                let col =
                    u32::try_from(line.find('\t').map_or(0, |t| line[..t].chars().count()) + 2)
                        .unwrap_or(1);
                return Err(Diagnostic::error(
                    "role-table",
                    format!("`{id}` is not a role id"),
                )
                .at(Location::new(display, n, col))
                .with_help(
                    "a role id is the official English role name in lower-case words joined by `-`, singular (`global-admin`)",
                ));
            }
            let folded = normalize_name(name);
            match self.by_name.get(&folded) {
                Some(other) if other != id => {
                    return Err(Diagnostic::error(
                        "role-table",
                        format!("`{name}` is given two ids, `{other}` and `{id}`"),
                    )
                    .at(Location::new(display, n, 1))
                    .with_help("a name names one role: keep one of the lines"));
                }
                Some(_) => continue,
                None => {}
            }
            self.by_name.insert(folded, id.to_owned());
            self.names
                .entry(id.to_owned())
                .or_default()
                .push(name.to_owned());
        }
        Ok(())
    }
}

/// Terms of one vocabulary (roles, products …): id → matcher, with the
/// matcher's place in the lexicon's screen.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    terms: Vec<(String, usize, Regex)>,
}

/// An id of the vocabulary ([`crate::rules::schema::ID_PATTERN`]):
/// lower-case ASCII letters and digits in words joined by single `-`.
pub(crate) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl Terms {
    /// `screen`: where to add the terms' relaxed forms, `None` for a
    /// vocabulary asked of few texts (not worth a larger screen).
    fn compile(
        map: &BTreeMap<String, Vec<String>>,
        mut screen: Option<&mut Vec<String>>,
    ) -> Result<Self, String> {
        let mut terms = Vec::new();
        for (id, words) in map {
            if words.is_empty() {
                continue;
            }
            let mut words: Vec<&String> = words.iter().collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            let alternation: Vec<String> = words.iter().map(|w| bounded(w)).collect();
            let pattern = format!("(?i){}", alternation.join("|"));
            let re = Regex::new(&pattern).map_err(|e| format!("term `{id}`: {e}"))?;
            let index = match screen.as_deref_mut() {
                Some(screen) => screened(screen, &pattern),
                None => UNSCREENED,
            };
            terms.push((id.clone(), index, re));
        }
        Ok(Terms { terms })
    }

    /// The terms that may occur in a text `screen` was made for.
    fn candidates(&self, screen: Screen) -> impl Iterator<Item = (&str, &Regex)> {
        self.terms
            .iter()
            .filter(move |(_, i, _)| screen.may_match(*i))
            .map(|(id, _, re)| (id.as_str(), re))
    }

    /// Ids of every term found in `text`, in vocabulary order. `screen` is
    /// `Lexicon::screen(text)`, or `Screen::ALL`.
    pub(crate) fn find_all(&self, screen: Screen, text: &str) -> Vec<&str> {
        self.candidates(screen)
            .filter(|(_, re)| re.is_match(text))
            .map(|(id, _)| id)
            .collect()
    }

    /// Every occurrence of every term: (id, the words as written).
    pub(crate) fn find_matches<'t>(&self, screen: Screen, text: &'t str) -> Vec<(&str, &'t str)> {
        let mut found: Vec<(usize, &str, &'t str)> = self
            .candidates(screen)
            .flat_map(|(id, re)| re.find_iter(text).map(move |m| (m.start(), id, m.as_str())))
            .collect();
        found.sort_by_key(|(start, _, _)| *start);
        found.into_iter().map(|(_, id, m)| (id, m)).collect()
    }

    /// The term that occurs first in `text`.
    pub fn first(&self, screen: Screen, text: &str) -> Option<&str> {
        self.candidates(screen)
            .filter_map(|(id, re)| re.find(text).map(|m| (m.start(), id)))
            .min()
            .map(|(_, id)| id)
    }

    /// True when the vocabulary has no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Which of a lexicon's regexes may match one text: the answer of one pass
/// of the lexicon's screen over it. A bit per regex; regexes past the 128th
/// are never screened out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen(u128);

impl Screen {
    /// Every regex may match: for texts nobody screened.
    pub(crate) const ALL: Screen = Screen(u128::MAX);

    fn may_match(self, i: usize) -> bool {
        i >= 128 || self.0 & (1 << i) != 0
    }
}

/// The screen index of a regex the screen leaves out: never ruled out.
const UNSCREENED: usize = usize::MAX;

/// Cues asked of every sentence; the others are asked of a few (the
/// sentences of alerts, or of the section of a match) and left out of the
/// screen, whose cost grows with every regex in it.
const SCREENED_CUES: &[&str] = &["tax-inclusive", "link-expiry", "cancellation", "savings"];

/// Add the screening form of `pattern` to `screen`; its index.
fn screened(screen: &mut Vec<String>, pattern: &str) -> usize {
    screen.push(relax(pattern));
    screen.len() - 1
}

/// `pattern` without its word-boundary assertions (`\b`, `\B`, `\b{…}`,
/// `\<`, `\>`). Dropping a zero-width assertion only widens what a pattern
/// matches, so the relaxed form matches every text the pattern matches; and
/// without Unicode word boundaries the regex crate runs it in its lazy DFA,
/// where `\b` next to a non-ASCII letter (any Chinese or Japanese text)
/// sends it to a much slower backtracking engine. A
/// backslash always starts a two-character escape, so skipping escapes pair
/// by pair never mistakes `\\b` for an assertion; `\b` is not valid inside a
/// character class, so it need not track classes.
fn relax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b' | 'B') => {
                if chars.peek() == Some(&'{') {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                }
            }
            Some('<' | '>') => {}
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The screen over the relaxed regexes; `None` when there are none. A
/// relaxed form that does not compile on its own (an assertion under a
/// repetition, say) screens nothing out.
fn compile_screen(patterns: Vec<String>) -> Option<Prefilter> {
    if patterns.is_empty() {
        return None;
    }
    Some(Prefilter::new(&patterns))
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
    /// The locale it was loaded for (`ja-JP`).
    pub locale: String,
    /// Product names (`[products]`: id → the names a sentence may use).
    pub products: Terms,
    /// Program names (`[programs]`), as `products`.
    pub programs: Terms,
    /// Role names (`roles.tsv`): who may do an action, as terms a note's
    /// sentence is searched for.
    pub roles: Terms,
    /// Roles lines and role names (`[roles-line]`, `roles.tsv`).
    pub role_names: RoleNames,
    /// Action names (`[actions]`): what a role may do.
    pub actions: Terms,
    /// Field names of a cancellation request (`[fields]`).
    pub fields: Terms,
    /// Older product names, folded to lower case (see `is_superseded`).
    superseded: HashMap<String, Vec<String>>,
    /// The regexes of each cue, in the order of `CUES`, each with its index
    /// in `screen`.
    cues: Vec<Vec<(usize, Regex)>>,
    /// `duration`, `count`, `percent` (the order of `PATTERNS`): regexes with
    /// groups `n` (and `unit`), each with its index in `screen`.
    patterns: Vec<Option<Pattern>>,
    numbers: HashMap<String, u32>,
    /// All number words in one regex (longest first), compiled once.
    number_words: Option<Regex>,
    units: HashMap<String, u32>,
    /// The regexes asked of every sentence (`SCREENED_CUES`, product and
    /// program names), relaxed (see `relax`): one pass of a literal
    /// automaton over a sentence, and the relaxed regexes whose words occur
    /// in it, tell which of them may match it (see `prefilter`), so the
    /// exact regexes run only where they might. `None` when there are none.
    screen: Option<Prefilter>,
}

/// A number stated in a sentence that rulebook cannot take as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    /// Byte range of the number in the sentence.
    pub span: std::ops::Range<usize>,
    /// The number as written.
    pub text: String,
    /// Why it cannot be taken.
    pub problem: NumberProblem,
    /// What is wrong, e.g. "`13600000 weeks` is 95200000 days, more than …".
    pub message: String,
}

/// Why a stated number cannot be taken as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    /// Larger than a `u32`, or a duration beyond
    /// [`MAX_DURATION_DAYS`](crate::rules::MAX_DURATION_DAYS).
    OutOfRange,
    /// Digits of a script other than ASCII and full-width.
    Unreadable,
}

/// A pattern (`duration`, `count`, `percent`) with its screen index and its
/// relaxed form (see `relax`).
#[derive(Debug, Clone)]
struct Pattern {
    screen: usize,
    re: Regex,
    relaxed: Option<Regex>,
}

/// The cue and pattern names extraction asks for; a lexicon naming another is
/// a typo, reported as an error.
pub(crate) const CUES: &[&str] = &[
    "unavailable-markets",
    "tax-inclusive",
    "role-required",
    "link-expiry",
    "renewable",
    "cancellation",
    "no-fee",
    "savings",
];
pub(crate) const PATTERNS: &[&str] = &["duration", "count", "percent"];

/// A cue extraction asks for, by its place in `CUES`: extraction asks
/// hundreds of thousands of times, and finding the cue by name each time
/// cost a string comparison per cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    UnavailableMarkets,
    TaxInclusive,
    RoleRequired,
    LinkExpiry,
    Renewable,
    Cancellation,
    NoFee,
    Savings,
}

impl Cue {
    /// Every cue, in the order of `CUES`.
    #[cfg(test)]
    pub(crate) const ALL: [Cue; 8] = [
        Cue::UnavailableMarkets,
        Cue::TaxInclusive,
        Cue::RoleRequired,
        Cue::LinkExpiry,
        Cue::Renewable,
        Cue::Cancellation,
        Cue::NoFee,
        Cue::Savings,
    ];

    /// Its name in lexicon.toml.
    #[cfg(test)]
    pub(crate) fn name(self) -> &'static str {
        CUES[self as usize]
    }
}

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
        let roles_display = display
            .strip_suffix("lexicon.toml")
            .map_or_else(|| "roles.tsv".to_owned(), |d| format!("{d}roles.tsv"));
        let roles = match std::fs::read_to_string(dir.join("roles.tsv")) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(
                    Diagnostic::error("unreadable", format!("cannot read roles.tsv: {e}"))
                        .at(Location::file(roles_display)),
                );
            }
        };
        Self::parse_with_roles(&text, &roles, locale, display, &roles_display).map(Some)
    }

    /// Compile a lexicon from the text of its `lexicon.toml` and of its
    /// `roles.tsv`; `display` and `roles_display` name the files.
    pub fn parse_with_roles(
        text: &str,
        roles: &str,
        locale: &str,
        display: &str,
        roles_display: &str,
    ) -> Result<Self, Diagnostic> {
        let mut lexicon = Self::parse(text, locale, display)?;
        let mut names = std::mem::take(&mut lexicon.role_names);
        names.parse_tsv(roles, roles_display)?;
        lexicon.roles = Terms::compile(&names.names, None).map_err(|e| {
            Diagnostic::error("role-table", e)
                .at(Location::file(roles_display))
                .with_help("see docs/lexicon.md, Roles")
        })?;
        lexicon.role_names = names;
        Ok(lexicon)
    }

    /// Compile a lexicon from the text of its `lexicon.toml`; `display` names
    /// the file in diagnostics.
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
        // The ids of the vocabularies become rule ids and values, which
        // rules.json's schema and the validator's questions hold to the id
        // form: a lexicon may not name anything otherwise.
        for (table, map) in [
            ("products", &file.products),
            ("programs", &file.programs),
            ("actions", &file.actions),
            ("fields", &file.fields),
            ("superseded", &file.superseded),
        ] {
            if let Some(id) = map.keys().find(|id| !is_id(id)) {
                let at = text
                    .lines()
                    .position(|l| {
                        let l = l.trim_start().trim_start_matches(['"', '\'']);
                        l.strip_prefix(id.as_str()).is_some_and(|rest| {
                            rest.trim_start_matches(['"', '\''])
                                .trim_start()
                                .starts_with('=')
                        })
                    })
                    .map_or(Location::file(display), |i| {
                        Location::new(display, u32::try_from(i + 1).unwrap_or(u32::MAX), 1)
                    });
                return Err(Diagnostic::error(
                    "lexicon",
                    format!("[{table}] names `{id}`, which is not an id"),
                )
                .at(at)
                .with_help(
                    "ids are lower-case letters and digits in words joined by `-` \
                     (`azure-reservations`): they become rule ids and the ids questions use",
                ));
            }
        }
        if file.roles.is_some() {
            let line = text
                .lines()
                .position(|l| l.trim() == "[roles]")
                .map_or(1, |i| u32::try_from(i + 1).unwrap_or(u32::MAX));
            return Err(Diagnostic::error(
                "lexicon",
                "role names are no longer read from lexicon.toml's [roles] table",
            )
            .at(Location::new(display, line, 1))
            .with_help(
                "move each name to roles.tsv beside lexicon.toml as `Name<TAB>role-id`, one name a line (docs/lexicon.md, Roles)",
            ));
        }
        let mut labels: Vec<String> = file
            .roles_line
            .labels
            .iter()
            .map(|l| normalize_name(l))
            .filter(|l| !l.is_empty())
            .collect();
        labels.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        labels.dedup();
        let role_names = RoleNames {
            labels,
            separators: file
                .roles_line
                .separators
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.to_lowercase())
                .collect(),
            ..RoleNames::default()
        };
        let mut screen = Vec::new();
        let mut cues: Vec<Vec<(usize, Regex)>> = vec![Vec::new(); CUES.len()];
        for (name, list) in &file.cues {
            let Some(slot) = CUES.iter().position(|c| c == name) else {
                return Err(bad(format!(
                    "unknown cue `{name}` (known: {})",
                    CUES.join(", ")
                )));
            };
            for p in list {
                let pattern = format!("(?i){p}");
                let re = Regex::new(&pattern).map_err(|e| bad(format!("cue `{name}`: {e}")))?;
                let index = if SCREENED_CUES.contains(&name.as_str()) {
                    screened(&mut screen, &pattern)
                } else {
                    UNSCREENED
                };
                cues[slot].push((index, re));
            }
        }
        let number_alt = alternation(file.numbers.keys(), r"\d+");
        let unit_alt = alternation(file.units.keys(), "");
        let mut patterns: Vec<Option<Pattern>> = vec![None; PATTERNS.len()];
        for (name, p) in &file.patterns {
            let Some(slot) = PATTERNS.iter().position(|c| c == name) else {
                return Err(bad(format!(
                    "unknown pattern `{name}` (known: {})",
                    PATTERNS.join(", ")
                )));
            };
            let expanded = p
                .replace("{number}", &format!("(?P<n>{number_alt})"))
                .replace("{unit}", &format!("(?P<unit>{unit_alt})"));
            let pattern = format!("(?i){expanded}");
            let re = Regex::new(&pattern).map_err(|e| bad(format!("pattern `{name}`: {e}")))?;
            let relaxed = Regex::new(&relax(&pattern)).ok();
            patterns[slot] = Some(Pattern {
                // asked only of sentences with a cue: not screened
                screen: UNSCREENED,
                re,
                relaxed,
            });
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
        // Product and program names are looked for in every sentence; roles
        // and actions only in notes with a cue, fields only in list items.
        let products = Terms::compile(&file.products, Some(&mut screen)).map_err(bad)?;
        let programs = Terms::compile(&file.programs, Some(&mut screen)).map_err(bad)?;
        // roles come from roles.tsv (`parse_with_roles`)
        let roles = Terms::default();
        let actions = Terms::compile(&file.actions, None).map_err(bad)?;
        let fields = Terms::compile(&file.fields, None).map_err(bad)?;
        Ok(Lexicon {
            number_words,
            locale: locale.to_owned(),
            products,
            programs,
            roles,
            role_names,
            actions,
            fields,
            screen: compile_screen(screen),
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
    pub(crate) fn is_superseded(&self, id: &str, name: &str) -> bool {
        self.superseded
            .get(id)
            .is_some_and(|names| names.contains(&normalize_name(name)))
    }

    /// Which of this lexicon's regexes may match `text`: pass the answer
    /// with the same text to `cue`, the `Terms` methods and the patterns.
    pub(crate) fn screen(&self, text: &str) -> Screen {
        match &self.screen {
            Some(prefilter) => Screen(prefilter.screen(text)),
            None => Screen::ALL,
        }
    }

    /// Whether any regex of `cue` matches.
    pub(crate) fn cue(&self, screen: Screen, cue: Cue, text: &str) -> bool {
        self.cues.get(cue as usize).is_some_and(|list| {
            list.iter()
                .any(|(i, re)| screen.may_match(*i) && re.is_match(text))
        })
    }

    /// The groups of the first match of pattern `name` in `text`.
    fn captures<'t>(
        &self,
        screen: Screen,
        name: &str,
        text: &'t str,
    ) -> Option<regex::Captures<'t>> {
        let slot = PATTERNS.iter().position(|p| *p == name)?;
        let pattern = self.patterns.get(slot)?.as_ref()?;
        if !screen.may_match(pattern.screen) {
            return None;
        }
        // The relaxed form matches wherever the pattern does, so the pattern's
        // first match starts no sooner than the relaxed form's. The relaxed
        // form finds that place in the fast engine; the pattern's captures
        // (a slower engine wherever `\b` meets non-ASCII text) then only read
        // from there on. Word boundaries still see the whole text.
        let start = match &pattern.relaxed {
            Some(relaxed) => relaxed.find(text)?.start(),
            None => 0,
        };
        pattern.re.captures_at(text, start)
    }

    /// The value of a number the patterns matched (group `n`): digits, or a
    /// word of `[numbers]`. Digits that do not fit a `u32`, or that are not
    /// ASCII or full-width (`\d` matches every script's digits), are an
    /// error, never skipped: skipping let extraction fall back to another
    /// number of the paragraph.
    fn number(&self, text: &str, m: regex::Match<'_>) -> Result<Option<u32>, NumberError> {
        let s = m.as_str();
        let error = |problem, message: String| NumberError {
            span: m.range(),
            text: s.to_owned(),
            problem,
            message,
        };
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(&n) = self.numbers.get(&s.to_lowercase()) {
                return Ok(Some(n));
            }
            if !s.chars().all(char::is_numeric) {
                return Ok(None);
            }
        }
        // Digits that are one group of a longer number (`13,600,000`,
        // `1.5`, `10 000`): the pattern saw only the group next to the unit,
        // and which separator means what depends on the locale. An error,
        // never the group (`000 weeks` read as 0 days).
        let separated = |c: Option<char>, digit: Option<char>| {
            c.is_some_and(|c| DIGIT_SEPARATORS.contains(&c)) && digit.is_some_and(char::is_numeric)
        };
        let mut before = text[..m.start()].chars().rev();
        let mut after = text[m.end()..].chars();
        if separated(before.next(), before.next()) || separated(after.next(), after.next()) {
            let whole = grouped(text, m.range());
            return Err(NumberError {
                span: whole.clone(),
                text: text[whole.clone()].to_owned(),
                problem: NumberProblem::Unreadable,
                message: format!(
                    "`{}` has a digit separator or a decimal point, which rulebook does not read",
                    &text[whole]
                ),
            });
        }
        let mut n = 0u32;
        let mut overflow = false;
        for c in s.chars() {
            let digit = match c {
                '0'..='9' => u32::from(c) - u32::from('0'),
                '０'..='９' => u32::from(c) - u32::from('０'),
                _ => {
                    return Err(error(
                        NumberProblem::Unreadable,
                        format!("`{s}` is written in digits rulebook does not read"),
                    ));
                }
            };
            match n.checked_mul(10).and_then(|n| n.checked_add(digit)) {
                Some(next) => n = next,
                // go on: a later digit may still be unreadable
                None => overflow = true,
            }
        }
        if overflow {
            return Err(error(
                NumberProblem::OutOfRange,
                format!("the number {s} is too large (at most {})", u32::MAX),
            ));
        }
        Ok(Some(n))
    }

    /// A duration in days (`two weeks` → 14, `60 天` → 60); at most
    /// [`MAX_DURATION_DAYS`](crate::rules::MAX_DURATION_DAYS).
    pub(crate) fn duration_days(
        &self,
        screen: Screen,
        text: &str,
    ) -> Result<Option<u32>, NumberError> {
        let Some(c) = self.captures(screen, "duration", text) else {
            return Ok(None);
        };
        let (Some(number), Some(unit)) = (c.name("n"), c.name("unit")) else {
            return Ok(None);
        };
        let Some(n) = self.number(text, number)? else {
            return Ok(None);
        };
        let Some(per) = self.units.get(&unit.as_str().to_lowercase()).copied() else {
            return Ok(None);
        };
        let max = crate::rules::MAX_DURATION_DAYS;
        match n.checked_mul(per) {
            Some(days) if days <= max => Ok(Some(days)),
            days => Err(NumberError {
                span: number.range(),
                text: number.as_str().to_owned(),
                problem: NumberProblem::OutOfRange,
                message: format!(
                    "`{}` is {} days, more than the {max} days (100 years) rulebook reads",
                    &text[number.start()..unit.end()],
                    days.map_or_else(|| format!("{n} × {per}"), |d| d.to_string()),
                ),
            }),
        }
    }

    /// A count (`50 downloads`).
    pub fn count(&self, screen: Screen, text: &str) -> Result<Option<u32>, NumberError> {
        self.numbered(screen, "count", text)
    }

    /// A percentage (`20%`), 0 to 100.
    pub fn percent(&self, screen: Screen, text: &str) -> Result<Option<u32>, NumberError> {
        self.numbered(screen, "percent", text)
    }

    fn numbered(
        &self,
        screen: Screen,
        pattern: &str,
        text: &str,
    ) -> Result<Option<u32>, NumberError> {
        match self
            .captures(screen, pattern, text)
            .and_then(|c| c.name("n"))
        {
            Some(n) => self.number(text, n),
            None => Ok(None),
        }
    }

    /// Every number in a text, digits or number words (for number-mismatch
    /// checks), sorted.
    pub(crate) fn numbers_in(&self, text: &str) -> Vec<u32> {
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

/// What may stand between the digit groups of one number, or before its
/// fraction, in the locales rulebook reads (`13,600,000`, `13.600.000`,
/// `13 600 000` with a no-break or narrow no-break space, `13'600'000`,
/// Arabic separators, the thin and figure spaces, `’` and `_`). A plain
/// space is not one: "step 2 14 days" is two numbers. Characters that
/// show as nothing (a zero-width space or joiner, a word joiner, a soft
/// hyphen, a byte-order mark) count too: `6\u{200b}0 days` reads as "60
/// days" and must never be taken as 0.
const DIGIT_SEPARATORS: &[char] = &[
    ',', '.', '\u{a0}', '\u{202f}', '\'', '٫', '٬', '\u{2009}', '\u{2007}', '\u{2019}', '_',
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}',
];

/// The whole of a grouped number around the digits at `range`.
fn grouped(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let part = |c: char, next: Option<char>| {
        c.is_numeric() || (DIGIT_SEPARATORS.contains(&c) && next.is_some_and(char::is_numeric))
    };
    let mut start = range.start;
    let mut back = text[..start].char_indices().rev().peekable();
    while let Some((i, c)) = back.next() {
        if !part(c, back.peek().map(|&(_, c)| c)) {
            break;
        }
        start = i;
    }
    let mut end = range.end;
    let mut on = text[end..].char_indices().peekable();
    while let Some((i, c)) = on.next() {
        if !part(c, on.peek().map(|&(_, c)| c)) {
            break;
        }
        end = range.end + i + c.len_utf8();
    }
    start..end
}

/// Every run of ASCII digits in a text, as numbers, sorted.
pub(crate) fn digits_in(text: &str) -> Vec<u32> {
    // A byte loop: ASCII digits never occur inside a multi-byte character.
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        // too large for u32: skipped, as before
        if let Ok(n) = text[start..i].parse() {
            out.push(n);
        }
    }
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
    by_name: FxHashMap<String, String>,
    /// The display name of each code (the first CLDR name).
    display: BTreeMap<String, String>,
    scanner: Option<Regex>,
}

/// Fold a market name for lookup: trim, one space for any run of white space
/// (U+00A0 included), no emphasis stars, lower case.
pub(crate) fn normalize_name(name: &str) -> String {
    if let Some(folded) = fold_simple(name, &mut [0; SIMPLE_NAME]) {
        return folded.to_owned();
    }
    // One buffer instead of one per step: this runs for every market name of
    // every list and every product name found.
    let replaced;
    let name = if name.contains("&nbsp;") {
        replaced = name.replace("&nbsp;", " ");
        replaced.as_str()
    } else {
        name
    };
    let mut folded = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    let trimmed = folded.trim_matches(|c: char| c == '*' || c == '_').trim();
    if !trimmed.is_ascii() {
        return trimmed.to_lowercase();
    }
    let mut out = trimmed.to_owned();
    out.make_ascii_lowercase();
    out
}

/// Longest name (in bytes) `fold_simple` folds.
const SIMPLE_NAME: usize = 64;

/// Whether `c` is in a block without letter case (kana, CJK symbols and
/// ideographs: `to_lowercase` leaves them as they are, tested) and is no
/// white space.
fn is_caseless(c: char) -> bool {
    ('\u{3040}'..='\u{9fff}').contains(&c)
}

/// `normalize_name` of the names most are, without allocating: single
/// ASCII spaces between words, no `*`, `_` or `&`, only ASCII and caseless
/// characters, at most `SIMPLE_NAME` bytes. Such a name only needs its
/// ASCII letters lowercased; anything else is `None` (the full fold).
fn fold_simple<'b>(name: &str, buf: &'b mut [u8; SIMPLE_NAME]) -> Option<&'b str> {
    let bytes = name.as_bytes();
    if bytes.len() > SIMPLE_NAME
        || bytes.first().is_none_or(|&b| b == b' ')
        || bytes.last().is_some_and(|&b| b == b' ')
    {
        return None;
    }
    let mut after_space = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' if after_space => return None,
            b' ' => after_space = true,
            b'*' | b'_' | b'&' => return None,
            // no white space, no control character
            0x21..=0x7e => after_space = false,
            0x80.. => {
                // a lead byte: decode only the characters past ASCII
                let c = name.get(i..).and_then(|t| t.chars().next())?;
                if !is_caseless(c) {
                    return None;
                }
                after_space = false;
                i += c.len_utf8();
                continue;
            }
            _ => return None,
        }
        i += 1;
    }
    let out = buf.get_mut(..bytes.len())?;
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
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

    pub(crate) fn resolve(&self, name: &str) -> Option<&str> {
        // the simple fold on the stack: this runs for every market name of
        // every list and every name a sentence's scan finds
        let mut buf = [0; SIMPLE_NAME];
        match fold_simple(name, &mut buf) {
            Some(folded) => self.by_name.get(folded),
            None => self.by_name.get(&normalize_name(name)),
        }
        .map(String::as_str)
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

    /// The name a page shows for market `code` (its first CLDR name), if the
    /// locale has one.
    pub fn display_name(&self, code: &str) -> Option<&str> {
        self.display.get(code).map(String::as_str)
    }

    /// True when the locale names no markets (it has no `markets.toml`).
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Everything extraction knows about one locale.
#[derive(Debug, Clone)]
pub struct LocaleData {
    /// The locale id (`zh-TW`).
    pub locale: String,
    /// Its compiled `lexicon.toml`; `None` when the locale has none (then only
    /// digits and English structure are read).
    pub lexicon: Option<Lexicon>,
    /// Its market names; empty when the locale has none.
    pub markets: MarketNames,
}

/// Find the data folder for a locale: `locales/<id>`, else the folder of the
/// same language (`ja` for `ja-JP`, or `ja-JP` for `ja`).
pub(crate) fn locale_dir(root: &Path, locale: &str) -> Option<(std::path::PathBuf, String)> {
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

/// Every role id of a locale's `roles.tsv` with its display name, the
/// first name the file lists for it (rules.json's vocabulary); empty when
/// the locale has no `roles.tsv`.
pub fn role_display_names(root: &Path, locale: &str) -> Result<Vec<(String, String)>, Diagnostic> {
    let Some((dir, display)) = locale_dir(root, locale) else {
        return Ok(Vec::new());
    };
    let display = format!("{display}/roles.tsv");
    let text = match std::fs::read_to_string(dir.join("roles.tsv")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(
                Diagnostic::error("unreadable", format!("cannot read roles.tsv: {e}"))
                    .at(Location::file(display)),
            );
        }
    };
    let mut names = RoleNames::default();
    names.parse_tsv(&text, &display)?;
    Ok(names
        .names
        .into_iter()
        .filter_map(|(id, names)| Some((id, names.into_iter().next()?)))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_named_in_order() {
        assert_eq!(Cue::ALL.len(), CUES.len());
        for (i, cue) in Cue::ALL.into_iter().enumerate() {
            assert_eq!(cue as usize, i);
            assert_eq!(cue.name(), CUES[i]);
        }
    }

    #[test]
    fn relaxing_drops_word_boundaries_only() {
        assert_eq!(relax(r"(?i)\bmust\s+be\s+an?\b"), r"(?i)must\s+be\s+an?");
        assert_eq!(relax(r"\\b\B\<x\>\b{start}y"), r"\\bxy");
        assert_eq!(relax(r"[\d\-]\.\b"), r"[\d\-]\.");
    }

    /// The full fold, as `normalize_name` does it without `fold_simple`.
    fn normalize_slowly(name: &str) -> String {
        let name = name.replace("&nbsp;", " ");
        let folded = name.split_whitespace().collect::<Vec<_>>().join(" ");
        folded
            .trim_matches(|c: char| c == '*' || c == '_')
            .trim()
            .to_lowercase()
    }

    #[test]
    fn caseless_blocks_have_no_case() {
        for c in '\u{3040}'..='\u{9fff}' {
            assert!(is_caseless(c));
            assert_eq!(c.to_lowercase().to_string(), c.to_string(), "{c:?}");
            assert!(!c.is_whitespace(), "{c:?}");
        }
    }

    /// The simple fold gives the full fold's answer, on made-up names, on
    /// every name of every bundled market table and on every line and word
    /// run of the bundled and shared articles.
    #[test]
    fn simple_fold_is_the_full_fold() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = [
            "Brazil",
            "United  States",
            " Korea",
            "Korea ",
            "**Japan**",
            "_x_",
            "a&nbsp;b",
            "台灣",
            "日本 Japan",
            "Ελλάδα",
            "ΣΑΣ",
            "İstanbul",
            "a\tb",
            "",
            " ",
            "x\u{3000}y",
            "K\u{212a}",
            "\u{17f}",
        ]
        .map(str::to_owned)
        .to_vec();
        for dir in std::fs::read_dir(root.join("locales")).unwrap() {
            let dir = dir.unwrap().path();
            for file in ["regions.tsv", "markets.tsv"] {
                if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                    for line in text.lines() {
                        names.extend(line.split('\t').map(str::to_owned));
                    }
                }
            }
        }
        for line in test_lines() {
            let words: Vec<&str> = line.split(' ').collect();
            for n in 1..=3 {
                names.extend(words.windows(n).map(|w| w.join(" ")));
            }
            names.push(line);
        }
        let mut simple = 0;
        for name in &names {
            let slow = normalize_slowly(name);
            if let Some(fast) = fold_simple(name, &mut [0; SIMPLE_NAME]) {
                simple += 1;
                assert_eq!(fast, slow, "{name:?}");
            }
            assert_eq!(normalize_name(name), slow, "{name:?}");
        }
        assert!(simple > 1000, "{simple} simple names");
    }

    /// Every line of the bundled articles (`content/`) and of the shared
    /// corpus (`../shared/corpus`, required: the guarantees below are only
    /// worth the text they were checked on), plus a few made-up ones.
    fn test_lines() -> Vec<String> {
        let mut texts: Vec<String> = vec![
            "Azure  RESERVATIONS; azure reservationsx".to_owned(),
            "must be an admin agent to cancel a purchase within 60 days".to_owned(),
            // U+017F and U+212A fold to `s` and `k` under (?i)
            "PRICE INCLUDEſ TAX; cancel a \u{212a}ey purchaſe within".to_owned(),
        ];
        for text in crate::real_articles() {
            texts.extend(text.lines().map(str::to_owned));
        }
        assert!(texts.len() > 10_000, "{} lines", texts.len());
        texts
    }

    /// The prefilter's literals are a promise: wherever a screened regex's
    /// relaxed form matches, one of its literals occurs. Checked for every
    /// bundled lexicon over every line of the bundled and shared articles,
    /// and over each sentence-sized piece of them.
    #[test]
    fn prefilter_finds_every_relaxed_match() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let texts = test_lines();
        let mut hits = 0;
        for dir in std::fs::read_dir(root.join("locales")).unwrap() {
            let dir = dir.unwrap().path();
            let Some(lex) = Lexicon::load(&dir, "x", "x").unwrap() else {
                continue;
            };
            let prefilter = lex.screen.as_ref().expect("screened regexes");
            for text in &texts {
                let candidates = prefilter.candidates(text);
                assert_eq!(
                    candidates,
                    prefilter.candidates_by_full_pass(text),
                    "{}: the shortened search finds what a full pass does: {text}",
                    dir.display()
                );
                let screen = prefilter.screen(text);
                for (i, re) in prefilter.relaxed().iter().enumerate() {
                    let re = re.as_ref().expect("bundled relaxed forms compile");
                    let matched = re.is_match(text);
                    if matched {
                        hits += 1;
                        assert!(
                            candidates & (1 << i) != 0,
                            "{}: regex {i} ({}) matches without its literals: {text}",
                            dir.display(),
                            re.as_str()
                        );
                    }
                    assert_eq!(screen & (1 << i) != 0, matched, "{i} {text}");
                }
            }
        }
        assert!(hits > 100, "{hits} matches checked");
    }

    /// The screen only ever saves work: with it or without, every question
    /// the extraction asks gets the same answer, for every bundled lexicon
    /// over every line of the bundled articles and the shared corpus.
    #[test]
    fn screening_never_changes_an_answer() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let texts = test_lines();
        let mut checked = 0;
        for dir in std::fs::read_dir(root.join("locales")).unwrap() {
            let dir = dir.unwrap().path();
            let Some(lex) = Lexicon::load(&dir, "x", "x").unwrap() else {
                continue;
            };
            assert!(
                lex.screen.is_some(),
                "{}: the screen compiles",
                dir.display()
            );
            for text in &texts {
                let screen = lex.screen(text);
                for cue in Cue::ALL {
                    assert_eq!(
                        lex.cue(screen, cue, text),
                        lex.cue(Screen::ALL, cue, text),
                        "{cue:?} {text}"
                    );
                }
                for terms in [
                    &lex.products,
                    &lex.programs,
                    &lex.roles,
                    &lex.actions,
                    &lex.fields,
                ] {
                    assert_eq!(
                        terms.find_matches(screen, text),
                        terms.find_matches(Screen::ALL, text)
                    );
                    assert_eq!(
                        terms.find_all(screen, text),
                        terms.find_all(Screen::ALL, text)
                    );
                    assert_eq!(terms.first(screen, text), terms.first(Screen::ALL, text));
                }
                assert_eq!(
                    lex.duration_days(screen, text),
                    lex.duration_days(Screen::ALL, text)
                );
                assert_eq!(lex.count(screen, text), lex.count(Screen::ALL, text));
                assert_eq!(lex.percent(screen, text), lex.percent(Screen::ALL, text));
                // and the relaxed start of `captures` finds what a plain search does
                for (slot, name) in PATTERNS.iter().enumerate() {
                    if let Some(p) = &lex.patterns[slot] {
                        let plain = p
                            .re
                            .captures(text)
                            .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                        let fast = lex
                            .captures(Screen::ALL, name, text)
                            .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                        assert_eq!(plain, fast, "{name} {text}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn numbers_that_do_not_fit_are_errors_at_the_number() {
        let lex = Lexicon::parse(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/en/lexicon.toml"),
            )
            .unwrap(),
            "en",
            "lexicon.toml",
        )
        .unwrap();
        let all = Screen::ALL;
        let max = crate::rules::MAX_DURATION_DAYS;
        assert_eq!(lex.duration_days(all, "after two weeks"), Ok(Some(14)));
        assert_eq!(lex.duration_days(all, "after 5217 weeks"), Ok(Some(36_519)));
        assert_eq!(
            lex.duration_days(all, &format!("after {max} days")),
            Ok(Some(max))
        );
        assert_eq!(lex.duration_days(all, "after ６０ days"), Ok(Some(60)));
        for (text, number) in [
            ("expires after 13600000 weeks or 50 downloads", "13600000"),
            ("expires after 1000000000 weeks, or 14 days", "1000000000"),
            (
                "expires after 99999999999999999999 days",
                "99999999999999999999",
            ),
            ("expires after 36526 days", "36526"),
            ("expires after 5218 weeks", "5218"),
        ] {
            let e = lex.duration_days(all, text).unwrap_err();
            assert_eq!(e.problem, NumberProblem::OutOfRange, "{text}");
            assert_eq!(&text[e.span.clone()], number);
            assert_eq!(e.text, number);
        }
        let e = lex.count(all, "after 4294967296 downloads").unwrap_err();
        assert_eq!(e.problem, NumberProblem::OutOfRange);
        assert_eq!(
            lex.count(all, "after 4294967295 downloads"),
            Ok(Some(u32::MAX))
        );
        let e = lex
            .percent(all, "save up to 4294967296 percent")
            .unwrap_err();
        assert_eq!(e.text, "4294967296");
        // digits of another script are matched by `\d` but not read
        let e = lex.duration_days(all, "after ٦٠ days").unwrap_err();
        assert_eq!(e.problem, NumberProblem::Unreadable);
        // a number in digit groups, or with a fraction: the pattern sees
        // only the last group (`000 weeks`, 0 days) or the fraction
        for (text, whole) in [
            ("expires after 13,600,000 weeks", "13,600,000"),
            ("expires after 13.600.000 weeks", "13.600.000"),
            (
                "expires after 13\u{a0}600\u{a0}000 weeks",
                "13\u{a0}600\u{a0}000",
            ),
            ("expires after 1.5 weeks", "1.5"),
            // what shows as `60` (a zero-width space, a soft hyphen inside)
            ("cancel within 6\u{200b}0 days", "6\u{200b}0"),
            ("cancel within 6\u{ad}0 days", "6\u{ad}0"),
            ("expires after 13\u{2009}600 weeks", "13\u{2009}600"),
        ] {
            let e = lex.duration_days(all, text).unwrap_err();
            assert_eq!(e.problem, NumberProblem::Unreadable, "{text}");
            assert_eq!(&text[e.span.clone()], whole);
            assert_eq!(e.text, whole);
        }
        let e = lex.count(all, "or 1,000 downloads").unwrap_err();
        assert_eq!(e.text, "1,000");
        // separators elsewhere are not part of the number
        assert_eq!(lex.duration_days(all, "in 2024, 60 days"), Ok(Some(60)));
        assert_eq!(lex.duration_days(all, "step 2. 14 days"), Ok(Some(14)));
        assert_eq!(lex.count(all, "two weeks or 50 downloads."), Ok(Some(50)));
    }

    fn en_lexicon_text() -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/en/lexicon.toml"),
        )
        .unwrap()
    }

    /// A malformed roles.tsv line is an error at its line (and, for a bad
    /// id, at the id's column), with a help line; a good table resolves
    /// names whole, ignoring case and repeated spaces.
    #[test]
    fn roles_tsv_is_read_or_refused_at_the_line() {
        let lex = en_lexicon_text();
        let parse =
            |tsv: &str| Lexicon::parse_with_roles(&lex, tsv, "en", "lexicon.toml", "roles.tsv");
        let ok =
            parse("# comment\nGlobal admin\tglobal-admin\n\nUser admin\tuser-management-admin\n")
                .unwrap();
        assert_eq!(ok.role_names.resolve("global  ADMIN"), Some("global-admin"));
        assert_eq!(
            ok.role_names.resolve("user admin"),
            Some("user-management-admin")
        );
        assert_eq!(ok.role_names.resolve("Global"), None);
        // the same names are the terms a role note is read with
        assert_eq!(
            ok.roles.find_all(Screen::ALL, "You must be a Global admin"),
            ["global-admin"]
        );
        for (tsv, at, what) in [
            (
                "Global admin\tglobal-admin\nUser admin\n",
                "roles.tsv:2:1",
                "1 column(s)",
            ),
            (
                "Global admin\tglobal-admin\textra\n",
                "roles.tsv:1:1",
                "3 column(s)",
            ),
            (
                "# c\nGlobal admin\tGlobal Admin\n",
                "roles.tsv:2:14",
                "`Global Admin` is not a role id",
            ),
            (
                "\tglobal-admin\n",
                "roles.tsv:1:1",
                "the role name is empty",
            ),
            (
                "Global admin\tglobal-admin\nglobal admin\tadmin-agent\n",
                "roles.tsv:2:1",
                "two ids",
            ),
        ] {
            let e = parse(tsv)
                .err()
                .unwrap_or_else(|| panic!("{tsv:?} is refused"))
                .to_string();
            assert!(e.starts_with(&format!("{at}: error[role-table]")), "{e}");
            assert!(e.contains(what), "{e}");
            assert!(e.contains("= help: "), "{e}");
        }
    }

    /// The old `[roles]` table is refused where it stands, pointing at
    /// roles.tsv: role names have one home.
    #[test]
    fn a_roles_table_in_the_lexicon_is_refused() {
        let text = format!(
            "{}\n[roles]\nadmin-agent = [\"Admin agent\"]\n",
            en_lexicon_text()
        );
        let line = text.lines().position(|l| l == "[roles]").unwrap() + 1;
        let e = Lexicon::parse(&text, "en", "lexicon.toml")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with(&format!("lexicon.toml:{line}:1: error[lexicon]")),
            "{e}"
        );
        assert!(e.contains("roles.tsv"), "{e}");
    }

    /// Every bundled roles.tsv loads, with ids only, and the locales with
    /// a lexicon and a roles label have one.
    #[test]
    fn bundled_role_tables_load() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for locale in ["en", "es-ES", "ja-JP", "zh-TW"] {
            let data = load_locale_data(root, locale).unwrap();
            let lex = data.lexicon.unwrap();
            assert!(!lex.role_names.labels.is_empty(), "{locale}");
            assert_eq!(
                lex.role_names.resolve("Admin agent").is_some(),
                locale != "es-ES",
                "{locale}"
            );
            assert!(lex.role_names.names.keys().all(|id| is_id(id)), "{locale}");
        }
    }
}
