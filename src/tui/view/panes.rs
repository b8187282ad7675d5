//! What every pane shares: its bordered block, titled, highlighted when focused; and the list
//! that the Stack, Variables and Breakpoints panes are (a window of rows with a cursor).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use ratatui::Frame;

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

/// A list pane apart from its rows: its title and note, and which rows are shown.
pub struct List<'t> {
    pub title: &'t str,
    pub note: Option<String>,
    pub focused: bool,
    /// How many rows there are.
    pub len: usize,
    /// The first row shown (the app keeps the cursor in view, see `layout::follow`).
    pub scroll: usize,
    /// The row under the cursor, highlighted while the pane has focus.
    pub cursor: usize,
}

/// Draws a list pane: the rows from `scroll` that fit inside the border, each made by
/// `row(index, width)` (`width`: the columns inside the border), or `empty()` dimmed when there
/// are no rows.
pub fn render_list<'a>(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    list: List,
    mut row: impl FnMut(usize, usize) -> Line<'a>,
    empty: impl FnOnce() -> String,
) {
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for i in (list.scroll..list.len).take(height) {
        let mut line = row(i, width);
        if list.focused && i == list.cursor {
            line = line.patch_style(theme.style(Role::Selection));
        }
        lines.push(line);
    }
    if list.len == 0 {
        lines.push(Line::styled(empty(), theme.style(Role::Dim)));
    }
    frame.render_widget(Paragraph::new(lines).block(block(list.title, list.note, theme, list.focused)), area);
}
