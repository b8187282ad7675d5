//! The pane under the flamegraph: the function table, the callers/callees of the selected
//! function (cProfile's exact edge figures), or the function's source.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::fit;
use crate::profile::calls;
use crate::profile::svg::human_time;
use crate::tui::flame::model::per_call;
use crate::tui::flame::state::{FlameState, Panel};
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, state: &FlameState, area: Rect) {
    if area.height < 3 {
        return;
    }
    let border = state.theme.style(if state.panel_focused { Role::BorderFocused } else { Role::Border });
    let (title, lines) = match state.panel {
        Panel::None => return,
        Panel::Table => table(state, area),
        Panel::Callers => callers(state, area),
        Panel::Source => source(state, area),
    };
    let block = Block::default().borders(Borders::TOP).border_style(border).title(title);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn table(state: &FlameState, area: Rect) -> (String, Vec<Line<'static>>) {
    let width = area.width as usize;
    let title = format!(" functions by {} (s: sort, Enter: show) ", state.sort.name());
    let heading =
        format!("{:>9} {:>6} {:>10} {:>9} {:>9}  function", "self", "self%", "cumulative", "calls", "per call");
    let mut lines = vec![Line::styled(fit(&heading, width), state.theme.style(Role::Dim))];
    let total = state.model.profile.total_self_time().max(f64::MIN_POSITIVE);
    let visible = area.height.saturating_sub(2) as usize;
    let start = state.table_scroll();
    for (row, &f) in state.table_order.iter().enumerate().skip(start).take(visible) {
        let function = &state.model.profile.functions[f];
        let fig = function.figures;
        let text = format!(
            "{:>9} {:>5.1}% {:>10} {:>9} {:>9}  {}",
            human_time(fig.self_time),
            fig.self_time / total * 100.0,
            human_time(fig.cumulative_time),
            calls::ncalls(&fig),
            human_time(per_call(fig.cumulative_time, fig.calls)),
            state.model.labels[f]
        );
        let style = if row == state.table_row { state.theme.style(Role::Selection) } else { Style::default() };
        lines.push(Line::styled(format!("{:<width$}", fit(&text, width)), style));
    }
    (title, lines)
}

fn callers(state: &FlameState, area: Rect) -> (String, Vec<Line<'static>>) {
    let width = area.width as usize;
    let Some(f) = state.selected_function() else { return (" callers ".into(), Vec::new()) };
    let title = format!(" callers and callees of {} (exact, from cProfile) ", state.model.labels[f]);
    let heading = format!("{:>8} {:>9} {:>10} {:>10}  function", "", "calls", "self", "cumulative");
    let mut lines = vec![Line::styled(fit(&heading, width), state.theme.style(Role::Dim))];
    let rows = state.relatives();
    if rows.is_empty() {
        lines.push(Line::raw("no recorded callers or callees"));
    }
    let visible = area.height.saturating_sub(2) as usize;
    let start = state.callers_scroll();
    for (i, &(other, is_caller)) in rows.iter().enumerate().skip(start).take(visible) {
        let edge = if is_caller { state.model.profile.edge(other, f) } else { state.model.profile.edge(f, other) };
        let fig = edge.map(|e| e.figures).unwrap_or_default();
        let text = format!(
            "{:>8} {:>9} {:>10} {:>10}  {}",
            if is_caller { "caller" } else { "callee" },
            calls::ncalls(&fig),
            human_time(fig.self_time),
            human_time(fig.cumulative_time),
            state.model.labels[other]
        );
        let style = if i == state.callers_row && state.panel_focused {
            state.theme.style(Role::Selection)
        } else {
            Style::default()
        };
        lines.push(Line::styled(format!("{:<width$}", fit(&text, width)), style));
    }
    (title, lines)
}

fn source(state: &FlameState, area: Rect) -> (String, Vec<Line<'static>>) {
    let width = area.width as usize;
    let title = format!(" {} (PgUp/PgDn, wheel) ", state.source.title());
    let visible = area.height.saturating_sub(1) as usize;
    let cursor = state.source.cursor();
    let count = state.source.line_count();
    let first = state.source.scroll_offset() + 1;
    let number_width = count.to_string().len();
    let mut lines = Vec::new();
    for number in first..(first + visible).min(count + 1) {
        let text = state.source.line(number).unwrap_or("");
        let marker = if number == cursor { "▶" } else { " " };
        let mut spans =
            vec![Span::styled(format!("{marker}{number:>number_width$} "), state.theme.style(Role::LineNumber))];
        spans.extend(highlighted(state, number, text, width.saturating_sub(number_width + 2)));
        let mut line = Line::from(spans);
        if number == cursor {
            line = line.patch_style(state.theme.style(Role::CurrentLine));
        }
        lines.push(line);
    }
    (title, lines)
}

/// The line's text in its syntax colours (as far as the highlighter got), cut to `width`.
fn highlighted(state: &FlameState, number: usize, text: &str, width: usize) -> Vec<Span<'static>> {
    let text = fit(&text.replace('\t', "    "), width);
    let Some(row) =
        state.source.highlighted(number).filter(|_| !state.source.line(number).unwrap_or("").contains('\t'))
    else {
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
