//! Raw HTML of an article, made safe to hand to the page's HTML parser
//! together with the markup the renderer writes.
//!
//! Raw HTML used to go into the page as written, and html5ever read it with
//! the rest of the page as one document. Written that way, content could
//! change how the *renderer's* markup was read:
//!
//! - a `<script>`, `<style>`, `<textarea>`, `<title>`, `<xmp>`, `<iframe>`,
//!   `<noscript>`, `<noembed>`, `<noframes>` or `<plaintext>` switches the
//!   tokenizer to raw text, a `<template>` moves what follows into its
//!   inert contents, a `<select>` drops the tags after it, and a tag or
//!   comment left open at the end of an HTML block reads on into the page:
//!   the rest of the page was silently lost;
//! - a class or id of rulebook's own (`rulebook-banner`, the search box's
//!   ids, a `#L<line>` anchor) could be faked;
//! - unclosed `<div>`s by the thousand made html5ever's tree builder
//!   quadratic: it walks the open elements for every "in scope" test.
//!
//! So every raw fragment is read here with html5ever's own tokenizer and
//! written back in a form that reads the same on its own as inside the page:
//! whole tags with quoted, escaped attributes, escaped text, no comments.
//! Only tags ammonia keeps are written (it would drop the others and keep
//! their text, which is what leaving them out here does); the tags that
//! swallow text are left out with a warning, their text kept. Attribute
//! values in rulebook's namespace are removed with a warning. And raw
//! elements may nest only [`MAX_RAW_DEPTH`] deep: the depth is counted so
//! that it never falls below what the tree builder holds (see [`Raw`]), and
//! deeper start tags are left out with a warning, their text kept.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// How deep raw HTML elements may nest (those left open by earlier
/// paragraphs included). Real articles nest a few; the tree builder's
/// work per tag grows with it.
pub(super) const MAX_RAW_DEPTH: usize = 64;

/// What was changed in a page's raw HTML, each at a byte offset of the
/// chapter Markdown plus a line within the fragment found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    pub offset: usize,
    /// 1-based line within the fragment.
    pub line: u64,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// A tag that would hide the text after it (its name).
    Swallows(String),
    /// A comment never closed: it would hide the rest of the article.
    UnclosedComment,
    /// A tag not finished with `>` before the fragment ends: the text up
    /// to there would be read as its attributes.
    UnfinishedTag,
    /// Raw elements nested deeper than [`MAX_RAW_DEPTH`] (reported once).
    TooDeep,
    /// An id, name or class of rulebook's own (the value).
    Reserved(String),
}

/// Elements open in the page, as far as they matter here.
#[derive(Debug, PartialEq)]
enum Open {
    /// An element of the raw HTML, by name.
    Content(String),
    /// An element the renderer writes for Markdown (paragraph, list,
    /// callout …).
    Markdown,
}

/// The raw HTML of one page, fragment by fragment, in page order.
///
/// `open` follows the elements open in html5ever's tree builder. A raw end
/// tag is written only when its element is the last one opened and still
/// open (closing the raw elements opened after it first), because then the
/// tree builder surely pops it; any other end tag is left out. When the
/// renderer closes one of its own elements over raw ones still open, the
/// tree builder may or may not pop them (it does for `</p>`, not for an
/// element out of scope), so they are counted as `orphans` for good. The
/// depth `content + orphans` therefore never falls below the raw elements
/// the tree builder holds.
#[derive(Default)]
pub(super) struct Raw {
    open: Vec<Open>,
    /// Raw elements in `open`.
    content: usize,
    orphans: usize,
    warned_depth: bool,
    pub findings: Vec<Finding>,
}

/// Tags the sanitizer keeps (ammonia's defaults and `input`, which
/// `CLEANER` adds): the only raw tags written.
const KEPT: [&str; 75] = [
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
];

/// Kept tags without content or end tag.
const VOID: [&str; 7] = ["area", "br", "col", "hr", "img", "input", "wbr"];

/// Tags after which an HTML parser reads what follows as raw text, inert
/// template contents or (`select`) text without tags, up to their end tag or
/// the end of the page.
const SWALLOWING: [&str; 12] = [
    "script",
    "style",
    "template",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noscript",
    "noembed",
    "noframes",
    "plaintext",
    "select",
];

