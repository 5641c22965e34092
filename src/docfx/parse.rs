//! The builder that turns pulldown-cmark events (with byte offsets) into the
//! document model. It is a single loop over the events with an explicit stack
//! of open containers, so input nesting never becomes Rust recursion.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::sync::LazyLock;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

use super::tags::{SegmentSpan, parse_tag, segment_span};
use super::{
    AlertKind, Block, Comment, Document, Item, Label, Link, Pos, Section, Segment, SegmentRaw, Text,
};
use crate::diag::{Diagnostic, Location};
use crate::frontmatter::{self, Frontmatter};
use crate::position::LineIndex;

/// Containers nested deeper than this are flattened into their parent (with a
/// warning): real articles nest three or four levels, and a bound here keeps
/// every later walk over the model cheap and safe.
pub const MAX_NESTING: usize = 32;

/// The Markdown dialect of DocFX articles as far as CommonMark + GFM reach.
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_GFM
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Parse a whole article file: frontmatter and body. A frontmatter that cannot
/// be read is an error (the file's metadata would be wrong); problems in the
/// body are recorded in `Document::diagnostics` and parsing goes on.
///
/// An empty file is an error: it is almost always a failed write or checkout,
/// and building rules without the facts it held would allow what it forbade.
/// A file without frontmatter is read, with a warning (it has no `ms.date`,
/// so its age cannot be compared with its source).
pub fn parse_article(path: &str, text: &str) -> Result<Document, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("empty-article", "the file is empty")
            .at(Location::new(path, 1, 1))
            .with_help("write the article, restore it from version control, or delete the file if the article was removed"));
    }
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        // UTF-8 allows NUL, text does not: a file with one is binary or
        // damaged, and read as Markdown it would state no facts at all
        let (line, col) = LineIndex::new(text).line_col(text, at);
        return Err(Diagnostic::error(
            "not-text",
            "the file holds a NUL byte: it is not a text file",
        )
        .at(Location::new(path, line, col))
        .with_help("restore the article from version control, or save it as UTF-8 text"));
    }
    let split = frontmatter::split(text).map_err(|d| d.at(Location::new(path, 1, 1)))?;
    let lines = LineIndex::new(text);
    let first_line = lines.line_col(text, split.yaml_start).0;
    let frontmatter = frontmatter::parse(&split, path, first_line)?;
    if text[split.body_start..].trim().is_empty() {
        // as empty as an empty file: its facts would vanish just the same
        let (line, col) = lines.line_col(text, split.body_start);
        return Err(Diagnostic::error(
            "empty-article",
            "the article has a frontmatter and no text",
        )
        .at(Location::new(path, line, col))
        .with_help("write the article below its frontmatter, restore it from version control, or delete the file if the article was removed"));
    }
    let mut doc = Builder::new(path, text, lines, frontmatter).run(split.body_start);
    if !split.present {
        doc.diagnostics.insert(
            0,
            Diagnostic::warning("no-frontmatter", "the article has no YAML frontmatter")
                .at(Location::new(path, 1, 1))
                .with_help("start the file with `---`, `title: …`, `ms.date: MM/DD/YYYY`, `---` so that its age can be compared across locales"),
        );
    }
    Ok(doc)
}

/// Parse Markdown with no frontmatter handling (the whole text is the body).
pub fn parse_body(path: &str, text: &str) -> Document {
    Builder::new(path, text, LineIndex::new(text), Frontmatter::default()).run(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Outside any segment: the text is the same in both languages.
    Shared,
    Target(usize),
    Source(usize),
    /// Inside `sxs-lookup` but not in its `data-stu-id` span.
    Lookup,
}

/// An open `<span>`; `at` is the byte offset of its tag (turned into a line
/// and column only if a diagnostic needs it: span tags are the most frequent
/// events in a bilingual file).
enum OpenSpan {
    Target { segment: usize, at: usize },
    Lookup { segment: Option<usize>, at: usize },
    Source { segment: usize, at: usize },
    Other { at: usize },
}

impl OpenSpan {
    fn at(&self) -> usize {
        match self {
            OpenSpan::Target { at, .. }
            | OpenSpan::Lookup { at, .. }
            | OpenSpan::Source { at, .. }
            | OpenSpan::Other { at } => *at,
        }
    }
}

enum Container {
    Quote {
        kind: Option<AlertKind>,
        pos: Pos,
        blocks: Vec<Block>,
    },
    List {
        start: Option<u64>,
        pos: Pos,
        items: Vec<Item>,
    },
    Item {
        pos: Pos,
        text: Option<Text>,
        blocks: Vec<Block>,
    },
    Table {
        pos: Pos,
        header: Vec<Text>,
        rows: Vec<Vec<Text>>,
        row: Vec<Text>,
    },
}

struct StrongOpen {
    target_at: usize,
    source_at: usize,
    mode: Mode,
    pos: Pos,
}

/// Inline content being gathered for one paragraph, heading, cell or item.
struct InlineAcc {
    start: usize,
    end: usize,
    pos: Pos,
    target: String,
    source: String,
    bilingual: bool,
    segments: Vec<String>,
    labels: Vec<Label>,
    /// (segment index, label index) of labels found in segment targets, so
    /// that the source twin's labels can be paired with them in order.
    segment_labels: Vec<(usize, usize)>,
    source_label_counts: HashMap<usize, usize>,
    links: Vec<Link>,
    strong: Vec<StrongOpen>,
    link: Vec<(usize, String, Pos)>,
    anchors: Vec<String>,
    image_depth: usize,
}

struct Builder<'t> {
    path: &'t str,
    text: &'t str,
    lines: LineIndex,
    doc: Document,
    containers: Vec<Container>,
    skipped: usize,
    warned_depth: bool,
    inline: Option<InlineAcc>,
    spans: Vec<OpenSpan>,
    /// Where in `spans` the segment spans (all but `Other`) are, innermost
    /// last: the text's mode is the innermost's, found without walking past
    /// plain spans (walking them made many open `<span>`s quadratic).
    segment_spans: Vec<usize>,
    heading: Option<(u8, Pos)>,
    code: Option<(Option<String>, String, Pos)>,
    html: Option<(String, usize)>,
    pending_anchor: Option<String>,
    /// Borrowed from the file where the id lies in it (nearly always): the
    /// ids of a bilingual file are many, and each copy is an allocation.
    segment_ids: HashSet<Cow<'t, str>>,
    body_start: usize,
}

