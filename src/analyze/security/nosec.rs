//! `# nosec` comments: a bare `# nosec` silences every test on its line, `# nosec B101, B602`
//! (or `# nosec: B101`) only those tests, as in bandit.

use std::collections::HashMap;

use crate::analyze::parse::{ParsedModule, SourceTokenKind};

/// Lines with a `nosec` comment, and the tests each silences (empty: all).
#[derive(Debug, Default)]
pub struct Suppressions {
    lines: HashMap<usize, Vec<String>>,
}

impl Suppressions {
    pub fn read(parsed: &ParsedModule<'_>) -> Self {
        let mut lines = HashMap::new();
        for token in parsed.tokens.iter().filter(|t| t.kind == SourceTokenKind::Comment) {
            let comment = &parsed.source[token.start..token.end];
            if let Some(tests) = parse_comment(comment) {
                lines.insert(parsed.lines.line(token.start), tests);
            }
        }
        Suppressions { lines }
    }

    pub fn suppresses(&self, line: usize, test_id: &str) -> bool {
        match self.lines.get(&line) {
            Some(tests) => tests.is_empty() || tests.iter().any(|t| t == test_id),
            None => false,
        }
    }
}

/// bandit's `#\s*nosec:?(?P<tests>[^#]+)?#?`: the IDs listed after `nosec`, up to the next `#`.
fn parse_comment(comment: &str) -> Option<Vec<String>> {
    let lower = comment.to_ascii_lowercase();
    let at = lower.find("nosec")?;
    let before = &comment[..at];
    if !before.trim_end().ends_with('#') {
        return None;
    }
    let rest = comment[at + 5..].trim_start_matches(':');
    let rest = rest.split('#').next().unwrap_or("");
    let tests = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| t.len() == 4 && t.starts_with('B') && t[1..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    Some(tests)
}

#[cfg(test)]
mod tests {
    use super::parse_comment;

    #[test]
    fn bare_and_listed_forms() {
        assert_eq!(parse_comment("# nosec"), Some(vec![]));
        assert_eq!(parse_comment("#nosec B101, B602"), Some(vec!["B101".to_string(), "B602".to_string()]));
        assert_eq!(parse_comment("# nosec: B108"), Some(vec!["B108".to_string()]));
        assert_eq!(parse_comment("# no security here"), None);
    }
}
