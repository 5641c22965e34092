//! DocFX-flavoured Markdown to a document model.
//!
//! The model keeps what later stages need and nothing of the Markdown syntax:
//! sections keyed by anchor, blocks (paragraphs, alerts, procedures, lists,
//! tables), bilingual segments with both their target and source text, bold UI
//! labels and links. Every node carries its 1-based line and column so that any
//! fact or finding derived from it can point back into the file.

mod parse;
mod source_text;
mod tags;

pub use parse::{MAX_NESTING, parse_article, parse_body};
pub(crate) use parse::{is_folded, markdown_options};
pub use source_text::{SourceTextOptions, source_text};
pub(crate) use source_text::{source_text_titled, tree};
pub(crate) use tags::parse_tag as parse_html_tag;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::frontmatter::Frontmatter;

/// A 1-based line and column (characters) in the article's file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters (not bytes), from 1.
    pub col: u32,
}

/// One parsed article.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Document {
    /// The article's path as diagnostics print it (`content/<locale>/…` in a
    /// project).
    pub path: String,
    /// The typed YAML frontmatter; all `None` when the file has none.
    pub frontmatter: Frontmatter,
    /// Blocks before the first heading.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<Block>,
    /// The headings with their blocks, in file order.
    pub sections: Vec<Section>,
    /// Every bilingual segment, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// HTML comments: internal notes, never content.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// Problems found while parsing; errors among them make a build fail.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// True when the file carries `data-ttu-id` segments (a bilingual file).
    pub fn is_bilingual(&self) -> bool {
        !self.segments.is_empty()
    }

    /// The section whose anchor is `anchor`, if any.
    pub fn section(&self, anchor: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.anchor == anchor)
    }

    /// The segment with `data-ttu-id` `id`, if any.
    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    /// The document title: the first H1, else the frontmatter title.
    pub fn title(&self) -> Option<&str> {
        self.sections
            .iter()
            .find(|s| s.level == 1)
            .map(|s| s.title.text.as_str())
            .or(self.frontmatter.title.as_deref())
    }

    /// Every block of the document, depth first, in file order (iterative:
    /// the model's nesting is bounded, but no walker should rely on the stack).
    pub fn blocks(&self) -> BlockWalk<'_> {
        let mut stack: Vec<&Block> = Vec::new();
        for section in self.sections.iter().rev() {
            stack.extend(section.blocks.iter().rev());
        }
        stack.extend(self.preamble.iter().rev());
        BlockWalk { stack }
    }
}

/// A heading and the blocks up to the next heading (of any level).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Section {
    /// Heading level, 1 (`#`) to 6.
    pub level: u8,
    /// From `<a name="…">` in the heading (the same in every locale); a slug of
    /// the title only where the heading gives none (`anchor_given` false).
    pub anchor: String,
    /// True when the anchor comes from the heading's `<a name>`, false when it
    /// is a slug of the title.
    pub anchor_given: bool,
    /// The heading's text.
    pub title: Text,
    /// Where the heading starts.
    #[serde(flatten)]
    pub pos: Pos,
    /// The blocks between this heading and the next one.
    pub blocks: Vec<Block>,
}

impl Section {
    /// The blocks of this section, depth first.
    pub fn walk(&self) -> BlockWalk<'_> {
        BlockWalk {
            stack: self.blocks.iter().rev().collect(),
        }
    }
}

/// Inline content of a paragraph, heading, list item or table cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Text {
    /// What a reader of this locale sees: bilingual segments by their target.
    pub text: String,
    /// The same content in the source language (segments by their source text);
    /// present only where the content holds bilingual segments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Ids of the segments inside, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
    /// Bold runs: UI labels such as **Software**, without escaping brackets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// Links inside, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Where the content starts.
    #[serde(flatten)]
    pub pos: Pos,
}

