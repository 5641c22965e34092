//! A book's outline from the DocFX tables of contents of its locale
//! (`TOC.yml`, `TOC.md`), as DocFX publishes them: each entry a chapter
//! named as the TOC names it, linked to the article its `href` names; an
//! entry whose `href` is another TOC nests that TOC's entries; a group
//! (no article) is a chapter without a page. The TOCs that no other TOC
//! names are the book's top level, in path order, and the articles no TOC
//! reaches follow them by folder, so no page is left out of the navigation.
//!
//! A locale without TOCs of its own takes the source locale's, with its own
//! article titles. Every `href` is resolved lexically inside the locale
//! folder (an absolute `/docset/page` is looked up from the locale folder,
//! as the docs site resolves it); one that leaves it, or names no article
//! or TOC, is never followed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use mdbook_driver::book::{Book, BookItem, Chapter};
use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::{Article, confine};

use super::outline::{self, MAX_SUMMARY_DEPTH};

/// One entry of a TOC, as read.
#[derive(Debug, Default)]
struct Entry {
    name: String,
    href: Option<String>,
    items: Vec<Entry>,
    /// 1-based line of the entry in its file (0: not found).
    line: u32,
}

/// An entry of `TOC.yml` (DocFX's keys; the others, such as `displayName`,
/// which are search keywords, not labels, are ignored).
#[derive(Deserialize, Default)]
#[serde(default)]
struct YamlEntry {
    name: Option<String>,
    href: Option<String>,
    #[serde(rename = "topicHref")]
    topic_href: Option<String>,
    items: Vec<YamlEntry>,
}

/// `TOC.yml` is a list of entries, or (DocFX v3) a map with `items`.
#[derive(Deserialize)]
#[serde(untagged)]
enum YamlToc {
    List(Vec<YamlEntry>),
    Root { items: Vec<YamlEntry> },
}

/// A parsed TOC: its path under the locale folder (`/`-separated) and its
/// entries.
struct Toc {
    relative: String,
    entries: Vec<Entry>,
}

/// The TOCs of a locale to read: the files, shown as `display`, and the
/// roots they may be read from.
pub(crate) struct TocFiles<'a> {
    /// The locale the files belong to.
    pub(crate) locale: &'a str,
    /// The TOC files (`content/<locale>/…` paths).
    pub(crate) tocs: &'a [Article],
    /// Where they may be read from.
    pub(crate) roots: &'a [PathBuf],
}

/// The outline from `own` TOCs, or, when the locale has none, from the
/// source locale's (`source`), naming each article chapter with `title`;
/// `None` when neither has a TOC. Warnings: entries that name no article.
pub(crate) fn from_tocs(
    own: &TocFiles,
    source: Option<&TocFiles>,
    articles: &[Article],
    title: impl Fn(&Article) -> String,
) -> Result<Option<(Book, Vec<Diagnostic>)>, Diagnostics> {
    let (files, borrowed) = match (own.tocs.is_empty(), source) {
        (false, _) => (own, false),
        (true, Some(source)) if !source.tocs.is_empty() => (source, true),
        _ => return Ok(None),
    };
    let prefix = format!("content/{}/", files.locale);
    let mut tocs = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for file in files.tocs {
        let relative = file.path.strip_prefix(&prefix).unwrap_or(&file.path);
        match read(file, files.roots) {
            Ok(entries) => tocs.push(Toc {
                relative: relative.to_owned(),
                entries,
            }),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let by_slug: HashMap<&str, &Article> = articles.iter().map(|a| (a.slug.as_str(), a)).collect();
    let toc_paths: HashSet<&str> = tocs.iter().map(|t| t.relative.as_str()).collect();
    // the TOCs another TOC names are nested where it names them
    let mut named = HashSet::new();
    for toc in &tocs {
        let mut stack: Vec<&Entry> = toc.entries.iter().collect();
        while let Some(e) = stack.pop() {
            if let Some(Target::Toc(t)) = e
                .href
                .as_deref()
                .map(|h| target(&toc.relative, h, &toc_paths, &by_slug))
            {
                named.insert(t);
            }
            stack.extend(e.items.iter());
        }
    }
    let mut build = Build {
        tocs: &tocs,
        toc_paths: &toc_paths,
        by_slug: &by_slug,
        used: HashSet::new(),
        visiting: Vec::new(),
        title: &title,
        borrowed,
        display_prefix: prefix,
        warnings: &mut warnings,
    };
    let mut items = Vec::new();
    for toc in tocs.iter().filter(|t| !named.contains(t.relative.as_str())) {
        items.extend(build.toc(&toc.relative, &[], 0));
    }
    // every article has a place in the navigation
    let used = std::mem::take(&mut build.used);
    let rest: Vec<Article> = articles
        .iter()
        .filter(|a| !used.contains(a.slug.as_str()))
        .cloned()
        .collect();
    if !rest.is_empty() {
        items.extend(outline::from_articles(&rest, &title).items);
    }
    Ok(Some((Book::new_with_items(items), warnings)))
}

/// What an `href` names.
pub(crate) enum Target<'a> {
    /// An article, by slug.
    Article(&'a str),
    /// Another TOC, by path.
    Toc(&'a str),
    /// Nothing of the tree: a landing page, another site, a missing file.
    Other,
}

/// Resolve `href` of a TOC at `toc` (its path under the locale folder).
pub(crate) fn target<'a, V>(
    toc: &str,
    href: &str,
    tocs: &HashSet<&'a str>,
    articles: &HashMap<&'a str, V>,
) -> Target<'a> {
    let href = href.split(['#', '?']).next().unwrap_or_default();
    if href.is_empty() || href.contains("://") || href.starts_with("//") {
        return Target::Other;
    }
    let base = match href.strip_prefix('/') {
        Some(_) => String::new(),
        None => toc
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned()),
    };
    let Some(path) = normalize(&base, href.trim_start_matches('/')) else {
        return Target::Other;
    };
    // a folder names its TOC
    let candidates: Vec<String> = if path.is_empty() || href.ends_with('/') {
        ["TOC.yml", "TOC.md", "toc.yml", "toc.md"]
            .iter()
            .map(|t| {
                if path.is_empty() {
                    (*t).to_owned()
                } else {
                    format!("{path}/{t}")
                }
            })
            .collect()
    } else {
        vec![path.clone()]
    };
    for c in &candidates {
        if let Some(t) = tocs.get(c.as_str()) {
            return Target::Toc(t);
        }
    }
    if let Some(slug) = path.strip_suffix(".md")
        && let Some((s, _)) = articles.get_key_value(slug)
    {
        return Target::Article(s);
    }
    Target::Other
}

