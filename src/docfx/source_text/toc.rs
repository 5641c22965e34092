//! A DocFX table of contents (`TOC.yml`, `TOC.md`) with its entry names
//! replaced by the source-language titles of the articles they point to.
//!
//! `TOC.yml` is read with the YAML parser (so that what an entry is, and
//! its `href`, is what DocFX reads) but written by editing the located
//! `name:` values in the text: comments, key order, quoting of the other
//! values and `displayName` (search keywords, not a label) stay byte for
//! byte. The edit is used only when the `name:` lines found in the text
//! are, in order, exactly the entries the parser found; a file laid out
//! otherwise (flow style, a name after its `items`, a name over several
//! lines) is re-serialized from the parsed YAML instead, with a warning
//! that its layout and comments were not kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde_yaml::Value;

use crate::diag::{Diagnostic, Location};
use crate::load::confine;

use super::yaml_scalar;

/// The source-language title of each bilingual article of the tree, by its
/// path under the tree's root.
pub(crate) type Titles = BTreeMap<PathBuf, String>;

/// What became of one TOC: its new text and the entries that kept their
/// names (warnings).
#[derive(Debug)]
pub(crate) struct Rewritten {
    /// The TOC as `source-text` writes it.
    pub(crate) text: String,
    /// Located warnings: entries that keep their names, a layout not kept.
    pub(crate) warnings: Vec<Diagnostic>,
}

const KEPT: &str = "toc-name-kept";
const KEPT_HELP: &str = "write the source-language name into the written TOC by hand; a later \
     source-text run reports that edit as a conflict instead of erasing it";

/// Rewrite the TOC `text` (`display` in diagnostics) found in the folder
/// `dir` (relative to the tree's root). `markdown` says whether it is a
/// `TOC.md`.
pub(crate) fn rewrite(
    display: &str,
    dir: &Path,
    text: &str,
    markdown: bool,
    titles: &Titles,
) -> Result<Rewritten, Diagnostic> {
    if markdown {
        Ok(rewrite_md(display, dir, text, titles))
    } else {
        rewrite_yaml(display, dir, text, titles)
    }
}

/// The title an entry's `href` leads to, or why it leads to none.
fn resolve<'t>(href: &str, dir: &Path, titles: &'t Titles) -> Result<&'t str, String> {
    let path = href.split(['#', '?']).next().unwrap_or_default().trim();
    static SCHEME: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").ok());
    if path.is_empty() {
        return Err(format!("its href `{href}` names no file"));
    }
    if path.starts_with('/') || SCHEME.as_ref().is_some_and(|r| r.is_match(path)) {
        return Err(format!("its href `{href}` leads outside the tree"));
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(rel) = confine::lexically_inside(&dir.join(decoded.as_ref())) else {
        return Err(format!("its href `{href}` climbs out of the tree"));
    };
    titles.get(&rel).map(String::as_str).ok_or_else(|| {
        format!("its href `{href}` is not a bilingual article of the tree (with a title)")
    })
}

fn kept(display: &str, line: Option<(u32, u32)>, name: &str, why: &str) -> Diagnostic {
    let at = match line {
        Some((line, col)) => Location::new(display, line, col),
        None => Location::file(display),
    };
    Diagnostic::warning(KEPT, format!("TOC entry `{name}` keeps its name: {why}"))
        .at(at)
        .with_help(KEPT_HELP)
}

/// One entry of a `TOC.yml`, in document order.
struct Entry {
    name: Value,
    href: Option<String>,
}

fn entries(value: &Value, out: &mut Vec<Entry>) {
    match value {
        Value::Sequence(items) => items.iter().for_each(|v| entries(v, out)),
        Value::Mapping(map) => {
            if let Some(name) = map.get("name") {
                out.push(Entry {
                    name: name.clone(),
                    href: map.get("href").and_then(Value::as_str).map(str::to_owned),
                });
            }
            if let Some(items) = map.get("items") {
                entries(items, out);
            }
        }
        _ => {}
    }
}

/// Set the names of the parsed YAML, in the order [`entries`] visits them.
fn set_names(value: &mut Value, names: &mut std::slice::Iter<'_, Option<String>>) {
    match value {
        Value::Sequence(items) => items.iter_mut().for_each(|v| set_names(v, names)),
        Value::Mapping(map) => {
            if map.contains_key("name")
                && let Some(Some(new)) = names.next()
            {
                map.insert(Value::from("name"), Value::from(new.as_str()));
            }
            if let Some(items) = map.get_mut("items") {
                set_names(items, names);
            }
        }
        _ => {}
    }
}

/// A `name:` key in the text: its line (0-based), where its value starts
/// and ends (bytes of the file) and the value as YAML reads it alone.
struct NameLine {
    line: usize,
    value: (usize, usize),
    col: u32,
    parsed: Option<Value>,
}

