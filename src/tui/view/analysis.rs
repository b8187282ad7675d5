//! The Analysis overlay: the analyzer's security findings and syntax errors for the project, by
//! file and severity, drawn from [`AnalysisPane`] only.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::panes::{block, fit};
use crate::analyze::report::Level;
use crate::tui::app::App;
use crate::tui::layout::overlay_area;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, app: &App) {
    let area = overlay_area(frame.area());
    let theme = &app.theme;
    let pane = &app.analysis;
    frame.render_widget(Clear, area);
    let note = if pane.running { "analysing…" } else { "Enter: open · Esc" };
    let outer = block("Analysis", Some(note.to_string()), theme, true);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    let Some(snapshot) = &pane.snapshot else {
        lines.push(Line::styled("analysing the project…", theme.style(Role::Dim)));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let count = |level: Level| snapshot.rows.iter().filter(|r| r.severity == Some(level)).count();
    let syntax = snapshot.rows.iter().filter(|r| r.severity.is_none()).count();
    let mut summary = format!(
        "{} files · {} high · {} medium · {} low",
        snapshot.files,
        count(Level::High),
        count(Level::Medium),
        count(Level::Low)
    );
    if syntax > 0 {
        summary.push_str(&format!(" · {syntax} syntax error{}", if syntax == 1 { "" } else { "s" }));
    }
    if !snapshot.missing.is_empty() {
        let names: Vec<&str> = snapshot.missing.iter().map(|m| m.module.as_str()).collect();
        summary.push_str(&format!(" · not installed: {} (E to install)", names.join(", ")));
    }
    lines.push(Line::styled(fit(&summary, width), theme.style(Role::Title)));
    for e in &snapshot.errors {
        lines.push(Line::styled(fit(e, width), theme.style(Role::Error)));
    }
    if snapshot.rows.is_empty() {
        lines.push(Line::styled("no findings", theme.style(Role::Dim)));
    }
    let room = usize::from(inner.height).saturating_sub(lines.len()).max(1);
    let mut start = pane.scroll.min(snapshot.rows.len().saturating_sub(room));
    if pane.cursor >= start + room {
        start = pane.cursor + 1 - room;
    } else if pane.cursor < start {
        start = pane.cursor;
    }
    for (i, row) in snapshot.rows.iter().enumerate().skip(start).take(room) {
        let (label, role) = match row.severity {
            None => ("SYNTAX", Role::Error),
            Some(Level::High) => ("HIGH  ", Role::Error),
            Some(Level::Medium) => ("MEDIUM", Role::Conditional),
            Some(Level::Low) => ("LOW   ", Role::Dim),
        };
        let place = format!("{}:{}", row.shown, row.line);
        let line = Line::from(vec![
            Span::styled(format!("{label} "), theme.style(role)),
            Span::styled(format!("{:<6} ", row.id), theme.style(Role::VarType)),
            Span::styled(format!("{:<28} ", fit(&place, 28)), theme.style(Role::VarName)),
            Span::styled(fit(&row.message, width.saturating_sub(43)), theme.style(Role::Text)),
        ]);
        lines.push(if i == pane.cursor { line.style(theme.style(Role::Selection)) } else { line });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