/// `href` joined to the folder `base`, `.` and `..` resolved; `None` when
/// it leaves the locale folder.
pub(crate) fn normalize(base: &str, href: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The outline being made.
struct Build<'a, 'b, F> {
    tocs: &'a [Toc],
    toc_paths: &'a HashSet<&'a str>,
    by_slug: &'a HashMap<&'a str, &'a Article>,
    /// Articles placed already (an article has one chapter).
    used: HashSet<&'a str>,
    /// The TOCs being expanded (a TOC naming itself is not followed).
    visiting: Vec<&'a str>,
    title: &'b F,
    /// The TOCs are the source locale's: article chapters take this
    /// locale's titles.
    borrowed: bool,
    display_prefix: String,
    warnings: &'b mut Vec<Diagnostic>,
}

impl<'a, F: Fn(&Article) -> String> Build<'a, '_, F> {
    fn toc(&mut self, path: &'a str, parents: &[String], depth: usize) -> Vec<BookItem> {
        let Some(toc) = self.tocs.iter().find(|t| t.relative == path) else {
            return Vec::new();
        };
        if self.visiting.contains(&path) {
            return Vec::new();
        }
        self.visiting.push(path);
        let items = self.entries(toc, &toc.entries, parents, depth);
        self.visiting.pop();
        items
    }

    fn entries(
        &mut self,
        toc: &'a Toc,
        entries: &'a [Entry],
        parents: &[String],
        depth: usize,
    ) -> Vec<BookItem> {
        if depth > MAX_SUMMARY_DEPTH {
            return Vec::new();
        }
        let mut items = Vec::new();
        for e in entries {
            let target = e.href.as_deref().map_or(Target::Other, |h| {
                target(&toc.relative, h, self.toc_paths, self.by_slug)
            });
            let mut names = parents.to_vec();
            let mut chapter = match target {
                Target::Article(slug) if self.used.insert(slug) => {
                    let name = match (self.borrowed, self.by_slug.get(slug)) {
                        (true, Some(a)) => (self.title)(a),
                        _ => e.name.clone(),
                    };
                    Chapter::new(
                        &name,
                        String::new(),
                        PathBuf::from(format!("{slug}.md")),
                        names.clone(),
                    )
                }
                Target::Toc(t) => {
                    names.push(e.name.clone());
                    let mut c = Chapter::new_draft(&e.name, parents.to_vec());
                    c.sub_items = self.toc(t, &names, depth + 1);
                    c
                }
                _ => {
                    if let Some(href) = &e.href
                        && href.ends_with(".md")
                        && !href.contains("://")
                        && matches!(target, Target::Other)
                    {
                        self.warnings.push(
                            Diagnostic::warning(
                                "toc-entry",
                                format!("the TOC entry `{}` names `{href}`, which is no article of this locale", e.name),
                            )
                            .at(Location::new(
                                format!("{}{}", self.display_prefix, toc.relative),
                                e.line,
                                1,
                            ))
                            .with_help("fix the href, or add the article; the entry is listed without a page"),
                        );
                    }
                    Chapter::new_draft(&e.name, parents.to_vec())
                }
            };
            if !e.items.is_empty() {
                let mut names = parents.to_vec();
                names.push(e.name.clone());
                chapter
                    .sub_items
                    .extend(self.entries(toc, &e.items, &names, depth + 1));
            }
            items.push(BookItem::Chapter(chapter));
        }
        items
    }
}

