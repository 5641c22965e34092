//! Chapter Markdown to page HTML: DocFX alerts become callouts titled in the
//! page's language, blocks carry anchors for the article lines they come
//! from (`#L23`, what facts link to), comments and any leftover segment
//! markup are dropped, and the result is sanitized.
//!
//! Sanitizing has two paths with one output. The slow path is pulldown-cmark's
//! HTML cleaned by ammonia (parse with html5ever, filter, serialize). The fast
//! path (`normal`) writes the events straight into the form ammonia would
//! give back, and gives up on the whole page at the first thing it is not sure
//! of (an HTML block, an unknown or odd tag, an URL ammonia drops ...), which
//! then takes the slow path. Tests render pages both ways and compare bytes.
//!
//! Before either path, every raw HTML fragment is read with html5ever's
//! tokenizer and written back whole (`raw`): no tag that would swallow the
//! text after it, no id or class of rulebook's own, raw elements nested at
//! most `raw::MAX_RAW_DEPTH` deep. What that changes is reported by
//! [`check`] (called by `chapter::prepare`) or [`render_checked`].

mod normal;
mod raw;

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Parser, Tag, TagEnd, html};

use crate::diag::{Diagnostic, Location};
use crate::docfx::AlertKind;
use crate::position::LineIndex;

pub use super::links::PageLinks;
use super::links::Resolved;

/// Alert titles in the page's language, by kind.
pub trait AlertTitles {
    /// The title of an alert of `kind`, e.g. "Note".
    fn title(&self, kind: AlertKind) -> String;
}

fn kind(k: BlockQuoteKind) -> AlertKind {
    match k {
        BlockQuoteKind::Note => AlertKind::Note,
        BlockQuoteKind::Tip => AlertKind::Tip,
        BlockQuoteKind::Important => AlertKind::Important,
        BlockQuoteKind::Warning => AlertKind::Warning,
        BlockQuoteKind::Caution => AlertKind::Caution,
    }
}

enum Span {
    Target,
    Lookup,
    Other,
}

/// What the page is written from: pulldown-cmark's events plus the markup
/// the renderer adds, kept apart so that the fast path knows it for its own.
enum Piece<'a> {
    Event(Event<'a>),
    /// The opening of a callout: `<div …><p class="rulebook-alert-title">`.
    AlertStart(AlertKind, String),
    AlertEnd,
    /// `<span class="rulebook-line" id="L{line}"></span>`
    Line(u32),
}

impl<'a> Piece<'a> {
    /// The piece as the event pulldown-cmark's HTML writer gets on the
    /// slow path.
    fn into_event(self) -> Event<'a> {
        match self {
            Piece::Event(event) => event,
            Piece::AlertStart(k, title) => Event::Html(
                format!(
                    "<div class=\"rulebook-alert rulebook-alert-{id}\" role=\"note\"><p class=\"rulebook-alert-title\">{title}</p>\n",
                    id = k.id(),
                    title = escape(&title)
                )
                .into(),
            ),
            Piece::AlertEnd => Event::Html("</div>\n".into()),
            Piece::Line(line) => Event::InlineHtml(
                format!("<span class=\"rulebook-line\" id=\"L{line}\"></span>").into(),
            ),
        }
    }
}

/// Render chapter Markdown. `line_map[i]` is the article line of chapter
/// line `i + 1`.
pub fn render(markdown: &str, line_map: &[u32], titles: &dyn AlertTitles) -> String {
    let (pieces, _) = pieces(markdown, line_map, titles, None);
    match normal::write(&pieces, markdown.len() * 3 / 2) {
        Some(html) => html,
        None => slow(pieces, markdown.len()),
    }
}

/// Both paths of [`render`], for tests: the fast path's page (`None` where
/// it gives the page up) and the slow path's.
#[doc(hidden)]
pub fn render_both_paths(
    markdown: &str,
    line_map: &[u32],
    titles: &dyn AlertTitles,
) -> (Option<String>, String) {
    let (pieces, _) = pieces(markdown, line_map, titles, None);
    let fast = normal::write(&pieces, markdown.len() * 3 / 2);
    (fast, slow(pieces, markdown.len()))
}

/// pulldown-cmark's HTML, cleaned by ammonia.
fn slow(pieces: Vec<Piece<'_>>, markdown_len: usize) -> String {
    let mut out = String::with_capacity(markdown_len * 3 / 2);
    html::push_html(&mut out, pieces.into_iter().map(Piece::into_event));
    sanitize(&out)
}

