//! The tests overlay: pytest's collected tests with how each last ended, what runs now, and the
//! keys that debug one; drawn from [`TestsPane`](crate::tui::app::TestsPane) only.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::panes::{block, fit};
use crate::tui::app::{App, Outcome};
use crate::tui::layout::overlay_area;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, app: &App) {
    let area = overlay_area(frame.area());
    let theme = &app.theme;
    let pane = &app.tests;
    frame.render_widget(Clear, area);
    let note = "Enter: debug it · f: its file · a: all · r: collect · Esc".to_string();
    let title = match &pane.running {
        Some(running) => format!("Tests · {running}"),
        None => "Tests".to_string(),
    };
    let outer = block(&title, Some(note), theme, true);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = usize::from(inner.width);
    let ids = pane.node_ids();
    let mut lines: Vec<Line> = Vec::new();
    let mut summary = match (&pane.collection, pane.collecting) {
        (None, Some(seen)) => format!("pytest is collecting the tests… {seen} so far"),
        (None, None) => String::new(),
        (Some(_), collecting) => {
            let mut text = format!("{} tests · {} failed", ids.len(), pane.failed_count());
            if let Some(seen) = collecting {
                text.push_str(&format!(" · collecting again… {seen}"));
            }
            text
        }
    };
    if let Some(problems) = pane.collection.as_ref().map(|c| &c.problems).filter(|p| !p.is_empty()) {
        summary.push_str(&format!(" · {}", problems.join(" · ")));
    }
    lines.push(Line::styled(fit(&summary, width), theme.style(Role::Title)));
    if let Some(error) = &pane.error {
        lines.push(Line::styled(fit(error, width), theme.style(Role::Error)));
    } else {
        let legend = "◆ failed in this run (loupe stopped there)   ✗ failed the last time pytest ran it (its cache)";
        lines.push(Line::styled(fit(legend, width), theme.style(Role::Dim)));
    }
    if pane.collection.is_some() && ids.is_empty() {
        lines.push(Line::styled("pytest collected no tests with these arguments", theme.style(Role::Dim)));
    }
    let room = usize::from(inner.height).saturating_sub(lines.len()).max(1);
    let mut start = pane.scroll.min(ids.len().saturating_sub(room));
    if pane.cursor >= start + room {
        start = pane.cursor + 1 - room;
    } else if pane.cursor < start {
        start = pane.cursor;
    }
    for (i, id) in ids.iter().enumerate().skip(start).take(room) {
        let (mark, role) = match pane.outcome(id) {
            Outcome::StoppedHere => ("◆ ", Role::Error),
            Outcome::FailedLastRun => ("✗ ", Role::Conditional),
            Outcome::NotFailed => ("  ", Role::Dim),
        };
        let line = Line::from(vec![
            Span::styled(mark, theme.style(role)),
            Span::styled(fit(id, width.saturating_sub(2)), theme.style(Role::Text)),
        ]);
        lines.push(if i == pane.cursor { line.style(theme.style(Role::Selection)) } else { line });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
