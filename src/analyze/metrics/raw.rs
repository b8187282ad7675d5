//! Raw line counts exactly as radon 6 computes them (`radon.raw.analyze`).
//!
//! radon strips every line, then tokenizes the smallest run of consecutive stripped lines that
//! tokenizes cleanly (a multi-line string or bracketed statement spans several), and classifies
//! each run: a lone comment, a lone string (a "docstring": one line counts as a single comment,
//! more lines as `multi`), or code. Logical lines are counted per run by its colons and
//! semicolons. This module reproduces that with a small tokenizer of its own, because ruff's
//! tokens (over the unstripped file) group lines differently in corner cases radon is known for,
//! such as a slice or dict colon counting as a second logical line.

use crate::analyze::report::RawMetrics;

/// radon's raw metrics of `source`.
pub fn analyze(source: &str) -> RawMetrics {
    let lines: Vec<&str> = python_splitlines(source).into_iter().map(python_strip).collect();
    let mut metrics = RawMetrics::default();
    let mut index = 0;
    while index < lines.len() {
        let mut end = index + 1;
        let mut tokenizer = Tokenizer::default();
        tokenizer.feed(lines[index], true);
        while !tokenizer.complete() && end < lines.len() {
            tokenizer.feed(lines[end], false);
            end += 1;
        }
        let run = tokenizer.run();
        let group = &lines[index..end];
        index = end;
        metrics.comments += run.tokens.iter().filter(|t| matches!(t, Token::Comment)).count();
        match run.tokens.as_slice() {
            [Token::Comment] => metrics.single_comments += 1,
            [Token::String { multiline: false }] => metrics.single_comments += 1,
            [Token::String { multiline: true }] => {
                metrics.multi += group.iter().filter(|l| !l.is_empty()).count();
                metrics.blank += group.iter().filter(|l| l.is_empty()).count();
            }
            _ => {
                metrics.sloc += group.iter().filter(|l| !l.is_empty()).count();
                metrics.blank += group.iter().filter(|l| l.is_empty()).count();
            }
        }
        metrics.lloc += logical_lines(&run.tokens);
    }
    metrics.loc = metrics.sloc + metrics.blank + metrics.multi + metrics.single_comments;
    metrics
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Comment,
    String { multiline: bool },
    Colon,
    Semicolon,
    Other,
}

struct Run {
    tokens: Vec<Token>,
}

/// radon's `_logical`: per `;`-separated part, 0 without code, 1 when a colon ends it (or
/// there is none), 2 when a colon is followed by more code.
fn logical_lines(tokens: &[Token]) -> usize {
    let significant: Vec<Token> = tokens.iter().copied().filter(|t| *t != Token::Comment).collect();
    let parts: Vec<&[Token]> = significant.split(|t| *t == Token::Semicolon).collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            // Python's token list ends with ENDMARKER, which only the last part sees.
            let len = part.len() + usize::from(i == last);
            match part.iter().rposition(|t| *t == Token::Colon) {
                Some(pos) => 2 - usize::from(pos + 2 == len),
                None => usize::from(!part.is_empty()),
            }
        })
        .sum()
}

/// radon's tokenizer run, fed one stripped line at a time so a long run (a 10,000-line string
/// literal) costs linear time instead of re-tokenizing the growing buffer as radon does.
#[derive(Default)]
struct Tokenizer {
    tokens: Vec<Token>,
    depth: i32,
    /// Inside a string literal: its quote, whether triple-quoted, whether it spans lines.
    open_string: Option<(char, bool, bool)>,
    continued: bool,
}

impl Tokenizer {
    /// False when the line ends inside a bracket, a string or after a line continuation
    /// (Python's tokenize raises TokenError or yields an error token, and radon adds a line).
    fn complete(&self) -> bool {
        self.depth <= 0 && self.open_string.is_none() && !self.continued
    }

    fn run(self) -> Run {
        Run { tokens: self.tokens }
    }

