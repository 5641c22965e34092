//! Byte offsets to 1-based line and column numbers.

use std::cell::Cell;

/// Start offsets of every line of one text, built once per file so that each
/// lookup is a binary search instead of a scan from the top (a scan per node
/// would make parsing quadratic in the file size).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    line_starts: Vec<usize>,
    /// The last lookup, as (byte offset, column). The parser asks for
    /// positions in file order, so counting characters on from there keeps a
    /// long line linear; counting from the line start each time made a long
    /// line of many segments quadratic.
    last: Cell<(usize, u32)>,
    /// The line of the last lookup.
    last_line: Cell<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            last: Cell::new((0, 1)),
            last_line: Cell::new(0),
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    /// Offsets past the end or inside a character are clamped, never a panic.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let (last_offset, last_col) = self.last.get();
        // Lookups come in file order, mostly on the line of the one before:
        // try that line before a binary search over all of them.
        let hint = self.last_line.get();
        let line = match self.line_starts.get(hint..hint + 2) {
            Some(&[s, next]) if s <= offset && offset < next => hint,
            _ => self.line_starts.partition_point(|&s| s <= offset) - 1,
        };
        self.last_line.set(line);
        let start = self.line_starts[line];
        let (from, from_col) = if (start..=offset).contains(&last_offset) {
            (last_offset, last_col)
        } else {
            (start, 1)
        };
        let col = match text.get(from..offset) {
            Some(run) => {
                let col = from_col + run.chars().count() as u32;
                self.last.set((offset, col));
                col
            }
            // inside a character: a byte count, and nothing cached
            None => (offset - start) as u32 + 1,
        };
        (line as u32 + 1, col)
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

    #[test]
    fn lookups_in_any_order_agree_with_a_fresh_count() {
        let text = "ab\n阿根廷x阿\n\nz阿b";
        let index = LineIndex::new(text);
        let fresh = |o: usize| LineIndex::new(text).line_col(text, o);
        let order: Vec<usize> = (0..=text.len())
            .chain((0..=text.len()).rev())
            .chain([5, 3, 12, 9, 18, 16])
            .collect();
        for o in order {
            assert_eq!(index.line_col(text, o), fresh(o), "offset {o}");
        }
    }

    #[test]
    fn a_long_line_is_linear() {
        let text = "阿".repeat(300_000);
        let index = LineIndex::new(&text);
        let start = std::time::Instant::now();
        for o in (0..text.len()).step_by(3 * 10) {
            assert_eq!(index.line_col(&text, o).1 as usize, o / 3 + 1);
        }
        assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
    }
}
