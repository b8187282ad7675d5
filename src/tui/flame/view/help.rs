//! `?`: every key of the flame view.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::flame::state::FlameState;
use crate::tui::theme::Role;

pub const KEYS: &[(&str, &str)] = &[
    ("←/→ h/L", "previous / next frame on the row"),
    ("↑/↓ k/j", "towards callees / callers (mouse wheel too)"),
    ("Enter, click", "zoom into the frame (click the selected one)"),
    ("⌫ u / Home 0", "zoom out one level / all the way"),
    ("/  n N", "search frames, next / previous match; Esc clears"),
    ("i", "flame ⇄ icicle"),
    ("l", "library frames: shown → collapsed → hidden"),
    ("e", "exact-only view (caller;callee, nothing inferred)"),
    ("t  s", "function table; s cycles self/cumulative/calls/per call"),
    ("c", "callers and callees of the function, exact edge data"),
    ("Tab", "keys to the table/callers pane and back; Enter jumps"),
    ("o", "source of the function"),
    ("b", "debug here: break on the body's first line, start the debugger"),
    ("p", "line times here: run again timing the function's lines (o shows them)"),
    ("q Ctrl-C", "quit"),
    ("~name", "an inferred frame (deeper than cProfile records)"),
    ("≈name", "a sampled frame: cProfile's time, path from stack samples"),
];

pub fn draw(frame: &mut Frame, state: &FlameState, area: Rect) {
    let width = (area.width.saturating_sub(4)).min(78);
    let height = (KEYS.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height);
    let key = state.theme.style(Role::Key);
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, what)| Line::from(vec![Span::styled(format!("{k:<14}"), key), Span::raw(*what)]))
        .collect();
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(" flame view keys (any key closes) ");
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
