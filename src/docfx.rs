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
pub(crate) use tags::parse_tag as parse_html_tag;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::frontmatter::Frontmatter;

/// A 1-based line and column (characters) in the article's file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One parsed article.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Document {
    pub path: String,
    pub frontmatter: Frontmatter,
    /// Blocks before the first heading.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<Block>,
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

    pub fn section(&self, anchor: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.anchor == anchor)
    }

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
    pub level: u8,
    /// From `<a name="…">` in the heading (the same in every locale); a slug of
    /// the title only where the heading gives none (`anchor_given` false).
    pub anchor: String,
    pub anchor_given: bool,
    pub title: Text,
    #[serde(flatten)]
    pub pos: Pos,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
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
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(flatten)]
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub text: String,
    pub url: String,
    #[serde(flatten)]
    pub pos: Pos,
}

/// One machine-translation segment: `<span data-ttu-id="ID">target</span>`
/// followed by `<span class="sxs-lookup"><span data-stu-id="ID">source</span></span>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Segment {
    pub id: String,
    pub target: String,
    /// `None` when the file never gave the segment its source twin.
    pub source: Option<String>,
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentRaw {
    /// From `<span data-ttu-id` to the end of the sxs-lookup's closing `</span>`.
    pub pair: (usize, usize),
    /// The Markdown between `<span data-stu-id="…">` and its `</span>`.
    pub source: (usize, usize),
    /// The Markdown between `<span data-ttu-id="…">` and its `</span>`.
    pub target: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub text: String,
    #[serde(flatten)]
    pub pos: Pos,
}

/// DocFX alert kinds (`> [!NOTE]` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Caution,
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Block {
    Paragraph {
        text: Text,
    },
    Alert {
        kind: AlertKind,
        blocks: Vec<Block>,
        #[serde(flatten)]
        pos: Pos,
    },
    Quote {
        blocks: Vec<Block>,
        #[serde(flatten)]
        pos: Pos,
    },
    /// An ordered list: a procedure whose steps a partner follows in order.
    Procedure {
        steps: Vec<Item>,
        #[serde(flatten)]
        pos: Pos,
    },
    List {
        items: Vec<Item>,
        #[serde(flatten)]
        pos: Pos,
    },
    Table {
        header: Vec<Text>,
        rows: Vec<Vec<Text>>,
        #[serde(flatten)]
        pos: Pos,
    },
    Code {
        #[serde(skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        code: String,
        #[serde(flatten)]
        pos: Pos,
    },
    /// `[!INCLUDE[title](path)]`: resolved by the site stage, never here.
    Include {
        title: String,
        path: String,
        #[serde(flatten)]
        pos: Pos,
    },
    /// Other DocFX block syntax kept as written: `[!div …]`, `::: zone …`.
    Directive {
        text: String,
        #[serde(flatten)]
        pos: Pos,
    },
    /// Raw HTML that is not a comment (sanitized before it reaches a page).
    Html {
        html: String,
        #[serde(flatten)]
        pos: Pos,
    },
}

impl Block {
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
    pub text: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
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
