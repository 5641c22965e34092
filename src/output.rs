//! The output folder: the refusal of folders a build may not write
//! ([`out_dir`]), and the staging folder a build writes into and commits in
//! one step ([`Staging`]), so the output is always a whole build.

use std::path::{Path, PathBuf};

use crate::cache;
use crate::fsutil::Counting;

pub(crate) mod out_dir;

/// A writer that hashes what passes through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hash: xxhash_rust::xxh3::Xxh3,
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The new output being written beside `out`, put in place by
/// [`Staging::commit`] only when everything succeeded; until then `out` is
/// not touched. Files the new output has unchanged are not written again
/// but kept ([`Staging::keep`]): the staging folder holds only what is new.
/// The commit then either moves the new files into `out` (a few files
/// changed: undone if it fails half way, see
/// [`crate::fsutil::commit_in_place`]) or, when most of the output is new,
/// links the kept files into the staging folder and swaps the two folders
/// (atomically on Linux). Dropped without a commit, the staging folder
/// removes itself.
///
/// What interrupted builds left beside `out`: the staging folder of a
/// build killed before its commit is removed when the next build starts
/// (it is nothing but scratch); one whose commit was cut short (it has a
/// journal) is never carried out, and is removed only after a build put a
/// whole output in place: a build that fails changes nothing. A commit cut
/// short left `out` without its cache manifest, so that build trusted
/// nothing of it (every file it kept had the bytes it would have written)
/// and its commit made `out` whole.
///
/// A build holds a lock (on the folder holding `out`) from start to
/// commit: the files it keeps are only the ones it looked at while no
/// other build could change them.
#[derive(Debug)]
pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    committed: bool,
    /// Files of `out` (relative) that the new output has as they are.
    kept: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// Leftovers of builds that are no longer running, removed after the
    /// commit.
    stale: Vec<PathBuf>,
    /// The folders made to hold the output (deepest first): a build that
    /// fails removes them again (when still empty).
    made: Vec<PathBuf>,
    /// Held until the staging is dropped (closing the file frees it).
    _lock: Option<std::fs::File>,
}

/// The file a commit moves in last, and removes from the output first: the
/// cache manifest, without which nothing in the output is reused.
fn manifest_path() -> PathBuf {
    Path::new(cache::DIR).join(cache::MANIFEST)
}

