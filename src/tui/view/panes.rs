//! What every pane shares: its bordered block, titled, highlighted when focused.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::tui::theme::{Role, Theme};

/// A pane's frame: `title` plus an optional right-aligned note ("3/120").
pub fn block<'a>(title: &str, note: Option<String>, theme: &Theme, focused: bool) -> Block<'a> {
    let (border, title_role) =
        if focused { (Role::BorderFocused, Role::TitleFocused) } else { (Role::Border, Role::Title) };
    // The block's style is the pane's background: themes with their own (high contrast: pure
    // black) paint every pane, not only the text cells.
    let mut block = Block::default()
        .style(theme.style(Role::Text))
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(theme.style(border))
        .title(Line::from(Span::styled(format!(" {title} "), theme.style(title_role))));
    if let Some(note) = note {
        block = block.title(Line::from(Span::styled(format!(" {note} "), theme.style(Role::Dim))).right_aligned());
    }
    block
}

/// Cuts `text` to `width` columns (by characters), with an ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().filter(|c| *c != '\n' && *c != '\r').take(width).collect();
    if text.chars().count() > width {
        out.pop();
        out.push('…');
    }
    out
}
