//! A book's outline (mdBook's `Book`, chapters left empty: each page reads
//! its article when it is written) made as data: from the locale's
//! `SUMMARY.md`, every link checked, or from the articles in order.
//!
//! The outline is never Markdown written from titles and parsed back: a
//! title ending in `\` would escape the link syntax and name any file as a
//! chapter. A chapter's path is where its page is written (`x.md` →
//! `x.html`) and, for a summary entry that is not an article, the file its
//! page is made from; so a summary link must stay inside the locale folder
//! as written and, read through links, inside the content tree.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mdbook_driver::book::{Book, BookItem, Chapter};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::Article;
use crate::load::confine;
use crate::position::LineIndex;

/// The articles in order, each a chapter named by `title`; the articles
/// of a folder are nested under a chapter without a page named as the
/// folder (mdBook's draft chapter: part titles cannot nest), in the order
/// of their paths (a folder's files are together in that order).
pub fn from_articles(articles: &[Article], title: impl Fn(&Article) -> String) -> Book {
    let mut sorted: Vec<(Vec<&str>, &Article)> = articles
        .iter()
        .map(|a| (a.slug.split('/').collect(), a))
        .collect();
    // by the path under the locale folder: a locale's site may show an
    // article it lacks from the source locale's folder (`fallback`)
    sorted.sort_by(|a, b| {
        super::fallback::in_locale(&a.1.path).cmp(super::fallback::in_locale(&b.1.path))
    });
    Book::new_with_items(folder_items(&sorted, 0, &title))
}

/// The chapters of the articles in `articles` (sorted by path, all in
/// the same folder `level` segments deep). Recursion is bounded by how
/// deep the content walk goes (`load::tree::MAX_DEPTH`).
fn folder_items(
    articles: &[(Vec<&str>, &Article)],
    level: usize,
    title: &impl Fn(&Article) -> String,
) -> Vec<BookItem> {
    let mut items = Vec::new();
    let mut i = 0;
    while let Some((segments, article)) = articles.get(i) {
        let parents: Vec<String> = segments[..level.min(segments.len())]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        if segments.len() <= level + 1 {
            items.push(BookItem::Chapter(Chapter::new(
                &title(article),
                String::new(),
                PathBuf::from(format!("{}.md", article.slug)),
                parents,
            )));
            i += 1;
            continue;
        }
        let folder = segments[level];
        let end = articles[i..]
            .iter()
            .position(|(s, _)| s.len() <= level + 1 || s[level] != folder)
            .map_or(articles.len(), |n| i + n);
        let mut chapter = Chapter::new_draft(folder, parents);
        chapter.sub_items = folder_items(&articles[i..end], level + 1, title);
        items.push(BookItem::Chapter(chapter));
        i = end;
    }
    items
}

