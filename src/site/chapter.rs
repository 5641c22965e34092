//! An article as an mdBook chapter: Markdown with the frontmatter stripped,
//! bilingual segments reduced to their target text and DocFX includes
//! resolved inside the content root, plus a map from the chapter's lines back
//! to the article's, so the page can carry anchors for the original lines
//! that facts point to.

use std::path::Path;

use crate::diag::{Diagnostic, Location};
use crate::docfx::{Block, Document};
use crate::frontmatter;
use crate::position::LineIndex;

/// Includes may nest this deep (an include of an include …).
const MAX_INCLUDE_DEPTH: usize = 4;

#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChapterSource {
    pub slug: String,
    /// The page title (frontmatter `title`, else the first heading).
    pub title: String,
    /// The title in the table of contents (the first heading, else `title`).
    pub nav_title: String,
    pub description: Option<String>,
    pub markdown: String,
    /// `line_map[i]` is the article line that chapter line `i + 1` comes from.
    pub line_map: Vec<u32>,
}

impl ChapterSource {
    /// A placeholder for an article that could not be read (its error is
    /// reported and fails the build).
    pub fn empty(slug: &str) -> Self {
        ChapterSource {
            slug: slug.to_owned(),
            title: slug.to_owned(),
            nav_title: slug.to_owned(),
            description: None,
            markdown: String::new(),
            line_map: Vec::new(),
        }
    }
}

enum Piece {
    /// Bytes of the article, kept as they are.
    Keep(usize, usize),
    /// Other text standing at an article line.
    Text(String, u32),
}

fn heading(doc: &Document) -> Option<String> {
    doc.sections
        .iter()
        .find(|s| s.level == 1)
        .map(|s| s.title.text.clone())
}

/// The title of an article in the table of contents: its first heading,
/// else its frontmatter title, else its slug.
pub fn nav_title(doc: &Document, slug: &str) -> String {
    heading(doc)
        .or_else(|| doc.frontmatter.title.clone())
        .unwrap_or_else(|| slug.to_owned())
}

/// Turn a parsed article into its chapter.
pub fn prepare(
    doc: &Document,
    text: &str,
    content_root: &Path,
    slug: &str,
) -> (ChapterSource, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let (markdown, line_map) = rewrite(doc, text, content_root, 0, &mut diagnostics);
    let title = doc
        .frontmatter
        .title
        .clone()
        .or_else(|| heading(doc))
        .unwrap_or_else(|| slug.to_owned());
    (
        ChapterSource {
            slug: slug.to_owned(),
            nav_title: nav_title(doc, slug),
            title,
            description: doc.frontmatter.description.clone(),
            markdown,
            line_map,
        },
        diagnostics,
    )
}

fn rewrite(
    doc: &Document,
    text: &str,
    content_root: &Path,
    depth: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> (String, Vec<u32>) {
    let body_start = frontmatter::split(text).map_or(0, |s| s.body_start);
    let lines = LineIndex::new(text);
    // (start, end, replacement) in file order
    let mut edits: Vec<(usize, usize, Piece)> = Vec::new();
    for seg in &doc.segments {
        let (start, end) = seg.raw.pair;
        let (t0, t1) = seg.raw.target;
        if end > start && t1 >= t0 && t0 >= start && t1 <= end {
            edits.push((start, end, Piece::Keep(t0, t1)));
        }
    }
    for block in doc.blocks() {
        let Block::Include { path, pos, .. } = block else {
            continue;
        };
        let Some((start, end)) = line_range(text, pos.line) else {
            continue;
        };
        let included = include(
            doc,
            path,
            pos.line,
            pos.col,
            content_root,
            depth,
            diagnostics,
        );
        edits.push((start, end, Piece::Text(included, pos.line)));
    }
    edits.sort_by_key(|(start, _, _)| *start);

    let mut out = Output {
        text: String::with_capacity(text.len()),
        map: Vec::new(),
        at_line_start: true,
    };
    let mut at = body_start;
    for (start, end, piece) in &edits {
        if *start < at {
            continue;
        }
        out.keep(text, &lines, at, *start);
        match piece {
            Piece::Keep(a, b) => out.keep(text, &lines, *a, *b),
            Piece::Text(t, line) => out.insert(t, *line),
        }
        at = *end;
    }
    out.keep(text, &lines, at, text.len());
    (out.text, out.map)
}

/// The chapter being written, with its line map kept in step.
struct Output {
    text: String,
    map: Vec<u32>,
    at_line_start: bool,
}

impl Output {
    /// Article bytes `a..b`: each chapter line maps to the line it starts on.
    fn keep(&mut self, text: &str, lines: &LineIndex, a: usize, b: usize) {
        let mut offset = a;
        for piece in text[a..b].split_inclusive('\n') {
            if self.at_line_start {
                self.map.push(lines.line_col(text, offset).0);
            }
            self.text.push_str(piece);
            self.at_line_start = piece.ends_with('\n');
            offset += piece.len();
        }
    }

    /// Text from elsewhere: all its lines map to `line`.
    fn insert(&mut self, t: &str, line: u32) {
        for piece in t.split_inclusive('\n') {
            if self.at_line_start {
                self.map.push(line);
            }
            self.text.push_str(piece);
            self.at_line_start = piece.ends_with('\n');
        }
    }
}

/// Byte range of a 1-based line, without its newline.
fn line_range(text: &str, line: u32) -> Option<(usize, usize)> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    Some((start, end))
}

/// The included file's chapter Markdown, or a located error and nothing.
fn include(
    doc: &Document,
    target: &str,
    line: u32,
    col: u32,
    content_root: &Path,
    depth: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let here = Location::new(&doc.path, line, col);
    // article paths are relative to the project root (the content root's
    // parent); included files come with absolute paths
    let project_root = content_root.parent().unwrap_or(Path::new("."));
    let canonical_root =
        std::fs::canonicalize(content_root).unwrap_or_else(|_| content_root.to_path_buf());
    let target = target.split(['#', '?']).next().unwrap_or(target);
    let resolved = match crate::load::resolve_include(
        &canonical_root,
        &project_root.join(&doc.path),
        target,
    ) {
        Ok(p) => p,
        Err(d) => {
            diagnostics.push(d.at(here));
            return String::new();
        }
    };
    if depth >= MAX_INCLUDE_DEPTH {
        diagnostics.push(
            Diagnostic::error(
                "include-depth",
                format!("includes nest more than {MAX_INCLUDE_DEPTH} deep"),
            )
            .at(here)
            .with_help("an include probably includes itself; break the cycle"),
        );
        return String::new();
    }
    let display = resolved.display().to_string();
    let text = match std::fs::read(&resolved)
        .map_err(|e| {
            Diagnostic::error("include-missing", format!("cannot read included file: {e}"))
        })
        .and_then(|bytes| crate::load::decode(bytes, &display))
    {
        Ok(t) => t,
        Err(d) => {
            diagnostics.push(d.at(here));
            return String::new();
        }
    };
    match crate::docfx::parse_article(&display, &text) {
        Ok(included) => rewrite(&included, &text, content_root, depth + 1, diagnostics).0,
        Err(d) => {
            diagnostics.push(d);
            String::new()
        }
    }
}
