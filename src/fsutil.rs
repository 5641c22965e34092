//! File-system helpers with the guarantees the outputs promise.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a file so that readers see either the old content or the new, never a
/// half-written one: write a temporary file beside it, sync, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Put the finished folder `new` in the place of `out`. Where the kernel can
/// (Linux `renameat2(RENAME_EXCHANGE)`), the two are swapped in one atomic
/// step, so that `out` always exists and is always whole, even if the process
/// is killed right then; `new` then holds the old output and is removed.
/// Elsewhere `out` is moved aside to `aside` first: a kill between the two
/// renames leaves no `out`, but never a mixed one.
pub fn swap_dir(new: &Path, out: &Path, aside: &Path) -> std::io::Result<()> {
    if !out.exists() {
        return std::fs::rename(new, out);
    }
    if exchange(new, out).is_ok() {
        let _ = std::fs::remove_dir_all(new);
        return Ok(());
    }
    std::fs::rename(out, aside)?;
    if let Err(e) = std::fs::rename(new, out) {
        let _ = std::fs::rename(aside, out);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(aside);
    Ok(())
}

/// Atomically exchange two paths (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call;
    // renameat2 reads them and keeps no pointer.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The commit journal's name inside a staging folder. It is renamed into
/// place whole, and only once everything the new output needs is staged:
/// a staging folder without one is an unfinished build, thrown away; one
/// with it is a commit to finish.
pub const JOURNAL: &str = ".commit";

/// What committing a staged output in place does, written down before any
/// of it is done, so that a commit cut short (the process killed) is
/// finished by the next build instead of leaving a mix behind.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Journal {
    /// Files moved from the staging folder into the output (relative).
    moves: Vec<PathBuf>,
    /// Files of the output the new one does not have.
    deletes: Vec<PathBuf>,
    /// Folders of the output the new one does not have, deepest first.
    dirs: Vec<PathBuf>,
    /// Removed from the output before anything else is touched and moved
    /// in after everything else: the cache manifest, which says that the
    /// output is whole and what it was made from.
    last: Option<PathBuf>,
    /// The inode of each staged file that replaces a file of the output
    /// (Linux): such a file is exchanged with the old one, which is then
    /// removed from the staging folder. The inode tells the two apart when
    /// a commit cut short between those steps is finished.
    #[serde(default)]
    replaces: BTreeMap<PathBuf, u64>,
    /// Replaced files whose old copy is kept (as a spare for the next
    /// build to write over) instead of removed: file → where in the output
    /// the old one goes.
    #[serde(default)]
    spares: BTreeMap<PathBuf, PathBuf>,
}

/// The inodes of the staged files among `moves` that replace a file of
/// `out` (none where files are not exchanged).
fn replaced_inodes(staging: &Path, out: &Path, moves: &[PathBuf]) -> BTreeMap<PathBuf, u64> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        moves
            .iter()
            .filter(|rel| std::fs::symlink_metadata(out.join(rel)).is_ok_and(|m| m.is_file()))
            .filter_map(|rel| {
                let meta = std::fs::symlink_metadata(staging.join(rel)).ok()?;
                Some((rel.clone(), meta.ino()))
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (staging, out, moves);
        BTreeMap::new()
    }
}

