//! Article and data files' bytes to text: UTF-8 only, a byte-order mark
//! dropped, classic Mac line endings read as LF.

use crate::diag::{Diagnostic, Location};
use crate::position::LineIndex;

/// UTF-8 text with any byte-order mark removed and CR line endings read as
/// LF (see [`decode_checked`]).
pub fn decode(bytes: Vec<u8>, path: &str) -> Result<String, Diagnostic> {
    decode_checked(bytes, path).map(|(text, _)| text)
}

/// [`decode`], with a warning when the text had lines ended by a CR alone
/// (classic Mac OS). Markdown counts a lone CR as a line ending, but the
/// frontmatter and every line number would not: the whole file would be line
/// 1 and its frontmatter text. A lone CR becomes LF in place (one byte for
/// one), so offsets in the text are those of the file (after a byte-order mark).
pub(crate) fn decode_checked(
    mut bytes: Vec<u8>,
    path: &str,
) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    let mut first_cr = None;
    for i in memchr::memchr_iter(b'\r', &bytes).collect::<Vec<_>>() {
        if bytes.get(i + 1) != Some(&b'\n') {
            first_cr.get_or_insert(i);
            bytes[i] = b'\n';
        }
    }
    let bom = if bytes.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    let text = decode_utf8(bytes, path)?;
    let warning = first_cr.map(|at| {
        let at = at.saturating_sub(bom);
        let (line, col) = LineIndex::new(&text).line_col(&text, at);
        Diagnostic::warning(
            "cr-line-endings",
            "lines end with a carriage return alone (classic Mac OS); they are read as line feeds",
        )
        .at(Location::new(path, line, col))
        .with_help("save the file with LF (or CRLF) line endings, e.g. `mac2unix FILE`")
    });
    Ok((text, warning))
}

fn decode_utf8(bytes: Vec<u8>, path: &str) -> Result<String, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, col) = LineIndex::new(&prefix).line_col(&prefix, valid);
            Err(Diagnostic::error(
                "not-utf8",
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02x} at offset {valid})",
                    bytes[valid]
                ),
            )
            .at(Location::new(path, line, col))
            .with_help("save the file as UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8`)"))
        }
    }
}
