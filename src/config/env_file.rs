//! `.env` files as VS Code's `envFile` reads them.
//!
//! The format, one entry a line:
//!
//! ```text
//! # a comment
//! KEY=value                  unquoted: trimmed, ` #...` after whitespace is a comment
//! export KEY=value           the `export ` prefix is accepted and ignored
//! KEY='literal ${NOT} \n'    single quotes: taken as written, no escapes, no expansion
//! KEY="line\nnext ${HOME}"   double quotes: \n \r \t \\ \" \$ escapes, `${VAR}` expansion
//! KEY=${OTHER}/bin           `${VAR}` and `${VAR:-default}` expand in unquoted values too
//! ```
//!
//! `${VAR}` looks at entries earlier in the file first, then at the process environment, and is
//! empty when neither has it (as in VS Code's Python extension). `\$` writes a literal `$`. A later
//! entry for the same key replaces the earlier one. Values cannot span lines.
//!
//! Unlike VS Code, which silently skips lines it cannot read, a malformed line is an error naming
//! its line number (never its value, which may be a secret).

use std::path::Path;

use anyhow::Context as _;

/// A line of a `.env` file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct EnvFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with the line and how to write it instead.
    pub problem: String,
}

/// Parses `.env` text, expanding `${VAR}` from earlier entries and the process environment.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, EnvFileError> {
    parse_with_environment(text, |name| std::env::var(name).ok())
}

/// Parses `.env` text, expanding `${VAR}` from earlier entries and then `lookup_environment`.
pub fn parse_with_environment(
    text: &str,
    lookup_environment: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, EnvFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries: Vec<(String, String)> = Vec::new();
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_number = index + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let at_line = |problem: String| EnvFileError { line: line_number, problem };
        let lookup = |name: &str| {
            entries
                .iter()
                .rev()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| lookup_environment(name))
        };
        let Some((key, value)) = parse_line(line, lookup).map_err(at_line)? else {
            continue;
        };
        match entries.iter_mut().find(|(existing, _)| *existing == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key, value)),
        }
    }
    Ok(entries)
}

/// Reads and parses the `.env` file at `path`.
pub fn load(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read env file {}", path.display()))?;
    parse(&text).map_err(|error| anyhow::anyhow!("env file {}: {error}", path.display()))
}

/// One line: `None` for blank lines and comments, `Some((key, value))` for an entry.
fn parse_line(line: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Option<(String, String)>, String> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let without_export = match trimmed.strip_prefix("export") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => trimmed,
    };
    let Some((raw_key, raw_value)) = without_export.split_once('=') else {
        return Err("expected KEY=VALUE (no `=` on this line)".to_string());
    };
    let key = raw_key.trim_end();
    if !is_valid_key(key) {
        return Err(format!(
            "{key:?} is not a valid variable name (use letters, digits and `_`, not starting \
             with a digit)"
        ));
    }
    let value = parse_value(raw_value.trim_start(), &lookup)?;
    Ok(Some((key.to_string(), value)))
}

fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(first) if first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(raw: &str, lookup: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    if let Some(rest) = raw.strip_prefix('\'') {
        let Some(end) = rest.find('\'') else {
            return Err("unterminated single-quoted value (values cannot span lines)".to_string());
        };
        expect_only_comment_after_quote(&rest[end + 1..])?;
        return Ok(rest[..end].to_string());
    }
    if let Some(rest) = raw.strip_prefix('"') {
        let Some(end) = find_closing_double_quote(rest) else {
            return Err("unterminated double-quoted value (values cannot span lines)".to_string());
        };
        expect_only_comment_after_quote(&rest[end + 1..])?;
        return expand(&rest[..end], true, lookup);
    }
    expand(strip_inline_comment(raw).trim_end(), false, lookup)
}

/// The byte index of the `"` closing a double-quoted value, skipping backslash escapes.
fn find_closing_double_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(index),
            _ => {}
        }
    }
    None
}

fn expect_only_comment_after_quote(after: &str) -> Result<(), String> {
    let after = after.trim_start();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err("unexpected text after the closing quote (quote the whole value)".to_string())
    }
}

/// Unquoted values end at a `#` that follows whitespace (`A=b#c` keeps its `#`).
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_is_space = false;
    for (index, c) in value.char_indices() {
        if c == '#' && previous_is_space {
            return &value[..index];
        }
        previous_is_space = c == ' ' || c == '\t';
    }
    value
}

