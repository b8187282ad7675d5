//! The help overlay's content and geometry: its rows, made from the keymap in use (grouped like
//! `docs/CONFIG.md`, long key lists wrapped at a fixed key-column width), its footer, and where
//! they go on a screen. Pure, so the app clamps its scrolling with the same figures
//! `view/help.rs` draws with.
//!
//! The rows do not depend on the screen size, so [`content_rows`] can tell callers how far they
//! may scroll without knowing the terminal.

use ratatui::layout::{Margin, Rect};
use ratatui::text::Span;

use super::centered;
use crate::tui::keymap::{Action, Group, KeyCombo, Keymap};

/// The key column never grows past this; longer lists wrap onto more rows.
pub(crate) const MAX_KEYS_WIDTH: usize = 24;
/// Between two keys of one action, and between the keys and the description.
pub(crate) const GAP: &str = "  ";
/// Before each action row, under its group heading.
pub(crate) const INDENT: &str = "  ";
pub(crate) const UNBOUND: &str = "unbound";

/// One row of the scrollable content.
pub(crate) enum Row {
    Heading(&'static str),
    Blank,
    /// Some of an action's keys; the first row of an action carries its description.
    Keys {
        keys: Vec<String>,
        description: Option<&'static str>,
    },
}

/// The content rows and the key column's width.
pub(crate) fn rows(keymap: &Keymap) -> (Vec<Row>, usize) {
    let labels: Vec<(Action, Vec<String>)> =
        Action::ALL.iter().map(|a| (*a, keymap.keys_for(*a).iter().map(KeyCombo::to_string).collect())).collect();
    let keys_width =
        labels.iter().map(|(_, keys)| joined_width(keys)).max().unwrap_or(0).clamp(UNBOUND.len(), MAX_KEYS_WIDTH);

    let mut rows = Vec::new();
    for (i, group) in Group::ALL.iter().enumerate() {
        if i > 0 {
            rows.push(Row::Blank);
        }
        rows.push(Row::Heading(group.title()));
        for action in group.actions() {
            let keys = labels.iter().find(|(a, _)| *a == action).map(|(_, k)| k.as_slice()).unwrap_or(&[]);
            let mut description = Some(action.description());
            for chunk in wrap_keys(keys, keys_width) {
                rows.push(Row::Keys { keys: chunk, description: description.take() });
            }
        }
    }
    (rows, keys_width)
}

pub(crate) fn text_width(text: &str) -> usize {
    Span::raw(text).width()
}

fn joined_width(keys: &[String]) -> usize {
    keys.iter().map(|k| text_width(k)).sum::<usize>() + GAP.len() * keys.len().saturating_sub(1)
}

/// `keys` packed into rows no wider than `max` (a single wider key gets a row to itself); one
/// empty row for an unbound action.
fn wrap_keys(keys: &[String], max: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for key in keys {
        let fits =
            out.last().is_some_and(|row| row.is_empty() || joined_width(row) + GAP.len() + text_width(key) <= max);
        if !fits {
            out.push(Vec::new());
        }
        if let Some(row) = out.last_mut() {
            row.push(key.clone());
        }
    }
    out
}

/// How many rows the scrollable content has (what `scroll` is measured against).
pub fn content_rows(keymap: &Keymap) -> u16 {
    u16::try_from(rows(keymap).0.len()).unwrap_or(u16::MAX)
}

/// The largest `scroll` that still changes what the overlay shows on a screen of `screen`
/// (beyond it the last page stays put). Callers that clamp to this rather than to
/// [`content_rows`] make the first key press back up scroll at once.
pub fn max_scroll(keymap: &Keymap, screen: Rect) -> u16 {
    let (rows, keys_width) = rows(keymap);
    let at = Geometry::of(screen, rows.len(), keys_width, text_width(&footer(keymap)));
    clamp_u16(rows.len().saturating_sub(usize::from(at.content.height)))
}

/// Where the overlay's parts go on the screen.
pub(crate) struct Geometry {
    pub overlay: Rect,
    pub content: Rect,
    pub footer: Rect,
}

impl Geometry {
    pub(crate) fn of(screen: Rect, rows: usize, keys_width: usize, footer_width: usize) -> Geometry {
        let description_width = Action::ALL.iter().map(|a| text_width(a.description())).max().unwrap_or(0);
        let content_width = INDENT.len() + keys_width + GAP.len() + description_width;
        // Borders and one column of padding on each side; borders and the footer line.
        let overlay = centered(screen, clamp_u16(content_width.max(footer_width) + 4), clamp_u16(rows + 3));
        let inner = overlay.inner(Margin::new(1, 1));
        let padded = Rect { x: inner.x.saturating_add(1), width: inner.width.saturating_sub(2), ..inner };
        if inner.height >= 2 {
            let content = Rect { height: padded.height - 1, ..padded };
            Geometry { overlay, content, footer: Rect { y: padded.y + content.height, height: 1, ..padded } }
        } else {
            // Room for one line only: how to close the overlay matters most.
            Geometry { overlay, content: Rect { height: 0, ..padded }, footer: padded }
        }
    }
}

fn clamp_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// "Esc/?/q closes · ↑↓ PgUp/PgDn scroll", from the keys that really do that (the overlay also
/// always closes on Esc).
pub(crate) fn footer(keymap: &Keymap) -> String {
    let first = |action: Action| keymap.keys_for(action).first().map(label);
    let mut close = vec!["Esc".to_string()];
    for key in [first(Action::Help), first(Action::Quit)].into_iter().flatten() {
        if !close.contains(&key) {
            close.push(key);
        }
    }
    let mut text = format!("{} closes", close.join("/"));
    let mut scroll = Vec::new();
    match (first(Action::Up), first(Action::Down)) {
        (Some(up), Some(down)) if up == "↑" && down == "↓" => scroll.push("↑↓".to_string()),
        (up, down) => scroll.extend(join_pair(up, down)),
    }
    scroll.extend(join_pair(first(Action::PageUp), first(Action::PageDown)));
    if !scroll.is_empty() {
        text.push_str(&format!(" · {} scroll", scroll.join(" ")));
    }
    text
}

fn join_pair(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}/{b}")),
        (a, b) => a.or(b),
    }
}