/// The outline of `src_dir/SUMMARY.md`, or `None` when there is no such
/// file. A link that leaves the locale folder (as written, or through a
/// link on disk) or names a special file is an error; one naming a file
/// that does not exist is a warning, and its entry is a draft (listed,
/// not linked), as mdBook's `create-missing = false` would not allow.
pub fn from_summary_file(
    src_dir: &Path,
    locale: &str,
    articles: &[Article],
    roots: &[PathBuf],
) -> Result<Option<(Book, Vec<Diagnostic>)>, Diagnostics> {
    let file = src_dir.join("SUMMARY.md");
    if std::fs::symlink_metadata(&file).is_err() {
        return Ok(None);
    }
    let display = format!("content/{locale}/SUMMARY.md");
    let bytes = confine::read(&file, roots).map_err(|r| r.diagnostic(&display))?;
    let text = crate::load::decode(bytes, &display)?;
    too_deep(&text, &display)?;
    let summary = mdbook_summary::parse_summary(&text).map_err(|e| {
        Diagnostic::error("summary", format!("SUMMARY.md does not parse: {e}"))
            .at(Location::file(&display))
            .with_help("see mdBook's SUMMARY.md format: `- [Title](file.md)`, one entry a line")
    })?;
    let known: HashSet<PathBuf> = articles
        .iter()
        .map(|a| PathBuf::from(format!("{}.md", a.slug)))
        .collect();
    let mut walk = Walk {
        src_dir,
        display: &display,
        text: &text,
        lines: LineIndex::new(&text),
        known: &known,
        roots,
        pages: std::collections::HashMap::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut items = Vec::new();
    for entry in summary
        .prefix_chapters
        .iter()
        .chain(&summary.numbered_chapters)
        .chain(&summary.suffix_chapters)
    {
        if let Some(item) = walk.item(entry, &[]) {
            items.push(item);
        }
    }
    if !walk.errors.is_empty() {
        return Err(Diagnostics(walk.errors));
    }
    Ok(Some((Book::new_with_items(items), walk.warnings)))
}

/// How deep a summary's lists may nest. mdBook's summary parser, the walk
/// below and every later pass over the outline recurse once per level, so
/// a deeper summary (thousands of levels fit in an input) would overflow
/// the stack and abort the build; real books nest a handful of levels.
pub(crate) const MAX_SUMMARY_DEPTH: usize = 32;

/// A located error when the lists of a summary nest deeper than
/// [`MAX_SUMMARY_DEPTH`]: measured with pulldown-cmark, whose parser keeps
/// its own stack (whatever makes a nested list: indentation, `- - -` on
/// one line, block quotes), before anything recursive sees the text.
fn too_deep(text: &str, display: &str) -> Result<(), Diagnostic> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut depth = 0usize;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_)) => {
                depth += 1;
                if depth > MAX_SUMMARY_DEPTH {
                    let (line, col) = LineIndex::new(text).line_col(text, range.start);
                    return Err(Diagnostic::error(
                        "summary-too-deep",
                        format!(
                            "SUMMARY.md nests its lists more than {MAX_SUMMARY_DEPTH} levels deep"
                        ),
                    )
                    .at(Location::new(display, line, col))
                    .with_help("flatten the outline: move deeper entries up a level"));
                }
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    Ok(())
}

