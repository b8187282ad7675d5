//! bandit's B613 (Trojan Source, CVE-2021-42574): bidirectional control characters in the source
//! can make code read differently from how it runs. Like bandit, the first line holding one is
//! reported once per file, lines split as Python's `str.splitlines` splits them, and the column is
//! bandit's (the character's index in the line plus one).

use crate::analyze::report::{Finding, Level};

/// bandit's `BIDI_CHARACTERS`, in its order: on a line with several, the first of these wins.
const BIDI: [char; 10] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    '\u{200f}',
];

/// The B613 finding of a decoded source file, if any.
pub fn check(source: &str) -> Option<Finding> {
    if source.is_ascii() {
        return None;
    }
    for (index, line) in python_lines(source).enumerate() {
        for c in BIDI {
            if let Some(at) = line.find(c) {
                return Some(Finding {
                    test_id: "B613",
                    test_name: "trojansource",
                    line: index + 1,
                    column: line[..at].chars().count() + 1,
                    severity: Level::High,
                    confidence: Level::Medium,
                    cwe: 838,
                    // Python's repr of these (unprintable) characters.
                    message: format!(
                        "A Python source file contains bidirectional control characters ('\\u{:04x}').",
                        c as u32
                    ),
                });
            }
        }
    }
    None
}

/// Lines as `str.splitlines` makes them: broken at `\n`, `\r\n`, `\r`, `\v`, `\f`, `\x1c`-`\x1e`,
/// `\x85`, U+2028 and U+2029.
fn python_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let is_break =
            |c: char| matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        let (line, next) = match rest.char_indices().find(|(_, c)| is_break(*c)) {
            Some((at, '\r')) if rest[at + 1..].starts_with('\n') => (&rest[..at], &rest[at + 2..]),
            Some((at, c)) => (&rest[..at], &rest[at + c.len_utf8()..]),
            None => (rest, ""),
        };
        rest = next;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_python() {
        let lines: Vec<&str> = python_lines("a\r\nb\rc\u{2028}d\x0ce\n").collect();
        assert_eq!(lines, ["a", "b", "c", "d", "e"]);
    }
}