impl Staging {
    pub fn new(out: &Path) -> std::io::Result<Self> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "book".to_owned());
        // folders made for the output, removed again if the build fails
        let made: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_err())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(&parent)?;
        // Advisory, and only where the platform has it: a build that
        // cannot lock still builds, as before there was a lock.
        let lock = crate::fsutil::lock_dir(&parent);
        let (tmp_prefix, old_prefix) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
        let mut stale = Vec::new();
        for entry in std::fs::read_dir(&parent)?.filter_map(Result::ok) {
            let n = entry.file_name().to_string_lossy().into_owned();
            // `<pid>` or `<pid>-<n>`
            let pid = n
                .strip_prefix(&tmp_prefix)
                .or_else(|| n.strip_prefix(&old_prefix))
                .map(|rest| rest.split('-').next().unwrap_or(rest));
            // a folder of a build still running (e.g. `serve` beside a
            // `build`) is not a leftover
            if let Some(pid) = pid
                && !process_alive(pid)
            {
                // a staging folder whose commit never began is only an
                // unfinished build's scratch: gone now. One with a journal
                // (its commit cut short) and an old output moved aside
                // stay until this build has put a whole output in place.
                let begun = entry.path().join(crate::fsutil::JOURNAL).exists();
                if n.starts_with(&tmp_prefix) && !begun {
                    let _ = std::fs::remove_dir_all(entry.path());
                } else {
                    stale.push(entry.path());
                }
            }
        }
        // a name no folder has: one this process left (a commit it could
        // not undo) is a leftover, never written into again
        let pid = std::process::id();
        let mut tmp = parent.join(format!("{tmp_prefix}{pid}"));
        let mut n = 0;
        loop {
            match std::fs::create_dir(&tmp) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => {
                    n += 1;
                    tmp = parent.join(format!("{tmp_prefix}{pid}-{n}"));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Staging {
            tmp,
            out: out.to_path_buf(),
            committed: false,
            kept: Default::default(),
            stale,
            made,
            _lock: lock,
        })
    }

    /// The output being replaced (read for what is kept).
    pub fn live(&self) -> &Path {
        &self.out
    }

    /// The new output has `rel` (a file of the old one) as it is.
    pub fn keep(&self, rel: impl Into<PathBuf>) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(rel.into());
        }
    }

    /// Write a small file of the output (a page, a script): kept as it is
    /// when the old output has these very bytes, so an unchanged file is
    /// neither written nor moved.
    pub(crate) fn write_file(&self, rel: impl AsRef<Path>, bytes: &[u8]) -> std::io::Result<()> {
        let rel = rel.as_ref();
        let old = self.out.join(rel);
        let same = std::fs::metadata(&old)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && std::fs::read(&old).is_ok_and(|b| b == bytes);
        if same {
            self.keep(rel);
            return Ok(());
        }
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes)
    }

    /// The bytes of `rel` in the new output: staged, or kept from the old.
    pub fn read(&self, rel: impl AsRef<Path>) -> std::io::Result<Vec<u8>> {
        let rel = rel.as_ref();
        match std::fs::read(self.tmp.join(rel)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::read(self.out.join(rel)),
            r => r,
        }
    }

    /// The folder to write the new output into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// A file written by `write`, through a count of its bytes, buffered
    /// and fingerprinted; returns what `write` returned and the
    /// fingerprint.
    pub(crate) fn write_with<R>(
        &self,
        rel: &str,
        write: impl FnOnce(
            &mut Counting<std::io::BufWriter<HashingWriter<std::fs::File>>>,
        ) -> std::io::Result<R>,
    ) -> std::io::Result<(R, String)> {
        let file = self.create(rel)?;
        let mut out = Counting::new(std::io::BufWriter::with_capacity(
            1 << 16,
            HashingWriter {
                inner: file,
                hash: xxhash_rust::xxh3::Xxh3::new(),
            },
        ));
        let result = write(&mut out)?;
        let hashing = out.inner.into_inner().map_err(|e| e.into_error())?;
        Ok((result, format!("{:032x}", hashing.hash.digest128())))
    }

    /// The file to write the data file `rel` into. (Writing over the
    /// copy a previous commit kept of it was faster, but took that copy out
    /// of the output: a build that then failed had changed the output.)
    fn create(&self, rel: &str) -> std::io::Result<std::fs::File> {
        std::fs::File::create(self.tmp.join(rel))
    }

    /// Put the new output in place of the old.
    pub fn commit(mut self) -> std::io::Result<()> {
        let kept = std::mem::take(
            &mut *self
                .kept
                .lock()
                .map_err(|_| std::io::Error::other("kept files poisoned"))?,
        );
        let staged = crate::fsutil::walk(&self.tmp)?.0.len();
        if !kept.is_empty() && kept.len() >= staged && self.out.is_dir() {
            // Few files new: moved into the old output, the rest stays.
            // If this fails half way, it is undone: the output is the old.
            crate::fsutil::commit_in_place(&self.tmp, &self.out, &kept, Some(&manifest_path()))?;
            self.committed = true;
            self.remove_stale();
            return Ok(());
        }
        // Most of it new: the kept files join the staged ones and the two
        // folders are swapped, which readers see as one step.
        for rel in &kept {
            let to = self.tmp.join(rel);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let from = self.out.join(rel);
            std::fs::hard_link(&from, &to).or_else(|_| std::fs::copy(&from, &to).map(|_| ()))?;
        }
        let parent = self.tmp.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = self
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "book".to_owned());
        crate::fsutil::swap_dir(
            &self.tmp,
            &self.out,
            &parent.join(format!(".{name}.old-{}", std::process::id())),
        )?;
        self.committed = true;
        self.remove_stale();
        Ok(())
    }

    /// Remove what interrupted builds left beside the output, now that
    /// the output is whole and new (a failure only leaves them for the
    /// next build).
    pub(crate) fn remove_stale(&self) {
        for dir in &self.stale {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Whether the process that named a staging folder is a rulebook still
/// running (Linux: `/proc/<pid>/comm` names the same program as ours; a
/// reused pid of another program, or any other system, counts as gone).
fn process_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    let comm = |p: &str| std::fs::read_to_string(Path::new("/proc").join(p).join("comm")).ok();
    match (comm(&pid.to_string()), comm("self")) {
        (Some(theirs), Some(ours)) => theirs == ours,
        _ => false,
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // a commit that failed and could not be undone keeps what is left
        // of the old output (in its staging folder, with its journal)
        if !self.committed && !self.tmp.join(crate::fsutil::JOURNAL).exists() {
            let _ = std::fs::remove_dir_all(&self.tmp);
            for dir in &self.made {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}
