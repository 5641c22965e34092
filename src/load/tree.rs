//! A locale folder walked at any depth: which `.md` files are articles.
//!
//! A folder under the nearest `docfx.json` (in it or in an ancestor folder
//! inside the locale folder) holds the files its `build.content` globs match
//! and its excludes do not, as DocFX publishes them; a folder no
//! `docfx.json` covers holds every `.md` but the repository's own files
//! (README, CONTRIBUTING, LICENSE), outlines (TOC.md, SUMMARY.md) and what
//! `includes/` folders hold (DocFX's convention for included text). The
//! globs only filter the files found by walking the locale folder: a glob
//! such as `../../**` or `/etc/**` can name nothing else.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::diag::{Diagnostic, Location};
use crate::load::confine;
use crate::position::LineIndex;

/// How deep the walk goes below a locale folder. Real trees nest a handful
/// of folders; a deeper one (or a cycle of links) stops here with an error
/// instead of exhausting file handles or time.
pub(crate) const MAX_DEPTH: usize = 32;

/// One file found by the walk that may be an article.
pub(crate) struct Found {
    /// Its path under the locale folder, `/`-separated (`a/b.md`).
    pub(crate) relative: String,
    /// Where it is on disk.
    pub(crate) file: PathBuf,
    /// Whether it is a regular file (links and special files are checked
    /// against the roots before anything reads them).
    pub(crate) regular: bool,
    /// Whether it is a DocFX table of contents (`TOC.yml`, `TOC.md`), not
    /// an article.
    pub(crate) toc: bool,
    /// Whether it is a folder's `index.yml` (a DocFX landing page).
    pub(crate) landing: bool,
}

/// A DocFX table of contents that is navigation: `toc.yml`, `toc.yaml` or
/// `toc.md` in any case, except under a `breadcrumb/` folder (DocFX's
/// breadcrumb, which is not navigation).
fn is_toc(relative: &str, name: &str) -> bool {
    ["toc.yml", "toc.yaml", "toc.md"]
        .iter()
        .any(|t| name.eq_ignore_ascii_case(t))
        && !relative
            .split('/')
            .any(|s| s.eq_ignore_ascii_case("breadcrumb"))
}

/// `docfx.json` as far as finding articles goes.
#[derive(Deserialize, Default)]
struct DocfxJson {
    #[serde(default)]
    build: Build,
}

#[derive(Deserialize, Default)]
struct Build {
    #[serde(default)]
    content: Vec<ContentEntry>,
}

#[derive(Deserialize)]
struct ContentEntry {
    #[serde(default)]
    files: OneOrMany,
    #[serde(default)]
    exclude: OneOrMany,
    /// The folder the globs are relative to, relative to docfx.json's.
    #[serde(default)]
    src: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn iter(&self) -> impl Iterator<Item = &String> {
        let (one, many): (Option<&String>, &[String]) = match self {
            OneOrMany::None => (None, &[]),
            OneOrMany::One(s) => (Some(s), &[]),
            OneOrMany::Many(v) => (None, v),
        };
        one.into_iter().chain(many)
    }
}

/// A docset: the folder of its `docfx.json` (relative to the locale
/// folder, `/`-separated, empty for the locale folder) and its compiled
/// content entries.
struct Docset {
    dir: String,
    entries: Vec<Entry>,
}

struct Entry {
    /// `src`, normalized, relative to the docset's folder (empty: itself).
    src: String,
    files: GlobSet,
    exclude: GlobSet,
}

impl Docset {
    /// Whether the file at `relative` (under the locale folder, inside
    /// this docset's folder) is content of the docset.
    fn matches(&self, relative: &str) -> bool {
        let inside = if self.dir.is_empty() {
            relative
        } else {
            match relative
                .strip_prefix(self.dir.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                Some(r) => r,
                None => return false,
            }
        };
        self.entries.iter().any(|e| {
            let under = if e.src.is_empty() {
                Some(inside)
            } else {
                inside
                    .strip_prefix(e.src.as_str())
                    .and_then(|r| r.strip_prefix('/'))
            };
            under.is_some_and(|p| e.files.is_match(p) && !e.exclude.is_match(p))
        })
    }
}

/// Files of a folder no docfx.json covers that are not articles (compared
/// without case and extension): the repository's own files and outlines.
fn is_repository_file(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    ["readme", "contributing", "license", "toc", "summary"]
        .iter()
        .any(|n| stem.eq_ignore_ascii_case(n))
}

/// An outline (`TOC.md`; a `SUMMARY.md` below the locale folder), never an
/// article, whatever the globs say.
fn is_outline(name: &str) -> bool {
    name.eq_ignore_ascii_case("toc.md") || name.eq_ignore_ascii_case("summary.md")
}

