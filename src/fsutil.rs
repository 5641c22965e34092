//! File-system helpers with the guarantees the outputs promise.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a file so that readers see either the old content or the new, never a
/// half-written one: write a temporary file beside it, sync, then rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
pub(crate) fn swap_dir(new: &Path, out: &Path, aside: &Path) -> std::io::Result<()> {
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
/// it marks a staging folder whose commit began. Nobody carries a journal
/// out later: a commit that fails is undone at once, and one cut short (the
/// process killed) leaves an output without its manifest, which the next
/// build that succeeds rewrites whole (see [`commit_in_place`]).
pub(crate) const JOURNAL: &str = ".commit";

/// Where, inside the staging folder, a commit puts the files of the output
/// it takes away (the manifest first, files the new output does not have,
/// old files where they cannot be exchanged): moved, never deleted, until
/// the commit is complete, so that it can be undone.
const DISPLACED: &str = ".commit.displaced";

/// What committing a staged output in place does, written down before any
/// of it is done (for whoever looks at a staging folder a killed build
/// left: what it was doing).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Journal {
    /// Files moved from the staging folder into the output (relative).
    moves: Vec<PathBuf>,
    /// Files of the output the new one does not have.
    deletes: Vec<PathBuf>,
    /// Folders of the output the new one does not have, deepest first.
    dirs: Vec<PathBuf>,
    /// Taken from the output before anything else is touched and moved
    /// in after everything else: the cache manifest, which says that the
    /// output is whole and what it was made from.
    last: Option<PathBuf>,
}

/// Put a staged output in place of `out` by moving only its files in:
/// `staging` holds the files that are new or changed, `kept` names the
/// files of `out` that the new output has as they are. Every other file of
/// `out` is deleted. `last` (relative) goes first out and last in.
///
/// Each file is replaced by one exchange (or two renames), so a reader sees
/// the old file or the new, never half of one. All or nothing:
/// - a step that fails undoes every step before it, in reverse (the old
///   files were moved aside, not deleted, until `last` is in), and the
///   error is returned with `out` as it was and `staging` removed; only if
///   the undo itself fails is `staging` left, holding the old files;
/// - a commit cut short (the process killed) leaves `out` without `last`,
///   so nothing of it is trusted: the next build that succeeds compares
///   every file it keeps byte for byte and rewrites the rest, and removes
///   the staging folder left behind. A build that fails never touches it.
pub(crate) fn commit_in_place(
    staging: &Path,
    out: &Path,
    kept: &HashSet<PathBuf>,
    last: Option<&Path>,
) -> std::io::Result<()> {
    commit_with(staging, out, kept, last, &mut Budget::Unlimited)
}