impl<'t> Builder<'t> {
    fn new(path: &'t str, text: &'t str, lines: LineIndex, frontmatter: Frontmatter) -> Self {
        Builder {
            path,
            text,
            lines,
            doc: Document {
                path: path.to_owned(),
                frontmatter,
                preamble: Vec::new(),
                sections: Vec::new(),
                segments: Vec::new(),
                comments: Vec::new(),
                diagnostics: Vec::new(),
            },
            containers: Vec::new(),
            skipped: 0,
            warned_depth: false,
            inline: None,
            spans: Vec::new(),
            segment_spans: Vec::new(),
            heading: None,
            code: None,
            html: None,
            pending_anchor: None,
            segment_ids: HashSet::default(),
            body_start: 0,
        }
    }

    fn pos(&self, offset: usize) -> Pos {
        let (line, col) = self.lines.line_col(self.text, offset);
        Pos { line, col }
    }

    /// `s` as a slice of the file, when it is one: pulldown-cmark hands most
    /// event text over borrowed from its input.
    fn in_text(&self, s: &str) -> Option<&'t str> {
        let start = (s.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let text: &'t str = self.text;
        text.get(start..start.checked_add(s.len())?)
            .filter(|t| t.as_ptr() == s.as_ptr())
    }

    /// Bytes from `offset` to the next tag: the room a segment's text needs
    /// when (as nearly always) it is plain text up to its `</span>`. A
    /// segment text that arrives in several pieces (pulldown-cmark splits
    /// text at `[`, `*`, entities …) would otherwise be reallocated.
    fn text_up_to_tag(&self, offset: usize) -> usize {
        let rest = self.text.as_bytes().get(offset..).unwrap_or(&[]);
        memchr::memchr(b'<', rest).unwrap_or(0)
    }

    fn location(&self, pos: Pos) -> Location {
        Location::new(self.path, pos.line, pos.col)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.doc.diagnostics.push(diagnostic);
    }