/// A glob of docfx.json compiled as DocFX reads it: `*` stops at `/`,
/// `**` crosses folders.
fn compile(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// Where `needle` (as JSON writes it) first appears in `text`, as a
/// location of `display`; the file's start when it does not.
fn locate(text: &str, display: &str, needle: &str) -> Location {
    let quoted = serde_json::to_string(needle).unwrap_or_default();
    match text.find(&quoted) {
        Some(offset) => {
            let (line, col) = LineIndex::new(text).line_col(text, offset + 1);
            Location::new(display, line, col)
        }
        None => Location::new(display, 1, 1),
    }
}

/// Read and compile the `docfx.json` at `file`; `dir` is its folder
/// relative to the locale folder, `display` its path for diagnostics.
fn read_docfx(
    file: &Path,
    dir: &str,
    display: &str,
    roots: &[PathBuf],
) -> Result<Docset, Diagnostic> {
    let bytes = confine::read(file, roots).map_err(|r| r.diagnostic(display))?;
    let text = crate::load::decode(bytes, display)?;
    let json: DocfxJson = serde_json::from_str(&text).map_err(|e| {
        Diagnostic::error("docfx-json", format!("docfx.json does not parse: {e}"))
            .at(Location::new(
                display,
                u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
                u32::try_from(e.column()).unwrap_or(u32::MAX).max(1),
            ))
            .with_help(
                "fix the JSON: `build.content` is a list of `{ \"files\": [globs], \"exclude\": [globs] }`, as DocFX reads it",
            )
    })?;
    let mut entries = Vec::new();
    for entry in &json.build.content {
        let set = |globs: &OneOrMany| -> Result<GlobSet, Diagnostic> {
            let mut builder = GlobSetBuilder::new();
            for glob in globs.iter() {
                let compiled = compile(glob).map_err(|e| {
                    Diagnostic::error(
                        "docfx-json",
                        format!("the glob {glob:?} does not compile: {}", e.kind()),
                    )
                    .at(locate(&text, display, glob))
                    .with_help("fix the glob (relative to docfx.json's folder, e.g. `**/*.md`); see DocFX's file-mapping docs")
                })?;
                builder.add(compiled);
            }
            builder.build().map_err(|e| {
                Diagnostic::error("docfx-json", format!("the globs do not compile: {e}"))
                    .at(Location::new(display, 1, 1))
                    .with_help("fix the globs of build.content")
            })
        };
        // `src` is a folder below docfx.json's; one that climbs out names
        // no file the walk finds, so the entry matches nothing
        let src = entry.src.as_deref().unwrap_or("");
        let Some(src) = confine::lexically_inside(Path::new(src)) else {
            continue;
        };
        entries.push(Entry {
            src: slashed(&src),
            files: set(&entry.files)?,
            exclude: set(&entry.exclude)?,
        });
    }
    Ok(Docset {
        dir: dir.to_owned(),
        entries,
    })
}

/// A relative path with `/` between its components.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every `.md` under `dir` (the locale folder, shown as `display`) that is
/// an article or the locale's own `SUMMARY.md`, sorted by path. Errors are
/// a docfx.json that does not parse or compile, a folder link out of
/// `roots`, a folder that cannot be listed, and a tree deeper than
/// [`MAX_DEPTH`].
pub(crate) fn walk(
    dir: &Path,
    display: &str,
    roots: &[PathBuf],
) -> Result<Vec<Found>, Vec<Diagnostic>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    // (folder on disk, its path under the locale folder, the docsets
    // governing it, nearest last); children are pushed in reverse so the
    // walk visits them in sorted order
    let mut stack: Vec<(PathBuf, String, Vec<std::rc::Rc<Docset>>)> =
        vec![(dir.to_path_buf(), String::new(), Vec::new())];
    let mut seen = std::collections::HashSet::new();
    while let Some((folder, relative, mut docsets)) = stack.pop() {
        let shown = |name: &str| {
            if relative.is_empty() {
                format!("{display}/{name}")
            } else {
                format!("{display}/{relative}/{name}")
            }
        };
        // a folder reached twice through links is walked once
        if let Ok(real) = folder.canonicalize()
            && !seen.insert(real)
        {
            continue;
        }
        if relative.matches('/').count() + usize::from(!relative.is_empty()) > MAX_DEPTH {
            errors.push(
                Diagnostic::error(
                    "too-deep",
                    format!("folders nest deeper than {MAX_DEPTH} levels here"),
                )
                .at(Location::file(shown("")))
                .with_help(format!(
                    "flatten the folder tree (or remove a folder link that leads to a folder above it); rulebook reads articles at most {MAX_DEPTH} folders deep"
                )),
            );
            continue;
        }
        let mut entries: Vec<(String, PathBuf, std::fs::FileType)> =
            match std::fs::read_dir(&folder) {
                Ok(entries) => entries
                    .filter_map(Result::ok)
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        e.file_type().ok().map(|t| (name, e.path(), t))
                    })
                    // hidden files and folders (`.git`, `.vscode`) hold no
                    // articles, nor are they checked: nothing reads them
                    .filter(|(name, ..)| !name.starts_with('.'))
                    .collect(),
                Err(e) => {
                    errors.push(
                        Diagnostic::error("unreadable", format!("cannot list {}: {e}", shown("")))
                            .at(Location::file(if relative.is_empty() {
                                display.to_owned()
                            } else {
                                format!("{display}/{relative}")
                            })),
                    );
                    continue;
                }
            };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some((_, file, _)) = entries.iter().find(|(name, ..)| name == "docfx.json") {
            match read_docfx(file, &relative, &shown("docfx.json"), roots) {
                Ok(docset) => docsets.push(std::rc::Rc::new(docset)),
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            }
        }
        let mut folders = Vec::new();
        for (name, path, kind) in entries {
            let child = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
            if is_dir {
                let inside = || {
                    path.canonicalize()
                        .is_ok_and(|real| roots.iter().any(|r| real.starts_with(r)))
                };
                if kind.is_symlink() && !inside() {
                    errors.push(
                        Diagnostic::error(
                            "outside-root",
                            format!("`{}` is a link to a folder outside the content folder", shown(&name)),
                        )
                        .at(Location::file(shown(&name)))
                        .with_help("a folder of a locale may link only to a folder inside content/ or the locale's own folder; copy the folder in instead"),
                    );
                    continue;
                }
                folders.push((path, child));
                continue;
            }
            if is_toc(&child, &name) || name == "index.yml" {
                found.push(Found {
                    relative: child,
                    file: path,
                    regular: kind.is_file(),
                    toc: name != "index.yml",
                    landing: name == "index.yml",
                });
                continue;
            }
            if !name.ends_with(".md") {
                continue;
            }
            let wanted = if relative.is_empty() && name == "SUMMARY.md" {
                // the locale's outline
                true
            } else if is_outline(&name) {
                false
            } else {
                match docsets.last() {
                    Some(docset) => docset.matches(&child),
                    // DocFX's convention, which docsets state as
                    // `**/includes/**`: an `includes/` folder holds
                    // fragments other articles include, not articles
                    None => {
                        !is_repository_file(&name) && !child.split('/').any(|s| s == "includes")
                    }
                }
            };
            if wanted {
                found.push(Found {
                    relative: child,
                    file: path,
                    regular: kind.is_file(),
                    toc: false,
                    landing: false,
                });
            }
        }
        for (path, child) in folders.into_iter().rev() {
            stack.push((path, child, docsets.clone()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    found.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docset(json: &str) -> Docset {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("docfx.json");
        std::fs::write(&file, json).unwrap();
        let roots = confine::real_roots([dir.path()]);
        read_docfx(&file, "", "docfx.json", &roots).unwrap_or_else(|d| panic!("{d:?}"))
    }

    #[test]
    fn globs_match_as_docfx_reads_them() {
        let d = docset(
            r#"{"build":{"content":[{"files":["**/*.md"],"exclude":["**/includes/**","README.md"]}]}}"#,
        );
        assert!(d.matches("a.md"));
        assert!(d.matches("x/y/a.md"));
        assert!(!d.matches("README.md"));
        assert!(d.matches("x/README.md"));
        assert!(!d.matches("includes/a.md"));
        assert!(!d.matches("x/includes/a.md"));
        let top = docset(r#"{"build":{"content":[{"files":"*.md"}]}}"#);
        assert!(top.matches("a.md"));
        assert!(!top.matches("x/a.md"), "`*` stops at `/`");
    }

    #[test]
    fn globs_reach_nothing_outside() {
        let d = docset(r#"{"build":{"content":[{"files":["../../**","/etc/**"]}]}}"#);
        for p in ["a.md", "x/a.md", "etc/passwd.md"] {
            assert!(!d.matches(p), "{p}");
        }
        let climbing = docset(r#"{"build":{"content":[{"files":["**"],"src":"../.."}]}}"#);
        assert!(!climbing.matches("a.md"));
    }

    #[test]
    fn a_bad_glob_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("docfx.json");
        std::fs::write(
            &file,
            "{\"build\": {\"content\": [\n  {\"files\": [\"a[.md\"]}]}}",
        )
        .unwrap();
        let roots = confine::real_roots([dir.path()]);
        let Err(d) = read_docfx(&file, "", "docfx.json", &roots) else {
            panic!("compiled")
        };
        assert_eq!(d.code, "docfx-json");
        let at = d.location.unwrap();
        assert_eq!((at.line, at.col), (2, 15));
    }
}