/// A DocFX YAML file (`what`: "the TOC", …) read as `T`; what does not
/// parse is a `code` error located where the parser stopped.
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &str,
    code: &'static str,
    what: &str,
    help: &str,
) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| {
            (
                u32::try_from(l.line()).unwrap_or(u32::MAX),
                u32::try_from(l.column()).unwrap_or(u32::MAX),
            )
        });
        Diagnostic::error(code, format!("{what} does not parse: {e}"))
            .at(Location::new(path, line, col))
            .with_help(help)
    })
}

/// Read one TOC file: YAML (`.yml`, `.yaml`) or Markdown headings
/// (`.md`), bounded and confined.
fn read(file: &Article, roots: &[PathBuf]) -> Result<Vec<Entry>, Diagnostic> {
    let bytes = confine::read(&file.file, roots).map_err(|r| r.diagnostic(&file.path))?;
    let text = crate::load::decode(bytes, &file.path)?;
    let is_md = Path::new(&file.path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if is_md {
        return Ok(from_markdown(&text));
    }
    let parsed: YamlToc = parse_yaml(
        &text,
        &file.path,
        "toc",
        "the TOC",
        "a DocFX TOC.yml is a list of entries with `name`, `href` and `items`",
    )?;
    let entries = match parsed {
        YamlToc::List(l) | YamlToc::Root { items: l } => l,
    };
    let mut lines = LineFinder {
        lines: text.lines().collect(),
        from: 0,
    };
    Ok(convert(entries, &mut lines, 0))
}

/// Finds each entry's line: the next `name:` line at or after the last
/// one found (entries come in file order).
struct LineFinder<'t> {
    lines: Vec<&'t str>,
    from: usize,
}

impl LineFinder<'_> {
    fn next(&mut self, name: &str) -> u32 {
        for (i, l) in self.lines.iter().enumerate().skip(self.from) {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            if t.starts_with("name:") && t.contains(name.trim()) {
                self.from = i + 1;
                return u32::try_from(i + 1).unwrap_or(0);
            }
        }
        0
    }
}

fn convert(entries: Vec<YamlEntry>, lines: &mut LineFinder, depth: usize) -> Vec<Entry> {
    if depth > MAX_SUMMARY_DEPTH {
        return Vec::new();
    }
    entries
        .into_iter()
        .map(|e| {
            let name = e.name.unwrap_or_default();
            let line = lines.next(&name);
            Entry {
                line,
                href: e.href.or(e.topic_href),
                items: convert(e.items, lines, depth + 1),
                name,
            }
        })
        .collect()
}

/// `TOC.md`: each heading an entry (`# [Name](href)` or `# Name`), nested by
/// level.
fn from_markdown(text: &str) -> Vec<Entry> {
    // (level, entry) of the open path
    let mut stack: Vec<(usize, Entry)> = Vec::new();
    let mut top = Vec::new();
    let close = |stack: &mut Vec<(usize, Entry)>, top: &mut Vec<Entry>, level: usize| {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            if let Some((_, done)) = stack.pop() {
                match stack.last_mut() {
                    Some((_, parent)) => parent.items.push(done),
                    None => top.push(done),
                }
            }
        }
    };
    for (i, line) in text.lines().enumerate() {
        let level = line.bytes().take_while(|&b| b == b'#').count();
        if level == 0 || level > MAX_SUMMARY_DEPTH {
            continue;
        }
        let rest = line[level..].trim();
        let (name, href) = match rest
            .strip_prefix('[')
            .and_then(|r| r.split_once("]("))
            .and_then(|(n, h)| Some((n, h.strip_suffix(')')?)))
        {
            Some((n, h)) => (n.to_owned(), Some(h.trim().to_owned())),
            None => (rest.to_owned(), None),
        };
        close(&mut stack, &mut top, level);
        stack.push((
            level,
            Entry {
                name,
                href,
                items: Vec::new(),
                line: u32::try_from(i + 1).unwrap_or(0),
            },
        ));
    }
    close(&mut stack, &mut top, 0);
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_headings_nest_by_level() {
        let toc = from_markdown(
            "# [Top](index.md)\n## [A](a.md)\n### [A1](a1.md)\n## Group\n# [Next](n.md)\n",
        );
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].items.len(), 2);
        assert_eq!(toc[0].items[0].items[0].href.as_deref(), Some("a1.md"));
        assert_eq!(toc[0].items[1].name, "Group");
        assert_eq!(toc[0].items[1].href, None);
        assert_eq!(toc[1].line, 5);
    }

    #[test]
    fn hrefs_stay_inside_the_locale_folder() {
        assert_eq!(normalize("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalize("a", "../../c.md"), None);
        assert_eq!(normalize("", "./x/./y.md").as_deref(), Some("x/y.md"));
    }
}
