//! Rebuild the source-language Markdown from a bilingual file.
//!
//! Every segment pair `<span data-ttu-id>target</span><span class="sxs-lookup">
//! <span data-stu-id>source</span></span>` is replaced by the raw Markdown of
//! its source span, so bold labels and links survive; everything outside the
//! segments is kept byte for byte.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::frontmatter;

use super::parse_article;

/// Frontmatter keys that only describe the translation, dropped from the source.
const TRANSLATION_KEYS: &[&str] = &[
    "ms.translationtype",
    "ms.lasthandoff",
    "ms.locfileid",
    "ms.openlocfilehash",
];

/// Localized metadata that the bilingual file gives no source twin for: the
/// source value cannot be recovered, so it is dropped rather than mixed in.
const LOCALIZED_KEYS: &[&str] = &["description", "keywords"];

/// Options of [`source_text`] (the `source-text` command).
#[derive(Debug, Clone)]
pub struct SourceTextOptions {
    /// Value written to `ms.contentlocale`.
    pub content_locale: String,
}

impl Default for SourceTextOptions {
    fn default() -> Self {
        SourceTextOptions {
            content_locale: "en-US".to_owned(),
        }
    }
}

/// The source-language Markdown of a bilingual article. Fails (with located
/// diagnostics) when the file has no segments or a segment is broken, since a
/// half-rebuilt source would mix languages.
pub fn source_text(
    path: &str,
    text: &str,
    options: &SourceTextOptions,
) -> Result<String, Diagnostics> {
    let doc = parse_article(path, text)?;
    let mut problems: Diagnostics = Diagnostics(
        doc.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect(),
    );
    for seg in &doc.segments {
        if seg.source.is_none() || seg.raw.pair.1 == 0 || seg.raw.source.1 < seg.raw.source.0 {
            problems.push(
                Diagnostic::error(
                    "segment-without-source",
                    format!("segment `{}` has no complete source twin", seg.id),
                )
                .at(Location::new(path, seg.pos.line, seg.pos.col))
                .with_help(
                    "every data-ttu-id span needs a following sxs-lookup span holding its source",
                ),
            );
        }
    }
    if doc.segments.is_empty() {
        problems.push(
            Diagnostic::error("not-bilingual", "the file has no bilingual segments (data-ttu-id spans)")
                .at(Location::file(path))
                .with_help("source-text reads side-by-side machine-translation files; a plain translation has no source text to rebuild"),
        );
    }
    if problems.has_errors() {
        return Err(problems);
    }

    let split =
        frontmatter::split(text).map_err(|d| Diagnostics::from(d.at(Location::new(path, 1, 1))))?;
    let title = doc
        .sections
        .iter()
        .find(|s| s.level == 1)
        .and_then(|s| s.title.source.clone());
    let mut out = String::with_capacity(text.len());
    if split.present {
        out.push_str(&text[..split.yaml_start]);
        out.push_str(&rewrite_frontmatter(split.yaml, title.as_deref(), options));
        out.push_str(&text[split.yaml_start + split.yaml.len()..split.body_start]);
    }
    let mut at = split.body_start;
    for seg in &doc.segments {
        let (start, end) = seg.raw.pair;
        let (src_start, src_end) = seg.raw.source;
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&text[src_start..src_end]);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// Line-based so that keys, order, quoting and comments stay as written.
fn rewrite_frontmatter(yaml: &str, title: Option<&str>, options: &SourceTextOptions) -> String {
    let mut out = String::with_capacity(yaml.len());
    let mut skipping = false;
    for line in yaml.split_inclusive('\n') {
        let key = top_level_key(line);
        if key.is_none() && skipping {
            continue;
        }
        skipping = false;
        match key {
            Some(k) if TRANSLATION_KEYS.contains(&k) || LOCALIZED_KEYS.contains(&k) => {
                skipping = true
            }
            Some("ms.contentlocale") => {
                out.push_str(&format!("ms.contentlocale: {}\n", options.content_locale));
                skipping = true;
            }
            Some("title") => match title {
                Some(title) => {
                    out.push_str(&format!("title: {}\n", yaml_scalar(title)));
                    skipping = true;
                }
                None => skipping = true,
            },
            _ => out.push_str(line),
        }
    }
    out
}

fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim())
}

/// A YAML scalar: plain when that is safe, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with(|c: char| "[]{}&*!|>'\"%@`#,?:-".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace);
    if plain_safe {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEG: &str = "---\ntitle: 標題\nms.contentlocale: zh-TW\nms.translationtype: MT\nkeywords: a,\n  b\nauthor: x\n---\n# <a name=\"t\"></a><span data-ttu-id=\"1\">標題</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">Title: one</span></span>\n\n<span data-ttu-id=\"2\">選取 **\\[軟體\\]**。</span><span class=\"sxs-lookup\"><span data-stu-id=\"2\">Select **Software**.</span></span> tail\n";

    #[test]
    fn replaces_segments_and_rewrites_frontmatter() {
        let out = source_text("x.md", SEG, &SourceTextOptions::default()).unwrap();
        assert_eq!(
            out,
            "---\ntitle: \"Title: one\"\nms.contentlocale: en-US\nauthor: x\n---\n# <a name=\"t\"></a>Title: one\n\nSelect **Software**. tail\n"
        );
    }

    #[test]
    fn plain_file_is_refused() {
        let e = source_text("x.md", "# Hi\n", &SourceTextOptions::default()).unwrap_err();
        assert_eq!(e.0[0].code, "not-bilingual");
    }

    #[test]
    fn unclosed_span_is_refused_with_location() {
        let e = source_text(
            "x.md",
            "text\n\n<span data-ttu-id=\"1\">a\n",
            &SourceTextOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|d| d.code == "unclosed-span" && d.location.as_ref().unwrap().line == 3)
        );
    }
}
