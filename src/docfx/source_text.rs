//! Rebuild the source-language Markdown from a bilingual file.
//!
//! Every segment pair `<span data-ttu-id>target</span><span class="sxs-lookup">
//! <span data-stu-id>source</span></span>` is replaced by the raw Markdown of
//! its source span, so bold labels and links survive; everything outside the
//! segments is kept byte for byte.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::frontmatter;

use super::parse_article;

mod toc;
pub(crate) mod tree;

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
    source_text_titled(path, text, options).map(|r| r.text)
}

/// What [`source_text_titled`] gives.
#[derive(Debug)]
pub(crate) struct Rebuilt {
    /// The source-language Markdown.
    pub(crate) text: String,
    /// The source twin of the H1, which is also what the rebuilt
    /// frontmatter's `title:` says (`None` when the article has no H1 with
    /// a source twin).
    pub(crate) title: Option<String>,
    /// What could not be rebuilt exactly (translated image descriptions).
    pub(crate) warnings: Vec<Diagnostic>,
}

/// [`source_text`], with the source-language title and the warnings.
pub(crate) fn source_text_titled(
    path: &str,
    text: &str,
    options: &SourceTextOptions,
) -> Result<Rebuilt, Diagnostics> {
    let doc = parse_article(path, text)?;
    let mut problems: Diagnostics = Diagnostics(
        doc.diagnostics
            .iter()
            // A repeated anchor is copied into the source text byte for
            // byte, as the writer gave it: whether it is acceptable is the
            // build's question, and refusing here would leave the article
            // with no source at all.
            .filter(|d| d.is_error() && d.code != "duplicate-anchor")
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
    let mut alts = Alts::default();
    for seg in &doc.segments {
        let (start, end) = seg.raw.pair;
        let (src_start, src_end) = seg.raw.source;
        if start < at {
            continue;
        }
        rebuild_unparsed(&text[at..start], &mut out, &mut alts);
        out.push_str(&text[src_start..src_end]);
        at = end;
    }
    rebuild_unparsed(&text[at..], &mut out, &mut alts);
    // What is still marked up as a segment was neither parsed nor matched
    // as a pair: its target text would be left among the source.
    if let Some(i) = memchr::memmem::find(out.as_bytes(), b"data-ttu-id") {
        let line = out[..i].matches('\n').count() as u32 + 1;
        return Err(Diagnostic::error(
            "segment-without-source",
            format!("a `data-ttu-id` segment on line {line} of the rebuilt text has no source twin that could be matched"),
        )
        .at(Location::file(path))
        .with_help("every data-ttu-id span needs a following sxs-lookup span holding its source")
        .into());
    }
    let mut warnings = Vec::new();
    if let Some(first) = alts.first {
        let line = out[..first].matches('\n').count() as u32 + 1;
        let col = out[out[..first].rfind('\n').map_or(0, |n| n + 1)..first]
            .chars()
            .count() as u32
            + 1;
        warnings.push(
            Diagnostic::warning(
                "untranslatable-alt-text",
                format!(
                    "{} image description(s) were translated with no source twin: each is replaced by its image's file name",
                    alts.count
                ),
            )
            .at(Location::new(path, line, col))
            .with_help("write the source-language descriptions into the source text by hand"),
        );
    }
    Ok(Rebuilt {
        text: out,
        title,
        warnings,
    })
}

/// Image descriptions replaced: how many, and where the first is in the
/// output (a byte offset).
#[derive(Default)]
struct Alts {
    count: usize,
    first: Option<usize>,
}

/// A translated description: one with letters of a script beyond Latin.
/// The bilingual format gives image descriptions no source twin, and only
/// this much can be told of a description without one: the source text is
/// written in Latin script, so a description in another was translated
/// (one in Latin script is kept, whatever its language).
fn is_translated(alt: &str) -> bool {
    alt.chars().any(|c| c.is_alphabetic() && c > '\u{024f}')
}

/// Words of an image's file name (`images/account-settings.png` →
/// `account settings`): the source writers' own words for it.
fn file_words(source: &str) -> String {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.replace(['-', '_'], " ").trim().to_owned()
}

/// Push `text` with the translated descriptions of its images (`:::image`
/// `alt-text`, `![alt](src)`) replaced by [`file_words`].
fn push_fixing_alts(text: &str, out: &mut String, alts: &mut Alts) {
    use std::sync::LazyLock;
    static DIRECTIVE: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r":::image\b[^\n]*?:::").ok());
    static ATTR: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r#"\b(alt-text|source)="([^"\n]*)""#).ok());
    static MD: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)").ok());
    let (Some(directive), Some(attr), Some(md)) = (DIRECTIVE.as_ref(), ATTR.as_ref(), MD.as_ref())
    else {
        out.push_str(text);
        return;
    };
    // (range of the description in `text`, its replacement)
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for d in directive.find_iter(text) {
        let (mut alt, mut source) = (None, None);
        for c in attr.captures_iter(d.as_str()) {
            if let (Some(key), Some(value)) = (c.get(1), c.get(2)) {
                let range = d.start() + value.start()..d.start() + value.end();
                match key.as_str() {
                    "alt-text" => alt = Some(range),
                    _ => source = Some(value.as_str()),
                }
            }
        }
        if let (Some(alt), Some(source)) = (alt, source)
            && is_translated(&text[alt.clone()])
        {
            edits.push((alt, file_words(source)));
        }
    }
    for c in md.captures_iter(text) {
        if let (Some(alt), Some(source)) = (c.get(1), c.get(2))
            && is_translated(alt.as_str())
        {
            edits.push((alt.range(), file_words(source.as_str())));
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut at = 0;
    for (range, words) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        alts.first.get_or_insert(out.len());
        alts.count += 1;
        out.push_str(&words.replace('"', "'").replace(['[', ']'], ""));
        at = range.end;
    }
    out.push_str(&text[at..]);
}