    fn run(mut self, body_start: usize) -> Document {
        self.body_start = body_start;
        let body = &self.text[body_start..];
        for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
            let range = range.start + body_start..range.end + body_start;
            self.event(event, range);
        }
        self.flush_inline();
        self.unique_anchors();
        self.check_unpaired_segments();
        self.doc
    }

    /// Make every section anchor unique, as DocFX does for heading ids
    /// (Markdig's `AutoIdentifierExtension`, GitHub's rule): an id already
    /// taken gets `-1`, `-2`, … (the first one free), with a warning, and the
    /// article is built. Every locale suffixes its headings in the same
    /// order, so the ids still align sections across locales.
    ///
    /// An explicit `<a name>` keeps its name over a slug, wherever the slug
    /// is (links and rule ids cite it). A repeated explicit anchor is
    /// suffixed too, not refused: Microsoft's localization pipeline writes
    /// `<a name>` from the English heading text, so every monthly
    /// announcement holds several `<a name="categories">`, and DocFX
    /// publishes those articles with the heading ids `categories`,
    /// `categories-1`, … — the ids this gives them.
    fn unique_anchors(&mut self) {
        // the first section holding each explicit name keeps it
        let mut owner: HashMap<String, usize> = HashMap::default();
        for (i, section) in self.doc.sections.iter().enumerate() {
            if section.anchor_given {
                owner.entry(section.anchor.clone()).or_insert(i);
            }
        }
        let mut taken: HashMap<String, Pos> = owner
            .iter()
            .map(|(name, &i)| (name.clone(), self.doc.sections[i].pos))
            .collect();
        // one warning per repeated name, at its first repeat: an
        // announcement repeats a dozen names a dozen times each
        // (name, its first section, the repeats and their ids, any repeat a slug)
        type Repeat = (String, Pos, Vec<(Pos, String)>, bool);
        let mut repeats: Vec<Repeat> = Vec::new();
        let mut repeat_of: HashMap<String, usize> = HashMap::default();
        for i in 0..self.doc.sections.len() {
            let section = &self.doc.sections[i];
            if owner.get(&section.anchor) == Some(&i) {
                continue;
            }
            let Some(first) = taken.get(&section.anchor).copied() else {
                taken.insert(section.anchor.clone(), section.pos);
                continue;
            };
            let base = section.anchor.clone();
            let (pos, given) = (section.pos, section.anchor_given);
            let unique = (1u32..)
                .map(|n| format!("{base}-{n}"))
                .find(|candidate| !taken.contains_key(candidate))
                .unwrap_or_default();
            let at = *repeat_of.entry(base.clone()).or_insert_with(|| {
                repeats.push((base.clone(), first, Vec::new(), false));
                repeats.len() - 1
            });
            if let Some(repeat) = repeats.get_mut(at) {
                repeat.2.push((pos, unique.clone()));
                repeat.3 |= !given;
            }
            taken.insert(unique.clone(), pos);
            self.doc.sections[i].anchor = unique;
        }
        for (base, first, renamed, slugs) in repeats {
            let Some(&(at, _)) = renamed.first() else {
                continue;
            };
            let listed: Vec<String> = renamed
                .iter()
                .map(|(pos, id)| format!("`{id}` (line {})", pos.line))
                .collect();
            let fix = if slugs {
                "an `<a name=\"…\"></a>` or a title"
            } else {
                "an `<a name>`"
            };
            let d = Diagnostic::warning(
                "duplicate-anchor",
                format!(
                    "section anchor `{base}` is used {} times; as in DocFX, the repeats get the ids {}",
                    renamed.len() + 1,
                    listed.join(", ")
                ),
            )
            .at(self.location(at))
            .with_help(format!(
                "links to `#{base}` reach the section at line {}; give each repeated heading {fix} of its own so its id does not depend on the order of sections",
                first.line
            ));
            self.report(d);
        }
    }

    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>) {
        if let Some((_, code, _)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        if let Some((html, _)) = &mut self.html {
            match event {
                Event::Html(t) | Event::Text(t) => html.push_str(&t),
                Event::End(TagEnd::HtmlBlock) => self.end_html_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.push_text(&t, range)
            }
            Event::SoftBreak | Event::HardBreak => self.push_text(" ", range),
            Event::InlineHtml(html) => self.inline_html(&html, range),
            Event::Html(html) => self.comment_or_html(&html, range.start),
            Event::FootnoteReference(r) => self.push_text(&format!("[^{r}]"), range),
            Event::TaskListMarker(done) => {
                self.push_text(if done { "[x] " } else { "[ ] " }, range)
            }
            Event::Rule => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: std::ops::Range<usize>) {
        let pos = self.pos(range.start);
        match tag {
            Tag::Paragraph => {
                self.flush_inline();
                self.open_inline(range.start);
                if let Some(acc) = self.inline.as_mut() {
                    acc.target.reserve(range.len());
                }
            }
            Tag::Heading { level, .. } => {
                self.flush_inline();
                self.heading = Some((level as u8, pos));
                self.open_inline(range.start);
                if let Some(acc) = self.inline.as_mut() {
                    acc.target.reserve(range.len());
                }
            }
            Tag::BlockQuote(kind) => self.open_container(Container::Quote {
                kind: kind.map(alert_kind),
                pos,
                blocks: Vec::new(),
            }),
            Tag::List(start) => self.open_container(Container::List {
                start,
                pos,
                items: Vec::new(),
            }),
            Tag::Item => self.open_container(Container::Item {
                pos,
                text: None,
                blocks: Vec::new(),
            }),
            Tag::Table(_) => self.open_container(Container::Table {
                pos,
                header: Vec::new(),
                rows: Vec::new(),
                row: Vec::new(),
            }),
            Tag::TableHead | Tag::TableRow => {}
            Tag::TableCell => {
                self.open_inline(range.start);
                if let Some(acc) = self.inline.as_mut() {
                    acc.target.reserve(range.len());
                }
            }
            Tag::CodeBlock(kind) => {
                self.flush_inline();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_owned)
                    }
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((lang, String::new(), pos));
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.html = Some((String::new(), range.start));
            }
            Tag::Strong => {
                let acc = self.inline_at(range.start);
                let (target_at, source_at) = (acc.target.len(), acc.source.len());
                let mode = self.mode();
                if let Some(acc) = self.inline.as_mut() {
                    acc.strong.push(StrongOpen {
                        target_at,
                        source_at,
                        mode,
                        pos,
                    });
                }
            }
            Tag::Link { dest_url, .. } => {
                let acc = self.inline_at(range.start);
                let at = acc.target.len();
                acc.link.push((at, dest_url.to_string(), pos));
            }
            Tag::Image { .. } => self.inline_at(range.start).image_depth += 1,
            Tag::Emphasis
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: std::ops::Range<usize>) {
        match tag {
            TagEnd::Paragraph => self.flush_inline(),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::Table => {
                self.flush_inline();
                self.close_container();
            }
            TagEnd::TableHead => {
                if let Some(Container::Table { header, row, .. }) = self.containers.last_mut() {
                    *header = std::mem::take(row);
                }
            }
            TagEnd::TableRow => {
                if let Some(Container::Table { rows, row, .. }) = self.containers.last_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            TagEnd::TableCell => {
                let text = self.take_inline(range.start).unwrap_or_default();
                match self.containers.last_mut() {
                    Some(Container::Table { row, .. }) => row.push(text),
                    // a cell of a table beyond the nesting bound: keep its words
                    _ => self.push_block(Block::Paragraph { text }),
                }
            }
            TagEnd::Strong => self.end_strong(),
            TagEnd::Link => {
                if let Some(acc) = self.inline.as_mut()
                    && let Some((at, url, pos)) = acc.link.pop()
                {
                    let text = acc.target.get(at..).unwrap_or("").trim().to_owned();
                    acc.links.push(Link { text, url, pos });
                }
            }
            TagEnd::Image => {
                if let Some(acc) = self.inline.as_mut() {
                    acc.image_depth = acc.image_depth.saturating_sub(1);
                }
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => self.end_html_block(),
            _ => {}
        }
    }

    // ---- containers ---------------------------------------------------------

    fn open_container(&mut self, container: Container) {
        self.flush_inline();
        if self.containers.len() >= MAX_NESTING {
            self.skipped += 1;
            if !self.warned_depth {
                self.warned_depth = true;
                let pos = container_pos(&container);
                let d = Diagnostic::warning(
                    "deep-nesting",
                    format!("blocks are nested more than {MAX_NESTING} levels deep; deeper levels are flattened"),
                )
                .at(self.location(pos))
                .with_help("real articles nest a few levels; check for a stray run of `>` or list markers");
                self.report(d);
            }
            return;
        }
        self.containers.push(container);
    }

    fn close_container(&mut self) {
        if self.skipped > 0 {
            self.skipped -= 1;
            return;
        }
        let Some(container) = self.containers.pop() else {
            return;
        };
        match container {
            Container::Quote { kind, pos, blocks } => {
                let block = quote_or_alert(kind, pos, blocks);
                self.push_block(block);
            }
            Container::List {
                start,
                pos,
                mut items,
            } => {
                let block = match start {
                    Some(first) => {
                        for (i, item) in items.iter_mut().enumerate() {
                            item.n = Some(first.saturating_add(i as u64));
                        }
                        Block::Procedure { steps: items, pos }
                    }
                    None => Block::List { items, pos },
                };
                self.push_block(block);
            }
            Container::Item { pos, text, blocks } => {
                let item = Item {
                    n: None,
                    text: text.unwrap_or_else(|| Text {
                        pos,
                        ..Text::default()
                    }),
                    blocks,
                    pos,
                };
                match self.containers.last_mut() {
                    Some(Container::List { items, .. }) => items.push(item),
                    _ => {
                        let Item { text, blocks, .. } = item;
                        self.push_block(Block::Paragraph { text });
                        for block in blocks {
                            self.push_block(block);
                        }
                    }
                }
            }
            Container::Table {
                pos, header, rows, ..
            } => self.push_block(Block::Table { header, rows, pos }),
        }
    }

    fn push_block(&mut self, block: Block) {
        let Some(block) = self.continue_procedure(block) else {
            return;
        };
        match self.containers.last_mut() {
            Some(Container::Quote { blocks, .. }) => blocks.push(block),
            Some(Container::Item { text, blocks, .. }) => match block {
                Block::Paragraph { text: t } if text.is_none() && blocks.is_empty() => {
                    *text = Some(t)
                }
                other => blocks.push(other),
            },
            // Only items live in a list and only cells in a table; anything else
            // arriving there comes from flattened deep nesting.
            Some(Container::List { items, pos, .. }) => items.push(Item {
                n: None,
                text: Text::default(),
                blocks: vec![block],
                pos: *pos,
            }),
            Some(Container::Table { .. }) => {}
            None => match self.doc.sections.last_mut() {
                Some(section) => section.blocks.push(block),
                None => self.doc.preamble.push(block),
            },
        }
    }

    /// A procedure right after another one and `:::image` lines left at
    /// the margin between them (steps 3 and 4 after steps 1 and 2 and an
    /// image) is the same procedure: its steps join it, the images go to
    /// the step before them, as the page shows them (`site::blocks`).
    /// Anything else is given back.
    fn continue_procedure(&mut self, block: Block) -> Option<Block> {
        let Block::Procedure { steps, pos } = block else {
            return Some(block);
        };
        let first = steps.first().and_then(|s| s.n);
        let blocks = match self.containers.last_mut() {
            Some(Container::Quote { blocks, .. }) | Some(Container::Item { blocks, .. }) => {
                Some(blocks)
            }
            Some(_) => None,
            None => Some(match self.doc.sections.last_mut() {
                Some(section) => &mut section.blocks,
                None => &mut self.doc.preamble,
            }),
        };
        let is_image =
            |b: &Block| matches!(b, Block::Directive { text, .. } if text.starts_with(":::image"));
        if let (Some(first), Some(blocks)) = (first, blocks) {
            let images = blocks.iter().rev().take_while(|b| is_image(b)).count();
            let at = blocks.len().saturating_sub(images + 1);
            if images > 0 && matches!(blocks.get(at), Some(Block::Procedure { .. })) {
                let moved: Vec<Block> = blocks.drain(at + 1..).collect();
                if let Some(Block::Procedure { steps: before, .. }) = blocks.get_mut(at) {
                    let mut n = before.last().and_then(|s| s.n).unwrap_or(first);
                    if let Some(last) = before.last_mut() {
                        last.blocks.extend(moved);
                    }
                    // one list on the page, numbered on from the steps
                    // before (a writer's `4.` after a `4.` is step 5)
                    for mut step in steps {
                        n = n.saturating_add(1);
                        step.n = Some(n);
                        before.push(step);
                    }
                }
                return None;
            }
        }
        Some(Block::Procedure { steps, pos })
    }

    // ---- inline content -----------------------------------------------------

    fn open_inline(&mut self, start: usize) {
        let pos = self.pos(start);
        self.inline = Some(InlineAcc {
            start,
            end: start,
            pos,
            target: String::new(),
            source: String::new(),
            bilingual: false,
            segments: Vec::new(),
            labels: Vec::new(),
            segment_labels: Vec::new(),
            source_label_counts: HashMap::default(),
            links: Vec::new(),
            strong: Vec::new(),
            link: Vec::new(),
            anchors: Vec::new(),
            image_depth: 0,
        });
    }

    /// The open inline accumulator, opened here if text arrives outside a
    /// paragraph (tight list items hold their text directly).
    fn inline_at(&mut self, offset: usize) -> &mut InlineAcc {
        if self.inline.is_none() {
            self.open_inline(offset);
            // Such text (a tight list item's) mostly ends with its line.
            let rest = self.text.as_bytes().get(offset..).unwrap_or(&[]);
            let line = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            if let Some(acc) = self.inline.as_mut() {
                acc.target.reserve(line);
            }
        }
        match self.inline.as_mut() {
            Some(acc) => acc,
            None => unreachable_acc(),
        }
    }

    fn mode(&self) -> Mode {
        let innermost = self.segment_spans.last().and_then(|&i| self.spans.get(i));
        match innermost {
            Some(OpenSpan::Target { segment, .. }) => Mode::Target(*segment),
            Some(OpenSpan::Source { segment, .. }) => Mode::Source(*segment),
            Some(OpenSpan::Lookup { .. }) => Mode::Lookup,
            Some(OpenSpan::Other { .. }) | None => Mode::Shared,
        }
    }

    fn push_text(&mut self, s: &str, range: std::ops::Range<usize>) {
        let mode = self.mode();
        let acc = self.inline_at(range.start);
        acc.end = range.end;
        if acc.image_depth > 0 {
            return;
        }
        match mode {
            Mode::Shared => {
                acc.target.push_str(s);
                // Plain text has no separate source view: it is built only
                // once the paragraph turns out to hold segments.
                if acc.bilingual {
                    acc.source.push_str(s);
                }
            }
            Mode::Target(i) => {
                acc.target.push_str(s);
                if let Some(seg) = self.doc.segments.get_mut(i) {
                    seg.target.push_str(s);
                }
            }
            Mode::Source(i) => {
                acc.source.push_str(s);
                if let Some(seg) = self.doc.segments.get_mut(i) {
                    seg.source.get_or_insert_with(String::new).push_str(s);
                }
            }
            Mode::Lookup => acc.source.push_str(s),
        }
    }

    fn end_strong(&mut self) {
        let Some(acc) = self.inline.as_mut() else {
            return;
        };
        let Some(open) = acc.strong.pop() else {
            return;
        };
        match open.mode {
            Mode::Shared | Mode::Target(_) => {
                let text = clean_label(acc.target.get(open.target_at..).unwrap_or(""));
                if text.is_empty() {
                    return;
                }
                acc.labels.push(Label {
                    text,
                    source: None,
                    pos: open.pos,
                });
                if let Mode::Target(seg) = open.mode {
                    acc.segment_labels.push((seg, acc.labels.len() - 1));
                }
            }
            Mode::Source(seg) => {
                let source = clean_label(acc.source.get(open.source_at..).unwrap_or(""));
                if source.is_empty() {
                    return;
                }
                let k = acc.source_label_counts.entry(seg).or_insert(0);
                let twin = acc
                    .segment_labels
                    .iter()
                    .filter(|(s, _)| *s == seg)
                    .nth(*k)
                    .map(|(_, label)| *label);
                *k += 1;
                match twin.and_then(|i| acc.labels.get_mut(i)) {
                    Some(label) => label.source = Some(source),
                    None => acc.labels.push(Label {
                        text: source.clone(),
                        source: Some(source),
                        pos: open.pos,
                    }),
                }
            }
            Mode::Lookup => {}
        }
    }

    fn inline_html(&mut self, html: &str, range: std::ops::Range<usize>) {
        if let Some(span) = segment_span(html) {
            match span {
                SegmentSpan::Target(id) => self.open_segment(id, range.start, range.end),
                SegmentSpan::Source(id) => self.open_source(id, range.start, range.end),
                SegmentSpan::Lookup => self.open_lookup(range.start),
                SegmentSpan::Close => self.close_span(range),
            }
            return;
        }
        let trimmed = html.trim_start();
        if trimmed.starts_with("<!--") {
            self.comment_or_html(html, range.start);
            return;
        }
        let Some(tag) = parse_tag(html) else {
            return;
        };
        let at = range.start;
        if tag.is("span") && !tag.closing && !tag.self_closing {
            let (mut ttu, mut stu, mut lookup) = (None, None, false);
            for (name, value) in tag.attrs() {
                if name.eq_ignore_ascii_case("data-ttu-id") {
                    ttu = Some(value);
                } else if name.eq_ignore_ascii_case("data-stu-id") {
                    stu = Some(value);
                } else if name.eq_ignore_ascii_case("class") {
                    lookup = value.split_ascii_whitespace().any(|c| c == "sxs-lookup");
                }
            }
            if let Some(id) = ttu {
                self.open_segment(id, at, range.end);
            } else if let Some(id) = stu {
                self.open_source(id, at, range.end);
            } else if lookup {
                self.open_lookup(at);
            } else {
                self.spans.push(OpenSpan::Other { at });
            }
        } else if tag.is("span") && tag.closing {
            self.close_span(range);
        } else if tag.is("a") && !tag.closing {
            if let Some(anchor) = tag.attr("name").or(tag.attr("id")) {
                let anchor = anchor.to_owned();
                self.inline_at(range.start).anchors.push(anchor);
            }
        } else if tag.is("br") && !tag.closing {
            self.push_text(" ", range);
        }
    }

    /// `<span class="sxs-lookup">`: the source twin of the last segment
    /// follows, if that segment has none yet.
    fn open_lookup(&mut self, at: usize) {
        let segment = self
            .doc
            .segments
            .len()
            .checked_sub(1)
            .filter(|&i| self.doc.segments[i].raw.pair.1 == 0);
        self.segment_spans.push(self.spans.len());
        self.spans.push(OpenSpan::Lookup { segment, at });
    }

    fn open_segment(&mut self, id: &str, tag_start: usize, tag_end: usize) {
        if self.doc.segments.is_empty() {
            // A bilingual file holds a few hundred segments: size their list
            // and id set once from the bytes left instead of growing (copying,
            // rehashing) them. Counting the tags first cost more than growing.
            let expected = self.text.len().saturating_sub(tag_start) / BYTES_PER_SEGMENT + 1;
            self.doc.segments.reserve(expected);
            self.segment_ids.reserve(expected);
        }
        let pos = self.pos(tag_start);
        let key = match self.in_text(id) {
            Some(borrowed) => Cow::Borrowed(borrowed),
            None => Cow::Owned(id.to_owned()),
        };
        if !self.segment_ids.insert(key) {
            let d = Diagnostic::error("duplicate-segment-id", format!("segment id `{id}` is used twice"))
                .at(self.location(pos))
                .with_help("every data-ttu-id must be unique in its file; the translation tool that wrote it may have merged two files");
            self.report(d);
        }
        let index = self.doc.segments.len();
        self.doc.segments.push(Segment {
            id: id.to_owned(),
            target: String::with_capacity(self.text_up_to_tag(tag_end)),
            source: None,
            pos,
            raw: SegmentRaw {
                pair: (tag_start, 0),
                source: (0, 0),
                target: (tag_end, 0),
            },
        });
        let acc = self.inline_at(tag_start);
        if !acc.bilingual {
            acc.bilingual = true;
            // The source view grows as long as the target one: reserve it
            // whole instead of doubling it through the paragraph.
            acc.source.clear();
            acc.source.reserve(acc.target.capacity());
            acc.source.push_str(&acc.target);
        }
        acc.segments.push(id.to_owned());
        self.segment_spans.push(self.spans.len());
        self.spans.push(OpenSpan::Target {
            segment: index,
            at: tag_start,
        });
    }

    fn open_source(&mut self, id: &str, at: usize, tag_end: usize) {
        let inside_lookup = matches!(self.spans.last(), Some(OpenSpan::Lookup { .. }));
        let twin = match self.spans.last() {
            Some(OpenSpan::Lookup {
                segment: Some(i), ..
            }) if self.doc.segments[*i].id == id && self.doc.segments[*i].source.is_none() => {
                Some(*i)
            }
            _ => None,
        };
        match twin {
            Some(segment) => {
                let capacity = self.text_up_to_tag(tag_end);
                let seg = &mut self.doc.segments[segment];
                seg.source = Some(String::with_capacity(capacity));
                seg.raw.source.0 = tag_end;
                self.segment_spans.push(self.spans.len());
                self.spans.push(OpenSpan::Source { segment, at });
            }
            None => {
                let why = if inside_lookup {
                    "does not follow a target segment of the same id"
                } else {
                    "is not inside a `<span class=\"sxs-lookup\">`"
                };
                let d = Diagnostic::error(
                    "segment-without-twin",
                    format!("source span data-stu-id=\"{id}\" {why}"),
                )
                .at(self.location(self.pos(at)))
                .with_help(format!(
                    "write the pair as <span data-ttu-id=\"{id}\">target</span><span class=\"sxs-lookup\"><span data-stu-id=\"{id}\">source</span></span>"
                ));
                self.report(d);
                self.spans.push(OpenSpan::Other { at });
            }
        }
    }

    fn close_span(&mut self, range: std::ops::Range<usize>) {
        let popped = self.spans.pop();
        if self.segment_spans.last() == Some(&self.spans.len()) {
            self.segment_spans.pop();
        }
        match popped {
            Some(OpenSpan::Target { segment, .. }) => {
                self.doc.segments[segment].raw.target.1 = range.start;
            }
            Some(OpenSpan::Source { segment, .. }) => {
                self.doc.segments[segment].raw.source.1 = range.start;
            }
            Some(OpenSpan::Lookup {
                segment: Some(segment),
                ..
            }) => {
                let seg = &mut self.doc.segments[segment];
                if seg.source.is_some() {
                    seg.raw.pair.1 = range.end;
                }
            }
            Some(_) => {}
            None => {
                let d =
                    Diagnostic::warning("unmatched-span-close", "`</span>` closes no open span")
                        .at(self.location(self.pos(range.start)))
                        .with_help("remove the stray `</span>`");
                self.report(d);
            }
        }
    }

    /// Finish the open inline content, checking that no span was left open:
    /// a segment never crosses a block boundary.
    fn take_inline(&mut self, end: usize) -> Option<Text> {
        let acc = self.inline.take()?;
        if let Some(open) = self.spans.first() {
            let pos = self.pos(open.at());
            let d = Diagnostic::error("unclosed-span", "`<span>` is opened here and never closed")
                .at(self.location(pos))
                .with_help("close the span with `</span>` before the end of the paragraph");
            self.report(d);
            self.spans.clear();
            self.segment_spans.clear();
        }
        let _ = end;
        Some(finish_text(acc))
    }

    fn flush_inline(&mut self) {
        let Some(acc) = self.inline.as_ref() else {
            return;
        };
        let (start, end) = (acc.start, acc.end.max(acc.start));
        let Some(text) = self.take_inline(end) else {
            return;
        };
        if text.text.is_empty() && text.segments.is_empty() {
            return;
        }
        if let Some(block) = docfx_block(self.text, start, end, &text) {
            self.push_block(block);
            return;
        }
        self.push_block(Block::Paragraph { text });
    }

    fn end_heading(&mut self) {
        let pending = self
            .inline
            .as_ref()
            .map(|a| a.anchors.clone())
            .unwrap_or_default();
        let text = self.take_inline(0).unwrap_or_default();
        let Some((level, pos)) = self.heading.take() else {
            return;
        };
        if !self.containers.is_empty() {
            // A heading inside a quote or list is content, not a section.
            self.push_block(Block::Paragraph { text });
            return;
        }
        let given = pending
            .into_iter()
            .next()
            .or_else(|| self.pending_anchor.take());
        let anchor_given = given.is_some();
        // A title's slug may repeat (two "Categories" sections); it is made
        // unique once every heading is known (`unique_anchors`), since an
        // explicit anchor further down keeps its name over any slug.
        let anchor = given.unwrap_or_else(|| slug(text.source_or_text()));
        self.doc.sections.push(Section {
            level,
            anchor,
            anchor_given,
            title: text,
            pos,
            blocks: Vec::new(),
        });
    }

    // ---- code, HTML and comments ------------------------------------------

    fn end_code(&mut self) {
        if let Some((lang, code, pos)) = self.code.take() {
            self.push_block(Block::Code { lang, code, pos });
        }
    }

    fn end_html_block(&mut self) {
        if let Some((html, start)) = self.html.take() {
            self.comment_or_html(&html, start);
        }
    }

    /// Split raw HTML into its comments (kept apart, never content) and the
    /// rest (kept as an HTML block for the site to sanitize).
    fn comment_or_html(&mut self, html: &str, start: usize) {
        let mut rest = String::new();
        let mut remaining = html;
        let mut offset = start;
        while let Some(open) = remaining.find("<!--") {
            rest.push_str(&remaining[..open]);
            let after = &remaining[open + 4..];
            let (body, consumed) = match after.find("-->") {
                Some(close) => (&after[..close], open + 4 + close + 3),
                None => (after, remaining.len()),
            };
            let pos = self.pos(offset + open);
            self.doc.comments.push(Comment {
                text: body.trim().to_owned(),
                pos,
            });
            offset += consumed;
            remaining = &remaining[consumed..];
        }
        rest.push_str(remaining);
        let rest = rest.trim();
        if !rest.is_empty() {
            let pos = self.pos(start);
            let html = rest.to_owned();
            if self.inline.is_some() {
                // inline HTML that is not a tag we model: words only
                return;
            }
            self.push_block(Block::Html { html, pos });
        }
    }

    fn check_unpaired_segments(&mut self) {
        let missing: Vec<(String, Pos)> = self
            .doc
            .segments
            .iter()
            .filter(|s| s.source.is_none())
            .map(|s| (s.id.clone(), s.pos))
            .collect();
        for (id, pos) in missing {
            let d = Diagnostic::warning(
                "segment-without-source",
                format!("segment `{id}` has no sxs-lookup source twin"),
            )
            .at(self.location(pos))
            .with_help("follow the target span with <span class=\"sxs-lookup\"><span data-stu-id=\"ID\">source</span></span>");
            self.report(d);
        }
    }
}

fn unreachable_acc() -> ! {
    // inline_at opens an accumulator right before this point
    unreachable!("inline accumulator was just opened")
}

fn container_pos(container: &Container) -> Pos {
    match container {
        Container::Quote { pos, .. }
        | Container::List { pos, .. }
        | Container::Item { pos, .. }
        | Container::Table { pos, .. } => *pos,
    }
}

fn alert_kind(kind: BlockQuoteKind) -> AlertKind {
    match kind {
        BlockQuoteKind::Note => AlertKind::Note,
        BlockQuoteKind::Tip => AlertKind::Tip,
        BlockQuoteKind::Important => AlertKind::Important,
        BlockQuoteKind::Warning => AlertKind::Warning,
        BlockQuoteKind::Caution => AlertKind::Caution,
    }
}

static ALERT_MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\[!([A-Za-z]+)\]\s*").unwrap_or_else(|_| unreachable!()));

/// GFM alerts need `[!NOTE]` alone on the quote's first line; DocFX also allows
/// text after it (`> [!NOTE] text`). Such a quote is an alert too.
fn quote_or_alert(kind: Option<AlertKind>, pos: Pos, mut blocks: Vec<Block>) -> Block {
    if let Some(kind) = kind {
        return Block::Alert { kind, blocks, pos };
    }
    let marker = match blocks.first() {
        Some(Block::Paragraph { text }) => ALERT_MARKER.captures(&text.text).and_then(|c| {
            let kind = AlertKind::from_marker(c.get(1)?.as_str())?;
            Some((kind, c.get(0)?.as_str().to_owned()))
        }),
        _ => None,
    };
    let Some((kind, marker)) = marker else {
        return Block::Quote { blocks, pos };
    };
    if let Some(Block::Paragraph { text }) = blocks.first_mut() {
        text.text = text.text[marker.len()..].to_owned();
        if let Some(source) = &mut text.source
            && let Some(m) = ALERT_MARKER.find(source)
        {
            *source = source[m.end()..].to_owned();
        }
        if text.text.is_empty() && text.segments.is_empty() {
            blocks.remove(0);
        }
    }
    Block::Alert { kind, blocks, pos }
}

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[!(?i:include)\s*\[([^\]]*)\]\(\s*([^)\s]*)\s*\)\s*\]$")
        .unwrap_or_else(|_| unreachable!())
});

