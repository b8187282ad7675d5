//! Where a line breakpoint goes, decided once for every backend: on its own line when that line
//! has code, else on the next line with code; an error past the end of the file or after its
//! last line with code. debugpy would move it to the *previous* line with code (and one past the
//! end to the last line), pdb refuses it; loupe gives one honest answer instead, from the code
//! lines Python itself reports (`code_lines.rs`), so it agrees with where the interpreter stops.

use std::collections::BTreeSet;
use std::path::Path;

/// What is known about a file's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLines {
    /// Lines in the file, as Python numbers them.
    pub count: i64,
    /// Lines where compiled code starts (`None`: Python could not tell, e.g. the file does not
    /// compile or there is no local interpreter; the backend then decides alone).
    pub code: Option<BTreeSet<i64>>,
}

/// Python's count of lines in `text`: line ends are `\n`, `\r\n` and `\r`, as its tokenizer reads.
pub fn count_lines(text: &[u8]) -> i64 {
    let mut count = 0;
    let mut i = 0;
    let mut at_line_start = true;
    while i < text.len() {
        at_line_start = false;
        match text[i] {
            b'\n' => {
                count += 1;
                at_line_start = true;
            }
            b'\r' => {
                count += 1;
                at_line_start = true;
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if at_line_start {
        count
    } else {
        count + 1
    }
}

/// The line a breakpoint requested at `line` of `file` goes on, or why it cannot be set.
pub fn place(file: &Path, line: i64, lines: &FileLines) -> Result<i64, String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
    if line > lines.count {
        let plural = if lines.count == 1 { "" } else { "s" };
        return Err(format!("line {line} is past the end of {name} ({} line{plural})", lines.count));
    }
    let Some(code) = &lines.code else { return Ok(line) };
    match code.range(line..).next() {
        Some(&placed) => Ok(placed),
        None => Err(match code.last() {
            Some(last) => format!("no code at or after line {line} of {name} (its last line with code is {last})"),
            None => format!("{name} has no code to stop at"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(count: i64, code: &[i64]) -> FileLines {
        FileLines { count, code: Some(code.iter().copied().collect()) }
    }

    #[test]
    fn counts_lines_as_python_does() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a"), 1);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b"a\n\nb"), 3);
        assert_eq!(count_lines(b"a\r\nb\r\n"), 2);
        assert_eq!(count_lines(b"a\rb\r"), 2);
    }

    #[test]
    fn a_line_without_code_moves_to_the_next_line_with_code() {
        let l = lines(20, &[2, 5, 6, 7, 12, 15, 20]);
        let file = Path::new("/x/demo.py");
        assert_eq!(place(file, 6, &l), Ok(6));
        assert_eq!(place(file, 3, &l), Ok(5));
        assert_eq!(place(file, 13, &l), Ok(15));
        assert_eq!(place(file, 40, &l), Err("line 40 is past the end of demo.py (20 lines)".into()));
        let trailing = lines(22, &[2, 5]);
        assert_eq!(
            place(file, 21, &trailing),
            Err("no code at or after line 21 of demo.py (its last line with code is 5)".into())
        );
        let unknown = FileLines { count: 20, code: None };
        assert_eq!(place(file, 3, &unknown), Ok(3));
    }
}
