//! The Breakpoints pane: every breakpoint with its state, condition, hit condition, log message
//! and hit count.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::panes::{fit, render_list, List};
use crate::session::Location;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = &app.theme;
    let list = List {
        title: "Breakpoints",
        note: Some(format!("{}", app.breakpoints.len())),
        focused,
        len: app.breakpoints.len(),
        scroll: app.breakpoint_scroll,
        cursor: app.breakpoint_cursor,
    };
    let row = |i: usize, width: usize| {
        let b = &app.breakpoints[i];
        let mark = app.mark_of(b);
        let (glyph, role) = (mark.glyph(), mark.role());
        let place = match &b.spec.location {
            Location::Line { file, .. } => format!(
                "{}:{}",
                file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                b.line().unwrap_or(0)
            ),
            Location::Function { name } => format!("{name}()"),
        };
        let mut details = Vec::new();
        if let Some(c) = &b.spec.condition {
            details.push(format!("if {c}"));
        }
        if let Some(h) = &b.spec.hit_condition {
            details.push(format!("hits {h}"));
        }
        if let Some(m) = &b.spec.log_message {
            details.push(format!("log {m:?}"));
        }
        if let Some(from) = b.moved_from() {
            details.push(format!("moved from {from}"));
        }
        if b.spec.temporary {
            details.push("once".into());
        }
        if !b.verified && b.enabled {
            details.push(b.message.clone().unwrap_or_else(|| "unverified".into()));
        }
        let hits = if b.hits > 0 { format!(" ×{}", b.hits) } else { String::new() };
        Line::from(vec![
            Span::styled(format!("{glyph} "), theme.style(role)),
            Span::styled(format!("{} ", b.id), theme.style(Role::Dim)),
            Span::styled(place, theme.style(Role::Text)),
            Span::styled(hits, theme.style(Role::Changed)),
            Span::styled(fit(&format!("  {}", details.join(", ")), width), theme.style(Role::Dim)),
        ])
    };
    let empty = || format!("none: {} sets one at the cursor", app.keymap.hint(Action::ToggleBreakpoint));
    render_list(frame, area, theme, list, row, empty);
}
