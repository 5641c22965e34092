//! Entry points for the fuzz targets (`fuzz/fuzz_targets`) and their
//! proptest twins (`tests/tree_inputs.rs`): how paths and URLs that come
//! from a DocFX tree (docfx.json globs, TOC hrefs, landing-page urls,
//! redirect URLs, media and code-snippet paths) are resolved, so that each
//! can be run on arbitrary input without a whole build. Not an API: the
//! functions wrap crate-internal ones and may change with them.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::site::{blocks, landing, redirects, toc};

/// One file the tree walk found under a locale folder.
#[derive(Debug)]
pub struct Walked {
    /// Its path under the locale folder (`a/b.md`).
    pub relative: String,
    /// Where the walk says it is.
    pub file: PathBuf,
    /// Whether it is a regular file (links are checked against the roots
    /// before anything reads them).
    pub regular: bool,
}

/// The walk of the locale folder `dir` (its docfx.json globs applied), or
/// the number of diagnostics that refused it.
pub fn walk(dir: &Path) -> Result<Vec<Walked>, usize> {
    let roots = crate::load::confine::real_roots([dir]);
    crate::load::tree::walk(dir, "content/en", &roots)
        .map(|found| {
            found
                .into_iter()
                .map(|f| Walked {
                    relative: f.relative,
                    file: f.file,
                    regular: f.regular,
                })
                .collect()
        })
        .map_err(|d| d.len())
}

/// What `href` in the TOC at `toc_path` names among `tocs` and the
/// article `slugs`: `Some((true, toc))`, `Some((false, slug))`, or `None`.
pub fn toc_target(
    toc_path: &str,
    href: &str,
    tocs: &[&str],
    slugs: &[&str],
) -> Option<(bool, String)> {
    let tocs: HashSet<&str> = tocs.iter().copied().collect();
    let articles: HashMap<&str, ()> = slugs.iter().map(|s| (*s, ())).collect();
    match toc::target(toc_path, href, &tocs, &articles) {
        toc::Target::Toc(t) => Some((true, t.to_owned())),
        toc::Target::Article(a) => Some((false, a.to_owned())),
        toc::Target::Other => None,
    }
}

/// `href` joined to the folder `base` (TOCs and landing pages), or `None`
/// when it leaves the locale folder.
pub fn join_in_folder(base: &str, href: &str) -> Option<String> {
    toc::normalize(base, href)
}

/// The href a landing page at `page` (in `folder`) writes for `url`.
pub fn landing_target(page: &str, folder: &str, url: &str, pages: &[String]) -> Option<String> {
    let pages: HashSet<String> = pages.iter().cloned().collect();
    landing::target(page, folder, url, &pages)
}

/// The href a redirect page at `page` sends its reader to for `url`.
pub fn redirect_target(page: &str, url: &str, pages: &[String]) -> Option<String> {
    let pages: HashSet<String> = pages.iter().cloned().collect();
    redirects::target(page, url, &pages)
}

/// The page a redirect's `source_path` makes, under the locale folder.
pub fn redirect_page_of(source: &str) -> Option<String> {
    redirects::page_of(source)
}

/// A media path of the file `article` (`content/<locale>/…`) as a path
/// under its locale folder, or `None` when it leaves it.
pub fn media_relative(article: &str, source: &str) -> Option<String> {
    blocks::locale_relative(article, source)
}

/// The `src` the page of `page` shows for media written as `source` in the
/// file `article` (the page itself, or an include it expands).
pub fn media_src(article: &str, page: &str, source: &str) -> String {
    let code_bytes = Cell::new(0);
    blocks::shown_src(
        source,
        &blocks::MediaRoots {
            project: Path::new("."),
            article,
            page,
            source_locale: None,
            roots: &[],
            uses: None,
            reads: None,
            code_bytes: &code_bytes,
        },
    )
}

/// Resolve, for the file `article` of the project at `project` (roots: its
/// `content/` folder): the bytes of the media `source`, and the Markdown a
/// code snippet `[!code-x[](target)]` becomes.
pub fn media_and_code(project: &Path, article: &str, source: &str) -> (Option<Vec<u8>>, String) {
    let roots = crate::load::confine::real_roots([project.join("content").as_path()]);
    let code_bytes = Cell::new(0);
    let media = blocks::MediaRoots {
        project,
        article,
        page: article,
        source_locale: Some("en"),
        roots: &roots,
        uses: None,
        reads: None,
        code_bytes: &code_bytes,
    };
    let bytes = blocks::find_media(source, &media).ok().map(|m| m.bytes);
    let (path, selector) = blocks::code_target(source);
    let mut diagnostics = Vec::new();
    let here = crate::diag::Location::new(article, 1, 1);
    let code = blocks::code_block("x", path, &selector, "", &here, &media, &mut diagnostics);
    (bytes, code)
}
