//! Keeping values small: capping long text and paging long child lists on loupe's side, because
//! debugpy ignores `variables` paging and sends long reprs nearly whole.

use super::model::{Variable, VariablePage};

/// Longest value text handed to a front end; the rest is available by evaluating the expression.
pub const MAX_VALUE_CHARS: usize = 1000;
/// Longest value text for [`super::EvalContext::Clipboard`] (a value viewer).
pub const MAX_FULL_VALUE_CHARS: usize = 1_000_000;
/// Children per page when a front end does not say.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Cuts `text` to `max_chars` characters (on a character boundary). Returns whether it was cut.
pub fn cap_text(mut text: String, max_chars: usize) -> (String, bool) {
    match text.char_indices().nth(max_chars) {
        Some((byte, _)) => {
            text.truncate(byte);
            text.shrink_to_fit();
            (text, true)
        }
        None => (text, false),
    }
}

/// One page of `all`.
pub fn page(all: &[Variable], start: usize, count: usize) -> VariablePage {
    let start = start.min(all.len());
    let end = start.saturating_add(count).min(all.len());
    VariablePage { variables: all[start..end].to_vec(), start, total: all.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_on_char_boundaries() {
        let (s, cut) = cap_text("héllo".repeat(10), 7);
        assert_eq!(s, "héllohé");
        assert!(cut);
        let (s, cut) = cap_text("short".into(), 7);
        assert_eq!((s.as_str(), cut), ("short", false));
    }
}