/// What making a page's pieces found.
#[derive(Default)]
struct Found {
    /// What was changed in its raw HTML.
    raw: Vec<raw::Finding>,
    /// Links that lead nowhere: (offset in the Markdown, what, help).
    links: Vec<(usize, String, String)>,
}

/// The page's pieces, and what was changed in its raw HTML or its links.
fn pieces<'a>(
    markdown: &'a str,
    line_map: &[u32],
    titles: &dyn AlertTitles,
    links: Option<&PageLinks<'_>>,
) -> (Vec<Piece<'a>>, Found) {
    let mut broken: Vec<(usize, String, String)> = Vec::new();
    // for each open link, whether its `<a>` was left out (it leads nowhere)
    let mut open_links: Vec<bool> = Vec::new();
    let lines = LineIndex::new(markdown);
    let mut events: Vec<Piece<'a>> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut skipping = 0usize;
    let mut anchored: HashSet<u32> = HashSet::new();
    let mut first_cell = false;
    // an HTML block arrives line by line; comments may span lines
    let mut html_block: Option<(String, usize)> = None;
    let mut raw = raw::Raw::default();
    // inside an image, events are its `alt` text: raw HTML there is text
    let mut image = 0usize;
    let original_line = |offset: usize| {
        let line = lines.line_col(markdown, offset).0 as usize;
        line_map.get(line.saturating_sub(1)).copied().unwrap_or(0)
    };
    // a raw inline tag as the page gets it (nothing when it is left out)
    let inline = |raw: &mut raw::Raw, events: &mut Vec<Piece<'a>>, html: CowStr<'a>, at, image| {
        if image > 0 {
            events.push(Piece::Event(Event::InlineHtml(html)));
            return;
        }
        let clean = raw.clean(&html, at);
        if !clean.is_empty() {
            let html = if clean == *html { html } else { clean.into() };
            events.push(Piece::Event(Event::InlineHtml(html)));
        }
    };
    for (event, range) in
        Parser::new_ext(markdown, crate::docfx::markdown_options()).into_offset_iter()
    {
        if let Event::InlineHtml(tag) = &event {
            match classify(tag) {
                HtmlPiece::Comment => continue,
                HtmlPiece::Open(span) => {
                    let keep = matches!(span, Span::Other) && skipping == 0;
                    if matches!(span, Span::Lookup) {
                        skipping += 1;
                    }
                    spans.push(span);
                    if keep && let Event::InlineHtml(html) = event {
                        inline(&mut raw, &mut events, html, range.start, image);
                    }
                    continue;
                }
                HtmlPiece::Close => {
                    let keep = match spans.pop() {
                        Some(Span::Lookup) => {
                            skipping = skipping.saturating_sub(1);
                            false
                        }
                        Some(Span::Target) => false,
                        Some(Span::Other) | None => skipping == 0,
                    };
                    if keep && let Event::InlineHtml(html) = event {
                        inline(&mut raw, &mut events, html, range.start, image);
                    }
                    continue;
                }
                HtmlPiece::Other => {}
            }
        }
        if skipping > 0 {
            continue;
        }
        let anchor = |events: &mut Vec<Piece<'_>>, anchored: &mut HashSet<u32>| {
            let line = original_line(range.start);
            if line > 0 && anchored.insert(line) {
                events.push(Piece::Line(line));
            }
        };
        match event {
            Event::Start(Tag::HtmlBlock) => html_block = Some((String::new(), range.start)),
            Event::Html(part) => match html_block.as_mut() {
                Some((block, _)) => block.push_str(&part),
                None => {
                    let clean = raw.clean(&part, range.start);
                    events.push(Piece::Event(Event::Html(clean.into())));
                }
            },
            Event::End(TagEnd::HtmlBlock) => {
                let (block, at) = html_block.take().unwrap_or_default();
                let kept = raw.clean(&without_lookups(&block), at);
                if !kept.trim().is_empty() {
                    events.push(Piece::Event(Event::Html(kept.into())));
                }
            }
            Event::InlineHtml(html) => inline(&mut raw, &mut events, html, range.start, image),
            Event::Start(Tag::BlockQuote(Some(k))) => {
                let k = kind(k);
                raw.markdown_start();
                events.push(Piece::AlertStart(k, titles.title(k)));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                raw.markdown_end();
                events.push(Piece::AlertEnd);
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                raw.markdown_start();
                // the section's anchor (unique on the page: DocFX's `-1`
                // suffixes), so that `#categories-1` lands; never an id of
                // rulebook's own
                let id = links
                    .and_then(|l| l.headings.get(&original_line(range.start)))
                    .filter(|a| !a.is_empty() && !raw::reserved(a))
                    .map(|a| CowStr::from(a.clone()))
                    .or(id);
                events.push(Piece::Event(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })));
                anchor(&mut events, &mut anchored);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if image == 0 && links.is_some() => {
                raw.markdown_start();
                let resolved = links.map_or(Resolved::Keep, |l| l.index.resolve(&dest_url, l.slug));
                let dest_url = match resolved {
                    Resolved::Keep => Some(dest_url),
                    Resolved::Href(href) => Some(href.into()),
                    Resolved::MissingAnchor(href, what, help) => {
                        broken.push((range.start, what, help));
                        Some(href.into())
                    }
                    Resolved::Broken(what, help) => {
                        broken.push((range.start, what, help));
                        None
                    }
                };
                open_links.push(dest_url.is_none());
                if let Some(dest_url) = dest_url {
                    events.push(Piece::Event(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })));
                }
            }
            Event::End(TagEnd::Link) if image == 0 && links.is_some() => {
                raw.markdown_end();
                if !open_links.pop().unwrap_or(false) {
                    events.push(Piece::Event(event));
                }
            }
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) => {
                raw.markdown_start();
                events.push(Piece::Event(event));
                anchor(&mut events, &mut anchored);
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => {
                raw.markdown_start();
                first_cell = true;
                events.push(Piece::Event(event));
            }
            Event::Start(Tag::TableCell) => {
                raw.markdown_start();
                events.push(Piece::Event(event));
                if first_cell {
                    first_cell = false;
                    anchor(&mut events, &mut anchored);
                }
            }
            other => {
                match &other {
                    Event::Start(tag) => {
                        if matches!(tag, Tag::Image { .. }) {
                            image += 1;
                        }
                        raw.markdown_start();
                    }
                    Event::End(tag) => {
                        if *tag == TagEnd::Image {
                            image = image.saturating_sub(1);
                        }
                        raw.markdown_end();
                    }
                    _ => {}
                }
                events.push(Piece::Event(other));
            }
        }
    }
    (
        events,
        Found {
            raw: raw.findings,
            links: broken,
        },
    )
}

