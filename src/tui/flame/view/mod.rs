//! The flame view's screen: a pure function of [`FlameState`], one file per part.

mod flamegraph;
mod frame_label;
mod help;
mod panels;
mod status;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::state::FlameState;

/// Below this the view only says the terminal is too small (it is redrawn on resize).
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 6;

pub fn draw(frame: &mut Frame, state: &FlameState) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text =
            format!("terminal too small ({}x{}); need {MIN_WIDTH}x{MIN_HEIGHT}; q quits", area.width, area.height);
        frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), area);
        return;
    }
    status::header(frame, state, state.areas.header);
    flamegraph::draw(frame, state, state.areas.flame);
    panels::draw(frame, state, state.areas.panel);
    status::status(frame, state, state.areas.status);
    if state.help {
        help::draw(frame, state, area);
    }
}

/// `text` cut to `width` columns (with an ellipsis when cut).
pub(crate) fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

pub(crate) fn line_in(frame: &mut Frame, line: Line, area: Rect) {
    frame.render_widget(Paragraph::new(line), area);
}