/// Push `gap` (text between the segments the parser found) with every
/// segment pair in it replaced by its source. The parser finds segments
/// in Markdown; pairs inside raw HTML blocks (a `<table>` of `<td>`s) and
/// in table cells it reads otherwise are matched here by their markup, with
/// the two ids checked equal.
fn rebuild_unparsed(gap: &str, out: &mut String, alts: &mut Alts) {
    static PAIR: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"<span data-ttu-id="([^"]*)">(?s:.*?)</span><span class="sxs-lookup"><span data-stu-id="([^"]*)">((?s:.*?))</span></span>"#,
        )
        .ok()
    });
    let Some(pair) = PAIR.as_ref().filter(|_| gap.contains("data-ttu-id")) else {
        push_fixing_alts(gap, out, alts);
        return;
    };
    let mut at = 0;
    for c in pair.captures_iter(gap) {
        let (Some(whole), Some(target), Some(source_id), Some(source)) =
            (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        if target.as_str() != source_id.as_str() || source.as_str().contains("<span") {
            continue;
        }
        push_fixing_alts(&gap[at..whole.start()], out, alts);
        out.push_str(source.as_str());
        at = whole.end();
    }
    push_fixing_alts(&gap[at..], out, alts);
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

/// A one-line YAML scalar that reads back as the string `s`: plain when
/// that is safe (and a YAML parser agrees: `true`, `1.0` or `null` would
/// read as no string at all), else double-quoted with escapes.
pub(crate) fn yaml_scalar(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(|c: char| c.is_control())
        && !s.starts_with(|c: char| "[]{}&*!|>'\"%@`#,?:-".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace)
        && serde_yaml::from_str::<serde_yaml::Value>(s).is_ok_and(|v| v.as_str() == Some(s));
    if plain_safe {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
    fn segments_in_raw_html_and_translated_image_descriptions_are_rebuilt() {
        let text = "---\ntitle: 標題\n---\n# <span data-ttu-id=\"1\">標題</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">Title</span></span>\n\n<table>\n<tr><td><span data-ttu-id=\"2\">日期</span><span class=\"sxs-lookup\"><span data-stu-id=\"2\">Dates</span></span></td></tr>\n</table>\n\n:::image type=\"content\" source=\"images/account-settings_new.png\" alt-text=\"設定功能表。\":::\n\n:::image type=\"content\" source=\"images/x.png\" alt-text=\"Salesforce\":::\n\n![標誌](./media/datadog.png)\n";
        let r = source_text_titled("x.md", text, &SourceTextOptions::default()).unwrap();
        assert_eq!(r.title.as_deref(), Some("Title"));
        assert!(r.text.contains("<tr><td>Dates</td></tr>"), "{}", r.text);
        assert!(
            r.text.contains("alt-text=\"account settings new\":::"),
            "{}",
            r.text
        );
        // a description in Latin script may be the source's own: kept
        assert!(r.text.contains("alt-text=\"Salesforce\":::"), "{}", r.text);
        assert!(
            r.text.contains("![datadog](./media/datadog.png)"),
            "{}",
            r.text
        );
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].code, "untranslatable-alt-text");
        assert_eq!(r.warnings[0].location.as_ref().map(|l| l.line), Some(10));
        // a pair whose ids differ is not a pair: refused, not half-rebuilt
        let broken = text.replace("data-stu-id=\"2\"", "data-stu-id=\"3\"");
        let e = source_text("x.md", &broken, &SourceTextOptions::default()).unwrap_err();
        assert!(
            e.iter().any(|d| d.code == "segment-without-source"),
            "{e:?}"
        );
    }

    #[test]
    fn yaml_scalars_read_back_as_the_string() {
        for s in [
            "Title: one",
            "true",
            "1.0",
            "null",
            "- x",
            "a \"q\" \\ b",
            "tab\there",
            "plain words",
        ] {
            let v: serde_yaml::Value = serde_yaml::from_str(&yaml_scalar(s)).unwrap();
            assert_eq!(v.as_str(), Some(s), "{}", yaml_scalar(s));
        }
        assert_eq!(yaml_scalar("plain words"), "plain words");
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
