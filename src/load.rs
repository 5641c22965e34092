//! The content tree: `content/<locale>/*.md`, locale ids checked as BCP 47 tags.

use std::path::{Path, PathBuf};

use unic_langid::LanguageIdentifier;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::docfx::{self, Document};
use crate::load::config::BookToml;

pub mod config;
pub(crate) mod confine;
pub(crate) mod text;
pub(crate) mod tree;

pub use text::decode;
use text::decode_checked;

/// One article file. Its text is read when a stage needs it ([`Article::read`])
/// and dropped after: a large project is never held in memory whole.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Article {
    /// Its path under the locale folder without the extension
    /// (`partner-center/activity-logs`): the same article has the same slug
    /// in every locale, and its page is `<slug>.html`.
    pub slug: String,
    /// Path relative to the project root, with `/` (used in diagnostics and
    /// provenance, so output does not depend on where the project lives).
    pub path: String,
    /// Where the file is on disk.
    pub file: PathBuf,
}

impl Article {
    /// An article at `file` on disk, named `path` (relative to the project
    /// root, `/`-separated) in diagnostics; its slug is [`slug_of`] it.
    pub fn new(file: &Path, path: &str) -> Article {
        let slug = slug_of(path);
        Article {
            slug,
            path: path.to_owned(),
            file: file.to_path_buf(),
        }
    }

    /// The file's text; a file that is not UTF-8 is located at its first bad
    /// byte. Old Mac line endings (a CR alone) are read as LF.
    pub fn read(&self) -> Result<String, Diagnostic> {
        self.read_checked().map(|(text, _)| text)
    }

    /// [`Article::read`] and what was noticed while decoding: a warning when
    /// CR line endings were read as LF. The file is checked before it is
    /// opened: a FIFO, a device or a file over
    /// [`confine::MAX_INPUT_BYTES`] is refused unread (where it may be read
    /// from was settled when the project was listed).
    pub(crate) fn read_checked(&self) -> Result<(String, Option<Diagnostic>), Diagnostic> {
        decode_checked(self.bytes()?, &self.path)
    }

    /// The file's bytes, checked as [`Article::read_checked`] says.
    pub fn bytes(&self) -> Result<Vec<u8>, Diagnostic> {
        confine::read_any(&self.file).map_err(|r| r.diagnostic(&self.path))
    }

    /// [`Article::read_checked`] and the SHA-256 of the file's bytes (hex):
    /// of what is on disk, not of the text as decoded, so that a file
    /// whose line endings or byte-order mark changed is a changed file.
    pub(crate) fn read_hashed(&self) -> Result<(String, Option<Diagnostic>, String), Diagnostic> {
        let bytes = self.bytes()?;
        let sha256 = sha256_hex(&bytes);
        let (text, warning) = decode_checked(bytes, &self.path)?;
        Ok((text, warning, sha256))
    }
}

/// The slug of the article at `path` (relative to the project root):
/// `path` without `content/<locale>/` and the extension; a path outside
/// `content/` (a file named on the command line) gives its file stem.
pub fn slug_of(path: &str) -> String {
    match path
        .strip_prefix("content/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((_, inside)) => inside
            .rsplit_once('.')
            .filter(|(_, ext)| !ext.contains('/'))
            .map_or(inside, |(stem, _)| stem)
            .to_owned(),
        None => Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// One locale folder of `content/` and its articles.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LocaleContent {
    /// Canonical BCP 47 form (`zh-TW`).
    pub id: String,
    /// The parsed language identifier, for negotiating messages and lexicons.
    pub langid: LanguageIdentifier,
    /// The folder on disk (`content/<id>`).
    pub dir: PathBuf,
    /// The locale's article files.
    pub articles: Vec<Article>,
    /// `SUMMARY.md` of this locale, when present.
    pub summary: Option<Article>,
    /// The locale's DocFX tables of contents (`TOC.yml`, `TOC.md`; not
    /// breadcrumbs), sorted by path: the site's navigation when there is
    /// no `SUMMARY.md`.
    pub tocs: Vec<Article>,
    /// The locale's folders' `index.yml` files (DocFX landing pages),
    /// sorted by path.
    pub landings: Vec<Article>,
    /// Where this locale's articles, includes and summary entries may be
    /// read from: the real paths of `content/` and of this locale's folder
    /// (which may be a link to a repository elsewhere; another locale's
    /// link opens nothing to this one).
    pub roots: Vec<PathBuf>,
}

/// The project as found on disk.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Project {
    /// The project root (`--root`), holding book.toml.
    pub root: PathBuf,
    /// The real path of `content/`: shared folders (`includes/`) are read
    /// from under it.
    pub content_root: Option<PathBuf>,
    /// book.toml, parsed.
    pub config: BookToml,
    /// Every locale to build, in the order of their folders' names.
    pub locales: Vec<LocaleContent>,
}

