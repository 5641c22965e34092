//! Change detection by polling: a snapshot of every source file's size,
//! modification time and inode, compared with the previous one.
//!
//! Polling rather than OS notifications: it works the same on every file
//! system (network mounts and containers included), sees editors' atomic
//! saves (rename over the file) as plainly as in-place writes, and the
//! watched tree is small (hundreds of files).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The sources a build reads, relative to the root.
pub(super) const WATCHED: [&str; 4] = ["content", "locales", "templates", "book.toml"];

/// Bounds on the walk, so a huge tree cannot hang it: deep enough for every
/// file the build reads (`content/`, the locale folder, then as many
/// folders as the content walk goes), and each real folder is walked once,
/// so folder links that loop end as they do in the build.
const MAX_DEPTH: usize = crate::load::tree::MAX_DEPTH + 2;
const MAX_FILES: usize = 100_000;

/// A file changed this recently may change again within the same
/// modification-time tick; its content is hashed too.
const RECENT: Duration = Duration::from_secs(2);
const HASH_LIMIT: u64 = 4 << 20;

#[derive(Debug, Clone)]
struct Entry {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
    recent_hash: Option<u64>,
}

/// Every watched file, sorted by path. Compare with [`Snapshot::differs_from`]:
/// a file that stops being recent loses its hash without changing.
#[derive(Debug, Clone, Default)]
pub(super) struct Snapshot(Vec<Entry>);