struct Walk<'a> {
    src_dir: &'a Path,
    display: &'a str,
    text: &'a str,
    lines: LineIndex,
    known: &'a HashSet<PathBuf>,
    roots: &'a [PathBuf],
    /// Each page written so far (lower case) and the link that made it.
    pages: std::collections::HashMap<String, PathBuf>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Walk<'_> {
    /// The locale folder as diagnostics name it (`content/en`).
    fn locale_display(&self) -> &str {
        self.display
            .strip_suffix("/SUMMARY.md")
            .unwrap_or(self.display)
    }

    /// Where `location` is written in SUMMARY.md (its first mention), for
    /// diagnostics: mdBook's summary parser keeps no positions.
    fn locate(&self, location: &Path) -> Location {
        let written = location.to_string_lossy();
        match self.text.find(written.as_ref()) {
            Some(at) => {
                let (line, col) = self.lines.line_col(self.text, at);
                Location::new(self.display, line, col)
            }
            None => Location::file(self.display),
        }
    }

    /// The chapter path of a summary link, or `None` (and a diagnostic)
    /// when it cannot be one.
    fn chapter_path(&mut self, location: &Path) -> Option<PathBuf> {
        let Some(inside) = confine::lexically_inside(location) else {
            self.errors.push(
                Diagnostic::error(
                    "summary-outside-root",
                    format!(
                        "SUMMARY.md links to `{}`, outside its locale folder",
                        location.display()
                    ),
                )
                .at(self.locate(location))
                .with_help(
                    "a summary links to files of its own locale folder by relative path (`article.md`, `folder/article.md`)",
                ),
            );
            return None;
        };
        if inside.as_os_str().is_empty() {
            self.errors.push(
                Diagnostic::error(
                    "summary-outside-root",
                    format!("SUMMARY.md links to `{}`, a folder", location.display()),
                )
                .at(self.locate(location))
                .with_help("link to a Markdown file of the locale folder"),
            );
            return None;
        }
        if !self.own_page(location, &inside) {
            return None;
        }
        if self.known.contains(&inside) {
            return Some(inside);
        }
        let file = self.src_dir.join(&inside);
        if std::fs::symlink_metadata(&file).is_err() {
            self.warnings.push(
                Diagnostic::warning(
                    "missing-chapter",
                    format!(
                        "SUMMARY.md names `{}`, which is not in its locale folder; the entry is listed without a page",
                        location.display()
                    ),
                )
                .at(self.locate(location))
                .with_help("fix the link or add the file"),
            );
            return None;
        }
        match confine::check(&file, self.roots) {
            Ok(_) => Some(inside),
            Err(refusal) => {
                let named = format!("{}/{}", self.locale_display(), inside.display());
                let d = refusal.diagnostic(&named);
                self.errors.push(Diagnostic {
                    location: Some(self.locate(location)),
                    message: format!(
                        "SUMMARY.md links to `{}`, which is {}",
                        location.display(),
                        d.message
                            .split_once(" is ")
                            .map_or(d.message.as_str(), |(_, rest)| rest)
                    ),
                    ..d
                });
                None
            }
        }
    }

    /// Whether the page of chapter path `inside` (`x.txt` → `x.html`) is
    /// its own: not a page rulebook generates (articles were checked by
    /// name already) and not another entry's page, whatever the case (a
    /// file system that ignores case makes `A.html` and `a.html` one).
    /// mdBook would write both and one would silently replace the other.
    fn own_page(&mut self, location: &Path, inside: &Path) -> bool {
        let page = inside.with_extension("html");
        let key = page.to_string_lossy().to_lowercase();
        let top = inside.parent().is_none_or(|p| p.as_os_str().is_empty());
        let stem = page
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let generated = top
            && !self.known.contains(inside)
            && (super::reserved_stem(&stem) || key == "index.html");
        if generated {
            self.errors.push(
                Diagnostic::error(
                    "reserved-page-name",
                    format!(
                        "SUMMARY.md links to `{}`, whose page would be `{}`, a page rulebook generates",
                        location.display(),
                        page.display()
                    ),
                )
                .at(self.locate(location))
                .with_help("rename the file; rulebook writes index.html, toc.html, rules.html, status.html and their numbered pages itself, whatever their case"),
            );
            return false;
        }
        if let Some(first) = self.pages.get(&key) {
            self.errors.push(
                Diagnostic::error(
                    "page-name-clash",
                    format!(
                        "SUMMARY.md links to `{}` and `{}`, which would both be the page `{}`",
                        first.display(),
                        location.display(),
                        page.display()
                    ),
                )
                .at(self.locate(location))
                .with_help("link each file once, and rename files whose names differ only in case or extension"),
            );
            return false;
        }
        self.pages.insert(key, location.to_path_buf());
        true
    }

    fn item(
        &mut self,
        entry: &mdbook_summary::SummaryItem,
        parents: &[String],
    ) -> Option<BookItem> {
        use mdbook_summary::SummaryItem;
        Some(match entry {
            SummaryItem::Separator => BookItem::Separator,
            SummaryItem::PartTitle(title) => BookItem::PartTitle(title.clone()),
            SummaryItem::Link(link) => {
                let path = link
                    .location
                    .as_deref()
                    .and_then(|location| self.chapter_path(location));
                let mut chapter = match path {
                    Some(path) => Chapter::new(&link.name, String::new(), path, parents.to_vec()),
                    None => Chapter::new_draft(&link.name, parents.to_vec()),
                };
                chapter.number = link.number.clone();
                let mut inner = parents.to_vec();
                inner.push(link.name.clone());
                for sub in &link.nested_items {
                    if let Some(sub) = self.item(sub, &inner) {
                        chapter.sub_items.push(sub);
                    }
                }
                BookItem::Chapter(chapter)
            }
            _ => return None,
        })
    }
}

/// Every chapter path of a book (where its pages are written, relative to
/// the locale's output folder), in book order.
pub fn chapter_paths(book: &Book) -> Vec<PathBuf> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(c) => c.path.clone(),
            _ => None,
        })
        .collect()
}
