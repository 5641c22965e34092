//! File-system helpers with the guarantees the outputs promise.

use std::io::Write;
use std::path::Path;

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
