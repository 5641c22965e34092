//! YAML frontmatter of a DocFX article: split from the body, parsed into the keys
//! rulebook uses, with every other key kept.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::diag::{Diagnostic, Location};

/// The frontmatter keys rulebook reads. Unknown keys land in `other`, so a
/// round trip (e.g. `source-text`) loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Frontmatter {
    #[serde(default, deserialize_with = "scalar_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "scalar_string")]
    pub description: Option<String>,
    #[serde(rename = "ms.date", default, deserialize_with = "docfx_date")]
    pub date: Option<NaiveDate>,
    #[serde(rename = "ms.lasthandoff", default, deserialize_with = "docfx_date")]
    pub last_handoff: Option<NaiveDate>,
    #[serde(
        rename = "ms.contentlocale",
        default,
        deserialize_with = "scalar_string"
    )]
    pub content_locale: Option<String>,
    #[serde(
        rename = "ms.translationtype",
        default,
        deserialize_with = "scalar_string"
    )]
    pub translation_type: Option<String>,
    #[serde(
        rename = "ms.sourcegitcommit",
        default,
        deserialize_with = "scalar_string"
    )]
    pub source_git_commit: Option<String>,
    #[serde(rename = "ms.locfileid", default, deserialize_with = "scalar_string")]
    pub loc_file_id: Option<String>,
    #[serde(default, deserialize_with = "keyword_list")]
    pub keywords: Vec<String>,
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
    if let Some((line, col)) = too_deep(split.yaml) {
        return Err(Diagnostic::error(
            "yaml-frontmatter",
            format!("the YAML frontmatter nests `[` or `{{` more than {MAX_FLOW_NESTING} levels deep"),
        )
        .at(Location::new(path, first_line + line - 1, col))
        .with_help("frontmatter holds flat keys (title, ms.date, …); quote a value that starts with `[` or `{`"));
    }
    serde_yaml::from_str::<Frontmatter>(split.yaml).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((first_line, 1), |l| (first_line + l.line() as u32 - 1, l.column() as u32));
        Diagnostic::error("yaml-frontmatter", format!("invalid YAML frontmatter: {}", strip_location(&e.to_string())))
            .at(Location::new(path, line, col))
            .with_help("fix the YAML between the `---` lines; values holding `: ` or starting with `[`, `{`, `*`, `&` must be quoted")
    })
}

/// Deepest `[` / `{` nesting allowed in frontmatter. The YAML scanner's work
/// grows with the square of the flow nesting (20,000 levels take seconds,
/// 100,000 minutes) before its own depth limit rejects the input, so deep
/// nesting is refused before the YAML library sees it.
pub const MAX_FLOW_NESTING: u32 = 64;

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
pub fn parse_docfx_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%m/%d/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

fn docfx_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match scalar_string(d)? {
        None => Ok(None),
        Some(s) => parse_docfx_date(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not a date (expected MM/DD/YYYY)"))
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
        serde_yaml::Value::String(s) => s.split([',', '，', '、']).map(str::to_owned).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_refused_before_the_yaml_scanner() {
        // 100,000 levels took the scanner minutes (issue 9)
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

    #[test]
    fn bad_date_is_an_error() {
        let text = "---\nms.date: 31/31/2019\n---\n";
        let s = split(text).unwrap();
        let d = parse(&s, "x.md", 2).unwrap_err();
        assert!(d.message.contains("31/31/2019"), "{}", d.message);
    }
}