/// DocFX block syntax that CommonMark reads as a paragraph.
fn docfx_block(file: &str, start: usize, end: usize, text: &Text) -> Option<Block> {
    let t = text.text.trim_start();
    if !(t.starts_with("[!") || t.starts_with(":::")) {
        return None;
    }
    let raw = file.get(start..end).unwrap_or("").trim();
    if let Some(c) = INCLUDE.captures(raw) {
        return Some(Block::Include {
            title: c[1].to_owned(),
            path: c[2].to_owned(),
            pos: text.pos,
        });
    }
    let is_directive = t.starts_with(":::")
        || ALERT_MARKER
            .captures(t)
            .is_some_and(|c| AlertKind::from_marker(&c[1]).is_none());
    is_directive.then(|| Block::Directive {
        text: raw.to_owned(),
        pos: text.pos,
    })
}

fn finish_text(acc: InlineAcc) -> Text {
    let text = collapse_owned(acc.target);
    let source = acc.bilingual.then(|| collapse_owned(acc.source));
    Text {
        text,
        source,
        segments: acc.segments,
        labels: acc.labels,
        links: acc.links,
        pos: acc.pos,
    }
}

/// Trim and fold runs of white space to one space (line breaks in a paragraph
/// carry no meaning).
fn collapse(s: &str) -> String {
    collapse_owned(s.to_owned())
}

