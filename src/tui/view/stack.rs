//! The Stack pane: threads with their frames; the frame being shown is marked.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::panes::{fit, render_list, List};
use crate::tui::app::{App, RunState, StackRow};
use crate::tui::keymap::Action;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = &app.theme;
    let stack = &app.stack;
    let rows = stack.rows();
    let stopped = app.stopped_thread();
    let list = List {
        title: "Stack",
        note: stopped.map(|_| format!("frame {}", stack.current_frame)),
        focused,
        len: rows.len(),
        scroll: stack.scroll,
        cursor: stack.cursor,
    };
    let row = |i: usize, width: usize| match rows[i] {
        StackRow::Thread(t) => {
            let thread = &stack.threads[t];
            let state = if Some(thread.id) == stopped { "stopped" } else { "" };
            Line::from(vec![
                Span::styled(fit(&format!("{} ", thread.name), width.saturating_sub(8)), theme.style(Role::Title)),
                Span::styled(state, theme.style(Role::StatusStopped)),
            ])
        }
        StackRow::Frame(t, f) => {
            let thread = &stack.threads[t];
            let fr = &stack.frames[&thread.id][f];
            let current = stack.current_thread == Some(thread.id) && stack.current_frame == f;
            let place = match &fr.file {
                Some(p) => format!(
                    "{}:{}",
                    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    fr.line
                ),
                None => format!("line {}", fr.line),
            };
            let marker = if current { "▶ " } else { "  " };
            Line::from(vec![
                Span::styled(marker, theme.style(Role::CurrentLineMarker)),
                Span::styled(fr.function.clone(), theme.style(Role::VarName)),
                Span::styled(format!("  {place}"), theme.style(Role::Dim)),
            ])
        }
    };
    let empty = || match app.state {
        RunState::Running => format!("running… ({} pauses)", app.keymap.hint(Action::Pause)),
        _ => "no threads".to_string(),
    };
    render_list(frame, area, theme, list, row, empty);
}