/// Whether an id, `name` or class is rulebook's own: its classes and ids
/// (`rulebook-…`), its script globals (`RULEBOOK_…`, which an element id
/// would stand in for) and the `L<line>` anchors of article lines.
pub(super) fn reserved(value: &str) -> bool {
    let v = value.trim();
    v.get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("rulebook"))
        || v.strip_prefix('L')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

struct Collect(RefCell<Vec<(Token, u64)>>);

impl TokenSink for Collect {
    type Handle = ();
    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        self.0.borrow_mut().push((token, line));
        TokenSinkResult::Continue
    }
}

impl Raw {
    /// The renderer opens an element of its own.
    pub(super) fn markdown_start(&mut self) {
        self.open.push(Open::Markdown);
    }

    /// The renderer closes its innermost element: raw elements still open
    /// inside it become orphans.
    pub(super) fn markdown_end(&mut self) {
        while let Some(top) = self.open.pop() {
            match top {
                Open::Markdown => return,
                Open::Content(_) => {
                    self.content -= 1;
                    self.orphans += 1;
                }
            }
        }
    }

    /// The fragment `html` (found at `offset` of the chapter) as it is
    /// written into the page.
    pub(super) fn clean(&mut self, html: &str, offset: usize) -> String {
        if let Some(out) = self.plain_tag(html, offset) {
            return out;
        }
        let sink = Collect(RefCell::new(Vec::new()));
        let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from(html));
        while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
        tokenizer.end();
        let tokens = tokenizer.sink.0.take();
        let mut out = String::with_capacity(html.len());
        let mut eof_error = None;
        // the content of a script or style closed in this fragment, which
        // the sanitizer drops with it (one left open keeps its text: what
        // follows it must not vanish)
        let mut dropping: Option<String> = None;
        // whether a `</script>` / `</style>` follows token i (one pass, so
        // that many of them stay linear)
        let mut ends_after = vec![(false, false); tokens.len()];
        let mut seen = (false, false);
        for (i, (token, _)) in tokens.iter().enumerate().rev() {
            ends_after[i] = seen;
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::EndTag
            {
                seen.0 |= &*tag.name == "script";
                seen.1 |= &*tag.name == "style";
            }
        }
        for (i, (token, line)) in tokens.iter().enumerate() {
            let line = *line;
            if let Some(name) = &dropping {
                if let Token::TagToken(tag) = token
                    && tag.kind == TagKind::EndTag
                    && *tag.name == **name
                {
                    dropping = None;
                }
                continue;
            }
            let at = |kind| Finding { offset, line, kind };
            match token {
                Token::TagToken(tag) => {
                    let name: &str = &tag.name;
                    if SWALLOWING.contains(&name) {
                        if tag.kind == TagKind::StartTag {
                            self.findings.push(at(Kind::Swallows(name.to_owned())));
                            let (script, style) = ends_after[i];
                            if (name == "script" && script) || (name == "style" && style) {
                                dropping = Some(name.to_owned());
                            }
                        }
                        continue;
                    }
                    let Some(name) = KEPT.iter().copied().find(|k| *k == name) else {
                        continue;
                    };
                    match tag.kind {
                        TagKind::StartTag => {
                            if !self.open_element(name, at) {
                                continue;
                            }
                            out.push('<');
                            out.push_str(name);
                            for attr in &tag.attrs {
                                self.attribute(&mut out, &attr.name.local, &attr.value, at);
                            }
                            out.push('>');
                        }
                        // the tree builder reads `</br>` as `<br>`
                        TagKind::EndTag if name == "br" => out.push_str("<br>"),
                        TagKind::EndTag => self.end_tag(&mut out, name),
                    }
                }
                Token::CharacterTokens(text) => escape_text(&mut out, text),
                Token::ParseError(e) if e.starts_with("Saw EOF in state") => {
                    eof_error = Some((line, e.contains("Comment")));
                }
                // comments are notes, never content (the parser keeps them
                // apart); a doctype or NUL means nothing in a page's body
                Token::CommentToken(_)
                | Token::DoctypeToken(_)
                | Token::NullCharacterToken
                | Token::EOFToken
                | Token::ParseError(_) => {}
            }
        }
        // a `<?…` or `<!…` (a bogus comment to an HTML parser) that no `>`
        // ends runs to the end of the fragment too, without an EOF error
        let bogus = eof_error.is_none()
            && matches!(
                tokens
                    .iter()
                    .rev()
                    .find(|(t, _)| !matches!(t, Token::ParseError(_) | Token::EOFToken)),
                Some((Token::CommentToken(_), _))
            )
            && !html.trim_end().ends_with('>');
        if bogus {
            eof_error = Some((0, true));
        }
        if let Some((_, comment)) = eof_error {
            // said where the comment or tag starts (the tokenizer only knows
            // the end): the first `<!--` after the last `-->` (or the last
            // `<!`, `<?`), the last `<`
            let start = if bogus {
                html.rfind("<!").max(html.rfind("<?"))
            } else if comment {
                let from = html.rfind("-->").map_or(0, |i| i + 3);
                html[from..].find("<!--").map(|i| from + i)
            } else {
                html.rfind('<')
            };
            let line = 1 + html[..start.unwrap_or(0)].matches('\n').count() as u64;
            self.findings.push(Finding {
                offset,
                line,
                kind: if comment {
                    Kind::UnclosedComment
                } else {
                    Kind::UnfinishedTag
                },
            });
        }
        out
    }

    /// A start tag of `name` is written: whether it may be (it is void, or
    /// the raw elements open are not too deep), and then it is open.
    fn open_element(&mut self, name: &str, at: impl Fn(Kind) -> Finding) -> bool {
        if VOID.contains(&name) {
            return true;
        }
        if self.content + self.orphans >= MAX_RAW_DEPTH {
            if !self.warned_depth {
                self.warned_depth = true;
                self.findings.push(at(Kind::TooDeep));
            }
            return false;
        }
        self.open.push(Open::Content(name.to_owned()));
        self.content += 1;
        true
    }

    /// The common fragment, one tag already in the form [`Raw::clean`]
    /// writes (`<name a="v">` or `</name>`, as the fast path knows it) and
    /// naming nothing of rulebook's, handled without the tokenizer: its
    /// start costs more than the rest of a page's work per tag. `None` for
    /// anything else.
    fn plain_tag(&mut self, html: &str, offset: usize) -> Option<String> {
        if !(html.starts_with('<') && html.ends_with('>')) {
            return None;
        }
        let tag = crate::docfx::parse_html_tag(html)?;
        let name = KEPT.iter().copied().find(|k| tag.is(k))?;
        let mut out = String::new();
        if tag.closing {
            if html.get(2..html.len() - 1) != Some(name) {
                return None;
            }
            if name == "br" {
                out.push_str("<br>");
            } else {
                self.end_tag(&mut out, name);
            }
            return Some(out);
        }
        let own = |(attr, value): (&str, &str)| match attr {
            "id" | "name" => reserved(value),
            "class" => value.split_ascii_whitespace().any(reserved),
            _ => false,
        };
        if tag.self_closing
            || !super::normal::is_canonical(html, name, tag.attrs())
            || tag.attrs().any(own)
        {
            return None;
        }
        let at = |kind| Finding {
            offset,
            line: 1,
            kind,
        };
        if self.open_element(name, at) {
            out.push_str(html);
        }
        Some(out)
    }

    /// ` name="value"`, unless the name is odd (the sanitizer keeps no such
    /// attribute) or the value is rulebook's own.
    fn attribute(
        &mut self,
        out: &mut String,
        name: &str,
        value: &str,
        at: impl Fn(Kind) -> Finding,
    ) {
        let plain = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !plain {
            return;
        }
        let kept;
        let value = match name {
            "id" | "name" if reserved(value) => {
                self.findings.push(at(Kind::Reserved(value.to_owned())));
                return;
            }
            "class" if value.split_ascii_whitespace().any(reserved) => {
                let (own, rest): (Vec<&str>, Vec<&str>) =
                    value.split_ascii_whitespace().partition(|c| reserved(c));
                self.findings.push(at(Kind::Reserved(own.join(" "))));
                if rest.is_empty() {
                    return;
                }
                kept = rest.join(" ");
                kept.as_str()
            }
            _ => value,
        };
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_attr(out, value);
        out.push('"');
    }

    /// `</name>` when the tree builder surely pops it: it is open and only
    /// raw elements were opened after it (those are closed first).
    fn end_tag(&mut self, out: &mut String, name: &str) {
        let mut above = 0;
        for open in self.open.iter().rev() {
            match open {
                Open::Content(n) if n == name => {
                    for _ in 0..=above {
                        if let Some(Open::Content(n)) = self.open.pop() {
                            out.push_str("</");
                            out.push_str(&n);
                            out.push('>');
                            self.content -= 1;
                        }
                    }
                    return;
                }
                Open::Content(_) => above += 1,
                Open::Markdown => return,
            }
        }
    }
}

