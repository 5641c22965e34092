//! DocFX block syntax that CommonMark would print as text, turned into what
//! the renderer shows: `:::image` (content, icon, complex with its long
//! description) as a `<figure>`, tab headings (`# [Label](#tab/id)`) as
//! plain headings, `[!VIDEO url]` as a link, `::: zone pivot` as a section
//! labelled with its pivots (a static page has no pivot picker; every zone
//! shows, `target="chromeless"` ones are left out), `[!code-…[](path)]` and
//! `:::code` as fenced code read from the file (confined as includes are,
//! bounded, with its ranges and regions), and the layout markers
//! (`:::row:::`, `:::column:::`, `[!div …]`) dropped with their content
//! kept. What cannot be shown degrades to a clean placeholder or the rest
//! of the page with a located warning.
//!
//! The work is line by line and keeps each line's indentation, so an
//! image inside a list item stays in the item (a `<figure>` HTML block may
//! interrupt a paragraph) and procedures keep their step numbers.

use std::cell::Cell;
use std::io::Read as _;
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
    /// The path of the file being rewritten (the article, or an include
    /// it expands), `content/<locale>/<dir>/<name>.md`: media and code
    /// paths are relative to its folder, as DocFX reads them.
    pub article: &'a str,
    /// The article whose page shows the file (itself, or the article
    /// that includes it): a copied image's `src` is made relative to it.
    pub page: &'a str,
    /// The source locale, whose folder is the fallback.
    pub source_locale: Option<&'a str>,
    /// Canonical folders media may be read from.
    pub roots: &'a [PathBuf],
    /// Where each media use (source as written, article line, column) is
    /// recorded, found or not, when the analysis asks what a page shows
    /// (its files are then looked for, not read).
    pub uses: Option<&'a std::cell::RefCell<Vec<MediaUse>>>,
    /// Where the other files the page is made from (includes, code
    /// snippets) are recorded, when the analysis asks what a page shows:
    /// an edit of one of them makes the page anew.
    pub reads: Option<&'a std::cell::RefCell<Vec<PathBuf>>>,
    /// Bytes of code snippets the page has read so far (all its files
    /// share one budget, [`MAX_CODE_BYTES`]).
    pub code_bytes: &'a Cell<u64>,
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
    /// Where it is written in `file`: line …
    pub line: u32,
    /// … and column.
    pub col: u32,
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
    Regex::new(
        r"^(>\s*)?\[!code(?:-([A-Za-z0-9+#-]*))?\s*\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[^)]*)?\)\s*\]\s*$",
    )
    .ok()
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
    let mut zones = Zones::default();
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
            if rest.starts_with("code ") {
                // `:::code language="cs" source="a.cs" range="2-5" id="x":::`
                let a = attrs(rest);
                let (path, mut selector) = code_target(attr(&a, "source").unwrap_or(""));
                if let Some(range) = attr(&a, "range") {
                    selector = Selector::Range(range.to_owned());
                } else if let Some(id) = attr(&a, "id") {
                    selector = Selector::Region(id.to_owned());
                }
                let language = attr(&a, "language").unwrap_or("");
                let block = code_block(
                    language,
                    path,
                    &selector,
                    indent,
                    &here,
                    media,
                    &mut diagnostics,
                );
                edits.push((number, number, block));
                i += 1;
                continue;
            }
            if rest.starts_with("zone") {
                zone_marker(
                    rest,
                    &lines,
                    i,
                    indent,
                    &here,
                    &mut zones,
                    &mut edits,
                    &mut diagnostics,
                );
                i = zones.resume.take().unwrap_or(i + 1);
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
        if let Some(c) = CODE.as_ref().and_then(|re| re.captures(trimmed)) {
            // `[!code-cs[](path#L2-L5)]`, `?range=2-5`, `?name=region`
            // in a quote (a note's example), each line of the block is
            let prefix = format!("{indent}{}", c.get(1).map_or("", |m| m.as_str()));
            let language = c.get(2).map_or("", |m| m.as_str());
            let target = c.get(3).map_or("", |m| m.as_str());
            let (path, selector) = code_target(target);
            let block = code_block(
                language,
                path,
                &selector,
                &prefix,
                &here,
                media,
                &mut diagnostics,
            );
            edits.push((number, number, block));
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
    if let Some(open) = zones.open.take() {
        // never closed: its label stays, without the section around it
        diagnostics.push(
            Diagnostic::warning(
                "docfx-block",
                "this zone has no `::: zone-end`: it runs to the end of the page",
            )
            .at(open.at)
            .with_help("close the zone with a `::: zone-end` line"),
        );
        if let Some(edit) = edits.get_mut(open.edit) {
            edit.2 = open.label;
        }
    }
    (edits, diagnostics, found)
}

/// The zones (`::: zone pivot="a,b"` … `::: zone-end`) met so far.
#[derive(Default)]
struct Zones {
    /// The zone open, if any.
    open: Option<OpenZone>,
    /// Zone markers inside the open zone (DocFX does not nest zones):
    /// dropped, and so are their ends.
    nested: usize,
    /// The line to go on from, when a zone was dropped whole.
    resume: Option<usize>,
}

struct OpenZone {
    /// Where it opens, for the warning when it is never closed.
    at: Location,
    /// Its edit in the list, and the label alone (for that case).
    edit: usize,
    label: String,
}

/// One `::: zone …` or `::: zone-end` line (`rest` is what follows the
/// `:::`). A static page has no pivot picker: every pivot's zone shows, in
/// a section labelled with its pivots, so that each reader finds theirs
/// (and search and the rules see all of them); `target="chromeless"`
/// zones (for the embedded view) are left out and `target="docs"` ones
/// shown as they are.
#[allow(clippy::too_many_arguments)]
fn zone_marker(
    rest: &str,
    lines: &[&str],
    i: usize,
    indent: &str,
    here: &Location,
    zones: &mut Zones,
    edits: &mut Vec<Edit>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let number = i as u32 + 1;
    let is_end = |l: &str| {
        l.trim_start()
            .strip_prefix(":::")
            .is_some_and(|r| r.trim_start().starts_with("zone-end"))
    };
    if rest.starts_with("zone-end") {
        let close = if zones.nested > 0 {
            zones.nested -= 1;
            String::new()
        } else if zones.open.take().is_some() {
            format!("\n{indent}</div>\n")
        } else {
            diagnostics.push(
                Diagnostic::warning("docfx-block", "`::: zone-end` closes no zone: left out")
                    .at(here.clone())
                    .with_help("remove the line, or open the zone with `::: zone pivot=\"…\"`"),
            );
            String::new()
        };
        edits.push((number, number, close));
        return;
    }
    if zones.open.is_some() {
        zones.nested += 1;
        diagnostics.push(
            Diagnostic::warning("docfx-block", "a zone inside a zone: its markers are left out, its content shows in the outer zone")
                .at(here.clone())
                .with_help("close the outer zone with `::: zone-end` before opening another"),
        );
        edits.push((number, number, String::new()));
        return;
    }
    let a = attrs(rest);
    let target = attr(&a, "target").map(str::to_ascii_lowercase);
    if target.as_deref() == Some("chromeless") {
        // the zone is for the embedded view only: left out whole
        if let Some(end) = (i + 1..lines.len()).find(|&j| is_end(lines[j])) {
            edits.push((number, end as u32 + 1, String::new()));
            zones.resume = Some(end + 1);
        } else {
            diagnostics.push(
                Diagnostic::warning("docfx-block", "this `target=\"chromeless\"` zone has no `::: zone-end`: its marker is left out, its content shown")
                    .at(here.clone())
                    .with_help("close the zone with a `::: zone-end` line"),
            );
            edits.push((number, number, String::new()));
        }
        return;
    }
    let pivots: Vec<&str> = attr(&a, "pivot")
        .map(|p| {
            p.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if pivots.is_empty() && target.as_deref() != Some("docs") {
        diagnostics.push(
            Diagnostic::warning(
                "docfx-block",
                format!(
                    "a zone with neither a pivot nor a target (`{}`): its content shows",
                    rest.trim_end_matches(':').trim()
                ),
            )
            .at(here.clone())
            .with_help("write `::: zone pivot=\"name\"` or `::: zone target=\"docs\"`"),
        );
    }
    let label = if pivots.is_empty() {
        String::new()
    } else {
        format!(
            "{indent}<p class=\"docfx-zone-label\">{}</p>\n",
            escape(&pivots.join(", "))
        )
    };
    let open = if pivots.is_empty() {
        format!("{indent}<div class=\"docfx-zone\">\n")
    } else {
        format!(
            "{indent}<div class=\"docfx-zone\"><p class=\"docfx-zone-label\">{}</p>\n",
            escape(&pivots.join(", "))
        )
    };
    zones.open = Some(OpenZone {
        at: here.clone(),
        edit: edits.len(),
        label,
    });
    edits.push((number, number, open));
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
                    relinked(whole.as_str(), alt.as_str(), src, media)
                }
            } else {
                let img = image(&a, &place, media, diagnostics, found, true);
                if img.starts_with("<img") {
                    relinked(whole.as_str(), alt.as_str(), src, media)
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

/// The largest code snippet a page shows, and what all its snippets may
/// add up to: real snippets are a few hundred lines; a snippet that names a
/// log or a data file must not make a page of megabytes.
pub(crate) const MAX_CODE_BYTES: u64 = 512 * 1024;
/// See [`MAX_CODE_BYTES`]: the page's total.
pub(crate) const MAX_PAGE_CODE_BYTES: u64 = 4 * 1024 * 1024;

/// Which lines of a code file a snippet shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selector {
    All,
    /// `2-5,7,10-` (1-based, inclusive; an open end runs to the last line).
    Range(String),
    /// A named region: `#region name` … `#endregion`, or `<name>` …
    /// `</name>` in comments (DocFX's tag names).
    Region(String),
}

/// A snippet's path and the lines it asks for: `path#L2-L5`, `path#name`,
/// `path?range=2-5`, `path?name=x` (or `id=x`, `start=2&end=5`).
pub(crate) fn code_target(target: &str) -> (&str, Selector) {
    let (rest, fragment) = target.split_once('#').unwrap_or((target, ""));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut selector = Selector::All;
    let (mut start, mut end) = (None, None);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k.to_ascii_lowercase().as_str() {
            "range" => selector = Selector::Range(v.to_owned()),
            "name" | "id" => selector = Selector::Region(v.to_owned()),
            "start" => start = Some(v),
            "end" => end = Some(v),
            _ => {}
        }
    }
    if let Some(start) = start {
        selector = Selector::Range(format!("{start}-{}", end.unwrap_or("")));
    }
    if !fragment.is_empty() {
        let lines = fragment
            .strip_prefix('L')
            .map(|r| r.replace("-L", "-"))
            .filter(|r| r.chars().all(|c| c.is_ascii_digit() || c == '-'));
        selector = match lines {
            Some(r) => Selector::Range(r),
            None => Selector::Region(fragment.to_owned()),
        };
    }
    (path, selector)
}

/// The lines of `code` the selector asks for; `None` when a region is not
/// there or a range is not numbers.
fn select(code: &str, selector: &Selector) -> Option<Vec<String>> {
    let lines: Vec<&str> = code.lines().collect();
    let picked: Vec<&str> = match selector {
        Selector::All => lines,
        Selector::Range(spec) => {
            let mut out = Vec::new();
            for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (a, b) = part.split_once('-').unwrap_or((part, part));
                let a: usize = a.trim().parse().ok()?;
                let b: usize = match b.trim() {
                    "" => lines.len(),
                    b => b.parse().ok()?,
                };
                if a == 0 || a > b {
                    return None;
                }
                out.extend(lines.iter().take(b).skip(a - 1));
            }
            out
        }
        Selector::Region(name) => {
            let opens = |l: &str| {
                let t = l.trim();
                l.contains(&format!("<{name}>"))
                    || t.strip_prefix("#region")
                        .or_else(|| t.strip_prefix("#Region"))
                        .is_some_and(|r| r.trim() == name)
            };
            let start = lines.iter().position(|l| opens(l))?;
            let mut depth = 0usize;
            let mut end = None;
            for (j, l) in lines.iter().enumerate().skip(start + 1) {
                let t = l.trim().to_ascii_lowercase();
                if l.contains(&format!("</{name}>")) {
                    end = Some(j);
                    break;
                }
                if t.starts_with("#region") {
                    depth += 1;
                } else if t.starts_with("#endregion") || t.starts_with("#end region") {
                    if depth == 0 {
                        end = Some(j);
                        break;
                    }
                    depth -= 1;
                }
            }
            lines[start + 1..end?].to_vec()
        }
    };
    // as DocFX shows it: dedented
    let margin = picked
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Some(
        picked
            .iter()
            .map(|l| l.get(margin..).unwrap_or("").trim_end().to_owned())
            .collect(),
    )
}

/// A code snippet from a file as a fenced code block at `indent`, or a
/// located `code-snippet` warning and a placeholder naming the file.
pub(crate) fn code_block(
    language: &str,
    path: &str,
    selector: &Selector,
    indent: &str,
    here: &Location,
    media: &MediaRoots<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    match read_code(path, media).and_then(|code| {
        select(&code, selector).ok_or_else(|| {
            "the lines or region it names are not in the file (ranges are `2-5`, regions `#region name` or `<name>` tags)".to_owned()
        })
    }) {
        Ok(lines) => {
            // a fence longer than any run of backticks in the code
            let longest = lines
                .iter()
                .flat_map(|l| l.split(|c| c != '`'))
                .map(str::len)
                .max()
                .unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            let language: String = language
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-'))
                .collect();
            let mut out = format!("{indent}{fence}{language}\n");
            for l in &lines {
                if l.is_empty() {
                    out.push_str(indent.trim_end());
                } else {
                    out.push_str(indent);
                    out.push_str(l);
                }
                out.push('\n');
            }
            out.push_str(indent);
            out.push_str(&fence);
            out
        }
        Err(why) => {
            diagnostics.push(
                Diagnostic::warning(
                    "code-snippet",
                    format!("code snippet `{path}` is not shown: {why}"),
                )
                .at(here.clone())
                .with_help("put the code file under the locale's folder (or content/) and point at it with a relative path, or paste the code as a fenced code block"),
            );
            // the file's name, when it is a plain one: a name such as
            // `:::` or `[!code` would show DocFX syntax on the page (found
            // by the `media_path` fuzz target)
            let name = path
                .rsplit(['/', '\\'])
                .next()
                .filter(|n| {
                    n.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
                })
                .unwrap_or("");
            format!(
                "{indent}<p class=\"docfx-code-missing\"><code>{}</code></p>\n",
                escape(name)
            )
        }
    }
}

/// The text of a snippet's file: from the folder of the file that names it
/// (`~/` is the locale's folder), confined as includes are (a regular file
/// under the content roots) and bounded by [`MAX_CODE_BYTES`] and the
/// page's [`MAX_PAGE_CODE_BYTES`].
fn read_code(path: &str, media: &MediaRoots<'_>) -> Result<String, String> {
    if path.is_empty() || path.contains(':') {
        return Err("it is not a relative path to a file".to_owned());
    }
    let (from, relative) = match path.strip_prefix("~/") {
        Some(rest) => {
            let locale = media
                .article
                .split('/')
                .take(2)
                .collect::<Vec<_>>()
                .join("/");
            (media.project.join(locale).join("_"), rest)
        }
        None => (media.project.join(media.article), path),
    };
    let real =
        crate::load::resolve_include_in(media.roots, &from, relative).map_err(|d| d.message)?;
    if let Some(reads) = media.reads {
        reads.borrow_mut().push(real.clone());
    }
    let size = std::fs::metadata(&real).map_err(|e| e.to_string())?.len();
    let left = MAX_PAGE_CODE_BYTES.saturating_sub(media.code_bytes.get());
    if size > MAX_CODE_BYTES || size > left {
        return Err(format!(
            "it is larger than a page shows ({} KiB a snippet, {} MiB a page)",
            MAX_CODE_BYTES / 1024,
            MAX_PAGE_CODE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&real)
        .and_then(|f| f.take(size.min(left) + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > size.min(left) {
        return Err("it grew while being read".to_owned());
    }
    media
        .code_bytes
        .set(media.code_bytes.get() + bytes.len() as u64);
    crate::load::decode(bytes, path).map_err(|d| d.message)
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
pub(crate) fn locale_relative(article: &str, source: &str) -> Option<String> {
    // a control character names no real media, and would reach the page
    // in its `src` (found by the `media_path` fuzz target)
    if source.contains(':')
        || source.starts_with('/')
        || source.starts_with('\\')
        || source.chars().any(char::is_control)
    {
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

/// The `src` that reaches media written as `source` in the file being
/// rewritten from the page that shows it: as written in the article
/// itself, else (an include in another folder) rebased on the page's
/// folder, as the copy sits at its path under the locale's book.
pub(crate) fn shown_src(source: &str, media: &MediaRoots<'_>) -> String {
    if media.page == media.article {
        return source.to_owned();
    }
    let Some(target) = locale_relative(media.article, source) else {
        return source.to_owned();
    };
    let mut from: Vec<&str> = media.page.split('/').skip(2).collect();
    from.pop();
    let to: Vec<&str> = target.split('/').collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to.len().saturating_sub(1));
    let mut parts = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// A found `![alt](src)` as the page's Markdown writes it: as it is in the
/// article; in an include, the `<img>` with its `src` rebased (see
/// [`shown_src`]), which the page's own pass over the expanded text (from
/// the article's folder) leaves as it is.
fn relinked(whole: &str, alt: &str, src: &str, media: &MediaRoots<'_>) -> String {
    if media.page == media.article {
        whole.to_owned()
    } else {
        format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape(&shown_src(src, media)),
            escape(alt)
        )
    }
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

/// [`probe`] for a media use the analysis recorded (`file` being the
/// article or include it is written in), from `project`'s locale folder
/// or the source locale's, confined to `roots`.
pub(crate) fn probe_use(
    project: &Path,
    m: &MediaUse,
    source_locale: &str,
    roots: &[PathBuf],
) -> Result<(String, PathBuf), &'static str> {
    let code_bytes = Cell::new(0);
    probe(
        &m.source,
        &MediaRoots {
            project,
            article: &m.file,
            page: &m.file,
            source_locale: Some(source_locale),
            roots,
            uses: None,
            reads: None,
            code_bytes: &code_bytes,
        },
    )
}

/// The media file at `source` ([`probe`]), read; only probed when the
/// analysis records the page's media uses.
pub(crate) fn find_media(source: &str, media: &MediaRoots<'_>) -> Result<Media, &'static str> {
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
        });
    }
    match find_media(source, media) {
        Ok(m) => {
            if !found.iter().any(|f| f.path == m.path) {
                found.push(m);
            }
            // the page sits at the article's place in the book and the copy
            // at the file's: the source as written reaches it from there,
            // unless it was written in an include in another folder
            format!(
                "<img src=\"{}\" alt=\"{}\">",
                escape(&shown_src(source, media)),
                escape(alt)
            )
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
