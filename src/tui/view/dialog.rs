//! Modal dialogs drawn over the screen.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::panes::block;
use crate::tui::app::{BreakpointForm, Dialog, QuickOpen, TextInput, QUICK_OPEN_SHOWN as SHOWN};
use crate::tui::layout::centered;
use crate::tui::theme::{Role, Theme};

pub fn render(frame: &mut Frame, screen: Rect, dialog: &Dialog, theme: &Theme) {
    match dialog {
        Dialog::Value { text, scroll, .. } => {
            let area = centered(screen, screen.width.saturating_sub(8).max(20), screen.height.saturating_sub(4).max(5));
            frame.render_widget(Clear, area);
            let body = text.as_deref().unwrap_or("loading…");
            let note = Some(format!("{} chars · ↑↓ scroll · Esc closes", body.chars().count()));
            frame.render_widget(
                Paragraph::new(body)
                    .style(theme.style(Role::VarValue))
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0))
                    .block(block(&dialog.title(), note, theme, true)),
                area,
            );
        }
        Dialog::Breakpoint(form) => breakpoint(frame, screen, &dialog.title(), form, theme),
        Dialog::QuickOpen(quick) => quick_open(frame, screen, &dialog.title(), quick, theme),
        Dialog::Search(input)
        | Dialog::GotoLine(input)
        | Dialog::Watch { input, .. }
        | Dialog::SetValue { input, .. } => {
            let area = centered(screen, 60.min(screen.width), 3);
            frame.render_widget(Clear, area);
            let note = Some("Enter · Esc".to_string());
            frame.render_widget(
                Paragraph::new(Line::raw(input.text().to_string())).block(block(&dialog.title(), note, theme, true)),
                area,
            );
            place_cursor(frame, area.x + 1, area.y + 1, area, input);
        }
    }
}

fn breakpoint(frame: &mut Frame, screen: Rect, title: &str, form: &BreakpointForm, theme: &Theme) {
    let area = centered(screen, 70.min(screen.width), 10);
    frame.render_widget(Clear, area);
    let mut lines = Vec::new();
    for (i, label) in BreakpointForm::LABELS.iter().enumerate() {
        let role = if i == form.focus { Role::TitleFocused } else { Role::Dim };
        lines.push(Line::styled(format!("{label}:"), theme.style(role)));
        lines.push(Line::from(vec![Span::raw("  "), Span::raw(form.fields[i].text().to_string())]));
    }
    match &form.error {
        Some(e) => lines.push(Line::styled(e.clone(), theme.style(Role::Error))),
        None => lines.push(Line::styled("Tab next field · Enter saves · Esc cancels", theme.style(Role::Dim))),
    }
    frame.render_widget(Paragraph::new(lines).block(block(title, None, theme, true)), area);
    let y = area.y + 2 + 2 * form.focus as u16;
    place_cursor(frame, area.x + 3, y, area, &form.fields[form.focus]);
}

/// The typed text, then the best matches with the selected one marked; the list scrolls with the
/// selection.
fn quick_open(frame: &mut Frame, screen: Rect, title: &str, quick: &QuickOpen, theme: &Theme) {
    let rows = quick.matches.len().clamp(1, SHOWN).min(screen.height.saturating_sub(6) as usize).max(1);
    let area = centered(screen, 80.min(screen.width), rows as u16 + 3);
    frame.render_widget(Clear, area);
    let mut lines = vec![Line::raw(quick.input.text().to_string())];
    let first = quick.selected.saturating_sub(rows - 1);
    for (n, &i) in quick.matches.iter().enumerate().skip(first).take(rows) {
        let (marker, role) = if n == quick.selected { ("▶ ", Role::TitleFocused) } else { ("  ", Role::Dim) };
        lines.push(Line::styled(format!("{marker}{}", quick.files[i].0), theme.style(role)));
    }
    if quick.matches.is_empty() {
        let empty = if quick.listing { "listing the project's files…" } else { "no file matches" };
        lines.push(Line::styled(empty, theme.style(Role::Dim)));
    }
    let note = Some(format!("{} of {} · ↑↓ · Enter opens · Esc", quick.matches.len(), quick.files.len()));
    frame.render_widget(Paragraph::new(lines).block(block(title, note, theme, true)), area);
    place_cursor(frame, area.x + 1, area.y + 1, area, &quick.input);
}

fn place_cursor(frame: &mut Frame, x: u16, y: u16, area: Rect, input: &TextInput) {
    let x = x + input.cursor() as u16;
    if x < area.x + area.width.saturating_sub(1) && y < area.y + area.height {
        frame.set_cursor_position(Position { x, y });
    }
}
