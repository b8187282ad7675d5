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
use crate::tui::line_report::heat;
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
    // Line times measured from this view ("p") are drawn in a gutter before the line numbers.
    let cells = state.heat.as_ref().and_then(|h| Some((h, state.source.path()?))).and_then(|(h, p)| h.cells_for(p));
    let title = match (&state.heat, cells) {
        (Some(heat), Some(_)) => format!(" {} ({} per line; PgUp/PgDn, wheel) ", state.source.title(), heat.measure),
        _ => format!(" {} (PgUp/PgDn, wheel) ", state.source.title()),
    };
    let visible = area.height.saturating_sub(1) as usize;
    let cursor = state.source.cursor();
    let count = state.source.line_count();
    let first = state.source.scroll_offset() + 1;
    let number_width = count.to_string().len();
    let gutter = if cells.is_some() { heat::WIDTH } else { 0 };
    let mut lines = Vec::new();
    for number in first..(first + visible).min(count + 1) {
        let marker = if number == cursor { "▶" } else { " " };
        let mut spans = Vec::new();
        if let Some(cells) = cells {
            spans.push(heat::cell_span(cells.get(&number), &state.theme));
        }
        spans.push(Span::styled(format!("{marker}{number:>number_width$} "), state.theme.style(Role::LineNumber)));
        spans.extend(heat::source_spans(&state.source, number, width.saturating_sub(gutter + number_width + 2)));
        let mut line = Line::from(spans);
        if number == cursor {
            line = line.patch_style(state.theme.style(Role::CurrentLine));
        }
        lines.push(line);
    }
    (title, lines)
}
