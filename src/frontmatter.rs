//! YAML frontmatter of a DocFX article: split from the body, parsed into the keys
//! rulebook uses, with every other key kept.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};

use crate::diag::{Diagnostic, Location};

mod fast;

/// The frontmatter keys rulebook reads. Unknown keys land in `other`, so a
/// round trip (e.g. `source-text`) loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Frontmatter {
    /// `title`.
    #[serde(default, deserialize_with = "scalar_string")]
    pub title: Option<String>,
    /// `description`: the page's meta description.
    #[serde(default, deserialize_with = "scalar_string")]
    pub description: Option<String>,
    /// `ms.date`: when the article was last reviewed.
    #[serde(rename = "ms.date", default, deserialize_with = "docfx_date")]
    pub date: Option<NaiveDate>,
    /// `ms.lasthandoff`: when a translation was handed off.
    #[serde(rename = "ms.lasthandoff", default, deserialize_with = "docfx_date")]
    pub last_handoff: Option<NaiveDate>,
    /// `ms.contentlocale`: the language of the file's text.
    #[serde(
        rename = "ms.contentlocale",
        default,
        deserialize_with = "scalar_string"
    )]
    pub content_locale: Option<String>,
    /// `ms.translationtype` (human or machine translation), kept for round
    /// trips.
    #[serde(
        rename = "ms.translationtype",
        default,
        deserialize_with = "scalar_string"
    )]
    pub translation_type: Option<String>,
    /// `ms.sourcegitcommit`: the source commit a translation was made from,
    /// kept for round trips.
    #[serde(
        rename = "ms.sourcegitcommit",
        default,
        deserialize_with = "scalar_string"
    )]
    pub source_git_commit: Option<String>,
    /// `ms.locfileid`: the localization system's file id, kept for round trips.
    #[serde(rename = "ms.locfileid", default, deserialize_with = "scalar_string")]
    pub loc_file_id: Option<String>,
    /// `keywords`, from a list or a comma-separated string.
    #[serde(default, deserialize_with = "keyword_list")]
    pub keywords: Vec<String>,
    /// Every other key, as written.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_yaml::Value>,
}

impl Frontmatter {
    /// The date this text was last brought up to date: `ms.date`, or for a
    /// translation that carries none, the day it was handed off.
    pub fn effective_date(&self) -> Option<NaiveDate> {
        match (self.date, self.last_handoff) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Where the frontmatter and the body lie in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences (empty when there is no frontmatter).
    pub yaml: &'a str,
    /// Byte offset of the YAML in the file.
    pub yaml_start: usize,
    /// Byte offset where the Markdown body begins.
    pub body_start: usize,
    /// True when the file opens with a `---` fence.
    pub present: bool,
}

/// Find the `---` fences. An opening fence with no closing one is an error:
/// guessing where the YAML ends would turn the whole article into metadata.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let Some(after_open) = strip_fence(text) else {
        return Ok(Split {
            yaml: "",
            yaml_start: 0,
            body_start: 0,
            present: false,
        });
    };
    let yaml_start = text.len() - after_open.len();
    let mut offset = yaml_start;
    for line in after_open.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end() == "---" || bare.trim_end() == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_start,
                body_start: offset + line.len(),
                present: true,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        "frontmatter-unclosed",
        "the YAML frontmatter is never closed",
    )
    .with_help("end the frontmatter with a line holding only `---`"))
}

fn strip_fence(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
}

/// Parse the YAML of a split. `path` and `first_line` locate errors in the file.
pub fn parse(split: &Split<'_>, path: &str, first_line: u32) -> Result<Frontmatter, Diagnostic> {
    if !split.present || split.yaml.trim().is_empty() {
        return Ok(Frontmatter::default());
    }
    // The common flat `key: value` frontmatter is read directly; anything
    // else goes to yaml_serde (see `fast`).
    if let Some(frontmatter) = fast::parse(split.yaml) {
        return Ok(frontmatter);
    }
    if let Some((line, col)) = too_deep(split.yaml) {
        return Err(Diagnostic::error(
            "yaml-frontmatter",
            format!("the YAML frontmatter nests `[` or `{{` more than {MAX_FLOW_NESTING} levels deep"),
        )
        .at(Location::new(path, first_line + line - 1, col))
        .with_help("frontmatter holds flat keys (title, ms.date, …); quote a value that starts with `[` or `{`"));
    }
    serde_yaml::from_str::<Frontmatter>(split.yaml).map_err(|e| {
        let message = e.to_string();
        // a value refused by a typed key (a date) is located by yaml_serde
        // at its mapping; the value itself is where to look
        let (line, col) = refused_value(split.yaml, &message)
            .or_else(|| e.location().map(|l| (l.line() as u32, l.column() as u32)))
            .map_or((first_line, 1), |(l, c)| (first_line + l - 1, c));
        Diagnostic::error("yaml-frontmatter", format!("invalid YAML frontmatter: {}", strip_location(&message)))
            .at(Location::new(path, line, col))
            .with_help("fix the YAML between the `---` lines; values holding `: ` or starting with `[`, `{`, `*`, `&` must be quoted")
    })
}

