//! The fast path of sanitizing: a page's pieces written straight into the
//! bytes `sanitize(push_html(pieces))` gives, without building the HTML
//! twice and parsing it in between.
//!
//! That output is html5ever's serialization of ammonia's cleaned tree, so
//! this writer follows three sets of rules at once:
//!
//! - pulldown-cmark's HTML writer (`pulldown_cmark::html`, 0.13): which
//!   tags, in which order, and where it puts newlines (`end_newline`);
//! - ammonia's `CLEANER`: the tags and attributes it keeps (table cells lose
//!   `style`, links get `rel="noopener"` after their other attributes, an
//!   URL attribute is dropped unless `Url::parse` gives an allowed scheme or
//!   says it is relative);
//! - html5ever's serializer: text escapes `& < >` and U+00A0 (`&nbsp;`),
//!   attribute values also `"`; void elements have no ` /` and no end tag.
//!
//! Markup it writes is always well nested, so html5ever's tree builder
//! gives back the tree it was written as. Anything outside what it knows
//! that is true for (an HTML block, a raw tag that is not one of a few
//! simple inline ones in canonical form, unbalanced raw tags, a link in a
//! link, a carriage return or NUL that the HTML parser would rewrite)
//! makes [`write`] return `None`, and the caller takes the slow path for the
//! whole page.

use ammonia::url::{self, Url};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::Piece;

