//! Byte offset → line and column, for the few errors this crate locates
//! itself (serde_json locates the rest). One lookup per error: a scan, not
//! an index.

/// 1-based (line, column) of a byte offset in `text`; the column counts
/// characters. An offset past the end or inside a character is clamped to
/// the character before it, never a panic.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let column = text[start..offset].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn lines_and_character_columns() {
        let text = "ab\n中文x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (1, 3));
        assert_eq!(line_col(text, 3), (2, 1));
        // after two three-byte characters: the third character
        assert_eq!(line_col(text, 9), (2, 3));
        // inside a character: the character it is part of
        assert_eq!(line_col(text, 4), (2, 1));
        // past the end: the end
        assert_eq!(line_col(text, 100), (3, 1));
    }
}