fn name_lines(text: &str) -> Vec<NameLine> {
    static NAME: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^(?:[ \t]*-[ \t]+)*[ \t]*name:[ \t]*").ok());
    let Some(name) = NAME.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(m) = name.find(body) {
            let value = &body[m.end()..];
            let parsed = serde_yaml::from_str::<Value>(value).ok();
            // a comment after the value stays: the value ends before the
            // first ` #` that leaves it reading the same
            let end = value
                .match_indices(" #")
                .map(|(p, _)| p)
                .find(|&p| serde_yaml::from_str::<Value>(&value[..p]).ok() == parsed)
                .unwrap_or(value.len());
            out.push(NameLine {
                line: i,
                value: (at + m.end(), at + m.end() + end),
                col: body[..m.end()].chars().count() as u32 + 1,
                parsed,
            });
        }
        at += line.len();
    }
    out
}

fn rewrite_yaml(
    display: &str,
    dir: &Path,
    text: &str,
    titles: &Titles,
) -> Result<Rewritten, Diagnostic> {
    let mut value: Value = serde_yaml::from_str(text).map_err(|e| {
        let at = match e.location() {
            Some(l) => Location::new(display, l.line() as u32, l.column() as u32),
            None => Location::file(display),
        };
        Diagnostic::error("toc-yaml", format!("the TOC is not valid YAML: {e}"))
            .at(at)
            .with_help("fix the YAML; DocFX cannot read this TOC either")
    })?;
    let mut found = Vec::new();
    entries(&value, &mut found);
    // A TOC that links no article (DocFX's breadcrumb TOC, which names
    // docsets by tocHref and topicHref) is not navigation: copied as is.
    if found.iter().all(|e| e.href.is_none()) {
        return Ok(Rewritten {
            text: text.to_owned(),
            warnings: Vec::new(),
        });
    }
    let lines = name_lines(text);
    let textual = lines.len() == found.len()
        && lines
            .iter()
            .zip(&found)
            .all(|(l, e)| l.parsed.as_ref() == Some(&e.name));
    let mut warnings = Vec::new();
    let mut names: Vec<Option<String>> = Vec::with_capacity(found.len());
    for (i, entry) in found.iter().enumerate() {
        let at = lines
            .get(i)
            .filter(|_| textual)
            .map(|l| (l.line as u32 + 1, l.col));
        let shown = match &entry.name {
            Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim_end()
                .to_owned(),
        };
        let title = match &entry.href {
            None => Err("it is a group entry with no article".to_owned()),
            Some(href) => resolve(href, dir, titles),
        };
        match title {
            Ok(title) => names.push((entry.name.as_str() != Some(title)).then(|| title.to_owned())),
            Err(why) => {
                warnings.push(kept(display, at, &shown, &why));
                names.push(None);
            }
        }
    }
    let text = if textual {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (line, new) in lines.iter().zip(&names) {
            if let Some(new) = new {
                out.push_str(&text[at..line.value.0]);
                out.push_str(&yaml_scalar(new));
                at = line.value.1;
            }
        }
        out.push_str(&text[at..]);
        out
    } else {
        set_names(&mut value, &mut names.iter());
        warnings.push(
            Diagnostic::warning(
                "toc-reformatted",
                "the TOC's `name:` lines could not be matched to its entries one for one, so it \
                 was written from the parsed YAML: its comments and layout were not kept",
            )
            .at(Location::file(display))
            .with_help("write each entry in block style with its `name:` on one line"),
        );
        serde_yaml::to_string(&value).map_err(|e| {
            Diagnostic::error("toc-yaml", format!("the TOC cannot be written back: {e}"))
                .at(Location::file(display))
                .with_help("write each entry in block style with its `name:` on one line")
        })?
    };
    Ok(Rewritten { text, warnings })
}