impl Text {
    /// The source-language reading where there is one, else the text itself.
    pub(crate) fn source_or_text(&self) -> &str {
        self.source.as_deref().unwrap_or(&self.text)
    }
}

/// A bold UI label; `source` is its twin in the English source segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The label as this locale shows it, without the `**`.
    pub text: String,
    /// The same label in the source segment; `None` outside segments or when
    /// the source has no bold run to pair it with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the bold run starts.
    #[serde(flatten)]
    pub pos: Pos,
}

/// An inline link: its text and destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The link text as the reader sees it, trimmed.
    pub text: String,
    /// The destination as the Markdown gives it (relative paths are resolved by
    /// the site stage).
    pub url: String,
    /// Where the link starts.
    #[serde(flatten)]
    pub pos: Pos,
}

/// One machine-translation segment: `<span data-ttu-id="ID">target</span>`
/// followed by `<span class="sxs-lookup"><span data-stu-id="ID">source</span></span>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Segment {
    /// The `data-ttu-id` value that pairs target and source.
    pub id: String,
    /// The translated text (the `data-ttu-id` span's content).
    pub target: String,
    /// `None` when the file never gave the segment its source twin.
    pub source: Option<String>,
    /// Where the target span starts.
    #[serde(flatten)]
    pub pos: Pos,
    /// Byte ranges in the file, for rewriting (`source-text`).
    #[serde(skip)]
    pub raw: SegmentRaw,
}

impl Segment {
    /// A segment whose target repeats its source: left untranslated.
    pub fn is_untranslated(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| s.trim() == self.target.trim())
    }
}

/// Where a segment's pieces lie in the file's bytes (`start..end` pairs), so
/// that `source-text` can replace the pair by its source without re-rendering
/// the Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentRaw {
    /// From `<span data-ttu-id` to the end of the sxs-lookup's closing `</span>`.
    pub pair: (usize, usize),
    /// The Markdown between `<span data-stu-id="…">` and its `</span>`.
    pub source: (usize, usize),
    /// The Markdown between `<span data-ttu-id="…">` and its `</span>`.
    pub target: (usize, usize),
}

/// An HTML comment (`<!-- … -->`): an internal note that never reaches a page
/// or a fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The comment's text without `<!--`, `-->` and surrounding whitespace.
    pub text: String,
    /// Where `<!--` starts.
    #[serde(flatten)]
    pub pos: Pos,
}

/// DocFX alert kinds (`> [!NOTE]` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AlertKind {
    /// `[!NOTE]`: information worth noticing.
    Note,
    /// `[!TIP]`: optional advice.
    Tip,
    /// `[!IMPORTANT]`: what a partner needs to know to succeed.
    Important,
    /// `[!CAUTION]`: a consequence to avoid.
    Caution,
    /// `[!WARNING]`: a danger to avoid.
    Warning,
}

impl AlertKind {
    pub(crate) fn from_marker(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "NOTE" => AlertKind::Note,
            "TIP" => AlertKind::Tip,
            "IMPORTANT" => AlertKind::Important,
            "CAUTION" => AlertKind::Caution,
            "WARNING" => AlertKind::Warning,
            _ => return None,
        })
    }

    /// Lower-case id, used for Fluent message ids and CSS classes.
    pub fn id(self) -> &'static str {
        match self {
            AlertKind::Note => "note",
            AlertKind::Tip => "tip",
            AlertKind::Important => "important",
            AlertKind::Caution => "caution",
            AlertKind::Warning => "warning",
        }
    }
}

