//! The mouse: a click focuses the pane under it and selects (or, in the source gutter, toggles
//! a breakpoint); the wheel scrolls the pane under the pointer, or the open overlay or dialog.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::super::dialog::Dialog;
use super::super::App;
use super::breakpoints::toggle_breakpoint;
use super::panes::{activate, expand, navigate};
use crate::tui::layout::{self, Pane};
use crate::tui::worker::Request;

pub fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Request> {
    let Some(areas) = app.areas else { return Vec::new() };
    if app.dialog.is_some() || app.help.is_some() || app.env.open || app.analysis.open {
        if app.env.open && matches!(mouse.kind, MouseEventKind::ScrollDown | MouseEventKind::ScrollUp) {
            let visible = layout::env_list_height(app.size);
            app.env.move_cursor(if mouse.kind == MouseEventKind::ScrollDown { 3 } else { -3 }, visible);
        }
        if let (MouseEventKind::ScrollDown | MouseEventKind::ScrollUp, Some(Dialog::Value { scroll, .. })) =
            (mouse.kind, &mut app.dialog)
        {
            *scroll = if mouse.kind == MouseEventKind::ScrollDown {
                scroll.saturating_add(3)
            } else {
                scroll.saturating_sub(3)
            };
        }
        return Vec::new();
    }
    let Some(pane) = areas.pane_at(mouse.column, mouse.row) else { return Vec::new() };
    let area = areas.of(pane);
    // Row within the pane's content (inside the border).
    let content_row = (mouse.row > area.y).then(|| (mouse.row - area.y - 1) as usize);
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if mouse.kind == MouseEventKind::ScrollDown { 3 } else { -3 };
            match pane {
                Pane::Source => app.source.scroll(delta),
                Pane::Console => {
                    let back = app.console.scroll_back as isize - delta;
                    app.console.scroll_back = back.clamp(0, app.console.lines.len() as isize) as usize;
                }
                other => {
                    let focus = app.focus;
                    app.focus = other;
                    navigate(app, delta);
                    app.focus = focus;
                }
            }
            Vec::new()
        }
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            match pane {
                Pane::Source => {
                    if let Some((line, in_gutter)) = app.source.line_at(area, mouse.column, mouse.row) {
                        app.source.goto_line(line);
                        if in_gutter {
                            return toggle_breakpoint(app);
                        }
                    }
                    Vec::new()
                }
                Pane::Variables => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.variables.scroll + row;
                    if index < app.variables.rows().len() {
                        app.variables.selected = index;
                        return expand(app, None);
                    }
                    Vec::new()
                }
                Pane::Stack => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.stack.scroll + row;
                    if index < app.stack.rows().len() {
                        app.stack.cursor = index;
                        return activate(app);
                    }
                    Vec::new()
                }
                Pane::Breakpoints => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.breakpoint_scroll + row;
                    if index < app.breakpoints.len() {
                        app.breakpoint_cursor = index;
                    }
                    Vec::new()
                }
                Pane::Console => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}
