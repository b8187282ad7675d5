//! The Breakpoints pane: every breakpoint with its state, condition, hit condition, log message
//! and hit count.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::panes::{block, fit};
use crate::session::Location;
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for (i, b) in app.breakpoints.iter().enumerate().skip(app.breakpoint_scroll).take(height) {
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
        if b.spec.temporary {
            details.push("once".into());
        }
        if !b.verified && b.enabled {
            details.push(b.message.clone().unwrap_or_else(|| "unverified".into()));
        }
        let hits = if b.hits > 0 { format!(" ×{}", b.hits) } else { String::new() };
        let mut line = Line::from(vec![
            Span::styled(format!("{glyph} "), theme.style(role)),
            Span::styled(format!("{} ", b.id), theme.style(Role::Dim)),
            Span::styled(place, theme.style(Role::Text)),
            Span::styled(hits, theme.style(Role::Changed)),
            Span::styled(fit(&format!("  {}", details.join(", ")), width), theme.style(Role::Dim)),
        ]);
        if focused && i == app.breakpoint_cursor {
            line = line.patch_style(theme.style(Role::Selection));
        }
        lines.push(line);
    }
    if app.breakpoints.is_empty() {
        let hint = app.keymap.hint(crate::tui::keymap::Action::ToggleBreakpoint);
        lines.push(Line::styled(format!("none: {hint} sets one at the cursor"), theme.style(Role::Dim)));
    }
    let note = Some(format!("{}", app.breakpoints.len()));
    frame.render_widget(Paragraph::new(lines).block(block("Breakpoints", note, theme, focused)), area);
}
