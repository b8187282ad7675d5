//! The per-line figure drawn in a source gutter (line time or bytes): the value right-aligned,
//! its share (of its function's time, or of the memory listed), and a colour by share, so the hot
//! lines stand out at a glance. Without colour (NO_COLOR, the high-contrast theme) the share
//! column still says it.

use ratatui::style::Style;
use ratatui::text::Span;

use super::LineCell;
use crate::tui::flame::view::fit;
use crate::tui::source::SourcePane;
use crate::tui::theme::{Role, Theme};

/// Columns a heat cell takes: value (8), space, share (4), space.
pub const WIDTH: usize = 14;

/// The gutter cell for a line with figures, or blanks of the same width for a line without.
pub fn cell_span(cell: Option<&LineCell>, theme: &Theme) -> Span<'static> {
    let Some(cell) = cell else { return Span::raw(" ".repeat(WIDTH)) };
    let share = (cell.share * 100.0).round().clamp(0.0, 100.0);
    let text = format!("{:>8} {:>3}% ", fit_value(&cell.value), share as u32);
    Span::styled(text, style_for(cell.share, theme))
}

/// Hot (a fifth or more of the total), warm (a twentieth or more), or plain.
pub fn style_for(share: f64, theme: &Theme) -> Style {
    if share >= 0.2 {
        theme.style(Role::Error)
    } else if share >= 0.05 {
        theme.style(Role::Conditional)
    } else if share > 0.0 {
        Style::default()
    } else {
        theme.style(Role::Dim)
    }
}

fn fit_value(value: &str) -> String {
    if value.chars().count() <= 8 {
        value.to_string()
    } else {
        value.chars().take(7).chain(['…']).collect()
    }
}

/// Line `number` of the pane in its syntax colours (as far as the highlighter got), cut to
/// `width` columns (with an ellipsis); tabs become four spaces (and lines with tabs are drawn plain, since the
/// highlighter's byte ranges no longer fit them).
pub fn source_spans(source: &SourcePane, number: usize, width: usize) -> Vec<Span<'static>> {
    let raw = source.line(number).unwrap_or("");
    let text = fit(&raw.replace('\t', "    "), width);
    let Some(row) = source.highlighted(number).filter(|_| !raw.contains('\t')) else {
        return vec![Span::raw(text)];
    };
    let mut spans = Vec::new();
    let mut start = 0;
    for segment in row.segments() {
        let end = segment.end.min(text.len());
        if end > start && text.is_char_boundary(start) && text.is_char_boundary(end) {
            spans.push(Span::styled(text[start..end].to_string(), segment.style));
        }
        start = start.max(end);
    }
    if start < text.len() && text.is_char_boundary(start) {
        spans.push(Span::raw(text[start..].to_string()));
    }
    spans
}