/// The page's HTML, or `None` when it must take the slow path.
pub(super) fn write(pieces: &[Piece<'_>], capacity: usize) -> Option<String> {
    let mut w = Writer {
        out: String::with_capacity(capacity),
        end_newline: true,
        in_head: true,
        open: Vec::new(),
        links: 0,
    };
    let mut rest = pieces.iter();
    while let Some(piece) = rest.next() {
        match piece {
            Piece::Event(event) => w.event(event, &mut rest)?,
            Piece::AlertStart(kind, title) => {
                w.write("<div class=\"rulebook-alert rulebook-alert-");
                w.write(kind.id());
                w.write("\" role=\"note\"><p class=\"rulebook-alert-title\">");
                push_escaped(&mut w.out, title, false)?;
                w.write("</p>\n");
                w.open.push(Open::Markdown);
            }
            Piece::AlertEnd => {
                w.close_markdown()?;
                w.write("</div>\n");
            }
            Piece::Line(line) => {
                w.write("<span class=\"rulebook-line\" id=\"L");
                w.number(*line);
                w.write("\"></span>");
            }
        }
    }
    // html5ever drops a byte-order mark that starts its input
    if !w.open.is_empty() || w.links != 0 || w.out.starts_with('\u{feff}') {
        return None;
    }
    Some(w.out)
}

/// An element open in the output, to check that raw tags nest.
#[derive(PartialEq)]
enum Open {
    Markdown,
    Raw(&'static str),
}

struct Writer {
    out: String,
    /// pulldown-cmark's own flag: whether the output ends with a newline,
    /// which decides the newlines it writes before blocks.
    end_newline: bool,
    /// In a table's head row (cells are `th`) rather than its body (`td`).
    in_head: bool,
    open: Vec<Open>,
    /// Links open (Markdown or raw `<a>`): html5ever would split a link
    /// inside a link, so that never takes the fast path.
    links: usize,
}

impl Writer {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        if !s.is_empty() {
            self.end_newline = s.ends_with('\n');
        }
    }

    /// A number, without allocating (digits never end a line, so
    /// `end_newline` is already right: false after the text before them).
    fn number(&mut self, n: impl std::fmt::Display) {
        use std::fmt::Write as _;
        let _ = write!(self.out, "{n}");
        self.end_newline = false;
    }

    /// `s` at the start of a block: after a newline if the output does not
    /// end with one.
    fn block(&mut self, s: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.write(s);
    }

    fn close_markdown(&mut self) -> Option<()> {
        match self.open.pop() {
            Some(Open::Markdown) => Some(()),
            _ => None,
        }
    }

    fn event<'p, 'a: 'p>(
        &mut self,
        event: &Event<'a>,
        rest: &mut impl Iterator<Item = &'p Piece<'a>>,
    ) -> Option<()> {
        match event {
            Event::Start(tag) => {
                // an image is written whole, its text as `alt`
                if let Tag::Image {
                    dest_url, title, ..
                } = tag
                {
                    return self.image(dest_url, title, rest);
                }
                self.open.push(Open::Markdown);
                self.start(tag)
            }
            Event::End(tag) => {
                self.close_markdown()?;
                self.end(*tag)
            }
            Event::Text(text) => {
                push_escaped(&mut self.out, text, false)?;
                // as pulldown-cmark does, even for an empty text
                self.end_newline = text.ends_with('\n');
                Some(())
            }
            Event::Code(text) => {
                self.write("<code>");
                push_escaped(&mut self.out, text, false)?;
                self.write("</code>");
                Some(())
            }
            // an HTML block is kept only when the comments stripped from it
            // leave nothing
            Event::Html(html) if html.is_empty() => Some(()),
            Event::InlineHtml(html) => self.raw_tag(html),
            Event::SoftBreak => {
                self.write("\n");
                Some(())
            }
            Event::HardBreak => {
                self.write("<br>\n");
                Some(())
            }
            Event::Rule => {
                self.block("<hr>\n");
                Some(())
            }
            Event::TaskListMarker(checked) => {
                self.write(if *checked {
                    "<input disabled=\"\" type=\"checkbox\" checked=\"\">\n"
                } else {
                    "<input disabled=\"\" type=\"checkbox\">\n"
                });
                Some(())
            }
            Event::Html(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_) => None,
        }
    }

    fn start(&mut self, tag: &Tag<'_>) -> Option<()> {
        match tag {
            Tag::Paragraph => self.block("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } if classes.is_empty() && attrs.is_empty() => {
                self.block("<");
                self.write(level_name(*level));
                if let Some(id) = id {
                    // ids with only characters no serializer escapes;
                    // others take the slow path
                    if id.is_empty()
                        || id.contains(['&', '<', '>', '"', '\'', '\u{a0}'])
                        || id.chars().any(char::is_control)
                    {
                        return None;
                    }
                    self.write(" id=\"");
                    self.write(id);
                    self.write("\"");
                }
                self.write(">");
            }
            Tag::Table(_) => self.write("<table>"),
            Tag::TableHead => {
                self.in_head = true;
                self.write("<thead><tr>");
            }
            Tag::TableRow => self.write("<tr>"),
            // ammonia drops the cells' `style="text-align: …"`
            Tag::TableCell => self.write(if self.in_head { "<th>" } else { "<td>" }),
            Tag::BlockQuote(None) => self.block("<blockquote>\n"),
            Tag::CodeBlock(kind) => {
                if !self.end_newline {
                    self.write("\n");
                }
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                if lang.is_empty() {
                    self.write("<pre><code>");
                } else {
                    self.write("<pre><code class=\"language-");
                    push_escaped(&mut self.out, lang, true)?;
                    self.write("\">");
                }
            }
            Tag::List(Some(1)) => self.block("<ol>\n"),
            Tag::List(Some(start)) => {
                self.block("<ol start=\"");
                self.number(*start);
                self.write("\">\n");
            }
            Tag::List(None) => self.block("<ul>\n"),
            Tag::Item => self.block("<li>"),
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                if self.links > 0 {
                    return None;
                }
                self.links += 1;
                let mut href = String::new();
                if *link_type == LinkType::Email {
                    href.push_str("mailto:");
                }
                push_href(&mut href, dest_url);
                self.write("<a");
                self.url_attr("href", &href)?;
                if !title.is_empty() {
                    self.write(" title=\"");
                    push_escaped(&mut self.out, title, true)?;
                    self.write("\"");
                }
                self.write(" rel=\"noopener\">");
            }
            // not enabled in `markdown_options`, or not written by the
            // renderer (alerts are pieces of their own)
            _ => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        match tag {
            TagEnd::Paragraph => self.write("</p>\n"),
            TagEnd::Heading(level) => {
                self.write("</");
                self.write(level_name(level));
                self.write(">\n");
            }
            TagEnd::Table => self.write("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.write("</tr></thead><tbody>\n");
                self.in_head = false;
            }
            TagEnd::TableRow => self.write("</tr>\n"),
            TagEnd::TableCell => self.write(if self.in_head { "</th>" } else { "</td>" }),
            TagEnd::BlockQuote(None) => self.write("</blockquote>\n"),
            TagEnd::CodeBlock => self.write("</code></pre>\n"),
            TagEnd::List(true) => self.write("</ol>\n"),
            TagEnd::List(false) => self.write("</ul>\n"),
            TagEnd::Item => self.write("</li>\n"),
            TagEnd::Emphasis => self.write("</em>"),
            TagEnd::Strong => self.write("</strong>"),
            TagEnd::Strikethrough => self.write("</del>"),
            TagEnd::Link => {
                self.links = self.links.checked_sub(1)?;
                self.write("</a>");
            }
            _ => return None,
        }
        Some(())
    }

    /// ` name="value"` when ammonia keeps the URL, nothing when it drops it.
    fn url_attr(&mut self, name: &str, value: &str) -> Option<()> {
        if url_kept(value) {
            self.write(" ");
            self.write(name);
            self.write("=\"");
            push_escaped(&mut self.out, value, true)?;
            self.write("\"");
        }
        Some(())
    }

    /// An image, whole: pulldown-cmark writes the text of everything up to
    /// the image's end as its `alt`.
    fn image<'p, 'a: 'p>(
        &mut self,
        dest_url: &str,
        title: &str,
        rest: &mut impl Iterator<Item = &'p Piece<'a>>,
    ) -> Option<()> {
        let mut src = String::new();
        push_href(&mut src, dest_url);
        let mut alt = String::new();
        let mut nest = 0usize;
        loop {
            let Piece::Event(event) = rest.next()? else {
                return None;
            };
            match event {
                Event::Start(_) => nest += 1,
                Event::End(_) => match nest.checked_sub(1) {
                    Some(n) => nest = n,
                    None => break,
                },
                Event::Html(_) => {}
                Event::InlineHtml(text) | Event::Code(text) | Event::Text(text) => {
                    alt.push_str(text)
                }
                Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
                Event::TaskListMarker(true) => alt.push_str("[x]"),
                Event::TaskListMarker(false) => alt.push_str("[ ]"),
                Event::InlineMath(_) | Event::DisplayMath(_) | Event::FootnoteReference(_) => {
                    return None;
                }
            }
        }
        self.write("<img");
        self.url_attr("src", &src)?;
        self.write(" alt=\"");
        push_escaped(&mut self.out, &alt, true)?;
        self.write("\"");
        if !title.is_empty() {
            self.write(" title=\"");
            push_escaped(&mut self.out, title, true)?;
            self.write("\"");
        }
        self.write(">");
        Some(())
    }

    /// A raw inline tag the renderer kept. Only a few inline tags in the
    /// one form html5ever reads unambiguously: `<name a="v" b="w">` (one
    /// space before each attribute, double quotes, lower case, no
    /// duplicate, no `" & < >` in a value) or `</name>`, and `<br>`.
    fn raw_tag(&mut self, html: &str) -> Option<()> {
        let tag = crate::docfx::parse_html_tag(html)?;
        let name = RAW_TAGS.iter().copied().find(|n| tag.is(n))?;
        if name == "br" {
            if !tag.closing && matches!(html, "<br>" | "<br/>" | "<br />") {
                self.write("<br>");
                return Some(());
            }
            return None;
        }
        if tag.closing {
            if html.strip_prefix("</").and_then(|r| r.strip_prefix(name)) != Some(">") {
                return None;
            }
            if self.open.pop() != Some(Open::Raw(name)) {
                return None;
            }
            if name == "a" {
                self.links = self.links.checked_sub(1)?;
            }
            self.write("</");
            self.write(name);
            self.write(">");
            return Some(());
        }
        if tag.self_closing || !is_canonical(html, name, tag.attrs()) {
            return None;
        }
        if name == "a" {
            if self.links > 0 {
                return None;
            }
            self.links += 1;
        }
        self.write("<");
        self.write(name);
        for (attr, value) in tag.attrs() {
            if attr == "href" && name == "a" {
                self.url_attr(attr, value)?;
            } else if GENERIC_ATTRS.contains(&attr)
                || (name == "a" && matches!(attr, "name" | "hreflang"))
            {
                self.write(" ");
                self.write(attr);
                self.write("=\"");
                push_escaped(&mut self.out, value, true)?;
                self.write("\"");
            }
            // any other attribute is dropped, as ammonia drops it
        }
        if name == "a" {
            self.write(" rel=\"noopener\"");
        }
        self.write(">");
        self.open.push(Open::Raw(name));
        Some(())
    }
}