/// Bytes of a bilingual file per segment, about (the generated and the
/// real corpus both hold one segment pair per ~260 bytes).
const BYTES_PER_SEGMENT: usize = 256;

/// Two ASCII spaces, and U+3000 IDEOGRAPHIC SPACE, searched for as wholes:
/// a byte-by-byte walk over every space (English) or every 0xE3 lead byte
/// (kana, CJK punctuation) cost more than the rest of the parse of a paragraph.
static DOUBLE_SPACE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
static IDEOGRAPHIC_SPACE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("\u{3000}".as_bytes()));

/// True when `s` has no white space but single ASCII spaces. Searches with
/// memchr and decodes only at the lead bytes of non-ASCII spaces (U+0085,
/// U+00A0, U+1680, U+2000–U+205F; U+3000 is searched for as a whole).
// inlined into both callers (the parser's paragraphs, extraction's
// segments), as it was into its one caller before extraction shared it
#[inline(always)]
pub(crate) fn is_folded(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() <= SHORT {
        return is_folded_short(s);
    }
    if memchr::memchr3(b'\n', b'\r', b'\t', bytes).is_some()
        || memchr::memchr2(0x0b, 0x0c, bytes).is_some()
        || DOUBLE_SPACE.find(bytes).is_some()
        || IDEOGRAPHIC_SPACE.find(bytes).is_some()
    {
        return false;
    }
    // 0xC2, 0xE1 and 0xE2 are lead bytes (never continuation bytes), so each
    // hit starts a character.
    !memchr::memchr3_iter(0xC2, 0xE1, 0xE2, bytes).any(|i| {
        s.get(i..)
            .and_then(|t| t.chars().next())
            .is_some_and(char::is_whitespace)
    })
}

