//! Confinement of the files a build reads: every input is a regular file
//! whose real path lies under one of the project's input roots.
//!
//! Content comes from contributors (pull requests, translation vendors), so
//! a name or a link in it is not trusted: an article that is a symbolic link
//! to `/proc/self/environ` would publish the build machine's secrets, a FIFO
//! would hang the build and a link to `/dev/zero` would eat its memory. The
//! roots are canonical, so a locale folder that is itself a link (DocFX teams
//! keep one repository per locale) is confined to its own real path.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Location};

/// The largest input file a build reads (an article, an include, a locale
/// data file, a template): far above any real article, far below what
/// would hurt.
pub(crate) const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Why an input file cannot be read.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Its real path is under none of the roots.
    Outside,
    /// A FIFO, socket or device (or a link to one): never opened.
    NotRegular(&'static str),
    /// Larger than [`MAX_INPUT_BYTES`].
    TooLarge(u64),
    Io(std::io::Error),
}

impl Refusal {
    /// The refusal as a diagnostic about `display` (a project-relative path).
    pub(crate) fn diagnostic(&self, display: &str) -> Diagnostic {
        match self {
            Refusal::Outside => Diagnostic::error(
                "outside-root",
                format!("`{display}` is a link to a file outside the project's inputs"),
            )
            .with_help(
                "content, locale data and templates must be files inside the project \
                 (a locale folder may be a link to another repository); copy the file in \
                 instead of linking to it",
            ),
            Refusal::NotRegular(kind) => Diagnostic::error(
                "not-a-file",
                format!("`{display}` is {kind}, not a regular file; it was not read"),
            )
            .with_help("remove it, or replace it with the regular file it stands for"),
            Refusal::TooLarge(size) => Diagnostic::error(
                "file-too-large",
                format!(
                    "`{display}` is {size} bytes or more; an input may be at most {MAX_INPUT_BYTES} bytes"
                ),
            )
            .with_help("split the file; no article or data file needs to be this large"),
            Refusal::Io(e) => Diagnostic::error("unreadable", format!("cannot read `{display}`: {e}"))
                .with_help("check that the file exists and can be read"),
        }
        .at(Location::file(display))
    }
}

/// The canonical form of each existing root (a missing one is left out).
pub(crate) fn real_roots<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Vec<PathBuf> {
    dirs.into_iter()
        .filter_map(|d| d.canonicalize().ok())
        .collect()
}

/// What a file is, for a refusal: `None` for a regular file or a folder.
fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Check a file without reading it: its real path is under one of `roots`
/// (canonical, [`real_roots`]; none means nowhere), and it is a regular
/// file of at most [`MAX_INPUT_BYTES`]. Returns the real path.
pub(crate) fn check(file: &Path, roots: &[PathBuf]) -> Result<PathBuf, Refusal> {
    // a file that is not there is said so in one call: resolving each
    // part of its path first costs a call per part (media a tree lacks
    // are looked for in two folders on every build)
    std::fs::metadata(file).map_err(Refusal::Io)?;
    let real = file.canonicalize().map_err(Refusal::Io)?;
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(Refusal::Outside);
    }
    check_kind(real)
}

/// [`check`] for a file whose place was settled already (listed under its
/// root) or that the user named (on the command line, `book.toml`): only
/// what it is and its size.
pub(crate) fn check_any(file: &Path) -> Result<PathBuf, Refusal> {
    check_kind(file.canonicalize().map_err(Refusal::Io)?)
}

fn check_kind(real: PathBuf) -> Result<PathBuf, Refusal> {
    let meta = std::fs::metadata(&real).map_err(Refusal::Io)?;
    if let Some(kind) = special_kind(&meta) {
        return Err(Refusal::NotRegular(kind));
    }
    if meta.is_dir() {
        return Err(Refusal::NotRegular("a folder"));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(Refusal::TooLarge(meta.len()));
    }
    Ok(real)
}

/// Read an input file after [`check`]ing it. The read itself is bounded
/// too: a file that grows while it is read (or lies about its size, as
/// `/proc` files do) stops at the limit.
pub(crate) fn read(file: &Path, roots: &[PathBuf]) -> Result<Vec<u8>, Refusal> {
    read_checked(check(file, roots)?)
}

