//! The Console pane: the program's output (stdout and stderr told apart), loupe's messages, and
//! the prompt.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::panes::{block, fit};
use crate::session::Phase;
use crate::tui::app::{App, LineKind};
use crate::tui::theme::Role;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    if let Some(pty) = &app.pty {
        return render_terminal(frame, area, app, pty, focused);
    }
    let theme = &app.theme;
    let console = &app.console;
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    // The last rows: completions (one row) and the prompt.
    let completion_rows = usize::from(!console.completions.is_empty());
    let output_rows = height.saturating_sub(1 + completion_rows);
    let end = console.lines.len().saturating_sub(console.scroll_back);
    let start = end.saturating_sub(output_rows);
    let mut lines: Vec<Line> = console
        .lines
        .range(start..end)
        .map(|l| {
            let role = match l.kind {
                LineKind::Stdout => Role::Stdout,
                LineKind::Stderr => Role::Stderr,
                LineKind::Info => Role::ConsoleInfo,
                LineKind::Input => Role::Prompt,
                LineKind::Result => Role::VarValue,
                LineKind::Error => Role::Error,
            };
            Line::styled(fit(&l.text, width), theme.style(role))
        })
        .collect();
    while lines.len() < output_rows {
        lines.insert(0, Line::raw(""));
    }
    if completion_rows > 0 {
        lines.push(Line::styled(fit(&console.completions.join("  "), width), theme.style(Role::Dim)));
    }
    let to_program = matches!(app.phase, Phase::Running) && console.to_program;
    let prompt = if to_program { "input> " } else { ">>> " };
    let input = console.input.text();
    // Keep the cursor visible in a long input by showing its tail.
    let room = width.saturating_sub(prompt.len() + 1);
    let skip = console.input.cursor().saturating_sub(room);
    let shown: String = input.chars().skip(skip).take(room + 1).collect();
    lines.push(Line::from(vec![Span::styled(prompt, theme.style(Role::Prompt)), Span::raw(shown)]));
    let note = match (console.scroll_back, console.dropped) {
        (0, 0) => None,
        (0, d) => Some(format!("{d} old lines dropped")),
        (b, _) => Some(format!("↑{b} lines")),
    };
    // While the program runs, the title says where a line goes.
    let title = match (matches!(app.phase, Phase::Running), to_program) {
        (true, true) => "Console · program input (Ctrl-T: commands)",
        (true, false) => "Console · debugger commands (Ctrl-T: program input)",
        (false, _) => "Console",
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, note, theme, focused)), area);
    if focused && app.dialog.is_none() && app.help.is_none() && height > 0 {
        let x = area.x + 1 + (prompt.len() + console.input.cursor() - skip) as u16;
        let y = area.y + area.height - 2;
        if x < area.x + area.width - 1 {
            frame.set_cursor_position(Position { x, y });
        }
    }
}

/// The program's terminal (with pdb's or ipdb's prompt in it) as its emulator sees it, cell by cell
/// with its colours.
fn render_terminal(frame: &mut Frame, area: Rect, app: &App, pty: &crate::session::ProgramTerminal, focused: bool) {
    let Ok(parser) = pty.screen.lock() else { return };
    let screen = parser.screen();
    let title = format!("Console · {}", app.facts.backend);
    let note = match screen.scrollback() {
        0 => None,
        n => Some(format!("↑{n} lines · PgDn or typing returns")),
    };
    let block = block(&title, note, &app.theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (rows, cols) = screen.size();
    let color = app.theme.has_color();
    let buffer = frame.buffer_mut();
    for row in 0..rows.min(inner.height) {
        for col in 0..cols.min(inner.width) {
            let Some(cell) = screen.cell(row, col) else { continue };
            if cell.is_wide_continuation() {
                continue;
            }
            let target = &mut buffer[(inner.x + col, inner.y + row)];
            let text = cell.contents();
            target.set_symbol(if text.is_empty() { " " } else { text });
            let mut style = ratatui::style::Style::default();
            if color {
                if let Some(c) = vt_color(cell.fgcolor()) {
                    style = style.fg(c);
                }
                if let Some(c) = vt_color(cell.bgcolor()) {
                    style = style.bg(c);
                }
            }
            use ratatui::style::Modifier;
            for (on, modifier) in [
                (cell.bold(), Modifier::BOLD),
                (cell.italic(), Modifier::ITALIC),
                (cell.underline(), Modifier::UNDERLINED),
                (cell.inverse(), Modifier::REVERSED),
                (cell.dim(), Modifier::DIM),
            ] {
                if on {
                    style = style.add_modifier(modifier);
                }
            }
            target.set_style(style);
        }
    }
    if focused && app.dialog.is_none() && app.help.is_none() && !screen.hide_cursor() && screen.scrollback() == 0 {
        let (row, col) = screen.cursor_position();
        if row < inner.height && col < inner.width {
            frame.set_cursor_position(Position { x: inner.x + col, y: inner.y + row });
        }
    }
}

fn vt_color(color: vt100::Color) -> Option<ratatui::style::Color> {
    match color {
        vt100::Color::Default => None,
        vt100::Color::Idx(i) => Some(ratatui::style::Color::Indexed(i)),
        vt100::Color::Rgb(r, g, b) => Some(ratatui::style::Color::Rgb(r, g, b)),
    }
}
