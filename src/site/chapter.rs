//! An article as an mdBook chapter: Markdown with the frontmatter stripped,
//! bilingual segments reduced to their target text and DocFX includes
//! resolved inside the content root, plus a map from the chapter's lines back
//! to the article's, so the page can carry anchors for the original lines
//! that facts point to.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::docfx::{Block, Document};
use crate::frontmatter;
use crate::position::LineIndex;

/// Includes may nest this deep (an include of an include …).
const MAX_INCLUDE_DEPTH: usize = 4;

/// What the includes of one page may add up to: bytes of included files
/// read (a file included twice counts twice) and includes expanded. Real
/// articles include a few small snippets; a fan-out (files of 100
/// includes including each other) multiplies into a page too big to
/// render in reasonable time (BENCHMARKS.md, 'Hostile shapes'). The bound
/// is on what includes add, so a big article without includes still
/// builds (the catalogue builds a 5 MB one).
pub(crate) const MAX_INCLUDED_BYTES: u64 = 4 * 1024 * 1024;
/// See [`MAX_INCLUDED_BYTES`]: includes of empty files cost a read and a
/// parse each, and add no bytes.
pub(crate) const MAX_INCLUDES: usize = 1_000;

/// One article made ready for mdBook: includes resolved, DocFX syntax turned
/// into what the renderer reads, with its titles.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChapterSource {
    /// The article's slug: its page is `<slug>.html`.
    pub slug: String,
    /// The page title (frontmatter `title`, else the first heading).
    pub title: String,
    /// The title in the table of contents (the first heading, else `title`).
    pub nav_title: String,
    /// The frontmatter `description`, for the page's meta description.
    pub description: Option<String>,
    /// The Markdown mdBook renders.
    pub markdown: String,
    /// `line_map[i]` is the article line that chapter line `i + 1` comes from.
    pub line_map: Vec<u32>,
    /// The media files the page shows, to be copied beside it.
    pub media: Vec<super::blocks::Media>,
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
            media: Vec::new(),
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
    let canonical_root =
        std::fs::canonicalize(content_root).unwrap_or_else(|_| content_root.to_path_buf());
    let (chapter, mut diagnostics) =
        prepare_in(doc, text, content_root, &[canonical_root], slug, None);
    // what the page will change in the raw HTML, said at the article's
    // lines (the site renders with `html::render_checked` instead)
    diagnostics.extend(super::html::check(
        &chapter.markdown,
        &chapter.line_map,
        &doc.path,
    ));
    (chapter, diagnostics)
}

/// [`prepare`] with includes read from `roots` (canonical: `content/` and
/// the article's locale folder, [`crate::load::LocaleContent::roots`]), and
/// without the raw-HTML check, which rendering with
/// `html::render_checked` makes in the same pass.
pub(crate) fn prepare_in(
    doc: &Document,
    text: &str,
    content_root: &Path,
    roots: &[std::path::PathBuf],
    slug: &str,
    source_locale: Option<&str>,
) -> (ChapterSource, Vec<Diagnostic>) {
    prepare_with(doc, text, content_root, roots, slug, source_locale, None)
}

/// What an article's page refers to beyond itself, for the analysis: the
/// links its chapter makes (includes expanded, as the page renders them)
/// and the media it shows (looked for, not read). Their `broken-link` and
/// `missing-media` findings are made from these every build
/// (`site::page_findings`), before the data files are written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageRefs {
    /// Links: (destination as written, article line, column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<(String, u32, u32)>,
    /// Images and videos, found or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<super::blocks::MediaUse>,
    /// The other files the page is made from (includes, code snippets),
    /// by their real paths: part of its key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
}

/// [`PageRefs`] of an article: its chapter made as the site makes it.
pub(crate) fn page_refs(
    doc: &Document,
    text: &str,
    content_root: &Path,
    roots: &[std::path::PathBuf],
    slug: &str,
    source_locale: &str,
) -> PageRefs {
    if !may_refer(text) {
        return PageRefs::default();
    }
    record_refs(doc, text, content_root, roots, slug, source_locale)
}