fn commit_with(
    staging: &Path,
    out: &Path,
    kept: &HashSet<PathBuf>,
    last: Option<&Path>,
    budget: &mut Budget,
) -> std::io::Result<()> {
    let (staged, _) = walk(staging)?;
    let (live, live_dirs) = walk(out)?;
    let staged: HashSet<PathBuf> = staged
        .into_iter()
        .filter(|p| p != Path::new(JOURNAL))
        .collect();
    let wanted = |p: &PathBuf| staged.contains(p) || kept.contains(p);
    let mut needed_dirs: HashSet<&Path> = HashSet::new();
    for p in staged.iter().chain(kept) {
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
    let journal = Journal {
        moves,
        deletes,
        dirs,
        last: last.filter(|l| staged.contains(*l)).map(Path::to_path_buf),
    };
    let json = serde_json::to_vec(&journal).map_err(std::io::Error::other)?;
    let pending = staging.join(format!("{JOURNAL}.tmp"));
    std::fs::write(&pending, json)?;
    std::fs::rename(&pending, staging.join(JOURNAL))?;
    let mut done = Vec::new();
    match apply(staging, out, &journal, budget, &mut done) {
        Ok(Applied::Whole) => {}
        // cut short (tests): as if killed, everything stays where it is
        Ok(Applied::Cut) => return Ok(()),
        Err(e) => {
            if undo(staging, out, done).is_ok() {
                let _ = std::fs::remove_dir_all(staging);
            }
            return Err(e);
        }
    }
    // The commit is complete: what follows only tidies up, and a failure
    // there must not fail a build whose output is in place (the staging
    // folder is then a leftover the next build removes).
    let _ = std::fs::remove_dir_all(staging);
    Ok(())
}

/// Undo the steps of a commit that failed half way, latest first, so that
/// the output is the old one again.
fn undo(staging: &Path, out: &Path, done: Vec<Done>) -> std::io::Result<()> {
    let displaced = staging.join(DISPLACED);
    let mut result = Ok(());
    for step in done.into_iter().rev() {
        let undone = match &step {
            Done::Displaced(rel) => {
                let to = out.join(rel);
                to.parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::rename(displaced.join(rel), to))
            }
            Done::Exchanged(rel) => exchange(&staging.join(rel), &out.join(rel)),
            Done::Moved(rel) | Done::MovedOver(rel) => {
                std::fs::rename(out.join(rel), staging.join(rel))
            }
            Done::MadeDir(rel) => std::fs::remove_dir(out.join(rel)),
            Done::RemovedDir(rel) => std::fs::create_dir(out.join(rel)),
        };
        // a step that cannot be undone stops the undo: what is left of the
        // old output stays in the staging folder, and the manifest (undone
        // last) stays out of the output, so nothing of it is trusted
        if let Err(e) = undone {
            result = Err(e);
            break;
        }
    }
    result
}

/// One step of a commit, as it is undone.
enum Done {
    /// A file of the output moved into the staging folder's
    /// [`DISPLACED`] folder.
    Displaced(PathBuf),
    /// A staged file exchanged with the output's: the old one is now in
    /// the staging folder.
    Exchanged(PathBuf),
    /// A staged file moved into the output where there was none.
    Moved(PathBuf),
    /// A staged file moved into the output after the old one was
    /// displaced (where files cannot be exchanged).
    MovedOver(PathBuf),
    /// A folder of the output made for a new file.
    MadeDir(PathBuf),
    /// An empty folder of the output removed.
    RemovedDir(PathBuf),
}

/// How many steps of a journal to carry out: all, or (tests) only so many,
/// as if the process were killed after them, or failing at the next one.
enum Budget {
    Unlimited,

    #[cfg(test)]
    Steps(usize),
    #[cfg(test)]
    FailAfter(usize),
}

impl Budget {
    /// Whether another step may be taken (`Ok(false)`: cut short here).
    fn take(&mut self) -> std::io::Result<bool> {
        match self {
            Budget::Unlimited => Ok(true),
            #[cfg(test)]
            Budget::Steps(0) => Ok(false),
            #[cfg(test)]
            Budget::FailAfter(0) => Err(std::io::Error::other("injected failure")),
            #[cfg(test)]
            Budget::Steps(n) | Budget::FailAfter(n) => {
                *n -= 1;
                Ok(true)
            }
        }
    }
}

/// How [`apply`] ended without an error.
enum Applied {
    Whole,
    Cut,
}