/// Text as html5ever serializes it.
fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> (String, Vec<Kind>) {
        let mut raw = Raw::default();
        let out = raw.clean(html, 0);
        (out, raw.findings.into_iter().map(|f| f.kind).collect())
    }

    #[test]
    fn tags_are_rewritten_whole_and_plain() {
        let (out, found) =
            clean("<div class='a b' title=x onclick=\"go()\">t &amp; <b>u</b></div>");
        // the sanitizer, not this, drops the attributes it does not allow
        assert_eq!(
            out,
            "<div class=\"a b\" title=\"x\" onclick=\"go()\">t &amp; <b>u</b></div>"
        );
        assert!(found.is_empty());
    }

    #[test]
    fn swallowing_tags_are_left_out_and_their_text_kept() {
        for tag in SWALLOWING {
            let (out, found) = clean(&format!("<{tag} a=1>inner <b>x</b> after"));
            assert_eq!(out, "inner <b>x</b> after", "{tag}");
            assert_eq!(found, [Kind::Swallows(tag.to_owned())], "{tag}");
        }
    }

    #[test]
    fn a_closed_script_or_style_goes_with_its_content() {
        for tag in ["script", "style"] {
            let (out, found) = clean(&format!("a <{tag}>x()</{tag}> b <{tag}>open"));
            assert_eq!(out, "a  b open", "{tag}");
            assert_eq!(found.len(), 2, "{tag}");
        }
    }

    #[test]
    fn unclosed_comments_and_unfinished_tags_are_found() {
        assert_eq!(
            clean("a <!-- b\n\nc"),
            ("a ".into(), vec![Kind::UnclosedComment])
        );
        assert_eq!(clean("a <!-- b --> c"), ("a  c".into(), vec![]));
        assert_eq!(
            clean("a <div class=\"x"),
            ("a ".into(), vec![Kind::UnfinishedTag])
        );
        // a `<?` or `<!` no `>` ends is a comment to the end
        for open in ["<?x", "<![CDATA[x", "<!x"] {
            let (out, found) = clean(&format!("a {open}\n\nb\n"));
            assert_eq!((out.as_str(), found), ("a ", vec![Kind::UnclosedComment]));
        }
        assert_eq!(clean("a <?x?> b <!x>"), ("a  b ".into(), vec![]));
    }

    #[test]
    fn reserved_names_are_removed() {
        let (out, found) = clean(
            "<div class=\"x rulebook-banner\" id=\"rulebook-search-input\"><a name=\"L12\" id=\"RULEBOOK_SEARCH\"></a><a name=\"keep\" id=\"L1x\"></a></div>",
        );
        assert_eq!(
            out,
            "<div class=\"x\"><a></a><a name=\"keep\" id=\"L1x\"></a></div>"
        );
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn nesting_is_bounded_and_end_tags_only_close_what_is_open() {
        let (out, found) = clean(&"<div>".repeat(1000));
        assert_eq!(out, "<div>".repeat(MAX_RAW_DEPTH));
        // `</br>` is a line break to an HTML parser (the corpus has them)
        assert_eq!(clean("a</br>b<br/>c").0, "a<br>b<br>c");
        assert_eq!(found, [Kind::TooDeep]);
        // an end tag closes the raw elements opened after its own
        let mut raw = Raw::default();
        assert_eq!(
            raw.clean("<span><b>x</span></b>", 0),
            "<span><b>x</b></span>"
        );
        // and never one the renderer opened after it
        raw.clean("<span>", 0);
        raw.markdown_start();
        assert_eq!(raw.clean("</span>", 0), "");
        raw.markdown_end();
        assert_eq!(raw.clean("</span>", 0), "</span>");
        // raw elements left open when the renderer closes its own count
        // for good
        for _ in 0..MAX_RAW_DEPTH {
            raw.markdown_start();
            raw.clean("<span>", 0);
            raw.markdown_end();
        }
        assert_eq!(raw.clean("<span>", 0), "");
    }
}