/// The 1-based line and column in `yaml` of the value a typed key refused
/// (the message names it: "`11/20/19` is not a date …"): the first line
/// whose value holds it.
fn refused_value(yaml: &str, message: &str) -> Option<(u32, u32)> {
    let (value, rest) = message.strip_prefix('`')?.split_once('`')?;
    if value.is_empty() || !rest.starts_with(" is not a date") {
        return None;
    }
    yaml.lines().enumerate().find_map(|(i, line)| {
        let colon = line.find(':')?;
        let at = line[colon..].find(value)? + colon;
        Some((i as u32 + 1, line[..at].chars().count() as u32 + 1))
    })
}

/// Deepest `[` / `{` nesting allowed in frontmatter. The YAML scanner's work
/// grows with the square of the flow nesting before its own depth limit
/// rejects the input, so deep nesting is refused before the YAML library
/// sees it.
pub(crate) const MAX_FLOW_NESTING: u32 = 64;

/// The 1-based line and column (in the YAML) where flow nesting first goes
/// beyond [`MAX_FLOW_NESTING`]. Quoted scalars on one line are skipped; an
/// unquoted bracket in a plain scalar counts, which can only over-count.
fn too_deep(yaml: &str) -> Option<(u32, u32)> {
    // Flow collections may span lines, so the depth carries over.
    let mut depth = 0u32;
    for (i, line) in yaml.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut after_space = true;
        for (col, c) in line.chars().enumerate() {
            let space = c == ' ' || c == '\t';
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if after_space => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_NESTING {
                        return Some((i as u32 + 1, col as u32 + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            after_space = space;
        }
    }
    None
}

/// serde_yaml appends " at line N column M" to its messages; the location is
/// already in the diagnostic's prefix.
fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// DocFX writes dates as `MM/DD/YYYY`; ISO `YYYY-MM-DD` is accepted as well.
/// The year is four digits from [`FIRST_YEAR`] on: chrono's `%Y` alone reads
/// `11/20/19` as the year 19 and `11/20/-2019` as a year before Christ, and
/// either would make an article look centuries older than its source.
pub(crate) fn parse_docfx_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let digits = |part: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let slashes: Vec<&str> = s.split('/').collect();
    let dashes: Vec<&str> = s.split('-').collect();
    let date = match (&slashes[..], &dashes[..]) {
        (&[m, d, y], _) if digits(m, 1..=2) && digits(d, 1..=2) && digits(y, 4..=4) => {
            NaiveDate::parse_from_str(s, "%m/%d/%Y").ok()?
        }
        (_, &[y, m, d]) if digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?
        }
        _ => return None,
    };
    (date.year() >= FIRST_YEAR).then_some(date)
}

/// The earliest year a frontmatter date may name (no web article is older).
pub(crate) const FIRST_YEAR: i32 = 1990;

fn docfx_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match scalar_string(d)? {
        None => Ok(None),
        Some(s) => parse_docfx_date(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a date (expected MM/DD/YYYY with a four-digit year from {FIRST_YEAR})"
            ))
        }),
    }
}

/// A scalar as text: `ms.locfileid: 74253544` and `"74253544"` mean the same.
fn scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = serde_yaml::Value::deserialize(d)?;
    match value {
        serde_yaml::Value::Null => Ok(None),
        serde_yaml::Value::String(s) => Ok(Some(s)),
        serde_yaml::Value::Number(n) => Ok(Some(n.to_string())),
        serde_yaml::Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(serde::de::Error::custom(
            "expected a single value, not a list or a mapping",
        )),
    }
}

