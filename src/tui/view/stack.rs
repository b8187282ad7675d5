//! The Stack pane: threads with their frames; the frame being shown is marked.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::panes::{block, fit};
use crate::tui::app::{App, StackRow};
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = &app.theme;
    let stack = &app.stack;
    let rows = stack.rows();
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let stopped = app.stopped_thread();
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(stack.scroll).take(height) {
        let mut line = match *row {
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
        if focused && i == stack.cursor {
            line = line.patch_style(theme.style(Role::Selection));
        }
        lines.push(line);
    }
    if rows.is_empty() {
        let hint = match app.state {
            crate::tui::app::RunState::Running => {
                format!("running… ({} pauses)", app.keymap.hint(crate::tui::keymap::Action::Pause))
            }
            _ => "no threads".to_string(),
        };
        lines.push(Line::styled(hint, theme.style(Role::Dim)));
    }
    let note = stopped.map(|_| format!("frame {}", stack.current_frame));
    frame.render_widget(Paragraph::new(lines).block(block("Stack", note, theme, focused)), area);
}