#[cfg(target_os = "linux")]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(target_os = "linux"))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// How many names a file has (1 where that cannot be told).
pub fn links(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(meta)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// Put a staged output in place of `out` by moving only its files in:
/// `staging` holds the files that are new or changed, `kept` names the
/// files of `out` that the new output has as they are. Every other file of
/// `out` is deleted. `last` (relative) goes first out and last in. A file
/// of `spares` that replaces one of `out` leaves the old one at the place
/// it maps to (where files are exchanged), and files already there stay.
///
/// Each file is replaced by one rename (or exchange), so a reader sees the old file or
/// the new, never half of one. The moves are written to a journal first;
/// a commit cut short is finished by [`finish_commit`] (the next build),
/// and until then `last` is missing, so nothing is trusted.
pub fn commit_in_place(
    staging: &Path,
    out: &Path,
    kept: &HashSet<PathBuf>,
    last: Option<&Path>,
    spares: &BTreeMap<PathBuf, PathBuf>,
) -> std::io::Result<()> {
    let (staged, _) = walk(staging)?;
    let (live, live_dirs) = walk(out)?;
    let staged: HashSet<PathBuf> = staged
        .into_iter()
        .filter(|p| p != Path::new(JOURNAL))
        .collect();
    let wanted =
        |p: &PathBuf| staged.contains(p) || kept.contains(p) || spares.values().any(|s| s == p);
    let mut needed_dirs: HashSet<&Path> = HashSet::new();
    for p in staged.iter().chain(kept).chain(spares.values()) {
        needed_dirs.extend(p.ancestors().skip(1));
    }
    let mut dirs: Vec<PathBuf> = live_dirs
        .into_iter()
        .filter(|d| !needed_dirs.contains(d.as_path()))
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let mut moves: Vec<PathBuf> = staged
        .iter()
        .filter(|p| Some(p.as_path()) != last)
        .cloned()
        .collect();
    moves.sort();
    let mut deletes: Vec<PathBuf> = live.into_iter().filter(|p| !wanted(p)).collect();
    deletes.sort();
    let replaces = replaced_inodes(staging, out, &moves);
    let journal = Journal {
        moves,
        deletes,
        dirs,
        last: last.filter(|l| staged.contains(*l)).map(Path::to_path_buf),
        replaces,
        spares: spares.clone(),
    };
    let json = serde_json::to_vec(&journal).map_err(std::io::Error::other)?;
    let pending = staging.join(format!("{JOURNAL}.tmp"));
    std::fs::write(&pending, json)?;
    std::fs::rename(&pending, staging.join(JOURNAL))?;
    apply(staging, out, &journal, &mut Budget::Unlimited)?;
    std::fs::remove_dir_all(staging)
}

/// Finish the commit a staging folder's journal describes, if it has one
/// (its build was killed while committing), and remove the folder. A
/// journal that cannot be carried out leaves `last` missing from `out`:
/// the output is then rebuilt in full, never trusted: `vouch` (the file a
/// commit moves last) is removed from `out`.
pub fn finish_commit(staging: &Path, out: &Path, vouch: &Path) {
    if let Ok(bytes) = std::fs::read(staging.join(JOURNAL)) {
        let done = serde_json::from_slice::<Journal>(&bytes)
            .map_err(std::io::Error::other)
            .and_then(|journal| apply(staging, out, &journal, &mut Budget::Unlimited));
        if done.is_err() {
            let _ = std::fs::remove_file(out.join(vouch));
        }
    }
    let _ = std::fs::remove_dir_all(staging);
}

/// How many steps of a journal to carry out: all, or (tests) only so many,
/// as if the process were killed after them.
enum Budget {
    Unlimited,
    #[cfg(test)]
    Steps(usize),
}

impl Budget {
    /// Whether another step may be taken.
    fn take(&mut self) -> bool {
        match self {
            Budget::Unlimited => true,
            #[cfg(test)]
            Budget::Steps(0) => false,
            #[cfg(test)]
            Budget::Steps(n) => {
                *n -= 1;
                true
            }
        }
    }
}

/// Carry out a journal; every step can be done again (a move whose source
/// is gone was made, a file already deleted stays deleted).
fn apply(
    staging: &Path,
    out: &Path,
    journal: &Journal,
    budget: &mut Budget,
) -> std::io::Result<()> {
    let gone = |r: std::io::Result<()>| match r {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        r => r,
    };
    let last = journal.last.as_deref();
    if let Some(last) = last {
        // moved in already: the commit was complete
        if std::fs::symlink_metadata(staging.join(last)).is_err() {
            return Ok(());
        }
        if !budget.take() {
            return Ok(());
        }
        gone(std::fs::remove_file(out.join(last)))?;
    }
    // A file replacing one of the output is exchanged with it, and the
    // old one, now in the staging folder, removed: a rename over a file
    // makes ext4 (`auto_da_alloc`) allocate and start writing back the new
    // file and free the old one inside the rename, 50 ms for a 48 MB
    // rules.json here; an exchange is a directory update.
    // The old file exchanged out: removed, or kept as a spare (see
    // `emit::SPARES`: removing a 48 MB rules.json took 14-17 ms, and
    // writing over a spare is cheaper than writing a new file).
    let retire = |from: &Path, rel: &Path| -> std::io::Result<()> {
        if let Some(spare) = journal.spares.get(rel) {
            let to = out.join(spare);
            let moved = to
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::rename(from, &to));
            if moved.is_ok() {
                return Ok(());
            }
        }
        gone(std::fs::remove_file(from))
    };
    let move_in = |rel: &Path, budget: &mut Budget| -> std::io::Result<()> {
        let from = staging.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&from) else {
            return Ok(());
        };
        let to = out.join(rel);
        if let Some(&ino) = journal.replaces.get(rel) {
            // not the staged file: the old one, exchanged out already
            if inode(&meta) != ino {
                return retire(&from, rel);
            }
            if exchange(&from, &to).is_ok() {
                if !budget.take() {
                    return Ok(());
                }
                return retire(&from, rel);
            }
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(from, to)
    };
    for rel in &journal.moves {
        if !budget.take() {
            return Ok(());
        }
        move_in(rel, budget)?;
    }
    for rel in &journal.deletes {
        if !budget.take() {
            return Ok(());
        }
        gone(std::fs::remove_file(out.join(rel)))?;
    }
    for rel in &journal.dirs {
        if !budget.take() {
            return Ok(());
        }
        // a folder still holding something not listed stays
        let _ = std::fs::remove_dir(out.join(rel));
    }
    if let Some(last) = last
        && budget.take()
    {
        move_in(last, budget)?;
    }
    Ok(())
}