/// Keywords come as one comma-separated string (with ASCII, full-width or
/// ideographic commas in translations) or as a YAML list.
fn keyword_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value = serde_yaml::Value::deserialize(d)?;
    let items: Vec<String> = match value {
        serde_yaml::Value::Null => Vec::new(),
        serde_yaml::Value::Sequence(seq) => seq
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        serde_yaml::Value::String(s) => return Ok(keywords_from_str(&s)),
        _ => {
            return Err(serde::de::Error::custom(
                "expected a string or a list of strings",
            ));
        }
    };
    Ok(items
        .into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect())
}

/// Keywords written as one string, split at ASCII, full-width and
/// ideographic commas, trimmed, empty ones dropped.
fn keywords_from_str(s: &str) -> Vec<String> {
    let mut keywords = Vec::new();
    let mut push = |k: &str| {
        let k = k.trim();
        if !k.is_empty() {
            keywords.push(k.to_owned());
        }
    };
    // Found by their bytes: `str::split` with a set of chars decodes every
    // character, and nearly every frontmatter has keywords.
    let bytes = s.as_bytes();
    let mut from = 0;
    for i in memchr::memchr3_iter(b',', 0xef, 0xe3, bytes) {
        let rest = &bytes[i..];
        let len = if rest[0] == b',' {
            1
        } else if rest.starts_with("，".as_bytes()) || rest.starts_with("、".as_bytes()) {
            3
        } else {
            continue;
        };
        push(&s[from..i]);
        from = i + len;
    }
    push(&s[from..]);
    keywords
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_refused_before_the_yaml_scanner() {
        // deep enough that the scanner's quadratic work would hang a build
        // (issue 9)
        for yaml in [
            format!(
                "title: x\nk: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            format!("title: x\nk:\n{}", "[\n".repeat(100)),
        ] {
            let text = format!("---\n{yaml}---\n# T\n");
            let split = split(&text).unwrap();
            let start = std::time::Instant::now();
            let d = parse(&split, "a.md", 2).unwrap_err();
            assert!(start.elapsed().as_secs() < 2);
            assert_eq!(d.code, "yaml-frontmatter");
            assert!(d.message.contains("levels deep"), "{}", d.message);
            assert!(d.location.unwrap().line >= 3);
        }
        let ok = "title: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\nkeywords: [a, [b]]\n";
        let text = format!("---\n{ok}---\n");
        assert!(parse(&split(&text).unwrap(), "a.md", 2).is_ok());
    }

    #[test]
    fn splits_and_parses_typed_keys() {
        let text = "---\ntitle: A | B\nms.date: 11/20/2019\nms.locfileid: \"742\"\nms.custom: seodec18\nkeywords: CSP，Azure、SQL Server\n---\n# H\n";
        let split = split(text).unwrap();
        assert!(split.present);
        assert_eq!(&text[split.body_start..], "# H\n");
        let fm = parse(&split, "a.md", 2).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A | B"));
        assert_eq!(fm.date, NaiveDate::from_ymd_opt(2019, 11, 20));
        assert_eq!(fm.loc_file_id.as_deref(), Some("742"));
        assert_eq!(fm.keywords, ["CSP", "Azure", "SQL Server"]);
        for k in ["a,,b ， c、d、", " ", "雲端、，x", "é,ü，", "，、,"] {
            let by_chars: Vec<_> = k
                .split([',', '，', '、'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .collect();
            assert_eq!(keywords_from_str(k), by_chars, "{k:?}");
        }
        assert!(fm.other.contains_key("ms.custom"));
    }

    #[test]
    fn no_frontmatter_is_not_an_error() {
        let s = split("# Title\n").unwrap();
        assert!(!s.present);
        assert_eq!(s.body_start, 0);
    }

    #[test]
    fn unclosed_frontmatter_is_an_error() {
        assert_eq!(
            split("---\ntitle: x\n# body\n").unwrap_err().code,
            "frontmatter-unclosed"
        );
    }

    #[test]
    fn broken_yaml_is_located_in_the_file() {
        let text = "---\ntitle: ok\ndescription: a: b\n---\n";
        let s = split(text).unwrap();
        let d = parse(&s, "x.md", 2).unwrap_err();
        assert_eq!(d.code, "yaml-frontmatter");
        assert_eq!(d.location.as_ref().unwrap().line, 3);
    }

    /// Every file under `dir` (recursively), with its text where it is UTF-8.
    fn texts_under(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                texts_under(&path, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }

    /// The fast reader's answer where it gives one must be yaml_serde's.
    fn check_fast(yaml: &str) -> bool {
        let Some(fast) = fast::parse(yaml) else {
            return false;
        };
        match serde_yaml::from_str::<Frontmatter>(yaml) {
            Ok(slow) => assert_eq!(fast, slow, "fast reader differs on {yaml:?}"),
            Err(e) => panic!("fast reader accepted what yaml_serde refuses ({e}): {yaml:?}"),
        }
        true
    }

    #[test]
    fn fast_reader_agrees_with_yaml_serde_on_every_real_frontmatter() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["../shared/corpus", "../shared/seeds", "content", "tests"] {
            texts_under(&root.join(dir), &mut files);
        }
        // The generated bench corpora, where they have been made.
        for entry in std::fs::read_dir(root.join("target"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("bench-corpus-")
            {
                texts_under(&entry.path().join("content"), &mut files);
            }
        }
        let (mut read, mut given_up) = (0, Vec::new());
        for (path, text) in &files {
            let Ok(split) = split(text) else { continue };
            if !split.present || split.yaml.trim().is_empty() {
                continue;
            }
            if check_fast(split.yaml) {
                read += 1;
            } else if serde_yaml::from_str::<Frontmatter>(split.yaml).is_ok() {
                given_up.push(path.display().to_string());
            }
        }
        // The real frontmatter is all in the subset: a change that makes the
        // reader give up on it would quietly bring back the cost of libyaml.
        assert!(read >= 100, "only {read} frontmatters read");
        assert!(
            given_up.is_empty(),
            "valid frontmatter left to yaml_serde: {given_up:?}"
        );
    }

    #[test]
    fn fast_reader_reads_the_subset_and_gives_up_outside_it() {
        for yaml in [
            "title: A | B\nms.date: 11/20/2019\n",
            "ms.locfileid: \"742\"\nms.prod: ''\nk: 'it''s' # c\n",
            "title: a # comment\n# a note\n\nkeywords:\n- a\n- 'b'\nauthor:\n",
            "keywords:\n  - a, b\n  - c\nms.topic: article\r\nx: (a)b\n",
            "ms.openlocfilehash: 524d3121e5053a74911e2fd4e9cf5aab14f6b48d\n",
            "ms.openlocfilehash: 0ba3f32615fe02d843123180e4cb34176b28e09c\nk: 0x1G\n",
            "t: a]b}c, d-e\n",
        ] {
            assert!(check_fast(yaml), "{yaml:?} should be read");
        }
        for yaml in [
            "title: a\ntitle: b\n",
            "ms.locfileid: 742\n",
            "k: yes\nk2: 1.0\n",
            "k: ~\n",
            "k: 012\n",
            "k: 0b101\n",
            "t: a\n  b\n",
            "t: >\n  a\n",
            "t: \"a\\tb\"\n",
            "t: [a, b]\n",
            "t:\ta\n",
            "ms.date: 31/31/2019\n",
            "ms.date: 2019-11-20\n",
            "t: a: b\n",
            "t: &x a\n",
            "keywords:\n- a\n  - b\n",
            "keywords:\n- 1\n",
            "# only a comment\n",
            "\u{feff}t: a\n",
            "t: a\u{2028}b\n",
            "true: a\n",
        ] {
            assert!(
                fast::parse(yaml).is_none(),
                "{yaml:?} should be left to yaml_serde"
            );
        }
    }

    /// YAML-like frontmatter: mostly the forms of the subset (so that the
    /// fast reader answers often), mixed with the near misses around them.
    fn yaml_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let good_keys = [
            "title",
            "description",
            "ms.date",
            "ms.lasthandoff",
            "ms.locfileid",
        ]
        .into_iter()
        .chain([
            "ms.contentlocale",
            "keywords",
            "author",
            "ms.custom",
            "k-1",
            "K_2",
        ]);
        let bad_keys = [
            "true", "Null", "x y", "\"q\"", "- a", "  title", "#c", "", "a\tb",
        ];
        let key = prop_oneof![
            4 => select(good_keys.collect::<Vec<_>>()),
            1 => select(bad_keys.to_vec()),
        ];
        let sep = prop_oneof![
            6 => Just(": "),
            1 => select(vec![":", ":  ", " : ", ":\t", "::", ": \t"]),
        ];
        let good_pieces = vec![
            "a",
            "A | B",
            "雲端, CSP",
            "Azure，SQL、RI",
            "yes",
            "no",
            "on",
            "10/18/2019",
            "31/31/2019",
            "13/01/2019",
            "524d3121e5",
            "0ba3f3",
            "\"q\"",
            "\"\"",
            "'s''q'",
            "''",
            " #c",
            "a#b",
            "]",
            "}",
            ",",
            " ",
            "\u{a0}",
            "\u{3000}",
            "0雲",
            "1_000",
        ];
        let bad_pieces = vec![
            "~",
            "null",
            "NULL",
            "true",
            "False",
            "1.0",
            "12",
            "012",
            "-3",
            "+4",
            "0x1F",
            "0o7",
            "0b101",
            "0B1",
            "0x",
            "0o9",
            "-0x1",
            "1e3",
            ".inf",
            "-.INF",
            ".nan",
            "e",
            "2019-10-18",
            "'",
            "\"",
            "\"a\\\"b\"",
            "\\",
            ": ",
            ":",
            "#",
            "[x]",
            "{y}",
            "-",
            "- ",
            "*a",
            "&a",
            "!t",
            "|",
            ">",
            "?",
            "%",
            "@",
            "`",
            "\t",
            "  ",
            "\u{feff}",
            "\u{85}",
            "\u{2028}",
            "\u{7f}",
            "\u{1}",
            "\r",
            "\n",
            "\n  ",
            "\n- ",
            "\n  - ",
        ];
        let piece = prop_oneof![6 => select(good_pieces), 1 => select(bad_pieces)];
        let value = prop::collection::vec(piece, 0..4).prop_map(|p| p.concat());
        let dash = select(vec!["- ", "  - ", "- ", "  - ", "    - ", "-", " - "]);
        let other = select(vec!["", "", "# note", "  ", "  # note", "\t", "  more"]);
        let line = prop_oneof![
            5 => (key, sep, value.clone()).prop_map(|(k, s, v)| format!("{k}{s}{v}")),
            1 => (dash, value).prop_map(|(d, v)| format!("{d}{v}")),
            1 => other.prop_map(str::to_owned),
        ];
        let eol = prop_oneof![16 => Just("\n"), 4 => Just("\r\n"), 1 => Just("\r")];
        prop::collection::vec((line, eol), 1..6)
            .prop_map(|lines| lines.into_iter().map(|(l, e)| format!("{l}{e}")).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_reader_agrees_with_yaml_serde_on_yaml_like_input(yaml in yaml_like()) {
            check_fast(&yaml);
        }
    }

    /// The same property over a fixed sample, counting what the fast reader
    /// answers: a property it never gets to answer would test nothing.
    #[test]
    fn fast_reader_answers_for_a_good_share_of_yaml_like_input() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = yaml_like();
        let mut read = 0;
        for _ in 0..3000 {
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                continue;
            };
            read += usize::from(check_fast(&tree.current()));
        }
        assert!(read >= 300, "the fast reader answered {read} of 3000");
    }

    #[test]
    fn dates_need_a_four_digit_year_and_nothing_else() {
        use super::parse_docfx_date as date;
        assert_eq!(date("11/20/2019"), NaiveDate::from_ymd_opt(2019, 11, 20));
        assert_eq!(date(" 1/2/2019 "), NaiveDate::from_ymd_opt(2019, 1, 2));
        assert_eq!(date("2019-11-20"), NaiveDate::from_ymd_opt(2019, 11, 20));
        for bad in [
            "11/20/19",
            "11/20/-2019",
            "11/20/+2019",
            "11/20/02019",
            "11/20/0019",
            "1/20/1000",
            "-2019-11-20",
            "19-11-20",
            "2019-11-20T00:00",
            "11/20/2019/1",
            "11//2019",
            "１１/２０/２０１９",
            "",
        ] {
            assert_eq!(date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn bad_date_is_an_error() {
        let text = "---\nms.date: 31/31/2019\n---\n";
        let s = split(text).unwrap();
        let d = parse(&s, "x.md", 2).unwrap_err();
        assert!(d.message.contains("31/31/2019"), "{}", d.message);
    }
}