fn level_name(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Raw inline tags the fast path writes itself: all allowed by ammonia,
/// none changes how html5ever builds the tree around it when it is
/// balanced.
const RAW_TAGS: [&str; 11] = [
    "a", "span", "em", "strong", "b", "i", "code", "kbd", "sub", "sup", "br",
];

/// `CLEANER`'s attributes allowed on every tag (ammonia's `lang` and `title`
/// and the renderer's own).
const GENERIC_ATTRS: [&str; 6] = ["lang", "title", "class", "id", "role", "dir"];

/// Whether `html` is exactly `<name a="v" …>` as rebuilt from its parsed
/// attributes, so html5ever reads the same names and values.
pub(super) fn is_canonical<'a>(
    html: &str,
    name: &str,
    attrs: impl Iterator<Item = (&'a str, &'a str)>,
) -> bool {
    let Some(mut rest) = html.strip_prefix('<').and_then(|r| r.strip_prefix(name)) else {
        return false;
    };
    let mut seen: Vec<&str> = Vec::new();
    for (attr, value) in attrs {
        let plain_name = attr.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && attr
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let plain_value = !value
            .bytes()
            .any(|b| matches!(b, b'"' | b'&' | b'<' | b'>' | b'\0' | b'\r'));
        if !plain_name || !plain_value || seen.contains(&attr) {
            return false;
        }
        seen.push(attr);
        let Some(r) = rest
            .strip_prefix(' ')
            .and_then(|r| r.strip_prefix(attr))
            .and_then(|r| r.strip_prefix("=\""))
            .and_then(|r| r.strip_prefix(value))
            .and_then(|r| r.strip_prefix('"'))
        else {
            return false;
        };
        rest = r;
    }
    rest == ">"
}