/// A key as the footer shows it: arrows as arrows.
fn label(key: &KeyCombo) -> String {
    use crossterm::event::KeyCode;
    match (key.code, key.modifiers.is_empty()) {
        (KeyCode::Up, true) => "↑".into(),
        (KeyCode::Down, true) => "↓".into(),
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_footer_reads_as_documented() {
        assert_eq!(footer(&Keymap::default()), "Esc/?/q closes · ↑↓ PgUp/PgDn scroll");
    }

    #[test]
    fn long_key_lists_wrap_and_count_as_rows() {
        let mut keymap = Keymap::default();
        let before = content_rows(&keymap);
        let many: Vec<KeyCombo> = ["F2", "F4", "F7", "F8", "F12", "Ctrl-A", "Ctrl-E", "Alt-z"]
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect();
        keymap.bind(Action::ViewValue, &many);
        let (rows, keys_width) = rows(&keymap);
        assert_eq!(keys_width, MAX_KEYS_WIDTH);
        assert!(content_rows(&keymap) > before);
        assert_eq!(usize::from(content_rows(&keymap)), rows.len());
        for row in &rows {
            if let Row::Keys { keys, .. } = row {
                assert!(keys.len() <= 1 || joined_width(keys) <= MAX_KEYS_WIDTH);
            }
        }
    }

    #[test]
    fn unbound_actions_keep_one_row() {
        let mut keymap = Keymap::default();
        let before = content_rows(&keymap);
        keymap.bind(Action::Jump, &[]);
        assert_eq!(content_rows(&keymap), before);
    }
}