/// Markdown special characters of a link text, escaped.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn rewrite_md(display: &str, dir: &Path, text: &str, titles: &Titles) -> Rewritten {
    // DocFX's TOC.md: one heading per entry, `# [name](href)` or a bare
    // `# name` for a group.
    static LINKED: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"^([ \t]*#+[ \t]+)\[(.*)\]\([ \t]*<?([^)\s>]*)>?(?:[ \t]+"[^"]*")?[ \t]*\)"#)
            .ok()
    });
    static GROUP: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^[ \t]*#+[ \t]+(\S.*?)[ \t]*$").ok());
    let mut out = String::with_capacity(text.len());
    let mut warnings = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let lineno = i as u32 + 1;
        if let Some(c) = LINKED.as_ref().and_then(|r| r.captures(body)) {
            let (Some(prefix), Some(name), Some(href)) = (c.get(1), c.get(2), c.get(3)) else {
                out.push_str(line);
                continue;
            };
            let col = body[..name.start()].chars().count() as u32 + 1;
            match resolve(href.as_str(), dir, titles) {
                Ok(title) => {
                    out.push_str(&line[..prefix.end()]);
                    out.push('[');
                    out.push_str(&md_escape(title));
                    out.push(']');
                    out.push_str(&line[name.end() + 1..]);
                    continue;
                }
                Err(why) => warnings.push(kept(display, Some((lineno, col)), name.as_str(), &why)),
            }
        } else if let Some(c) = GROUP.as_ref().and_then(|r| r.captures(body))
            && let Some(name) = c.get(1)
        {
            let col = body[..name.start()].chars().count() as u32 + 1;
            warnings.push(kept(
                display,
                Some((lineno, col)),
                name.as_str(),
                "it is a group entry with no article",
            ));
        }
        out.push_str(line);
    }
    Rewritten {
        text: out,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles() -> Titles {
        [
            ("a.md", "Alpha: one"),
            ("t/a.md", "Alpha: one"),
            ("sub/b.md", "true"),
            ("c.md", "Gamma"),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_owned()))
        .collect()
    }

    #[test]
    fn yaml_names_change_and_nothing_else() {
        let toc = "# comment kept\n- name: 甲 # why\n  href: a.md#x\n  displayName: '甲, a'\n- name: 組\n  items:\n    - href: ../sub/b.md\n      name: \"乙\"\n    - name: 外\n      href: https://example.com/a.md\n";
        let r = rewrite("t/TOC.yml", Path::new("t"), toc, false, &titles()).unwrap();
        assert_eq!(
            r.text,
            "# comment kept\n- name: \"Alpha: one\" # why\n  href: a.md#x\n  displayName: '甲, a'\n- name: 組\n  items:\n    - href: ../sub/b.md\n      name: \"true\"\n    - name: 外\n      href: https://example.com/a.md\n"
        );
        let kept: Vec<_> = r
            .warnings
            .iter()
            .map(|d| (d.code, d.location.as_ref().map(|l| (l.line, l.col))))
            .collect();
        assert_eq!(kept, [(KEPT, Some((5, 9))), (KEPT, Some((9, 13)))]);
        // the written TOC reads back with the new names and the same hrefs
        let back: Value = serde_yaml::from_str(&r.text).unwrap();
        let mut e = Vec::new();
        entries(&back, &mut e);
        assert_eq!(e[0].name.as_str(), Some("Alpha: one"));
        assert_eq!(e[2].name.as_str(), Some("true"));
        assert_eq!(e[2].href.as_deref(), Some("../sub/b.md"));
    }

    #[test]
    fn flow_style_yaml_is_rewritten_from_the_parse() {
        let toc = "[{name: 甲, href: a.md}, {href: c.md, name: 丙}]\n";
        let r = rewrite("TOC.yml", Path::new(""), toc, false, &titles()).unwrap();
        let back: Value = serde_yaml::from_str(&r.text).unwrap();
        let mut e = Vec::new();
        entries(&back, &mut e);
        let names: Vec<_> = e.iter().map(|e| e.name.as_str().unwrap()).collect();
        assert_eq!(names, ["Alpha: one", "Gamma"]);
        assert_eq!(r.warnings[0].code, "toc-reformatted");
    }

    #[test]
    fn a_toc_without_hrefs_is_kept() {
        let toc = "- name: 麵包屑\n  tocHref: /x/\n  topicHref: /x/index\n";
        let r = rewrite("b/toc.yml", Path::new("b"), toc, false, &titles()).unwrap();
        assert_eq!(r.text, toc);
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn markdown_toc_links_are_renamed() {
        let toc = "# [甲](a.md)\n## [乙](sub/b.md \"t\")\n## 組\n### [丙](../c.md)\n";
        let r = rewrite("TOC.md", Path::new(""), toc, true, &titles()).unwrap();
        assert_eq!(
            r.text,
            "# [Alpha: one](a.md)\n## [true](sub/b.md \"t\")\n## 組\n### [丙](../c.md)\n"
        );
        let at: Vec<_> = r
            .warnings
            .iter()
            .map(|d| d.location.as_ref().map(|l| (l.line, l.col)))
            .collect();
        assert_eq!(at, [Some((3, 4)), Some((4, 6))]);
    }

    #[test]
    fn bad_yaml_is_located() {
        let e = rewrite("TOC.yml", Path::new(""), "- name: [\n", false, &titles()).unwrap_err();
        assert_eq!(e.code, "toc-yaml");
        assert!(e.location.is_some());
    }
}