/// Whether ammonia keeps an URL attribute (`href`, `src`) with this value:
/// its own test, on the value html5ever hands it.
fn url_kept(value: &str) -> bool {
    match Url::parse(value) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// ammonia's default `url_schemes` (`CLEANER` keeps them).
const URL_SCHEMES: [&str; 25] = [
    "bitcoin",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// `s` as pulldown-cmark's `escape_href` writes it, read back by html5ever:
/// bytes outside its safe set percent-encoded, except `&` and `'`, which it
/// writes as character references that the parser turns back.
fn push_href(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut mark = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b < 0x80 && (HREF_SAFE[b as usize] || b == b'&' || b == b'\'') {
            continue;
        }
        // `mark..i` is a run of ASCII bytes when not empty; an empty range
        // may sit inside a multibyte character, which a slice would reject
        if mark < i {
            out.push_str(&s[mark..i]);
        }
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
        mark = i + 1;
    }
    out.push_str(&s[mark..]);
}

/// pulldown-cmark-escape's `HREF_SAFE` (0.11).
const HREF_SAFE: [bool; 128] = {
    let mut t = [false; 128];
    let safe =
        b"!#$%()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ^_abcdefghijklmnopqrstuvwxyz~";
    let mut i = 0;
    while i < safe.len() {
        t[safe[i] as usize] = true;
        i += 1;
    }
    t
};

/// Append `s` escaped as html5ever serializes text (`& < >` and U+00A0) or,
/// with `attr`, an attribute value (also `"`). `None` for a NUL or a
/// carriage return, which the parser on the slow path would drop or turn
/// into a line feed.
fn push_escaped(out: &mut String, s: &str, attr: bool) -> Option<()> {
    let bytes = s.as_bytes();
    let mut mark = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !SPECIAL[b as usize] {
            i += 1;
            continue;
        }
        let (with, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attr => ("&quot;", 1),
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => ("&nbsp;", 2),
            b'\0' | b'\r' => return None,
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[mark..i]);
        out.push_str(with);
        i += len;
        mark = i;
    }
    out.push_str(&s[mark..]);
    Some(())
}

/// Bytes [`push_escaped`] looks at.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[0xC2] = true;
    t[0] = true;
    t[b'\r' as usize] = true;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_html5ever_serializes() {
        let mut out = String::new();
        push_escaped(&mut out, "a&b<c>\"d\u{a0}é", false).unwrap();
        assert_eq!(out, "a&amp;b&lt;c&gt;\"d&nbsp;é");
        out.clear();
        push_escaped(&mut out, "\"x\u{a0}", true).unwrap();
        assert_eq!(out, "&quot;x&nbsp;");
        assert_eq!(push_escaped(&mut out, "a\r\nb", false), None);
        assert_eq!(push_escaped(&mut out, "a\0b", true), None);
    }

    #[test]
    fn hrefs_are_percent_encoded_like_pulldown_cmark() {
        let mut out = String::new();
        push_href(&mut out, "a b\"<é>&'[x]例");
        assert_eq!(out, "a%20b%22%3C%C3%A9%3E&'%5Bx%5D%E4%BE%8B");
    }

    #[test]
    fn urls_are_kept_as_ammonia_keeps_them() {
        for kept in ["https://x.test/a", "/rel", "#L3", "mailto:a@b.test", "a.md"] {
            assert!(url_kept(kept), "{kept}");
        }
        for dropped in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://[::1",
            "vbscript:x",
        ] {
            assert!(!url_kept(dropped), "{dropped}");
        }
    }

    #[test]
    fn raw_tags_only_in_canonical_form() {
        let tag = |h: &str| {
            let t = crate::docfx::parse_html_tag(h).unwrap();
            is_canonical(h, "a", t.attrs())
        };
        assert!(tag(r#"<a name="x">"#));
        assert!(tag(r#"<a name="x" id="y">"#));
        for odd in [
            r#"<a name='x'>"#,
            r#"<a  name="x">"#,
            r#"<a name=x>"#,
            r#"<a NAME="x">"#,
            r#"<a name="x" name="y">"#,
            r#"<a name="x&amp;">"#,
            r#"<a name="x"y>"#,
            r#"<a hidden>"#,
            "<a name=\"x\"\n>",
        ] {
            assert!(!tag(odd), "{odd}");
        }
    }
}
