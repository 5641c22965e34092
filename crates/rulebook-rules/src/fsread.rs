//! Reading files a caller names (a rules file, message files) without
//! trusting them: never blocking on a special file, never reading more than
//! a bound.

use std::io::Read;
use std::path::Path;

/// Open a file for reading without ever waiting: a regular file reads as
/// usual, but one of the kernel's (`/proc/kmsg`, which stats as regular) or
/// a FIFO returns an error (or nothing) instead of blocking the reader for
/// good.
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

/// The whole of `reader`, or `None` when it holds more than `limit` bytes
/// (read one byte past the limit rather than trusting metadata, which a
/// pipe or a growing file would not report truthfully).
pub(crate) fn read_bounded(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
