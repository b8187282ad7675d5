//! Reading a Python file and decoding it to text the way CPython does: a UTF-8 byte-order mark,
//! a PEP 263 coding cookie on line 1 or 2, UTF-8 by default.
//!
//! Decoding problems that CPython reports as `SyntaxError` (unknown encoding, BOM with another
//! cookie, bytes the declared encoding cannot decode) come back as [`DecodeError`], which the
//! caller records as a per-file error rather than a syntax error: the file is not Python text.

use std::borrow::Cow;
use std::fmt;

/// Largest file loupe reads; bigger files are reported instead of analysed (a generated 50 MB
/// module would otherwise dominate a whole run's memory).
pub const MAX_SOURCE_BYTES: u64 = 20 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Why bytes could not be turned into Python source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (line {})", self.message, self.line)
    }
}

/// Decodes `bytes` as a Python source file.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    let (has_bom, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let cookie = find_cookie(body);
    let encoding = match &cookie {
        Some((line, name)) => {
            let normal = normal_name(name);
            // CPython compares its own normal name, in which `utf8` is not `utf-8`.
            let cpython_normal = name.to_ascii_lowercase().replace('_', "-");
            if has_bom && !(cpython_normal == "utf-8" || cpython_normal.starts_with("utf-8-")) {
                return Err(DecodeError { line: *line, message: format!("encoding problem: {name} with BOM") });
            }
            Some((*line, name.clone(), normal))
        }
        None => None,
    };
    if body.contains(&0) {
        return Err(DecodeError {
            line: line_of_offset(body, body.iter().position(|b| *b == 0).unwrap_or(0)),
            message: "source code cannot contain null bytes (is this a binary file?)".to_string(),
        });
    }
    match encoding.as_ref().map(|(line, name, normal)| (*line, name.as_str(), normal.as_str())) {
        None | Some((_, _, "utf-8")) => decode_utf8(body),
        Some((_, _, "iso-8859-1")) => Ok(Cow::Owned(body.iter().map(|b| *b as char).collect())),
        Some((_, _, "ascii")) => match body.iter().position(|b| !b.is_ascii()) {
            None => decode_utf8(body),
            Some(at) => Err(undecodable(body, at, "ascii")),
        },
        Some((line, name, normal)) => {
            let Some(encoding) = encoding_rs::Encoding::for_label_no_replacement(normal.as_bytes()) else {
                return Err(DecodeError { line, message: format!("unknown encoding: {name}") });
            };
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            if had_errors {
                return Err(DecodeError { line, message: format!("bytes that are not valid {name} in the file") });
            }
            Ok(Cow::Owned(text.into_owned()))
        }
    }
}

fn decode_utf8(body: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| undecodable(body, e.valid_up_to(), "utf-8"))
}

fn undecodable(body: &[u8], at: usize, encoding: &str) -> DecodeError {
    DecodeError {
        line: line_of_offset(body, at),
        message: format!(
            "byte 0x{:02x} at offset {at} is not valid {encoding}; declare the file's encoding with a \
             `# -*- coding: NAME -*-` line (PEP 263) or re-save it as UTF-8",
            body[at]
        ),
    }
}

fn line_of_offset(body: &[u8], offset: usize) -> usize {
    body[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// The PEP 263 cookie: `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on line 1, or on line 2 when
/// line 1 is blank or only a comment (CPython's tokenizer rule).
fn find_cookie(body: &[u8]) -> Option<(usize, String)> {
    let mut lines = body.split(|b| *b == b'\n');
    let first = lines.next()?;
    if let Some(name) = cookie_in_line(first) {
        return Some((1, name));
    }
    let first_trimmed = trim_start(first);
    let first_is_comment_or_blank = first_trimmed.is_empty() || first_trimmed[0] == b'#' || first_trimmed == b"\r";
    if !first_is_comment_or_blank {
        return None;
    }
    lines.next().and_then(cookie_in_line).map(|name| (2, name))
}

fn trim_start(line: &[u8]) -> &[u8] {
    let start = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\x0c')).unwrap_or(line.len());
    &line[start..]
}

fn cookie_in_line(line: &[u8]) -> Option<String> {
    let rest = trim_start(line);
    if rest.first() != Some(&b'#') {
        return None;
    }
    let mut search = &rest[1..];
    while let Some(at) = find(search, b"coding") {
        let after = &search[at + 6..];
        if let Some(&sep) = after.first() {
            if sep == b':' || sep == b'=' {
                let value = trim_blanks(&after[1..]);
                let len = value
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
                    .unwrap_or(value.len());
                if len > 0 {
                    return Some(String::from_utf8_lossy(&value[..len]).into_owned());
                }
            }
        }
        search = &search[at + 6..];
    }
    None
}

fn trim_blanks(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(s.len());
    &s[start..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CPython's `get_normal_name` plus Python's codec-name normalisation (`_` and `-` alike), so
/// that the name can be handed to encoding_rs's WHATWG labels.
fn normal_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    let starts = |p: &str| lower == p || lower.starts_with(&format!("{p}-"));
    if starts("utf-8") || lower == "utf8" || lower == "u8" {
        return "utf-8".into();
    }
    if ["latin-1", "iso-8859-1", "iso-latin-1", "latin1", "iso8859-1", "l1", "8859", "cp819"].iter().any(|p| starts(p))
    {
        return "iso-8859-1".into();
    }
    if matches!(lower.as_str(), "ascii" | "us-ascii" | "646") {
        return "ascii".into();
    }
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_cookie_decodes_every_byte() {
        let text = decode(b"# -*- coding: latin-1 -*-\ns = '\xe9\x80'\n").unwrap();
        assert!(text.contains("'\u{e9}\u{80}'"));
    }

    #[test]
    fn cookie_on_line_two_only_after_a_comment() {
        assert!(decode(b"#!/usr/bin/python\n# coding: koi8-r\ns = '\xc1'\n").unwrap().contains('\u{430}'));
        assert!(decode(b"x = 1\n# coding: koi8-r\ns = '\xc1'\n").is_err());
    }

    #[test]
    fn bom_with_another_cookie_is_an_error() {
        let err = decode(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n").unwrap_err();
        assert!(err.message.contains("with BOM"), "{err}");
        assert_eq!(decode(b"\xef\xbb\xbfx = 1\n").unwrap(), "x = 1\n");
    }

    #[test]
    fn unknown_encoding_and_bad_utf8_are_errors() {
        assert!(decode(b"# coding: uft-8\n").unwrap_err().message.contains("unknown encoding: uft-8"));
        let err = decode(b"x = 1\ny = '\xff'\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("0xff"));
    }
}
