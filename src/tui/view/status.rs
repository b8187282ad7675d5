//! The status bar: what the program is doing, the backend, the interpreter, the sandbox, and
//! the latest notice.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::panes::fit;
use crate::tui::app::{App, RunState};
use crate::tui::keymap::Action;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let (state, role) = match &app.state {
        RunState::Starting => ("starting".to_string(), Role::StatusRunning),
        RunState::Running => ("running".to_string(), Role::StatusRunning),
        RunState::Stopped { reason, description } => {
            let why = description.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
            match &app.failing_test {
                // The first line of the message: pytest's explanation of an assert goes on below.
                Some(test) => {
                    let why = why.lines().next().unwrap_or_default();
                    (format!("test failed: {} ({reason}{why})", test.node_id), Role::StatusStopped)
                }
                None => (format!("stopped ({reason}{why})"), Role::StatusStopped),
            }
        }
        RunState::Exited { code, signal: Some(s) } => (format!("killed by {s} ({code})"), Role::StatusExited),
        RunState::Exited { code, signal: None } => (format!("exited with code {code}"), Role::StatusExited),
        RunState::Ended => ("session ended".to_string(), Role::StatusExited),
    };
    // A long stop description (an exception's message) must not push the facts off the bar:
    // it gets what is left after them, but never less than a readable minimum.
    let facts_width = app.facts.backend.chars().count()
        + app.facts.interpreter.chars().count()
        + app.facts.sandbox.as_deref().unwrap_or("sandbox: off").chars().count()
        + 16;
    let state_room = (area.width as usize).saturating_sub(facts_width).max(24);
    let mut spans = vec![
        Span::styled(format!(" {} ", fit(&state, state_room)), theme.style(role)),
        Span::styled(format!(" {} ", app.facts.backend), theme.style(Role::StatusBar)),
    ];
    if !app.facts.interpreter.is_empty() {
        spans.push(Span::styled(format!("│ {} ", app.facts.interpreter), theme.style(Role::StatusBar)));
    }
    let sandbox = app.facts.sandbox.as_deref().unwrap_or("sandbox: off");
    spans.push(Span::styled(format!("│ {sandbox} "), theme.style(Role::StatusBar)));
    match &app.notice {
        Some(n) => spans.push(Span::styled(
            format!("│ {} ", n.text),
            theme.style(if n.error { Role::Error } else { Role::StatusBar }),
        )),
        None => spans.push(Span::styled(
            format!("│ {} help ", app.keymap.keys_for(Action::Help).first().map(|k| k.to_string()).unwrap_or_default()),
            theme.style(Role::StatusBar),
        )),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.style(Role::StatusBar)), area);
}