/// Carry out a journal, recording each step in `done` as it is made.
fn apply(
    staging: &Path,
    out: &Path,
    journal: &Journal,
    budget: &mut Budget,
    done: &mut Vec<Done>,
) -> std::io::Result<Applied> {
    let displaced = staging.join(DISPLACED);
    // A file of the output taken away: moved into the staging folder.
    let displace = |rel: &Path, done: &mut Vec<Done>| -> std::io::Result<()> {
        let to = displaced.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match std::fs::rename(out.join(rel), to) {
            Ok(()) => {
                done.push(Done::Displaced(rel.to_path_buf()));
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    };
    // Folders the new file needs, made one by one so they can be removed.
    let make_dirs = |rel: &Path, done: &mut Vec<Done>| -> std::io::Result<()> {
        let mut missing: Vec<&Path> = rel
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .take_while(|a| std::fs::symlink_metadata(out.join(a)).is_err())
            .collect();
        missing.reverse();
        for dir in missing {
            std::fs::create_dir(out.join(dir))?;
            done.push(Done::MadeDir(dir.to_path_buf()));
        }
        Ok(())
    };
    // A file replacing one of the output is exchanged with it (the old
    // one, now in the staging folder, removed once the commit is whole): a
    // rename over a file makes ext4 (`auto_da_alloc`) allocate and start
    // writing back the new file and free the old one inside the rename,
    // which takes time in proportion to the file (BENCHMARKS.md, 'What each
    // optimisation buys'); an exchange is a directory update.
    // Where files cannot be exchanged, the old one is displaced first.
    let move_in = |rel: &Path, done: &mut Vec<Done>| -> std::io::Result<()> {
        let (from, to) = (staging.join(rel), out.join(rel));
        let old = std::fs::symlink_metadata(&to);
        if old.as_ref().is_ok_and(std::fs::Metadata::is_file) {
            if exchange(&from, &to).is_ok() {
                done.push(Done::Exchanged(rel.to_path_buf()));
                return Ok(());
            }
            displace(rel, done)?;
            std::fs::rename(from, to)?;
            done.push(Done::MovedOver(rel.to_path_buf()));
            return Ok(());
        }
        if old.is_err() {
            make_dirs(rel, done)?;
        }
        // over a link (replaced, never followed) or a folder (an error:
        // the commit is undone)
        std::fs::rename(from, to)?;
        done.push(Done::Moved(rel.to_path_buf()));
        Ok(())
    };
    let last = journal.last.as_deref();
    if let Some(last) = last {
        if !budget.take()? {
            return Ok(Applied::Cut);
        }
        displace(last, done)?;
    }
    for rel in &journal.moves {
        if !budget.take()? {
            return Ok(Applied::Cut);
        }
        move_in(rel, done)?;
    }
    for rel in &journal.deletes {
        if !budget.take()? {
            return Ok(Applied::Cut);
        }
        displace(rel, done)?;
    }
    for rel in &journal.dirs {
        if !budget.take()? {
            return Ok(Applied::Cut);
        }
        // a folder still holding something not listed stays
        if std::fs::remove_dir(out.join(rel)).is_ok() {
            done.push(Done::RemovedDir(rel.clone()));
        }
    }
    if let Some(last) = last {
        if !budget.take()? {
            return Ok(Applied::Cut);
        }
        move_in(last, done)?;
    }
    Ok(Applied::Whole)
}

/// The files and the folders under `dir`, relative to it (symbolic links
/// count as files: they are moved or deleted, never followed).
pub(crate) fn walk(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
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
pub(crate) fn lock_dir(dir: &Path) -> Option<std::fs::File> {
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

/// A writer that counts the bytes written through it, and while `tap` is
/// set also hashes them (the rules array is fingerprinted as it is
/// written, not read back).
pub(crate) struct Counting<W> {
    pub inner: W,
    pub pos: u64,
    pub tap: Option<xxhash_rust::xxh3::Xxh3>,
}

impl<W> Counting<W> {
    pub(crate) fn new(inner: W) -> Counting<W> {
        Counting {
            inner,
            pos: 0,
            tap: None,
        }
    }
}

impl<W: std::io::Write> std::io::Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        if let Some(tap) = &mut self.tap {
            tap.update(&buf[..n]);
        }
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)?;
        self.pos += buf.len() as u64;
        if let Some(tap) = &mut self.tap {
            tap.update(buf);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
        commit_in_place(&staging, &out, &kept, Some(manifest)).unwrap();
        assert_eq!(tree(&out), expected());
        assert!(!out.join("fr").exists(), "a folder with nothing left goes");
        assert!(!staging.exists());
    }

    /// The next build's commit over whatever `out` holds: the files that
    /// equal the new output's are kept (as `Staging::write_file` keeps
    /// them, by their bytes), the others staged anew.
    fn next_build(dir: &Path, out: &Path) {
        let staging = dir.join(".book.tmp-2");
        let have = tree(out);
        let mut kept = HashSet::new();
        for (rel, bytes) in expected() {
            if have.get(&rel) == Some(&bytes) {
                kept.insert(rel);
            } else {
                write(
                    &staging,
                    rel.to_str().unwrap(),
                    std::str::from_utf8(&bytes).unwrap(),
                );
            }
        }
        std::fs::create_dir_all(&staging).unwrap();
        let manifest = Path::new(".rulebook/manifest.json");
        commit_in_place(&staging, out, &kept, Some(manifest)).unwrap();
    }

    /// A commit cut short after any number of its steps (the process
    /// killed): until it is complete the manifest is missing (nothing of
    /// the output is trusted), and the next build's own commit gives what
    /// the whole commit gives.
    #[test]
    fn a_commit_cut_short_at_any_step_leaves_no_manifest_and_the_next_build_makes_it_whole() {
        let manifest = Path::new(".rulebook/manifest.json");
        for steps in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let (out, staging, kept) = setup(dir.path());
            let old = tree(&out);
            let mut budget = Budget::Steps(steps);
            commit_with(&staging, &out, &kept, Some(manifest), &mut budget).unwrap();
            // a whole commit removes its staging folder
            let cut = staging.exists();
            let now = tree(&out);
            if steps == 0 {
                assert_eq!(now, old, "nothing done yet");
            } else if cut {
                assert!(!out.join(manifest).exists(), "cut after {steps} steps");
            }
            next_build(dir.path(), &out);
            assert_eq!(tree(&out), expected(), "cut after {steps} steps");
            if !cut {
                assert!(!staging.exists());
                break;
            }
        }
    }

    /// A commit that fails at any of its steps is undone: the output is
    /// the old one, file for file and folder for folder, and the staging
    /// folder is gone.
    #[test]
    fn a_commit_that_fails_at_any_step_leaves_the_old_output() {
        let manifest = Path::new(".rulebook/manifest.json");
        for steps in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let (out, staging, kept) = setup(dir.path());
            let (old, old_dirs) = (tree(&out), walk(&out).unwrap().1);
            let mut budget = Budget::FailAfter(steps);
            let result = commit_with(&staging, &out, &kept, Some(manifest), &mut budget);
            if result.is_ok() {
                assert_eq!(tree(&out), expected());
                break;
            }
            assert_eq!(tree(&out), old, "failed after {steps} steps");
            let mut dirs = walk(&out).unwrap().1;
            dirs.sort();
            let mut old_dirs = old_dirs.clone();
            old_dirs.sort();
            assert_eq!(dirs, old_dirs, "failed after {steps} steps");
            assert!(!staging.exists(), "failed after {steps} steps");
        }
    }

    /// A real failure: a folder where a new file goes (a rename cannot put
    /// a file over it, whoever runs the build) fails the commit after the
    /// manifest and other files were moved; all of it is undone.
    #[test]
    fn a_commit_that_cannot_move_a_file_in_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging, kept) = setup(dir.path());
        std::fs::create_dir_all(out.join("en/zz.html")).unwrap();
        write(&staging, "en/zz.html", "new");
        let before = tree(&out);
        let manifest = Path::new(".rulebook/manifest.json");
        let failed = commit_in_place(&staging, &out, &kept, Some(manifest));
        assert!(failed.is_err());
        assert_eq!(tree(&out), before);
        assert!(out.join("fr").is_dir() && out.join("en/zz.html").is_dir());
        assert!(!staging.exists());
    }
}
