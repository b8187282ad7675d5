//! The help overlay: every action of the active keymap with its keys and what it does. It is
//! drawn from the keymap in use, so a remapped key shows as remapped and an unbound action says
//! so. What the rows are and where they go is `layout/help.rs`; this file only draws them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::panes::{block, fit};
use crate::tui::keymap::Keymap;
use crate::tui::layout::help::{footer, rows, text_width, Geometry, Row, GAP, INDENT, UNBOUND};
// The scroll extent is the layout's; re-exported here, next to what it measures.
pub use crate::tui::layout::help::{content_rows, max_scroll};
use crate::tui::theme::{Role, Theme};

/// Draws the overlay centred over `area`, its content scrolled down by `scroll` rows (clamped so
/// the last page stays full).
pub fn render(frame: &mut Frame, area: Rect, keymap: &Keymap, theme: &Theme, scroll: u16) {
    let (rows, keys_width) = rows(keymap);
    let footer = footer(keymap);
    let at = Geometry::of(area, rows.len(), keys_width, text_width(&footer));
    frame.render_widget(Clear, at.overlay);

    let visible = usize::from(at.content.height);
    let first = usize::from(scroll).min(rows.len().saturating_sub(visible));
    let shown = &rows[first..(first + visible).min(rows.len())];
    let note = (shown.len() < rows.len() && at.overlay.width >= 30)
        .then(|| format!("{}-{}/{}", first + 1, first + shown.len(), rows.len()));
    frame.render_widget(block("Keys", note, theme, true), at.overlay);

    let width = usize::from(at.content.width);
    let lines: Vec<Line> = shown.iter().map(|row| line(row, keys_width, width, theme)).collect();
    frame.render_widget(Paragraph::new(lines), at.content);
    frame.render_widget(
        Paragraph::new(Line::styled(fit(&footer, usize::from(at.footer.width)), theme.style(Role::Dim))),
        at.footer,
    );
}

/// One content row, `width` columns at most (the paragraph clips anything the fitting misses).
fn line(row: &Row, keys_width: usize, width: usize, theme: &Theme) -> Line<'static> {
    match row {
        Row::Blank => Line::default(),
        Row::Heading(title) => Line::styled(fit(title, width), theme.style(Role::Title)),
        Row::Keys { keys, description } => {
            let mut spans = vec![Span::raw(INDENT)];
            let mut used = INDENT.len();
            if keys.is_empty() && description.is_some() {
                spans.push(Span::styled(UNBOUND, theme.style(Role::Dim)));
                used += UNBOUND.len();
            }
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(GAP));
                    used += GAP.len();
                }
                spans.push(Span::styled(key.clone(), theme.style(Role::Key)));
                used += text_width(key);
            }
            if let Some(description) = description {
                let column = INDENT.len() + keys_width + GAP.len();
                spans.push(Span::raw(" ".repeat(column.saturating_sub(used))));
                let room = width.saturating_sub(column.max(used));
                spans.push(Span::styled(fit(description, room), theme.style(Role::Dim)));
            }
            Line::from(spans)
        }
    }
}