/// Look at every watched file under `root`, skipping `out` (when it lies
/// inside a watched folder), hidden files and editors' backup files.
pub(super) fn snapshot(root: &Path, out: &Path) -> Snapshot {
    let now = SystemTime::now();
    let mut entries = Vec::new();
    let mut stack: Vec<(PathBuf, usize)> = WATCHED
        .iter()
        .map(PathBuf::from)
        .chain(style_sheets(root))
        .map(|w| (w, 0))
        .collect();
    let mut walked = std::collections::HashSet::new();
    while let Some((rel, depth)) = stack.pop() {
        if entries.len() >= MAX_FILES {
            break;
        }
        let path = root.join(&rel);
        if path == out {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if depth >= MAX_DEPTH {
                continue;
            }
            // a folder reached again through a link: its files are watched
            // already (two links to a parent would otherwise double the
            // walk at every level)
            if !path.canonicalize().is_ok_and(|real| walked.insert(real)) {
                continue;
            }
            let Ok(dir) = std::fs::read_dir(&path) else {
                continue;
            };
            for entry in dir.filter_map(Result::ok) {
                let name = entry.file_name();
                if !is_ignored(&name.to_string_lossy()) {
                    stack.push((rel.join(name), depth + 1));
                }
            }
        } else if meta.is_file() {
            let modified = meta.modified().ok();
            let recent = modified
                .and_then(|m| now.duration_since(m).ok())
                .is_none_or(|age| age < RECENT);
            let recent_hash = (recent && meta.len() <= HASH_LIMIT)
                .then(|| read_bounded(&path))
                .flatten()
                .map(|bytes| {
                    let mut h = DefaultHasher::new();
                    bytes.hash(&mut h);
                    h.finish()
                });
            entries.push(Entry {
                path: rel,
                len: meta.len(),
                modified,
                inode: inode(&meta),
                recent_hash,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Snapshot(entries)
}

/// `[output.html] additional-css` of the project's book.toml: style
/// sheets the build copies into every book, wherever in the project they
/// are. Only paths inside the project are watched (the build refuses the
/// others); a book.toml that does not parse names none.
fn style_sheets(root: &Path) -> Vec<PathBuf> {
    let Some(text) =
        read_bounded(&root.join("book.toml")).and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return Vec::new();
    };
    let Ok(config) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let sheets = config
        .get("output")
        .and_then(|o| o.get("html"))
        .and_then(|h| h.get("additional-css"))
        .and_then(toml::Value::as_array);
    sheets
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .map(PathBuf::from)
        .filter(|p| {
            p.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .collect()
}

/// Files added, removed or changed between two snapshots, sorted.
pub(super) fn changed(before: &Snapshot, after: &Snapshot) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let (mut a, mut b) = (before.0.iter().peekable(), after.0.iter().peekable());
    loop {
        match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(x), None) => {
                paths.push(x.path.clone());
                a.next();
            }
            (None, Some(y)) => {
                paths.push(y.path.clone());
                b.next();
            }
            (Some(x), Some(y)) => match x.path.cmp(&y.path) {
                std::cmp::Ordering::Less => {
                    paths.push(x.path.clone());
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    paths.push(y.path.clone());
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    if !same_file_state(x, y) {
                        paths.push(x.path.clone());
                    }
                    a.next();
                    b.next();
                }
            },
        }
    }
    paths
}

/// A file that merely stopped being recent (so lost its hash) is unchanged.
fn same_file_state(x: &Entry, y: &Entry) -> bool {
    let hashes_agree = match (x.recent_hash, y.recent_hash) {
        (Some(p), Some(q)) => p == q,
        _ => true,
    };
    x.len == y.len && x.modified == y.modified && x.inode == y.inode && hashes_agree
}

impl Snapshot {
    /// Whether anything differs that a build would see.
    pub(super) fn differs_from(&self, other: &Snapshot) -> bool {
        self.0.len() != other.0.len()
            || self
                .0
                .iter()
                .zip(&other.0)
                .any(|(x, y)| x.path != y.path || !same_file_state(x, y))
    }
}

/// Hidden files, vim swap files, emacs lock and backup files; but not the
/// dot files a build reads (a DocFX repository's redirect file), or editing
/// a redirect would not rebuild.
fn is_ignored(name: &str) -> bool {
    if name == crate::site::redirects::FILE {
        return false;
    }
    name.starts_with('.') || name.starts_with('#') || name.ends_with('~')
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// A watched file's bytes, at most [`HASH_LIMIT`] of them, never waiting:
/// a watched file may be a link to anything (the build refuses such links,
/// but the watcher sees them first), and `/proc/kmsg` or a FIFO opened for
/// a plain read would block the watcher for good.
fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    crate::load::confine::open_nonblocking(path)
        .ok()?
        .take(HASH_LIMIT + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_files_as_deep_as_the_build_reads_and_ends_in_folder_link_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let out = root.join("book");
        // the deepest folder the content walk lists, under a locale folder
        let deep: PathBuf = std::iter::once("content/en".to_owned())
            .chain((0..crate::load::tree::MAX_DEPTH).map(|i| format!("d{i}")))
            .collect();
        std::fs::create_dir_all(root.join(&deep)).unwrap();
        let first = snapshot(root, &out);
        std::fs::write(root.join(&deep).join("a.md"), "deep").unwrap();
        assert_eq!(changed(&first, &snapshot(root, &out)), [deep.join("a.md")]);
        // two links to the folder above at every level: 2^depth paths if
        // each were walked, one walk of each real folder here
        #[cfg(unix)]
        {
            let mut d = root.join("content/en");
            for i in 0..3 {
                std::os::unix::fs::symlink("..", d.join("up")).unwrap();
                std::os::unix::fs::symlink("..", d.join("again")).unwrap();
                d = d.join(format!("d{i}"));
            }
            let looped = snapshot(root, &out);
            assert_eq!(looped.0.len(), 1, "{:?}", looped.0);
        }
    }

    #[test]
    fn sees_the_style_sheets_book_toml_adds_inside_the_project_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join("theme")).unwrap();
        std::fs::write(root.join("theme/extra.css"), "a {}").unwrap();
        std::fs::write(dir.path().join("outside.css"), "b {}").unwrap();
        std::fs::write(
            root.join("book.toml"),
            "[output.html]\nadditional-css = [\"theme/extra.css\", \"../outside.css\"]\n",
        )
        .unwrap();
        let out = root.join("book");
        let first = snapshot(&root, &out);
        std::fs::write(root.join("theme/extra.css"), "a { color: red }").unwrap();
        std::fs::write(dir.path().join("outside.css"), "b { color: red }").unwrap();
        assert_eq!(
            changed(&first, &snapshot(&root, &out)),
            [PathBuf::from("theme/extra.css")]
        );
    }

    #[test]
    fn sees_edits_additions_and_removals_but_not_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let out = root.join("book");
        std::fs::create_dir_all(root.join("content/en")).unwrap();
        std::fs::write(root.join("content/en/a.md"), "one").unwrap();
        std::fs::write(root.join("book.toml"), "[book]").unwrap();
        let first = snapshot(root, &out);
        assert!(!first.differs_from(&snapshot(root, &out)));

        std::fs::write(root.join("content/en/.a.md.swp"), "x").unwrap();
        std::fs::write(root.join("content/en/a.md~"), "x").unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("rules.json"), "{}").unwrap();
        assert!(!first.differs_from(&snapshot(root, &out)));

        // Same size, same tick: only the content hash tells.
        std::fs::write(root.join("content/en/a.md"), "two").unwrap();
        std::fs::write(root.join("content/en/b.md"), "new").unwrap();
        std::fs::remove_file(root.join("book.toml")).unwrap();
        // a dot file the build reads
        std::fs::write(
            root.join("content/en/.openpublishing.redirection.json"),
            "{}",
        )
        .unwrap();
        let second = snapshot(root, &out);
        assert!(second.differs_from(&first));
        assert_eq!(
            changed(&first, &second),
            [
                "book.toml",
                "content/en/.openpublishing.redirection.json",
                "content/en/a.md",
                "content/en/b.md"
            ]
            .map(PathBuf::from)
        );
    }
}
