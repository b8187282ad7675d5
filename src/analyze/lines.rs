//! Byte offsets to 1-based line and column numbers.

/// Start offsets of every line of a text (lines end at `\n`; a `\r\n` pair counts once).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
        }
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let offset = offset.min(text.len());
        let column = text.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start);
        (line, column + 1)
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(0)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_in_characters() {
        let text = "a\r\né = 1\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, 0), (1, 1));
        let x = text.find('x').unwrap();
        assert_eq!(index.line_column(text, x), (3, 1));
        let one = text.find('1').unwrap();
        assert_eq!(index.line_column(text, one), (2, 5));
    }
}