/// [`page_refs`] without the check whether there can be any.
fn record_refs(
    doc: &Document,
    text: &str,
    content_root: &Path,
    roots: &[std::path::PathBuf],
    slug: &str,
    source_locale: &str,
) -> PageRefs {
    let uses = std::cell::RefCell::new(Vec::new());
    let reads = std::cell::RefCell::new(Vec::new());
    let (chapter, _) = prepare_with(
        doc,
        text,
        content_root,
        roots,
        slug,
        Some(source_locale),
        Some((&uses, &reads)),
    );
    let mut reads: Vec<String> = reads
        .into_inner()
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    reads.sort();
    reads.dedup();
    PageRefs {
        links: super::html::link_refs(&chapter.markdown, &chapter.line_map),
        media: uses.into_inner(),
        reads,
    }
}

/// Whether an article's text may link anywhere or show a file: a link or
/// image (`](`, a reference definition `]:`), a DocFX block (`:::`), or
/// a `[!…]` other than an alert (includes, code snippets, videos).
/// Without any, its page records nothing, and making its chapter to find
/// that out is most of what recording costs.
fn may_refer(text: &str) -> bool {
    const ALERTS: [&str; 5] = ["NOTE]", "TIP]", "IMPORTANT]", "CAUTION]", "WARNING]"];
    text.contains("](")
        || text.contains("]:")
        || text.contains(":::")
        || text.split("[!").skip(1).any(|after| {
            !ALERTS.iter().any(|a| {
                after
                    .get(..a.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(a))
            })
        })
}

/// Where the analysis records what a page shows: its media uses, and the
/// other files it is made from.
type Recorders<'a> = (
    &'a std::cell::RefCell<Vec<super::blocks::MediaUse>>,
    &'a std::cell::RefCell<Vec<std::path::PathBuf>>,
);

fn prepare_with(
    doc: &Document,
    text: &str,
    content_root: &Path,
    roots: &[std::path::PathBuf],
    slug: &str,
    source_locale: Option<&str>,
    recorders: Option<Recorders<'_>>,
) -> (ChapterSource, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let project = content_root.parent().unwrap_or(content_root);
    let code_bytes = std::cell::Cell::new(0);
    let media_roots = super::blocks::MediaRoots {
        project,
        article: &doc.path,
        page: &doc.path,
        source_locale,
        roots,
        uses: recorders.map(|r| r.0),
        reads: recorders.map(|r| r.1),
        code_bytes: &code_bytes,
    };
    let canonical_root =
        std::fs::canonicalize(content_root).unwrap_or_else(|_| content_root.to_path_buf());
    let mut expansion = Expansion {
        article: &doc.path,
        content_root,
        canonical_root: &canonical_root,
        roots,
        bytes: 0,
        includes: 0,
        stopped: false,
        // the article itself, so that an include of it is a cycle too
        open: content_root
            .parent()
            .and_then(|project| std::fs::canonicalize(project.join(&doc.path)).ok())
            .into_iter()
            .collect(),
        diagnostics: &mut diagnostics,
        media: Vec::new(),
    };
    let (markdown, line_map, mut media) = rewrite(doc, text, &mut expansion, &media_roots);
    for m in std::mem::take(&mut expansion.media) {
        if !media.iter().any(|f| f.path == m.path) {
            media.push(m);
        }
    }
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
            media,
        },
        diagnostics,
    )
}