impl Project {
    /// The locale with id `id`, if the project has it.
    pub fn locale(&self, id: &str) -> Option<&LocaleContent> {
        self.locales.iter().find(|l| l.id == id)
    }
}

/// A folder of `content/` that is not a locale: a name that is well-formed
/// BCP 47 only through a 5–8 letter primary language subtag (`includes`,
/// `media`), which RFC 5646 reserves for registered languages no tag in use
/// has. Real locales start with a 2–3 letter ISO 639 code.
pub(crate) fn is_shared_folder(name: &str) -> bool {
    let first = name.split(['-', '_']).next().unwrap_or(name);
    (5..=8).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_lowercase())
}

/// Parse a folder name as a locale id.
pub(crate) fn parse_locale(name: &str) -> Result<LanguageIdentifier, String> {
    let langid: LanguageIdentifier = name
        .parse()
        .map_err(|e| format!("`{name}` is not a BCP 47 language tag ({e})"))?;
    Ok(langid)
}

/// The help of `no-content`: where the folder was looked for, and the
/// `--root` to give. Run from a subfolder of a project (`cd content &&
/// rulebook build`), the nearest folder above holding `book.toml` and
/// `content/` is named, as `..` steps when `--root` was left at `.`.
fn no_content_help(root: &Path) -> String {
    // canonical where it exists, so `--root a/..` looks above `.`, not `a`
    let absolute = std::fs::canonicalize(root)
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf());
    let looked = absolute.join("content");
    let project = absolute
        .ancestors()
        .skip(1)
        .enumerate()
        .find(|(_, dir)| dir.join("book.toml").is_file() && dir.join("content").is_dir());
    match project {
        Some((up, dir)) => {
            let named = if root == Path::new(".") {
                vec![".."; up + 1].join("/")
            } else {
                dir.display().to_string()
            };
            format!(
                "looked for {}; {} holds book.toml and content/: run from there or give `--root {named}`",
                looked.display(),
                dir.display()
            )
        }
        None => format!(
            "looked for {}; run from the folder holding book.toml and content/<locale>/*.md, or give `--root DIR`",
            looked.display()
        ),
    }
}

