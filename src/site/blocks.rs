//! DocFX block syntax that CommonMark would print as text, turned into what
//! the renderer shows: `:::image` (content, icon, complex with its long
//! description) as a `<figure>`, tab headings (`# [Label](#tab/id)`) as
//! plain headings, `[!VIDEO url]` as a link, and the layout markers
//! (`:::row:::`, `:::column:::`, `[!div …]`, `::: zone …`) dropped with
//! their content kept. What cannot be shown (`[!code-…]` snippets, zone
//! pivots) degrades to the rest of the page with a located warning.
//!
//! The work is line by line and keeps each line's indentation, so an
//! image inside a list item stays in the item (a `<figure>` HTML block may
//! interrupt a paragraph) and procedures keep their step numbers.

use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::diag::{Diagnostic, Location};
use crate::site::html::escape;

/// Media a page shows: its path under the locale folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// Where the file goes, relative to the locale's book (the page's
    /// relative `src` then finds it, as it found it beside the article).
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// File types copied as media. Not SVG: opened on its own, an SVG runs
/// its scripts in the site's origin.
const MEDIA_TYPES: [&str; 9] = [
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "mp4", "webm",
];

/// Where an article's media is looked for.
pub(crate) struct MediaRoots<'a> {
    /// The project folder (article paths are relative to it).
    pub project: &'a Path,
    /// The article's path, `content/<locale>/<dir>/<name>.md`.
    pub article: &'a str,
    /// The source locale, whose folder is the fallback.
    pub source_locale: Option<&'a str>,
    /// Canonical folders media may be read from.
    pub roots: &'a [PathBuf],
    /// Where each media use (source as written, article line, column) is
    /// recorded, found or not, when the analysis asks what a page shows
    /// (its files are then looked for, not read).
    pub uses: Option<&'a std::cell::RefCell<Vec<MediaUse>>>,
}

/// One image or video a page shows, as the analysis records it: looked
/// for again every build ([`probe`]), so a file added or removed is seen
/// without the article changing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaUse {
    /// The file the source is relative to: the article, or an include.
    pub file: String,
    /// The path as written.
    pub source: String,
    /// Where it is written: line (the include's when `include`) …
    pub line: u32,
    /// … and column.
    pub col: u32,
    /// Written in an include, whose media is not looked up
    /// (`chapter::include`): always shown as its alt text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include: bool,
}

/// One rewritten line range: `(first line, last line, replacement)`,
/// 1-based lines of the article.
pub(crate) type Edit = (u32, u32, String);

static ATTR: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z-]+)\s*=\s*"([^"]*)""#).ok());
static INLINE_IMAGE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r":::image\s([^\n]*?):::").ok());
static ITEM: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(\s*)(?:\d{1,9}[.)]|[-*+])(\s+)\S").ok());
static MD_IMAGE: LazyLock<Option<Regex>> = LazyLock::new(
    || // alt text may hold brackets, one level deep (`[Save]`)
    Regex::new(r#"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)"#).ok(),
);
static NO_LOC: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#":::\s*no-loc\s+text\s*=\s*"([^"\n]*)"\s*:::"#).ok());
static TAB: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})\s+\[([^\]]*)\]\(#tab/[^)]*\)\s*$").ok());
static VIDEO: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(>\s*)?\[!(?i:video)\s+([^\]\s]+)\s*\]\s*$").ok());
static CODE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\[!code(-[A-Za-z0-9+#-]*)?\s*\[[^\]]*\]\([^)]*\)\s*\]\s*$").ok()
});
static DIV: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(>\s*)?\[!(?i:div)(\s[^\]]*)?\]\s*$").ok());