/// The files and the folders under `dir`, relative to it (symbolic links
/// count as files: they are moved or deleted, never followed).
pub fn walk(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(path.clone());
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok((files, dirs))
}

/// Hold an exclusive advisory lock on `dir` (a folder) for as long as the
/// returned file is open; `None` where it cannot be had.
pub fn lock_dir(dir: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(dir).ok()?;
    lock(&file).then_some(file)
}

#[cfg(target_os = "linux")]
fn lock(file: &std::fs::File) -> bool {
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor is open for the whole call; flock only
    // changes the lock held through it.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn lock(_: &std::fs::File) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        walk(dir)
            .unwrap()
            .0
            .into_iter()
            .map(|rel| {
                let bytes = std::fs::read(dir.join(&rel)).unwrap();
                (rel, bytes)
            })
            .collect()
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// An old output and a staged new one: a changed page, a new page in
    /// a new folder, a page and a folder gone, a kept page, the manifest.
    fn setup(dir: &Path) -> (PathBuf, PathBuf, HashSet<PathBuf>) {
        let (out, staging) = (dir.join("book"), dir.join(".book.tmp-1"));
        write(&out, "en/kept.html", "kept");
        write(&out, "en/changed.html", "old");
        write(&out, "en/gone.html", "gone");
        write(&out, "fr/gone.html", "gone");
        write(&out, ".rulebook/manifest.json", "old manifest");
        write(&staging, "en/changed.html", "new");
        write(&staging, "de/new.html", "new page");
        write(&staging, ".rulebook/manifest.json", "new manifest");
        (out, staging, HashSet::from([PathBuf::from("en/kept.html")]))
    }

    fn expected() -> BTreeMap<PathBuf, Vec<u8>> {
        [
            ("en/kept.html", "kept"),
            ("en/changed.html", "new"),
            ("de/new.html", "new page"),
            (".rulebook/manifest.json", "new manifest"),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
        .collect()
    }

    #[test]
    fn a_commit_in_place_moves_the_new_files_in_and_removes_the_gone_ones() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging, kept) = setup(dir.path());
        let manifest = Path::new(".rulebook/manifest.json");
        commit_in_place(&staging, &out, &kept, Some(manifest), &BTreeMap::new()).unwrap();
        assert_eq!(tree(&out), expected());
        assert!(!out.join("fr").exists(), "a folder with nothing left goes");
        assert!(!staging.exists());
    }

    /// A replaced file named among the spares leaves its old copy at its
    /// spare's place (over an older spare); a spare the commit does not
    /// replace stays where it is.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_replaced_file_can_leave_its_old_copy_as_a_spare() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging, kept) = setup(dir.path());
        write(&out, ".rulebook/spare/changed.html", "older");
        write(&out, ".rulebook/spare/other.html", "other");
        let spares = BTreeMap::from([
            (
                "en/changed.html".into(),
                ".rulebook/spare/changed.html".into(),
            ),
            ("en/other.html".into(), ".rulebook/spare/other.html".into()),
        ]);
        let manifest = Path::new(".rulebook/manifest.json");
        commit_in_place(&staging, &out, &kept, Some(manifest), &spares).unwrap();
        let mut expected = expected();
        expected.insert(".rulebook/spare/changed.html".into(), b"old".to_vec());
        expected.insert(".rulebook/spare/other.html".into(), b"other".to_vec());
        assert_eq!(tree(&out), expected);
        assert!(!staging.exists());
    }

    /// A commit cut short after any number of its steps: until it is
    /// finished the manifest is missing (nothing of the output is
    /// trusted), and finishing it gives what the whole commit gives.
    #[test]
    fn a_commit_cut_short_at_any_step_is_finished_by_the_next_build() {
        let manifest = Path::new(".rulebook/manifest.json");
        for steps in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let (out, staging, _) = setup(dir.path());
            // the journal, as commit_in_place writes it
            let (staged, _) = walk(&staging).unwrap();
            let journal = Journal {
                moves: staged
                    .iter()
                    .filter(|p| p.as_path() != manifest)
                    .cloned()
                    .collect(),
                deletes: vec!["en/gone.html".into(), "fr/gone.html".into()],
                dirs: vec!["fr".into()],
                last: Some(manifest.to_path_buf()),
                replaces: BTreeMap::new(),
                spares: BTreeMap::from([(
                    PathBuf::from("en/changed.html"),
                    PathBuf::from(".rulebook/spare/changed.html"),
                )]),
            };
            let journal = Journal {
                replaces: replaced_inodes(&staging, &out, &journal.moves),
                ..journal
            };
            #[cfg(target_os = "linux")]
            assert!(
                journal.replaces.contains_key(Path::new("en/changed.html")),
                "a changed file is exchanged"
            );
            std::fs::write(staging.join(JOURNAL), serde_json::to_vec(&journal).unwrap()).unwrap();
            apply(&staging, &out, &journal, &mut Budget::Steps(steps)).unwrap();
            // the replaced page's old copy is kept as its spare
            let mut expected = expected();
            #[cfg(target_os = "linux")]
            expected.insert(".rulebook/spare/changed.html".into(), b"old".to_vec());
            let whole = tree(&out) == expected;
            if steps > 0 && !whole {
                assert!(!out.join(manifest).exists(), "cut after {steps} steps");
            }
            finish_commit(&staging, &out, manifest);
            assert_eq!(tree(&out), expected, "cut after {steps} steps");
            assert!(!staging.exists());
            if whole {
                break;
            }
        }
    }

    /// A staging folder without a journal is an unfinished build: thrown
    /// away, the output untouched.
    #[test]
    fn an_unfinished_staging_folder_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging, _) = setup(dir.path());
        let before = tree(&out);
        finish_commit(&staging, &out, Path::new(".rulebook/manifest.json"));
        assert_eq!(tree(&out), before);
        assert!(!staging.exists());
    }
}