/// Read `book.toml` and every article under `content/`. All problems are
/// gathered (one run shows them all); any error means no project.
pub fn load_project(root: &Path) -> Result<Project, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let config = match BookToml::load(root) {
        Ok(config) => config,
        Err(d) => {
            diagnostics.push(d);
            BookToml::default()
        }
    };
    let content = root.join("content");
    let mut dirs: Vec<(String, PathBuf)> = match std::fs::read_dir(&content) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            // a locale folder may be a link to another repository
            .filter(|e| {
                e.file_type()
                    .is_ok_and(|t| t.is_dir() || (t.is_symlink() && e.path().is_dir()))
            })
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect(),
        Err(e) => {
            diagnostics.push(
                Diagnostic::error("no-content", format!("cannot read the content folder: {e}"))
                    .at(Location::file("content"))
                    .with_help(no_content_help(root)),
            );
            return Err(diagnostics);
        }
    };
    dirs.sort();

    let wanted = config.rulebook.locales.clone();
    let mut locales = Vec::new();
    // canonical id -> the folder that has it: `en` and `EN` are one locale,
    // and two folders for it would give rules from one and a site from the
    // other
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    // (locale index, file) of the listed files that are links or special
    let mut unsure: Vec<(usize, PathBuf)> = Vec::new();
    for (name, dir) in dirs {
        let display = format!("content/{name}");
        if is_shared_folder(&name) {
            // DocFX keeps shared text in `includes/` (and media in other
            // folders) beside the locales; they hold no articles.
            continue;
        }
        let langid = match parse_locale(&name) {
            Ok(langid) => langid,
            Err(message) => {
                diagnostics.push(
                    Diagnostic::error("bad-locale", message)
                        .at(Location::file(&display))
                        .with_help(
                            "name locale folders by BCP 47 tag, e.g. en, zh-TW, ja-JP, pt-BR",
                        ),
                );
                continue;
            }
        };
        let id = langid.to_string();
        if id != name {
            diagnostics.push(
                Diagnostic::warning(
                    "locale-case",
                    format!("locale folder `{name}` is read as `{id}`"),
                )
                .at(Location::file(&display))
                .with_help(format!("rename the folder to `{id}`")),
            );
        }
        if let Some(first) = seen.get(&id) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-locale",
                    format!("`{display}` and `{first}` are both locale `{id}`"),
                )
                .at(Location::file(&display))
                .with_help(format!(
                    "keep one folder for `{id}`: merge the two (locale tags ignore case) and delete the other"
                )),
            );
            continue;
        }
        seen.insert(id.clone(), display.clone());
        if wanted.as_ref().is_some_and(|w| !w.contains(&id)) {
            continue;
        }
        // A locale folder may be a link to a repository of its own, and it
        // is then a root its articles, includes and summary entries may be
        // read from. A link to a folder that holds content/ (the project
        // itself, or above it) would make that whole folder a root: an
        // article linking to `.git/config` (where CI checkouts keep their
        // token) or to any file of the project would be published.
        if let (Ok(real), Ok(content_real)) = (dir.canonicalize(), content.canonicalize())
            && content_real.starts_with(&real)
        {
            diagnostics.push(
                Diagnostic::error(
                    "outside-root",
                    format!(
                        "`{display}` is a link to a folder that holds the content folder; every file under it would be an input"
                    ),
                )
                .at(Location::file(&display))
                .with_help(
                    "a locale folder may be a link to a folder of that locale's articles only (e.g. another repository's checkout); link to that folder instead",
                ),
            );
            continue;
        }
        let roots = content_roots(&content, [dir.as_path()]);
        match read_locale(&dir, &display, &roots) {
            Ok((articles, summary, tocs, landings, links)) => {
                unsure.extend(links.into_iter().map(|file| (locales.len(), file)));
                locales.push(LocaleContent {
                    roots,
                    id,
                    langid,
                    dir,
                    articles,
                    summary,
                    tocs,
                    landings,
                })
            }
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if let Some(wanted) = &wanted {
        for id in wanted {
            if !locales.iter().any(|l| &l.id == id) {
                diagnostics.push(
                    Diagnostic::error(
                        "missing-locale",
                        format!("book.toml lists locale `{id}` but content/{id}/ does not exist"),
                    )
                    .at(Location::file("book.toml"))
                    .with_help(
                        "create the folder or remove the locale from [output.rulebook] locales",
                    ),
                );
            }
        }
    }
    // Every file a build reads whole is checked before any is read: links
    // that lead out of the project's inputs, FIFOs, devices and oversized
    // files are errors. Articles and summaries here; locale data and
    // templates wherever they are in their folders; an include, a summary
    // entry or a media file of content/ where it is named (located at
    // the line that names it).
    // (a regular file listed in its locale folder is inside that folder
    // by construction: only links and special files are looked at)
    for (i, file) in &unsure {
        let l = &locales[*i];
        let Some(a) = l
            .articles
            .iter()
            .chain(&l.summary)
            .find(|a| &a.file == file)
        else {
            continue;
        };
        if let Err(refusal) = confine::check(&a.file, &l.roots) {
            diagnostics.push(refusal.diagnostic(&a.path));
        }
    }
    for name in ["locales", "templates"] {
        let dir = root.join(name);
        diagnostics.extend(confine::check_tree(
            &dir,
            name,
            &confine::real_roots([dir.as_path()]),
        ));
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    Ok(Project {
        root: root.to_path_buf(),
        content_root: content.canonicalize().ok(),
        config,
        locales,
    })
}

/// The real paths of `content/` and of the given locale folders.
pub fn content_roots<'a>(
    content: &'a Path,
    locales: impl IntoIterator<Item = &'a Path>,
) -> Vec<PathBuf> {
    let mut roots = confine::real_roots(std::iter::once(content).chain(locales));
    roots.sort();
    roots.dedup();
    roots
}

/// A locale folder's articles, its SUMMARY.md, its DocFX TOCs, and which of them are not
/// regular files (links and special files, to be checked before they are
/// read).
/// (articles, SUMMARY.md, TOCs, landing pages, files to check).
type Listed = (
    Vec<Article>,
    Option<Article>,
    Vec<Article>,
    Vec<Article>,
    Vec<PathBuf>,
);