/// The includes of one page being expanded, and what they have cost.
struct Expansion<'a> {
    /// The article whose page this is.
    article: &'a str,
    content_root: &'a Path,
    canonical_root: &'a Path,
    /// Where includes may be read from (canonical).
    roots: &'a [std::path::PathBuf],
    /// Bytes of included files read so far.
    bytes: u64,
    /// Includes expanded so far.
    includes: usize,
    /// A bound was crossed: no further include is read.
    stopped: bool,
    /// The files being expanded, the article first (a cycle names one
    /// twice).
    open: Vec<PathBuf>,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Media the page's includes show (the article's own come back from
    /// [`rewrite`]).
    media: Vec<super::blocks::Media>,
}

fn rewrite(
    doc: &Document,
    text: &str,
    expansion: &mut Expansion<'_>,
    media_roots: &super::blocks::MediaRoots<'_>,
) -> (String, Vec<u32>, Vec<super::blocks::Media>) {
    let body_start = frontmatter::split(text).map_or(0, |s| s.body_start);
    let lines = LineIndex::new(text);
    // where each line starts, for the include lines (scanning from the top
    // for each made the work quadratic in the number of includes)
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
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
        let Some((start, end)) = line_range(text, &starts, pos.line) else {
            continue;
        };
        let included = include(doc, path, pos.line, pos.col, expansion, media_roots);
        edits.push((start, end, Piece::Text(included, pos.line)));
    }
    // DocFX blocks CommonMark would print as text
    let (blocks, said, media) =
        super::blocks::rewrite(text, lines.line_col(text, body_start).0, media_roots);
    expansion.diagnostics.extend(said);
    for (first, last, replacement) in blocks {
        let (Some((start, _)), Some((_, end))) = (
            line_range(text, &starts, first),
            line_range(text, &starts, last),
        ) else {
            continue;
        };
        edits.push((start, end, Piece::Text(replacement, first)));
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
    let mut media = media;
    if let Some(text) = super::blocks::no_loc(&out.text) {
        out.text = text;
    }
    match super::blocks::markdown_images(
        &out.text,
        &out.map,
        media_roots,
        expansion.diagnostics,
        &mut media,
    ) {
        Some((text, map)) => (text, map, media),
        None => (out.text, out.map, media),
    }
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

/// Byte range of a 1-based line, without its newline (`starts` holds
/// where each line starts).
fn line_range(text: &str, starts: &[usize], line: u32) -> Option<(usize, usize)> {
    let start = *starts.get(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let end = starts
        .get(line as usize)
        .map_or(text.len(), |next| next - 1);
    Some((start, end))
}

/// The included file's chapter Markdown, or a located error and nothing.
fn include(
    doc: &Document,
    target: &str,
    line: u32,
    col: u32,
    expansion: &mut Expansion<'_>,
    media_roots: &super::blocks::MediaRoots<'_>,
) -> String {
    if expansion.stopped {
        return String::new();
    }
    let here = Location::new(&doc.path, line, col);
    // article paths are relative to the project root (the content root's
    // parent), and so are included files' paths, so that diagnostics in
    // them name `content/…` as the article's do
    let project_root = expansion.content_root.parent().unwrap_or(Path::new("."));
    let target = target.split(['#', '?']).next().unwrap_or(target);
    let resolved = match crate::load::resolve_include_in(
        expansion.roots,
        &project_root.join(&doc.path),
        target,
    ) {
        Ok(p) => {
            if let Some(reads) = media_roots.reads {
                reads.borrow_mut().push(p.clone());
            }
            p
        }
        Err(d) => {
            expansion.diagnostics.push(d.at(here));
            return String::new();
        }
    };
    let display = match resolved.strip_prefix(expansion.canonical_root) {
        Ok(inside) => expansion
            .content_root
            .strip_prefix(project_root)
            .unwrap_or(Path::new("content"))
            .join(inside)
            .display()
            .to_string(),
        Err(_) => resolved.display().to_string(),
    };
    // a cycle or a chain too deep fails the page: said once, as a fan-out
    // would repeat it for every path that reaches it
    if expansion.open.contains(&resolved) {
        expansion.stopped = true;
        expansion.diagnostics.push(
            Diagnostic::error(
                "include-cycle",
                format!("`{display}` includes itself (through this include)"),
            )
            .at(here)
            .with_help("an include must not include the file it is part of; remove this [!INCLUDE] or break the chain"),
        );
        return String::new();
    }
    // `open` holds the article and the includes around this one
    if expansion.open.len() > MAX_INCLUDE_DEPTH {
        expansion.stopped = true;
        expansion.diagnostics.push(
            Diagnostic::error(
                "include-depth",
                format!("includes nest more than {MAX_INCLUDE_DEPTH} deep"),
            )
            .at(here)
            .with_help("include the innermost files from the article itself, or merge them"),
        );
        return String::new();
    }
    expansion.includes += 1;
    if expansion.includes > MAX_INCLUDES {
        return too_large(
            expansion,
            here,
            format!(
                "the page of {} expands more than {MAX_INCLUDES} includes",
                expansion.article
            ),
        );
    }
    // read no more than the budget left (and one byte to see it crossed)
    let left = MAX_INCLUDED_BYTES.saturating_sub(expansion.bytes);
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(&resolved).and_then(|file| file.take(left + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        expansion.diagnostics.push(
            Diagnostic::error("include-missing", format!("cannot read included file: {e}"))
                .at(here)
                .with_help("check the file's permissions, or remove the [!INCLUDE]"),
        );
        return String::new();
    }
    expansion.bytes += bytes.len() as u64;
    if expansion.bytes > MAX_INCLUDED_BYTES {
        return too_large(
            expansion,
            here,
            format!(
                "the includes of {}'s page add more than {} MiB",
                expansion.article,
                MAX_INCLUDED_BYTES / (1024 * 1024)
            ),
        );
    }
    let text = match crate::load::decode(bytes, &display) {
        Ok(t) => t,
        Err(d) => {
            expansion.diagnostics.push(d.at(here));
            return String::new();
        }
    };
    match crate::docfx::parse_article(&display, &text) {
        Ok(included) => {
            expansion.open.push(resolved);
            // an include's media and code paths are from the include's
            // folder, as DocFX reads them; the page shows them from its own
            let media_roots = super::blocks::MediaRoots {
                article: &display,
                ..*media_roots
            };
            let (markdown, _, media) = rewrite(&included, &text, expansion, &media_roots);
            expansion.open.pop();
            expansion.media.extend(media);
            markdown
        }
        Err(d) => {
            expansion.diagnostics.push(d);
            String::new()
        }
    }
}

/// The bound of a page's includes is crossed here: one error, and nothing
/// more is read for the page.
fn too_large(expansion: &mut Expansion<'_>, here: Location, message: String) -> String {
    expansion.stopped = true;
    expansion.diagnostics.push(
        Diagnostic::error("include-too-large", message)
            .at(here)
            .with_help(format!(
                "a page's includes may add up to {} MiB from {MAX_INCLUDES} includes; include fewer or smaller files (an include file that includes others multiplies)",
                MAX_INCLUDED_BYTES / (1024 * 1024)
            )),
    );
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every real article the check passes over records nothing when its
    /// chapter is made anyway, and the check does pass over some.
    #[test]
    fn articles_the_check_skips_have_nothing_to_record() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let mut files = Vec::new();
        let mut dirs = vec![corpus.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let (mut skipped, mut read) = (0, 0);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            if may_refer(&text) {
                read += 1;
                continue;
            }
            let rel = file.strip_prefix(&corpus).unwrap_or(file);
            let display = format!("content/{}", rel.display());
            let Ok(doc) = crate::docfx::parse_article(&display, &text) else {
                continue;
            };
            let refs = record_refs(&doc, &text, &corpus, &[], "a", "en");
            assert_eq!(refs, PageRefs::default(), "{display}");
            skipped += 1;
        }
        assert!(skipped > 0 && read > 100, "{skipped} skipped, {read} read");
    }
}