/// Expands `${VAR}`, `${VAR:-default}` and `\$`; with `double_quoted`, also backslash escapes.
fn expand(text: &str, double_quoted: bool, lookup: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => match chars.peek().map(|&(_, next)| next) {
                Some('$') => {
                    chars.next();
                    out.push('$');
                }
                Some(next) if double_quoted => {
                    chars.next();
                    match next {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '\\' => out.push('\\'),
                        '"' => out.push('"'),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                _ => out.push('\\'),
            },
            '$' if text[index + 1..].starts_with('{') => {
                let body_start = index + 2;
                let Some(length) = text[body_start..].find('}') else {
                    return Err("`${` without a closing `}`".to_string());
                };
                let body = &text[body_start..body_start + length];
                out.push_str(&expand_reference(body, lookup)?);
                // Skip past the closing brace.
                while let Some(&(next_index, _)) = chars.peek() {
                    if next_index > body_start + length {
                        break;
                    }
                    chars.next();
                }
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The value of `${body}`: `NAME` or `NAME:-default` (default when unset or empty).
fn expand_reference(body: &str, lookup: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, default) = match body.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (body, None),
    };
    if !is_valid_key(name) {
        return Err(format!("`${{{body}}}` does not name a variable (write `${{NAME}}` or `${{NAME:-default}}`)"));
    }
    let value = lookup(name).unwrap_or_default();
    match default {
        Some(default) if value.is_empty() => Ok(default.to_string()),
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_isolated(text: &str) -> Result<Vec<(String, String)>, EnvFileError> {
        parse_with_environment(text, |name| match name {
            "HOME" => Some("/home/ada".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        })
    }

    fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn plain_entries_comments_and_blank_lines() {
        let text = "# header\n\nA=1\n  B = two words  \n\t# indented comment\nC=\n";
        assert_eq!(parse_isolated(text).unwrap(), pairs(&[("A", "1"), ("B", "two words"), ("C", "")]));
    }

    #[test]
    fn export_prefix_is_ignored() {
        assert_eq!(
            parse_isolated("export A=1\nexport\tB=2\nexporter=3").unwrap(),
            pairs(&[("A", "1"), ("B", "2"), ("exporter", "3")])
        );
    }

    #[test]
    fn inline_comments_need_whitespace_before_hash() {
        assert_eq!(
            parse_isolated("A=value # note\nB=abc#123\nC=\"quoted # kept\" # dropped").unwrap(),
            pairs(&[("A", "value"), ("B", "abc#123"), ("C", "quoted # kept")])
        );
    }

    #[test]
    fn single_quotes_are_literal() {
        assert_eq!(
            parse_isolated(r"A='x\ny ${HOME} \$ # not a comment'").unwrap(),
            pairs(&[("A", r"x\ny ${HOME} \$ # not a comment")])
        );
    }

    #[test]
    fn double_quotes_process_escapes_and_expansion() {
        assert_eq!(
            parse_isolated(r#"A="x\ny\t\"q\" \\ \$HOME ${HOME}""#).unwrap(),
            pairs(&[("A", "x\ny\t\"q\" \\ $HOME /home/ada")])
        );
    }

    #[test]
    fn unquoted_values_keep_backslashes_but_expand() {
        assert_eq!(
            parse_isolated(r"A=C:\temp\n ${HOME} \${HOME}").unwrap(),
            pairs(&[("A", r"C:\temp\n /home/ada ${HOME}")])
        );
    }

    #[test]
    fn expansion_prefers_earlier_entries_then_environment_then_empty() {
        let text = "HOME=/override\nA=${HOME}/x\nB=${MISSING}-\nC=${A}${B}";
        assert_eq!(
            parse_isolated(text).unwrap(),
            pairs(&[("HOME", "/override"), ("A", "/override/x"), ("B", "-"), ("C", "/override/x-"),])
        );
    }

    #[test]
    fn expansion_defaults_apply_when_unset_or_empty() {
        let text = "A=${MISSING:-fallback}\nB=${EMPTY:-used}\nC=${HOME:-unused}";
        assert_eq!(parse_isolated(text).unwrap(), pairs(&[("A", "fallback"), ("B", "used"), ("C", "/home/ada")]));
    }

    #[test]
    fn later_entries_replace_earlier_ones_in_place() {
        assert_eq!(parse_isolated("A=1\nB=2\nA=3").unwrap(), pairs(&[("A", "3"), ("B", "2")]));
    }

    #[test]
    fn crlf_line_endings_and_bom_are_accepted() {
        assert_eq!(parse_isolated("\u{feff}A=1\r\nB=\"2\"\r\n").unwrap(), pairs(&[("A", "1"), ("B", "2")]));
    }

    #[test]
    fn dollar_without_brace_is_literal() {
        assert_eq!(parse_isolated("A=$HOME and $").unwrap(), pairs(&[("A", "$HOME and $")]));
    }

    #[test]
    fn malformed_lines_name_their_line_number() {
        let cases = [
            ("A=1\njust words\n", 2, "no `=`"),
            ("A=1\n\n1BAD=x", 3, "not a valid variable name"),
            ("A=\"open", 1, "unterminated double-quoted"),
            ("A='open", 1, "unterminated single-quoted"),
            ("A=\"x\" trailing", 1, "after the closing quote"),
            ("A=${UNCLOSED", 1, "without a closing"),
            ("A=${bad name}", 1, "does not name a variable"),
            ("=value", 1, "not a valid variable name"),
        ];
        for (text, line, fragment) in cases {
            let error = parse_isolated(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}");
            assert!(error.to_string().contains(fragment), "{text:?}: {error} should mention {fragment:?}");
        }
    }

    #[test]
    fn errors_do_not_echo_values() {
        let error = parse_isolated("SECRET=\"hunter2").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn load_reads_a_file_and_names_it_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.env");
        std::fs::write(&good, "A=1\n").unwrap();
        assert_eq!(load(&good).unwrap(), pairs(&[("A", "1")]));

        let bad = dir.path().join("bad.env");
        std::fs::write(&bad, "A=1\noops\n").unwrap();
        let message = load(&bad).unwrap_err().to_string();
        assert!(message.contains("bad.env") && message.contains("line 2"), "{message}");

        let missing = dir.path().join("missing.env");
        let message = format!("{:#}", load(&missing).unwrap_err());
        assert!(message.contains("missing.env"), "{message}");
    }
}