fn read_locale(dir: &Path, display: &str, roots: &[PathBuf]) -> Result<Listed, Diagnostics> {
    let found = tree::walk(dir, display, roots).map_err(Diagnostics)?;
    let mut articles = Vec::new();
    let mut summary = None;
    let mut tocs = Vec::new();
    let mut landings = Vec::new();
    let mut unsure = Vec::new();
    for tree::Found {
        relative,
        file,
        regular,
        toc,
        landing,
    } in found
    {
        if !regular {
            unsure.push(file.clone());
        }
        let article = Article::new(&file, &format!("{display}/{relative}"));
        if landing {
            landings.push(article);
        } else if toc {
            tocs.push(article);
        } else if relative == "SUMMARY.md" {
            summary = Some(article);
        } else {
            articles.push(article);
        }
    }
    Ok((articles, summary, tocs, landings, unsure))
}

/// Read one file as UTF-8: the article and its text.
pub fn read_article(file: &Path, path: &str) -> Result<(Article, String), Diagnostic> {
    let article = Article::new(file, path);
    let text = article.read()?;
    Ok((article, text))
}

/// The SHA-256 of `bytes` in lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Check every `[!INCLUDE]` of a document: the file it names must
/// exist and lie inside the content tree. Paths are resolved against the
/// including article's folder and canonicalized, so neither `..` nor a
/// symbolic link can reach outside it (a site build would otherwise copy any
/// readable file of the machine into the output).
/// `roots` are [`Project::content_roots`].
pub(crate) fn check_document_includes(
    root: &Path,
    roots: &[PathBuf],
    document: &Document,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for block in document.blocks() {
        if let docfx::Block::Include { path, pos, .. } = block {
            let file = root.join(&document.path);
            let location = Location::new(&document.path, pos.line, pos.col);
            if let Err(d) = resolve_include_in(roots, &file, path) {
                diagnostics.push(d.at(location));
            }
        }
    }
    diagnostics
}

/// The canonical path of an include, or why it cannot be used, confined to
/// any of `roots` (canonical): `content/` and the locale folders, one of
/// which may be a link to elsewhere. `article` is the including file's path.
pub(crate) fn resolve_include_in(
    roots: &[PathBuf],
    article: &Path,
    include: &str,
) -> Result<PathBuf, Diagnostic> {
    // DocFX allows `(<path>)` for paths with spaces.
    let include = include.trim();
    let include = include
        .strip_prefix('<')
        .and_then(|p| p.strip_suffix('>'))
        .unwrap_or(include);
    let outside = || {
        Diagnostic::error(
            "include-outside-root",
            format!("`{include}` points outside the content folder"),
        )
        .with_help("included files must live under content/ (e.g. content/includes/); copy the file there and point at it with a relative path")
    };
    let missing = || {
        Diagnostic::error("include-missing", format!("`{include}` does not exist")).with_help(
            "fix the path (it is relative to the article's folder) or add the file under content/",
        )
    };
    let relative = Path::new(include);
    if include.is_empty() || include.contains("://") {
        return Err(missing());
    }
    if relative.has_root()
        || relative
            .components()
            .any(|c| matches!(c, std::path::Component::Prefix(_)))
    {
        return Err(outside());
    }
    let dir = article.parent().unwrap_or(Path::new("."));
    let joined = dir.join(relative);
    let inside = |real: &Path| roots.iter().any(|r| real.starts_with(r));
    match joined.canonicalize() {
        Ok(real) if !inside(&real) => Err(outside()),
        Ok(real) => match confine::check(&real, roots) {
            Ok(real) => Ok(real),
            Err(confine::Refusal::NotRegular("a folder")) => Err(missing()),
            Err(refusal) => {
                let d = refusal.diagnostic(include);
                Err(Diagnostic {
                    location: None,
                    ..d
                })
            }
        },
        Err(_) => {
            // Missing: still say "outside" when the path itself climbs out.
            let Ok(dir) = dir.canonicalize() else {
                return Err(missing());
            };
            if roots.iter().all(|r| escapes(&dir.join(relative), r)) {
                Err(outside())
            } else {
                Err(missing())
            }
        }
    }
}

/// Whether a path, with `..` and `.` resolved lexically, leaves `root`.
fn escapes(path: &Path, root: &Path) -> bool {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    !normal.starts_with(root)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shared_folders_are_not_locales() {
        for name in ["includes", "media", "images"] {
            assert!(super::is_shared_folder(name), "{name}");
        }
        for name in ["en", "zh-TW", "ja-JP", "fil-PH", "english (US)", "zh_tw"] {
            assert!(!super::is_shared_folder(name), "{name}");
        }
    }
}