    fn feed(&mut self, line: &str, first: bool) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        if !first {
            if let Some((_, _, multiline)) = self.open_string.as_mut() {
                *multiline = true;
            }
        }
        self.continued = false;
        if self.open_string.is_some() {
            i = self.continue_string(&chars, 0);
        }
        while i < chars.len() {
            let c = chars[i];
            match c {
                ' ' | '\t' | '\x0c' | '\r' => i += 1,
                '#' => {
                    self.tokens.push(Token::Comment);
                    return;
                }
                '\\' => {
                    if i + 1 >= chars.len() {
                        self.continued = true;
                        return;
                    }
                    i += 1;
                }
                '\'' | '"' => i = self.start_string(&chars, i),
                '(' | '[' | '{' => {
                    self.depth += 1;
                    self.tokens.push(Token::Other);
                    i += 1;
                }
                ')' | ']' | '}' => {
                    self.depth -= 1;
                    self.tokens.push(Token::Other);
                    i += 1;
                }
                ':' if chars.get(i + 1) == Some(&'=') => {
                    self.tokens.push(Token::Other);
                    i += 2;
                }
                ':' => {
                    self.tokens.push(Token::Colon);
                    i += 1;
                }
                ';' => {
                    self.tokens.push(Token::Semicolon);
                    i += 1;
                }
                c if c.is_alphanumeric() || c == '_' || !c.is_ascii() => {
                    let start = i;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || !chars[i].is_ascii()) {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
                    let is_prefix = matches!(word.as_str(), "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf");
                    if is_prefix && matches!(chars.get(i), Some('\'' | '"')) {
                        i = self.start_string(&chars, i);
                    } else {
                        // Numbers such as 1.5e-3: swallow the rest of the literal.
                        if chars[start].is_ascii_digit() {
                            while i < chars.len()
                                && (chars[i].is_alphanumeric()
                                    || chars[i] == '.'
                                    || ((chars[i] == '-' || chars[i] == '+')
                                        && matches!(chars[i - 1], 'e' | 'E')
                                        && !word.starts_with("0x")))
                            {
                                i += 1;
                            }
                        }
                        self.tokens.push(Token::Other);
                    }
                }
                _ => {
                    self.tokens.push(Token::Other);
                    i += 1;
                }
            }
        }
    }

    fn start_string(&mut self, chars: &[char], quote_at: usize) -> usize {
        let quote = chars[quote_at];
        let triple = chars.get(quote_at + 1) == Some(&quote) && chars.get(quote_at + 2) == Some(&quote);
        self.open_string = Some((quote, triple, false));
        self.continue_string(chars, quote_at + if triple { 3 } else { 1 })
    }

    /// Scans the open string from `i`; closes it (pushing its token) or leaves it open at the
    /// end of the line. An unterminated single-quoted string ends at the line end (an error
    /// token in Python; only invalid files have one).
    fn continue_string(&mut self, chars: &[char], mut i: usize) -> usize {
        let Some((quote, triple, multiline)) = self.open_string else { return i };
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                if i + 1 >= chars.len() {
                    return chars.len();
                }
                i += 2;
                continue;
            }
            if c == quote && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote))) {
                self.open_string = None;
                self.tokens.push(Token::String { multiline });
                return i + if triple { 3 } else { 1 };
            }
            i += 1;
        }
        let continued = chars.last() == Some(&'\\');
        if !triple && !continued {
            self.open_string = None;
            self.tokens.push(Token::String { multiline });
        }
        chars.len()
    }
}

/// Python's `str.splitlines()`: every Unicode line boundary, no trailing empty line.
fn python_splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let boundary =
            matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if boundary {
            lines.push(&text[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' {
                if let Some((_, '\n')) = iter.peek() {
                    iter.next();
                    next += 1;
                }
            }
            start = next;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `str.strip()`: Unicode whitespace, including the separators \x1c–\x1f.
fn python_strip(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_lines_follow_radons_colon_rule() {
        // Figures from radon 6.0.1 (`radon.raw.analyze`), run on these snippets.
        assert_eq!(analyze("if x: return 0\n").lloc, 2);
        assert_eq!(analyze("if x:\n    y = d[1:2]\n").lloc, 3);
        assert_eq!(analyze("x = 1; y = 2\n").lloc, 2);
    }
}