/// [`read`] after [`check_any`].
pub(crate) fn read_any(file: &Path) -> Result<Vec<u8>, Refusal> {
    read_checked(check_any(file)?)
}

fn read_checked(real: PathBuf) -> Result<Vec<u8>, Refusal> {
    let f = open_nonblocking(&real).map_err(Refusal::Io)?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Open a file for reading without ever waiting: a regular file reads as
/// usual, but one of the kernel's (`/proc/kmsg`, which stats as regular)
/// returns an error instead of blocking the build for good.
pub(crate) fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Every problem of the files under `dir` (shown as `display` + the
/// relative path): links that lead outside `roots`, special files, files
/// too large. Names starting with `.` are passed over (`.git`, editors'
/// swap files): a build reads none of them. Links to folders are followed
/// when they stay inside; a folder is visited once.
pub(crate) fn check_tree(dir: &Path, display: &str, roots: &[PathBuf]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(dir.to_path_buf(), display.to_owned())];
    while let Some((dir, shown)) = stack.pop() {
        let Ok(real) = dir.canonicalize() else {
            continue;
        };
        if !seen.insert(real) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let display = format!("{shown}/{name}");
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push((path, display));
                continue;
            }
            if kind.is_symlink() {
                match path.canonicalize() {
                    Ok(real) if !roots.iter().any(|r| real.starts_with(r)) => {
                        found.push(Refusal::Outside.diagnostic(&display));
                        continue;
                    }
                    Ok(real) if real.is_dir() => {
                        stack.push((path, display));
                        continue;
                    }
                    Ok(_) => {}
                    // a dangling link: reading it fails where it is read
                    Err(_) => continue,
                }
            }
            if let Err(refusal) = check(&path, roots) {
                found.push(refusal.diagnostic(&display));
            }
        }
    }
    found.sort_by(|a, b| a.location.cmp(&b.location));
    found
}

/// A path written in content (a summary link, an include, a media path),
/// relative to a folder, with `.` and `..` resolved without touching the
/// disk; `None` when it is absolute or climbs above that folder. A page
/// is written at the path its chapter names, so a chapter path must stay
/// inside its locale whatever the disk holds.
pub(crate) fn lexically_inside(relative: &Path) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_paths_stay_inside() {
        assert_eq!(
            lexically_inside(Path::new("a/../b/./c.md")),
            Some(PathBuf::from("b/c.md"))
        );
        for bad in ["../x.md", "a/../../x.md", "/etc/passwd", "./../x"] {
            assert_eq!(lexically_inside(Path::new(bad)), None, "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_out_fifos_and_devices_are_refused_without_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(tmp.path().join("secret"), "s").unwrap();
        std::fs::write(root.join("ok.md"), "ok").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("out.md")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.md")).unwrap();
        std::os::unix::fs::symlink(root.join("ok.md"), root.join("in.md")).unwrap();
        let fifo =
            std::ffi::CString::new(root.join("fifo.md").to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let roots = real_roots([root.as_path()]);
        assert_eq!(read(&root.join("ok.md"), &roots).unwrap(), b"ok");
        assert_eq!(read(&root.join("in.md"), &roots).unwrap(), b"ok");
        assert!(matches!(
            read(&root.join("out.md"), &roots),
            Err(Refusal::Outside)
        ));
        // /dev/zero is outside too; wherever it may be, it is a device
        assert!(matches!(
            read_any(&root.join("zero.md")),
            Err(Refusal::NotRegular("a device"))
        ));
        // no roots: nothing is inside
        assert!(matches!(
            read(&root.join("ok.md"), &[]),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            read(&root.join("fifo.md"), &roots),
            Err(Refusal::NotRegular("a FIFO"))
        ));
        let codes: Vec<_> = check_tree(&root, "root", &roots)
            .into_iter()
            .map(|d| (d.location.map(|l| l.path).unwrap_or_default(), d.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("root/fifo.md".to_owned(), "not-a-file"),
                ("root/out.md".to_owned(), "outside-root"),
                ("root/zero.md".to_owned(), "outside-root"),
            ]
        );
    }
}