/// The links of a chapter that the page resolves (`pieces` with links):
/// (destination as written, article line, column), where its
/// `broken-link` warning would be. The same walk as `pieces`: not in an
/// image, not in the source twin of a bilingual segment; links with a
/// scheme or `//` are left out (they always stay as written).
pub fn link_refs(markdown: &str, line_map: &[u32]) -> Vec<(String, u32, u32)> {
    let lines = LineIndex::new(markdown);
    let mut out = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut skipping = 0usize;
    let mut image = 0usize;
    for (event, range) in
        Parser::new_ext(markdown, crate::docfx::markdown_options()).into_offset_iter()
    {
        if let Event::InlineHtml(tag) = &event {
            match classify(tag) {
                HtmlPiece::Comment => continue,
                HtmlPiece::Open(span) => {
                    if matches!(span, Span::Lookup) {
                        skipping += 1;
                    }
                    spans.push(span);
                    continue;
                }
                HtmlPiece::Close => {
                    if let Some(Span::Lookup) = spans.pop() {
                        skipping = skipping.saturating_sub(1);
                    }
                    continue;
                }
                HtmlPiece::Other => {}
            }
        }
        if skipping > 0 {
            continue;
        }
        match event {
            Event::Start(Tag::Link { dest_url, .. })
                if image == 0 && !super::links::always_kept(&dest_url) =>
            {
                let (line, col) = lines.line_col(markdown, range.start);
                let article_line = line_map
                    .get((line as usize).saturating_sub(1))
                    .copied()
                    .unwrap_or(0);
                out.push((dest_url.into_string(), article_line.max(1), col));
            }
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// Links that lead nowhere, as `broken-link` warnings at the article's
/// lines.
fn link_diagnostics(
    markdown: &str,
    line_map: &[u32],
    path: &str,
    broken: Vec<(usize, String, String)>,
) -> Vec<Diagnostic> {
    if broken.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(markdown);
    broken
        .into_iter()
        .map(|(offset, what, help)| {
            let (line, col) = lines.line_col(markdown, offset);
            let article_line = line_map
                .get((line as usize).saturating_sub(1))
                .copied()
                .unwrap_or(0);
            Diagnostic::warning("broken-link", what)
                .at(Location::new(path, article_line.max(1), col))
                .with_help(help)
        })
        .collect()
}

/// What rendering the page changes in its raw HTML, as diagnostics at the
/// article's lines (`path` is the article's). It parses the page's Markdown
/// once more; [`render_checked`] gives the page and these at once.
pub fn check(markdown: &str, line_map: &[u32], path: &str) -> Vec<Diagnostic> {
    struct NoTitles;
    impl AlertTitles for NoTitles {
        fn title(&self, _: AlertKind) -> String {
            String::new()
        }
    }
    // no `<`, no raw HTML
    if memchr::memchr(b'<', markdown.as_bytes()).is_none() {
        return Vec::new();
    }
    let (_, findings) = pieces(markdown, line_map, &NoTitles, None);
    diagnostics(markdown, line_map, path, findings.raw)
}

/// [`render`] and [`check`] in one pass.
pub fn render_checked(
    markdown: &str,
    line_map: &[u32],
    titles: &dyn AlertTitles,
    path: &str,
) -> (String, Vec<Diagnostic>) {
    render_page(markdown, line_map, titles, path, None)
}

/// [`render_checked`] for an article's page: its headings carry their
/// sections' anchors as ids, and its links to other articles lead to their
/// pages (`links`); a link that leads nowhere is said and shows as text.
pub fn render_page(
    markdown: &str,
    line_map: &[u32],
    titles: &dyn AlertTitles,
    path: &str,
    links: Option<&PageLinks<'_>>,
) -> (String, Vec<Diagnostic>) {
    let (pieces, findings) = pieces(markdown, line_map, titles, links);
    let mut found = diagnostics(markdown, line_map, path, findings.raw);
    found.extend(link_diagnostics(markdown, line_map, path, findings.links));
    let html = match normal::write(&pieces, markdown.len() * 3 / 2) {
        Some(html) => html,
        None => slow(pieces, markdown.len()),
    };
    (html, found)
}

fn diagnostics(
    markdown: &str,
    line_map: &[u32],
    path: &str,
    findings: Vec<raw::Finding>,
) -> Vec<Diagnostic> {
    if findings.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(markdown);
    findings
        .into_iter()
        .map(|f| {
            let (line, col) = lines.line_col(markdown, f.offset);
            let line = line as usize + usize::try_from(f.line).unwrap_or(1).saturating_sub(1);
            let col = if f.line <= 1 { col } else { 1 };
            let article_line = line_map
                .get(line.saturating_sub(1))
                .or(line_map.last())
                .copied()
                .unwrap_or(0);
            let at = Location::new(path, article_line.max(1), col);
            finding_diagnostic(f.kind).at(at)
        })
        .collect()
}

fn finding_diagnostic(kind: raw::Kind) -> Diagnostic {
    match kind {
        raw::Kind::Swallows(tag) => Diagnostic::warning(
            "raw-html-swallows",
            format!("a raw <{tag}> would hide the text after it; the page leaves the tag out and shows its text"),
        )
        .with_help(format!("remove the <{tag}> tags: pages run no scripts and embed no raw-text elements (put it in backticks to show it as code)")),
        raw::Kind::UnclosedComment => Diagnostic::error(
            "unclosed-comment",
            "this HTML comment (or `<!…`, `<?…`) is never closed: it would hide the rest of the article",
        )
        .with_help("close the comment with `-->` (a `<!…` or `<?…` with `>`), or write `&lt;` for a literal `<`"),
        // an error: the text after it would be read as its attributes and
        // vanish, and refusing the article is the other way to lose nothing
        raw::Kind::UnfinishedTag => Diagnostic::error(
            "raw-html-unfinished",
            "this raw HTML tag is not finished with `>` before its HTML block ends: the text after it would vanish into the tag",
        )
        .with_help("finish the tag with `>`, or write `&lt;` for a literal `<`"),
        raw::Kind::TooDeep => Diagnostic::warning(
            "deep-nesting",
            format!(
                "raw HTML elements nest more than {} deep (counting those left open); the page leaves deeper tags out and keeps their text",
                raw::MAX_RAW_DEPTH
            ),
        )
        .with_help("close the HTML elements you open; check for a stray run of unclosed tags"),
        raw::Kind::Reserved(name) => Diagnostic::warning(
            "reserved-name",
            format!("`{name}` is an id or class of rulebook's own pages (rulebook-…, RULEBOOK…, L<line>); the page leaves it out"),
        )
        .with_help("rename the id or class"),
    }
}

enum HtmlPiece {
    Comment,
    Open(Span),
    Close,
    Other,
}

/// An HTML block without the source twins of its bilingual segments
/// (`<span class="sxs-lookup">…</span>`, nested spans counted): a raw table
/// of a bilingual file shows its target text alone, as segments outside raw
/// HTML do. What is left out becomes spaces (line breaks kept), so every
/// offset in the block, which the raw-HTML check locates by, stays true.
fn without_lookups(block: &str) -> std::borrow::Cow<'_, str> {
    if !block.contains("sxs-lookup") {
        return std::borrow::Cow::Borrowed(block);
    }
    // one space per byte (offsets are byte offsets), line breaks kept
    let blank = |out: &mut String, text: &str| {
        for c in text.chars() {
            if c == '\n' {
                out.push('\n');
            } else {
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
    };
    let mut out = String::with_capacity(block.len());
    // spans open inside a source twin, the twin's own included
    let mut depth = 0usize;
    let mut rest = block;
    while let Some(lt) = rest.find('<') {
        let (text, tail) = rest.split_at(lt);
        let Some(end) = tail.find('>').map(|e| e + 1) else {
            break;
        };
        let tag = &tail[..end];
        let inside = depth > 0;
        match classify(tag) {
            HtmlPiece::Open(Span::Lookup) => depth += 1,
            HtmlPiece::Open(_) if inside => depth += 1,
            HtmlPiece::Close if inside => depth -= 1,
            _ => {}
        }
        if inside {
            blank(&mut out, text);
        } else {
            out.push_str(text);
        }
        if inside || depth > 0 {
            blank(&mut out, tag);
        } else {
            out.push_str(tag);
        }
        rest = &tail[end..];
    }
    if depth > 0 {
        blank(&mut out, rest);
    } else {
        out.push_str(rest);
    }
    std::borrow::Cow::Owned(out)
}

fn classify(tag: &str) -> HtmlPiece {
    let t = tag.trim();
    if t.starts_with("<!--") {
        return HtmlPiece::Comment;
    }
    let Some(parsed) = crate::docfx::parse_html_tag(t) else {
        return HtmlPiece::Other;
    };
    if !parsed.is("span") || parsed.self_closing {
        return HtmlPiece::Other;
    }
    if parsed.closing {
        return HtmlPiece::Close;
    }
    if parsed.attr("data-ttu-id").is_some() {
        HtmlPiece::Open(Span::Target)
    } else if parsed
        .attr("class")
        .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "sxs-lookup"))
    {
        HtmlPiece::Open(Span::Lookup)
    } else {
        HtmlPiece::Open(Span::Other)
    }
}

/// `s` as HTML text or a quoted attribute value: `&`, `<`, `>` and `"` escaped.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What content may keep: ammonia's safe defaults (no script, no event
/// handlers, no `javascript:` URLs) plus the classes, ids and anchors the
/// renderer itself adds.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["class", "id", "role", "lang", "dir"])
        .add_tag_attributes("a", ["name"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .link_rel(Some("noopener"));
    b
});

pub(crate) fn sanitize(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A raw HTML table of a bilingual file shows the target text alone:
    /// the source twins are gone, every byte offset of the block kept.
    #[test]
    fn source_twins_leave_raw_html_blocks_offsets_kept() {
        let block = "<table><tr><td><span data-ttu-id=\"1\">日期</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">Dates <b>x</b></span></span></td>\n<td>plain</td></tr></table>\n";
        let out = without_lookups(block);
        assert_eq!(out.len(), block.len());
        assert_eq!(out.lines().count(), block.lines().count());
        assert!(out.contains("日期") && out.contains("plain"), "{out}");
        assert!(
            !out.contains("Dates") && !out.contains("sxs") && !out.contains("<b>"),
            "{out}"
        );
        assert!(out.contains("</td>") && out.contains("</table>"));
        assert_eq!(without_lookups("<p>no twins</p>"), "<p>no twins</p>");
    }

    struct En;
    impl AlertTitles for En {
        fn title(&self, kind: AlertKind) -> String {
            format!("T-{}", kind.id())
        }
    }

    /// Heading ids and rewritten links: the fast path writes what the slow
    /// one does; broken links keep their text and lose their `<a>`.
    #[test]
    fn heading_ids_and_links_on_both_paths() {
        let anchors = vec![
            "intro".to_owned(),
            "categories".to_owned(),
            "categories-1".to_owned(),
        ];
        let none: Vec<String> = Vec::new();
        let index = super::super::links::LinkIndex::new(
            [("docs/a", anchors.as_slice()), ("other", none.as_slice())],
            Some("https://learn.microsoft.com/"),
        );
        let md = "# Intro\n\n## Categories\n\nsee [other](../other.md) and [gone](gone.md \"t\") and [x](#categories-1)\n\n## Categories\n\n[dev](/partner-center/develop/x?a=b&c=d#e) [s](javascript:alert(1)) ![i](x.png)\n\n## L5 &amp; <odd>\n";
        let lines: Vec<u32> = (1..=12).collect();
        let page = PageLinks {
            index: &index,
            slug: "docs/a",
            headings: [
                (1, "intro"),
                (3, "categories"),
                (7, "categories-1"),
                (11, "L5"),
            ]
            .into_iter()
            .map(|(l, a)| (l, a.to_owned()))
            .collect(),
        };
        let (pieces_fast, found) = pieces(md, &lines, &En, Some(&page));
        let fast = normal::write(&pieces_fast, md.len() * 2).expect("the fast path takes the page");
        let (pieces_slow, _) = pieces(md, &lines, &En, Some(&page));
        assert_eq!(fast, slow(pieces_slow, md.len()));
        for want in [
            "<h1 id=\"intro\">",
            "<h2 id=\"categories\">",
            "<h2 id=\"categories-1\">",
            "href=\"../other.html\"",
            "href=\"#categories-1\"",
            "href=\"https://learn.microsoft.com/partner-center/develop/x?a=b&amp;c=d#e\"",
            "and gone and",
        ] {
            assert!(fast.contains(want), "{want}: {fast}");
        }
        // a reserved name is no heading id; no script URL is an href
        assert!(
            fast.contains("<h2><span class=\"rulebook-line\" id=\"L11\"></span>L5"),
            "{fast}"
        );
        assert!(!fast.contains("javascript"), "{fast}");
        assert_eq!(found.links.len(), 1, "one broken link");
        let (_, diags) = render_page(md, &lines, &En, "content/en/docs/a.md", Some(&page));
        let d = diags
            .iter()
            .find(|d| d.code == "broken-link")
            .expect("said");
        assert!(d.to_string().starts_with("content/en/docs/a.md:5:"), "{d}");
        // a heading id no serializer leaves alone takes the slow path, same output
        let odd = PageLinks {
            index: &index,
            slug: "docs/a",
            headings: [(1, "a&b\"<".to_owned())].into_iter().collect(),
        };
        let (p, _) = pieces("# x\n", &[1], &En, Some(&odd));
        assert!(normal::write(&p, 16).is_none());
        let (html, _) = render_page("# x\n", &[1], &En, "p", Some(&odd));
        assert!(html.starts_with("<h1 id=\"a&amp;b&quot;&lt;\">"), "{html}");
    }

    #[test]
    fn the_links_the_analysis_records_are_the_links_the_page_resolves() {
        // what `checks` reports from `link_refs` is what rendering finds:
        // links in images, in source twins, in code, with schemes, nested
        // in raw spans, after multi-byte text, on mapped lines
        let none: Vec<String> = Vec::new();
        let anchors = vec!["here".to_owned()];
        let index = super::super::links::LinkIndex::new(
            [("a", anchors.as_slice()), ("b", none.as_slice())],
            None,
        );
        let md = "見 [x](gone.md) [y](b.md#nope) [z](#here) [w](#missing)\n\n[![img](gone2.md)](gone3.md) `[c](gone4.md)`\n\n<span data-ttu-id=\"1\">[t](gone5.md)</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">[s](gone6.md)</span></span>\n\n[u](https://x.test/a.md) [v](/absolute/page) [r][ref]\n\n```\n[f](gone7.md)\n```\n\n[ref]: gone8.md\n";
        let lines: Vec<u32> = (40..60).collect();
        let page = PageLinks {
            index: &index,
            slug: "a",
            headings: Default::default(),
        };
        let (_, rendered) = render_page(md, &lines, &En, "p.md", Some(&page));
        let mut said: Vec<String> = rendered
            .iter()
            .filter(|d| d.code == "broken-link")
            .map(|d| {
                format!(
                    "{}:{} {}",
                    d.location.as_ref().unwrap().line,
                    d.location.as_ref().unwrap().col,
                    d.message
                )
            })
            .collect();
        let mut recorded: Vec<String> = index
            .broken(&link_refs(md, &lines), "a")
            .map(|(_, what, _, line, col)| format!("{line}:{col} {what}"))
            .collect();
        said.sort();
        recorded.sort();
        assert!(said.len() >= 6, "{said:?}");
        assert_eq!(recorded, said);
    }

    #[test]
    fn alerts_anchors_and_sanitizing() {
        let md = "para\n\n> [!NOTE]\n> inside\n\n<script>alert(1)</script>\n\n<img src=x onerror=\"alert(1)\"> [x](javascript:alert(1))\n\n<!--two\nlines-->\n";
        let html = render(md, &[10, 11, 12, 13, 14, 15, 16, 17, 18], &En);
        assert!(
            html.contains("<p class=\"rulebook-alert-title\">T-note</p>"),
            "{html}"
        );
        assert!(html.contains("id=\"L10\""), "{html}");
        assert!(html.contains("id=\"L13\""), "{html}");
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "two",
            "lines",
            "--&gt;",
            "[!NOTE]",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    /// Events no Markdown here produces but a writer may meet: empty texts
    /// between blocks change pulldown-cmark's newlines, and both paths
    /// must agree on them.
    #[test]
    fn both_paths_agree_on_hand_made_events() {
        use pulldown_cmark::CowStr;
        let text = |t: &'static str| Piece::Event(Event::Text(CowStr::Borrowed(t)));
        let pieces = || {
            vec![
                Piece::Event(Event::Start(Tag::Paragraph)),
                text("a"),
                Piece::Event(Event::End(TagEnd::Paragraph)),
                text(""),
                Piece::Event(Event::Start(Tag::Paragraph)),
                Piece::Line(7),
                text("b\n"),
                text(""),
                Piece::Event(Event::End(TagEnd::Paragraph)),
                Piece::AlertStart(AlertKind::Tip, "T & \"x\"".into()),
                text(""),
                Piece::Event(Event::Rule),
                Piece::AlertEnd,
            ]
        };
        let fast = normal::write(&pieces(), 0).expect("fast path");
        assert_eq!(fast, slow(pieces(), 0));
    }

    /// Raw HTML that hides nothing and names nothing of rulebook's comes
    /// out as the sanitizer alone made it (the whole corpus does too: its
    /// 894 files rendered the same before and after `raw` came in). Not
    /// misnested inline tags (`<em>a <strong>b</em> c</strong>`): an end tag
    /// closes the raw elements opened after it, so ` c` is not bold, where
    /// html5ever would reopen `<strong>` (see `raw::Raw`).
    #[test]
    fn ordinary_raw_html_renders_as_the_sanitizer_alone_made_it() {
        for md in [
            "a <b>x</b> <span title='t' class=c>y</span> </br> <a name=\"n\"></a> <BR/>\n",
            "<div class=\"c\" id=x>\n\n*md* <i>it</i>\n\n</div>\n",
            "<table><tr><td>x<td>y</tr></table>\n\nafter\n",
            "<ul><li>a<li>b</ul>\n",
            "<p title=\"a &amp; b &quot;q&quot;\">&copy; 1 &lt; 2</p>\n",
            "<details><summary>s</summary>\n\ntext\n\n</details>\n",
        ] {
            let mut plain = String::new();
            html::push_html(
                &mut plain,
                Parser::new_ext(md, crate::docfx::markdown_options()),
            );
            assert_eq!(render(md, &[], &En), sanitize(&plain), "{md}");
        }
    }

    #[test]
    fn leftover_segment_markup_keeps_the_target() {
        let md = "<span data-ttu-id=\"1\">目標</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">Source</span></span>\n";
        let html = render(md, &[1], &En);
        assert!(
            html.contains("目標") && !html.contains("Source") && !html.contains("sxs"),
            "{html}"
        );
    }
}