/// A block of an article: what extraction reads facts from and the site
/// renders.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Block {
    /// A paragraph of inline text.
    Paragraph {
        /// Its content.
        text: Text,
    },
    /// A DocFX alert (`> [!NOTE]` …) and the blocks it holds.
    Alert {
        /// Which alert.
        kind: AlertKind,
        /// The blocks inside, without the marker line.
        blocks: Vec<Block>,
        /// Where the alert starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// A block quote that is not an alert.
    Quote {
        /// The blocks inside.
        blocks: Vec<Block>,
        /// Where the quote starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// An ordered list: a procedure whose steps a partner follows in order.
    Procedure {
        /// The steps, numbered from the list's start.
        steps: Vec<Item>,
        /// Where the list starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// A bulleted list.
    List {
        /// The items, in order.
        items: Vec<Item>,
        /// Where the list starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// A pipe table.
    Table {
        /// The header row's cells.
        header: Vec<Text>,
        /// The body rows, each a list of cells.
        rows: Vec<Vec<Text>>,
        /// Where the table starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// A fenced or indented code block, kept verbatim.
    Code {
        /// The language the fence names (`json`, `powershell`); `None` for an
        /// indented block or a bare fence.
        #[serde(skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// The code, as written.
        code: String,
        /// Where the block starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// `[!INCLUDE[title](path)]`: resolved by the site stage, never here.
    Include {
        /// The text between the inner brackets.
        title: String,
        /// The included file's path, relative to the including article, as
        /// written.
        path: String,
        /// Where the include starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// Other DocFX block syntax kept as written: `[!div …]`, `::: zone …`.
    Directive {
        /// The directive's line as written.
        text: String,
        /// Where the directive starts.
        #[serde(flatten)]
        pos: Pos,
    },
    /// Raw HTML that is not a comment (sanitized before it reaches a page).
    Html {
        /// The HTML, comments removed (they are in [`Document::comments`]).
        html: String,
        /// Where the HTML starts.
        #[serde(flatten)]
        pos: Pos,
    },
}

impl Block {
    /// Where the block starts in the file.
    pub fn pos(&self) -> Pos {
        match self {
            Block::Paragraph { text } => text.pos,
            Block::Alert { pos, .. }
            | Block::Quote { pos, .. }
            | Block::Procedure { pos, .. }
            | Block::List { pos, .. }
            | Block::Table { pos, .. }
            | Block::Code { pos, .. }
            | Block::Include { pos, .. }
            | Block::Directive { pos, .. }
            | Block::Html { pos, .. } => *pos,
        }
    }

    /// Blocks directly inside this one (item texts are not blocks: see `texts`).
    fn children(&self) -> impl DoubleEndedIterator<Item = &Block> {
        let (blocks, items): (&[Block], &[Item]) = match self {
            Block::Alert { blocks, .. } | Block::Quote { blocks, .. } => (blocks, &[]),
            Block::Procedure { steps: items, .. } | Block::List { items, .. } => (&[], items),
            _ => (&[], &[]),
        };
        blocks
            .iter()
            .chain(items.iter().flat_map(|item| item.blocks.iter()))
    }

    /// The inline texts held directly by this block (not by nested blocks).
    pub fn texts(&self) -> Vec<&Text> {
        match self {
            Block::Paragraph { text } => vec![text],
            Block::Procedure { steps: items, .. } | Block::List { items, .. } => {
                items.iter().map(|i| &i.text).collect()
            }
            Block::Table { header, rows, .. } => {
                header.iter().chain(rows.iter().flatten()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A list item or procedure step: its own text, then any nested blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Item {
    /// Step number for procedure steps (from the list's start), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// The item's own text (its first paragraph or line).
    pub text: Text,
    /// Blocks nested under the item (further paragraphs, sub-lists, alerts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// Where the item's marker is.
    #[serde(flatten)]
    pub pos: Pos,
}

/// Depth-first iterator over blocks (see [`Document::blocks`]).
pub struct BlockWalk<'a> {
    stack: Vec<&'a Block>,
}

impl<'a> Iterator for BlockWalk<'a> {
    type Item = &'a Block;
    fn next(&mut self) -> Option<&'a Block> {
        let block = self.stack.pop()?;
        let before = self.stack.len();
        self.stack.extend(block.children());
        self.stack[before..].reverse();
        Some(block)
    }
}
