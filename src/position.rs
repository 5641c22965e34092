//! Byte offsets to 1-based line and column numbers.

/// Start offsets of every line of one text, built once per file so that each
/// lookup is a binary search instead of a scan from the top (a scan per node
/// would make parsing quadratic in the file size).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    /// Offsets past the end or inside a character are clamped, never a panic.
    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_char_columns() {
        let text = "ab\n阿根廷x\n\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        // after three 3-byte characters: column 4
        assert_eq!(index.line_col(text, 12), (2, 4));
        assert_eq!(index.line_col(text, 15), (4, 1));
        assert_eq!(index.line_col(text, 999), (4, 2));
        // inside a multi-byte character: still a position, no panic
        assert_eq!(index.line_col(text, 4).0, 2);
    }
}
