//! Draws the line report view from its state: title and summary, the RSS sparkline (memory
//! runs), the hottest lines, the source with its heat gutter, and the keys.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Sparkline};
use ratatui::Frame;

use super::heat;
use super::state::{Focus, LineReportState};
use crate::tui::flame::view::fit;
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, state: &LineReportState) {
    let area = frame.area();
    if area.width < 30 || area.height < 10 {
        let text = format!("terminal too small ({}x{}); need 30x10; q quits", area.width, area.height);
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    header(frame, state);
    sparkline(frame, state);
    list(frame, state);
    source(frame, state);
    status(frame, state);
    if state.help {
        help(frame, state, area);
    }
}

fn header(frame: &mut Frame, state: &LineReportState) {
    let width = usize::from(state.areas.header.width);
    let lines = vec![
        Line::styled(fit(&state.report.title, width), state.theme.style(Role::Title)),
        Line::raw(fit(&state.report.summary, width)),
    ];
    frame.render_widget(Paragraph::new(lines), state.areas.header);
}

fn sparkline(frame: &mut Frame, state: &LineReportState) {
    let (Some(series), area) = (&state.report.series, state.areas.sparkline) else { return };
    if area.height < 2 {
        return;
    }
    let title = format!(" {} over {} (max {}) ", series.name, series.span_label, series.max_label);
    let block = Block::default().borders(Borders::TOP).border_style(state.theme.style(Role::Border)).title(title);
    // One column per sample group: a long run is resampled to the width (by maximum, so a
    // short spike still shows).
    let width = usize::from(area.width).max(1);
    let values = squeeze(&series.values, width);
    let widget = Sparkline::default().block(block).data(&values).style(state.theme.style(Role::Conditional));
    frame.render_widget(widget, area);
}

/// `values` resampled to at most `width` columns, each the maximum of its group.
fn squeeze(values: &[u64], width: usize) -> Vec<u64> {
    if values.len() <= width {
        return values.to_vec();
    }
    (0..width)
        .map(|col| {
            let (start, end) = (col * values.len() / width, (col + 1) * values.len() / width);
            values[start..end.max(start + 1)].iter().copied().max().unwrap_or(0)
        })
        .collect()
}

fn list(frame: &mut Frame, state: &LineReportState) {
    let area = state.areas.list;
    let width = usize::from(area.width);
    let focused = state.focus == Focus::List;
    let border = state.theme.style(if focused { Role::BorderFocused } else { Role::Border });
    let title = format!(" hottest lines by {} (Enter: source, Tab: switch) ", state.report.measure);
    let heading = format!("{:>8} {:>6}  {:<14} where", state.report.measure, "share", "");
    let mut lines = vec![Line::styled(fit(&heading, width), state.theme.style(Role::Dim))];
    if state.report.hottest.is_empty() {
        lines.push(Line::raw("no line has figures: the measured code never ran"));
    }
    let start = state.list_scroll();
    for (i, hot) in state.report.hottest.iter().enumerate().skip(start).take(state.list_rows()) {
        let place = format!("{}:{}", short_path(&hot.path), hot.line);
        let function = hot.function.as_deref().map(|f| format!("  in {f}")).unwrap_or_default();
        let text = format!(
            "{:>8} {:>5.1}%  {:<14} {place}{function}",
            hot.cell.value,
            hot.cell.share * 100.0,
            hot.cell.detail
        );
        let style = if i == state.selected {
            state.theme.style(if focused { Role::Selection } else { Role::CurrentLine })
        } else {
            heat::style_for(hot.cell.share, &state.theme)
        };
        lines.push(Line::styled(format!("{:<width$}", fit(&text, width)), style));
    }
    let block = Block::default().borders(Borders::TOP).border_style(border).title(title);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The file name with its parent directory: enough to tell files apart in a list.
fn short_path(path: &std::path::Path) -> String {
    let mut parts: Vec<_> = path.iter().rev().take(2).map(|p| p.to_string_lossy().into_owned()).collect();
    parts.reverse();
    parts.join("/")
}

fn source(frame: &mut Frame, state: &LineReportState) {
    let area = state.areas.source;
    let width = usize::from(area.width);
    let focused = state.focus == Focus::Source;
    let border = state.theme.style(if focused { Role::BorderFocused } else { Role::Border });
    let pane = &state.source;
    let title = format!(" {} ({} per line; PgUp/PgDn) ", pane.title(), state.report.measure);
    let block = Block::default().borders(Borders::TOP).border_style(border).title(title);
    if pane.is_message() {
        let text: Vec<Line> =
            (1..=pane.line_count()).map(|n| Line::raw(pane.line(n).unwrap_or("").to_string())).collect();
        frame.render_widget(Paragraph::new(text).style(state.theme.style(Role::Dim)).block(block), area);
        return;
    }
    let cells = pane.path().and_then(|p| state.report.cells_for(p));
    let visible = usize::from(area.height.saturating_sub(1));
    let first = pane.scroll_offset() + 1;
    let number_width = pane.number_width();
    let text_width = width.saturating_sub(heat::WIDTH + number_width + 2);
    let mut lines = Vec::new();
    for number in first..(first + visible).min(pane.line_count() + 1) {
        let cursor = number == pane.cursor();
        let mut spans = vec![
            heat::cell_span(cells.and_then(|c| c.get(&number)), &state.theme),
            Span::styled(format!("{number:>number_width$}"), state.theme.style(Role::LineNumber)),
            Span::styled(if cursor { "▶" } else { " " }, state.theme.style(Role::CurrentLineMarker)),
            Span::raw(" "),
        ];
        spans.extend(heat::source_spans(pane, number, text_width));
        let mut line = Line::from(spans);
        if cursor {
            line = line.patch_style(state.theme.style(Role::CurrentLine));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn status(frame: &mut Frame, state: &LineReportState) {
    let width = usize::from(state.areas.status.width);
    let text = match &state.message {
        Some(m) => m.clone(),
        None => match state.focus {
            Focus::List => "↑↓ select  Enter source  Tab switch  PgUp/PgDn scroll source  ? help  q quit".into(),
            Focus::Source => "↑↓ move  PgUp/PgDn page  g/G top/end  Esc back to the list  ? help  q quit".into(),
        },
    };
    frame.render_widget(
        Paragraph::new(format!("{:<width$}", fit(&text, width))).style(state.theme.style(Role::StatusBar)),
        state.areas.status,
    );
}

fn help(frame: &mut Frame, state: &LineReportState, area: Rect) {
    let rows = [
        ("↑ ↓  j k", "select a hot line (list) or move the cursor (source)"),
        ("Enter", "show the selected line's source"),
        ("Tab", "switch between the list and the source"),
        ("PgUp PgDn", "page through the source (also the mouse wheel)"),
        ("g G", "first or last line"),
        ("Esc", "back to the list; in the list, quit"),
        ("q  Ctrl-C", "quit"),
    ];
    let mut lines = vec![Line::styled("Keys", state.theme.style(Role::Title)), Line::raw("")];
    lines.extend(rows.iter().map(|(key, what)| {
        Line::from(vec![Span::styled(format!("  {key:<11}"), state.theme.style(Role::Key)), Span::raw(*what)])
    }));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("The gutter: {} per line and its share (red ≥ 20%, yellow ≥ 5%).", state.report.measure),
        state.theme.style(Role::Dim),
    ));
    lines.push(Line::styled("Any key closes this help.", state.theme.style(Role::Dim)));
    let width = area.width.min(76);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height);
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).border_style(state.theme.style(Role::BorderFocused));
    frame.render_widget(Paragraph::new(lines).style(Style::default()).block(block), popup);
}