fn attrs(s: &str) -> Vec<(String, String)> {
    ATTR.as_ref().map_or_else(Vec::new, |re| {
        re.captures_iter(s)
            .map(|c| (c[1].to_ascii_lowercase(), c[2].to_owned()))
            .collect()
    })
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The rewrites of `text`'s DocFX blocks (outside code fences), with what
/// they say, and the media the page shows.
pub(crate) fn rewrite(
    text: &str,
    body_line: u32,
    media: &MediaRoots<'_>,
) -> (Vec<Edit>, Vec<Diagnostic>, Vec<Media>) {
    let mut edits = Vec::new();
    let mut diagnostics = Vec::new();
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut fence = Fence::default();
    // the list item open at this line: (marker indent, content column)
    let mut item: Option<(usize, usize)> = None;
    let mut i = body_line.saturating_sub(1) as usize;
    while i < lines.len() {
        let line = lines[i];
        let number = i as u32 + 1;
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        // code fences: what is inside is shown as written
        if fence.step(trimmed) {
            i += 1;
            continue;
        }
        if fence.inside() {
            i += 1;
            continue;
        }
        let here = Location::new(media.article, number, indent.len() as u32 + 1);
        let is_image = trimmed.starts_with(":::image") && !trimmed.starts_with(":::image-end");
        if let Some(c) = ITEM.as_ref().and_then(|re| re.captures(line)) {
            let marker = c.get(1).map_or(0, |m| m.len());
            item = Some((marker, c.get(2).map_or(0, |m| m.end())));
        } else if !trimmed.is_empty()
            && !is_image
            && item.is_some_and(|(_, content)| indent.len() < content)
        {
            item = None;
        }
        if let Some(rest) = trimmed.strip_prefix(":::") {
            let rest = rest.trim_start();
            if is_image {
                // an image left at the margin between two steps of a list
                // belongs to the step before it (as writers mean it): moved
                // into it, so the procedure is not split
                let indent = match item {
                    Some((marker, content))
                        if indent.len() < content && next_is_item(&lines, i, marker) =>
                    {
                        " ".repeat(content)
                    }
                    _ => indent.to_owned(),
                };
                let a = attrs(rest);
                let complex = attr(&a, "type") == Some("complex");
                let mut last = i;
                let mut long = String::new();
                if complex {
                    // the long description runs to `:::image-end:::`
                    let end =
                        (i + 1..lines.len()).find(|&j| lines[j].trim().starts_with(":::image-end"));
                    if let Some(end) = end {
                        long = lines[i + 1..end]
                            .iter()
                            .map(|l| l.trim())
                            .filter(|l| !l.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        last = end;
                    }
                }
                let html = figure(&a, &long, &here, media, &mut diagnostics, &mut found);
                // an HTML block runs to the next blank line: the one after
                // it keeps the lines that follow (a sub-list, the next
                // step) Markdown
                edits.push((number, last as u32 + 1, format!("{indent}{html}\n")));
                i = last + 1;
                continue;
            }
            if rest.starts_with("zone") {
                if !rest.starts_with("zone-end") {
                    diagnostics.push(
                        Diagnostic::warning(
                            "docfx-block",
                            format!(
                                "zone pivots are not supported: the page shows every zone ({})",
                                rest.trim_end_matches(':').trim()
                            ),
                        )
                        .at(here.clone())
                        .with_help(
                            "keep one zone per article, or ignore this if every zone may show",
                        ),
                    );
                }
                edits.push((number, number, String::new()));
                i += 1;
                continue;
            }
            // `:::row:::`, `:::column span="2":::`, their ends and any
            // other container marker: the content shows in sequence
            edits.push((number, number, String::new()));
            if !(rest.starts_with("row") || rest.starts_with("column")) {
                diagnostics.push(
                    Diagnostic::warning(
                        "docfx-block",
                        format!("unknown DocFX block `:::{}`: left out, its content kept", rest.trim()),
                    )
                    .at(here)
                    .with_help("remove the marker, or use a block rulebook knows (:::image, :::row, :::column, ::: zone)"),
                );
            }
            i += 1;
            continue;
        }
        if let Some(re) = INLINE_IMAGE.as_ref().filter(|re| re.is_match(line)) {
            // an image in the middle of a line (after a label, in a table
            // cell): inline, an `<img>` or its alt text
            let mut out = String::new();
            let mut at = 0;
            for c in re.captures_iter(line) {
                let (Some(whole), Some(inner)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                out.push_str(&line[at..whole.start()]);
                let place = Location::new(media.article, number, whole.start() as u32 + 1);
                let a = attrs(inner.as_str());
                out.push_str(&image(
                    &a,
                    &place,
                    media,
                    &mut diagnostics,
                    &mut found,
                    true,
                ));
                at = whole.end();
            }
            out.push_str(&line[at..]);
            edits.push((number, number, out));
            i += 1;
            continue;
        }
        if let Some(c) = TAB.as_ref().and_then(|re| re.captures(trimmed)) {
            edits.push((number, number, format!("{indent}{} {}", &c[1], &c[2])));
            i += 1;
            continue;
        }
        if let Some(c) = VIDEO.as_ref().and_then(|re| re.captures(trimmed)) {
            let quote = c.get(1).map_or("", |m| m.as_str());
            let url = &c[2];
            let replacement = if url.starts_with("https://") {
                format!("{indent}{quote}<{url}>")
            } else {
                diagnostics.push(
                    Diagnostic::warning(
                        "docfx-block",
                        format!("video `{url}` is not an https URL: left out"),
                    )
                    .at(here)
                    .with_help("link the video with an https:// URL"),
                );
                format!("{indent}{quote}")
            };
            edits.push((number, number, replacement));
            i += 1;
            continue;
        }
        if CODE.as_ref().is_some_and(|re| re.is_match(trimmed)) {
            diagnostics.push(
                Diagnostic::warning(
                    "docfx-block",
                    "code snippets included from files are not shown: the snippet is left out",
                )
                .at(here)
                .with_help("paste the code into the article as a fenced code block"),
            );
            edits.push((number, number, String::new()));
            i += 1;
            continue;
        }
        if let Some(c) = DIV.as_ref().and_then(|re| re.captures(trimmed)) {
            // a styling hint (`nextstepaction`, `checklist`): the quote's
            // content shows as it is
            let quote = c.get(1).map_or("", |m| m.as_str());
            edits.push((number, number, format!("{indent}{}", quote.trim_end())));
            i += 1;
            continue;
        }
        i += 1;
    }
    (edits, diagnostics, found)
}

/// `![alt](path)` with a relative path in the chapter's Markdown (bilingual
/// segments already reduced to their target text): media like any other,
/// copied, or its alt text (a figure when the image stands alone on its
/// line) and a `missing-media` warning at the article line `line_map`
/// gives. URLs are left to the renderer. Code (fenced, or a line with a
/// backtick) is left as written.
pub(crate) fn markdown_images(
    markdown: &str,
    line_map: &[u32],
    media: &MediaRoots<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    found: &mut Vec<Media>,
) -> Option<(String, Vec<u32>)> {
    let re = MD_IMAGE.as_ref()?;
    if !re.is_match(markdown) {
        return None;
    }
    let mut text = String::with_capacity(markdown.len());
    let mut map = Vec::with_capacity(line_map.len());
    let mut fence = Fence::default();
    for (i, line) in markdown.split_inclusive('\n').enumerate() {
        let number = line_map.get(i).copied().unwrap_or(0);
        map.push(number);
        fence.step(line.trim_start());
        if fence.inside() || line.contains('`') || !re.is_match(line) {
            text.push_str(line);
            continue;
        }
        let mut at = 0;
        let mut blank = false;
        for c in re.captures_iter(line) {
            let (Some(whole), Some(alt), Some(src)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let src = src.as_str();
            if src.contains(':') || src.starts_with(['/', '#']) {
                continue;
            }
            let place = Location::new(media.article, number, whole.start() as u32 + 1);
            let a = vec![
                ("source".to_owned(), src.to_owned()),
                ("alt-text".to_owned(), alt.as_str().to_owned()),
            ];
            let shown = if line.trim() == whole.as_str() {
                let figure = figure(&a, "", &place, media, diagnostics, found);
                if figure.contains("docfx-image-missing") {
                    // an HTML block runs to the next blank line
                    blank = true;
                    figure
                } else {
                    whole.as_str().to_owned()
                }
            } else {
                let img = image(&a, &place, media, diagnostics, found, true);
                if img.starts_with("<img") {
                    whole.as_str().to_owned()
                } else {
                    img
                }
            };
            text.push_str(&line[at..whole.start()]);
            text.push_str(&shown);
            at = whole.end();
        }
        text.push_str(&line[at..]);
        if blank {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\n');
            map.push(number);
        }
    }
    Some((text, map))
}

/// `:::no-loc text="…":::` (words translators keep as they are) is its
/// text. Done on the chapter's Markdown, where bilingual segments are
/// already their target text; the lines stay as they are.
pub(crate) fn no_loc(markdown: &str) -> Option<String> {
    let re = NO_LOC.as_ref()?;
    re.is_match(markdown).then(|| {
        re.replace_all(markdown, |c: &regex::Captures<'_>| escape(&c[1]))
            .into_owned()
    })
}

/// Whether the next line with text after line `i` (past the image and
/// its long description) is a list item whose marker is at `marker`.
fn next_is_item(lines: &[&str], i: usize, marker: usize) -> bool {
    let mut j = i + 1;
    if lines[i].contains("type=\"complex\"") {
        while j < lines.len() && !lines[j].trim().starts_with(":::image-end") {
            j += 1;
        }
        j += 1;
    }
    lines
        .iter()
        .skip(j)
        .find(|l| !l.trim().is_empty())
        .and_then(|l| ITEM.as_ref()?.captures(l))
        .is_some_and(|c| c.get(1).map_or(0, |m| m.len()) == marker)
}

/// `source` as a path under the locale folder, from the article's folder;
/// `None` when it leaves the locale folder or is not a relative path.
fn locale_relative(article: &str, source: &str) -> Option<String> {
    if source.contains(':') || source.starts_with('/') || source.starts_with('\\') {
        return None;
    }
    // content/<locale>/<dir…>/<name>.md
    let mut parts: Vec<String> = article.split('/').skip(2).map(str::to_owned).collect();
    parts.pop();
    let source = source.split(['?', '#']).next().unwrap_or("");
    for c in Path::new(source).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Where the media file at `source` is: its path under the locale folder
/// and the file, from the article's locale folder or else the source
/// locale's, checked as any input is (confined to `roots`), not read.
pub(crate) fn probe(
    source: &str,
    media: &MediaRoots<'_>,
) -> Result<(String, PathBuf), &'static str> {
    let rel = locale_relative(media.article, source).ok_or("it leaves the locale folder")?;
    let ext = rel
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !MEDIA_TYPES.contains(&ext.as_str()) {
        return Err(
            "it is not an image or video type the site copies (png, jpg, gif, webp, bmp, ico, mp4, webm)",
        );
    }
    let locale = media.article.split('/').nth(1).unwrap_or("");
    let mut folders = vec![locale];
    folders.extend(media.source_locale.filter(|s| *s != locale));
    for folder in folders {
        let file = media.project.join("content").join(folder).join(&rel);
        if let Ok(real) = crate::load::confine::check(&file, media.roots) {
            return Ok((rel, real));
        }
    }
    Err("no such file in the locale's folder or the source locale's")
}

/// The media file at `source` ([`probe`]), read; only probed when the
/// analysis records the page's media uses.
fn find_media(source: &str, media: &MediaRoots<'_>) -> Result<Media, &'static str> {
    let (rel, file) = probe(source, media)?;
    if media.uses.is_some() {
        return Ok(Media {
            path: rel,
            bytes: Vec::new(),
        });
    }
    let bytes = crate::load::confine::read(&file, media.roots)
        .map_err(|_| "no such file in the locale's folder or the source locale's")?;
    Ok(Media { path: rel, bytes })
}

/// What a `missing-media` warning says: what is wrong, how to fix it.
pub(crate) fn missing_media_words(source: &str, why: &str) -> (String, String) {
    (
        format!("image `{source}` is not shown: {why}; the page shows its alt text"),
        "add the file beside the article (or in the source locale's folder at the same path)"
            .to_owned(),
    )
}

/// The `<figure>` of an `:::image`: the image when its file is found, else
/// its alt text (no broken image) and a `missing-media` warning.
fn figure(
    a: &[(String, String)],
    long: &str,
    here: &Location,
    media: &MediaRoots<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    found: &mut Vec<Media>,
) -> String {
    let alt = attr(a, "alt-text").unwrap_or("");
    let kind = attr(a, "type").unwrap_or("content");
    let details = if long.is_empty() {
        String::new()
    } else {
        format!(
            "<details><summary>{}</summary>{}</details>",
            escape(alt),
            escape(long)
        )
    };
    let class = format!(
        "docfx-image docfx-image-{}",
        if matches!(kind, "icon" | "complex") {
            kind
        } else {
            "content"
        }
    );
    let img = image(a, here, media, diagnostics, found, false);
    if img.starts_with("<img") {
        format!("<figure class=\"{class}\">{img}{details}</figure>")
    } else {
        format!(
            "<figure class=\"{class} docfx-image-missing\"><figcaption>{}</figcaption>{details}</figure>",
            escape(alt)
        )
    }
}

/// The `<img>` of an image whose file is found (and copied); else a
/// `missing-media` warning and, `inline`, the alt text in a span (empty
/// otherwise: the figure shows it).
fn image(
    a: &[(String, String)],
    here: &Location,
    media: &MediaRoots<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    found: &mut Vec<Media>,
    inline: bool,
) -> String {
    let source = attr(a, "source").unwrap_or("");
    let alt = attr(a, "alt-text").unwrap_or("");
    if let Some(uses) = media.uses {
        uses.borrow_mut().push(MediaUse {
            file: media.article.to_owned(),
            source: source.to_owned(),
            line: here.line,
            col: here.col,
            include: media.roots.is_empty(),
        });
    }
    match find_media(source, media) {
        Ok(m) => {
            if !found.iter().any(|f| f.path == m.path) {
                found.push(m);
            }
            // the page sits at the article's place in the book and the copy
            // at the file's: the source as written reaches it from there
            format!("<img src=\"{}\" alt=\"{}\">", escape(source), escape(alt))
        }
        Err(why) => {
            let (what, help) = missing_media_words(source, why);
            diagnostics.push(
                Diagnostic::warning("missing-media", what)
                    .at(here.clone())
                    .with_help(help),
            );
            if inline {
                format!("<span class=\"docfx-image-missing\">{}</span>", escape(alt))
            } else {
                String::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_relative_paths_stay_in_the_locale() {
        assert_eq!(
            locale_relative("content/zh-TW/a/b.md", "media/x.png").as_deref(),
            Some("a/media/x.png")
        );
        assert_eq!(
            locale_relative("content/zh-TW/a/b.md", "../x.png").as_deref(),
            Some("x.png")
        );
        assert_eq!(locale_relative("content/zh-TW/a/b.md", "../../x.png"), None);
        assert_eq!(locale_relative("content/zh-TW/b.md", "/etc/passwd"), None);
        assert_eq!(
            locale_relative("content/zh-TW/b.md", "https://x/y.png"),
            None
        );
    }
}

/// Whether the lines read so far leave a code fence open (CommonMark: a
/// run of three or more backticks or tildes opens one; a run of the same
/// character at least as long, alone on its line, closes it).
#[derive(Default)]
struct Fence(Option<(char, usize)>);

impl Fence {
    /// Read one line (its leading white space trimmed); true when it is a
    /// fence line itself.
    fn step(&mut self, trimmed: &str) -> bool {
        let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            return false;
        };
        let run = trimmed.chars().take_while(|x| *x == c).count();
        if run < 3 {
            return false;
        }
        match self.0 {
            None => self.0 = Some((c, run)),
            Some((f, n)) if f == c && run >= n && trimmed[run..].trim().is_empty() => self.0 = None,
            _ => {}
        }
        true
    }

    /// Whether a fence is open.
    fn inside(&self) -> bool {
        self.0.is_some()
    }
}