/// Up to this length one pass over the bytes costs less than starting the
/// five vector searches of [`is_folded`] (labels and table cells are short).
const SHORT: usize = 64;

/// [`is_folded`] in one scalar pass.
fn is_folded_short(s: &str) -> bool {
    let mut after_space = false;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        match b {
            b' ' if after_space => return false,
            b' ' => {
                after_space = true;
                continue;
            }
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return false,
            // lead bytes of the non-ASCII white space characters
            0xC2 | 0xE1 | 0xE2 | 0xE3
                if s.get(i..)
                    .and_then(|t| t.chars().next())
                    .is_some_and(char::is_whitespace) =>
            {
                return false;
            }
            _ => {}
        }
        after_space = false;
    }
    true
}

/// [`collapse`] that keeps the buffer when there is nothing to fold, which is
/// the common case (one allocation per paragraph instead of two).
fn collapse_owned(s: String) -> String {
    let trimmed = s.trim();
    let clean = is_folded(trimmed);
    if clean {
        if trimmed.len() == s.len() {
            return s;
        }
        return trimmed.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A UI label without the escaped brackets DocFX translations put around it
/// (`**\[軟體\]**`) and without surrounding space.
fn clean_label(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix('[').unwrap_or(s);
    let s = s.strip_suffix(']').unwrap_or(s);
    collapse(s)
}

/// A heading slug in the style of DocFX: lower case, words joined by `-`.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(markdown: &str) -> (Vec<String>, Vec<Diagnostic>) {
        let doc = parse_body("a.md", markdown);
        let anchors = doc.sections.iter().map(|s| s.anchor.clone()).collect();
        (anchors, doc.diagnostics)
    }

    #[test]
    fn repeated_heading_ids_get_docfx_suffixes_with_one_warning_per_name() {
        let (ids, diags) = anchors(
            "# Intro\n\n## Categories\n\n## Details\n\n## Categories\n\n## Details\n\n## Categories\n",
        );
        assert_eq!(
            ids,
            [
                "intro",
                "categories",
                "details",
                "categories-1",
                "details-1",
                "categories-2"
            ]
        );
        let warnings: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("a.md:7:1: warning[duplicate-anchor]"),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("`categories-1` (line 7), `categories-2` (line 11)"));
        assert!(
            warnings[1].starts_with("a.md:9:1: warning[duplicate-anchor]"),
            "{warnings:?}"
        );
        assert!(diags.iter().all(|d| d.help.is_some()));
    }

    #[test]
    fn repeated_explicit_anchors_are_suffixed_and_explicit_names_win_over_slugs() {
        // a slug first, the same name given explicitly later: the explicit
        // one keeps it; a suffix already taken is skipped
        let (ids, diags) = anchors(
            "## Categories\n\n## <a name=\"categories\"></a>Kategorien\n\n## <a name=\"categories-1\"></a>X\n\n## <a name=\"categories\"></a>Again\n",
        );
        assert_eq!(
            ids,
            ["categories-2", "categories", "categories-1", "categories-3"]
        );
        assert!(
            diags
                .iter()
                .all(|d| d.code == "duplicate-anchor" && !d.is_error())
        );
        assert_eq!(diags.len(), 1, "{diags:?}");
    }

    /// The plain definition: folding changes nothing.
    fn folded_by_definition(s: &str) -> bool {
        s.split_whitespace().collect::<Vec<_>>().join(" ") == s
    }

    #[test]
    fn short_and_vector_fold_checks_agree_with_the_definition() {
        let pieces = [
            "a", " ", "  ", "\t", "\n", "\r", "\u{b}", "\u{c}", "\u{85}", "\u{a0}", "\u{1680}",
            "\u{2003}", "\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}", "「", "。", "–", "é",
            "軟體", "ア",
        ];
        for a in pieces {
            for b in pieces {
                for pad in [0, 70] {
                    let s = format!("x{}{a}y{b}z", "w".repeat(pad));
                    assert_eq!(is_folded(&s), folded_by_definition(&s), "{s:?}");
                    assert_eq!(is_folded_short(&s), folded_by_definition(&s), "{s:?}");
                }
            }
        }
    }
}
