//! The Variables pane: watches, then locals and globals as a tree.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::panes::{fit, render_list, List};
use crate::tui::app::{App, VarRow};
use crate::tui::theme::{Role, Theme};

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let state = &app.variables;
    let theme = &app.theme;
    let rows = state.rows();
    let list = List {
        title: "Variables",
        note: (!rows.is_empty()).then(|| format!("{}/{}", state.selected.min(rows.len() - 1) + 1, rows.len())),
        focused,
        len: rows.len(),
        scroll: state.scroll,
        cursor: state.selected,
    };
    let row = |i: usize, width: usize| {
        let line = match &rows[i] {
            VarRow::WatchesHeader => section_line("Watches", state.watches_expanded, theme),
            VarRow::Section(s) => {
                let section = &state.sections[*s];
                section_line(section.kind.title(), section.root.expanded, theme)
            }
            VarRow::Watch(w) => {
                let watch = &state.watches[*w];
                let (value, role) = match &watch.result {
                    None => ("…".to_string(), Role::Dim),
                    Some(Ok(r)) => (r.value.clone(), Role::VarValue),
                    Some(Err(e)) => (e.clone(), Role::Error),
                };
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled(watch.expression.clone(), theme.style(Role::VarName)),
                    Span::styled(" = ", theme.style(Role::Dim)),
                    Span::styled(value, theme.style(role)),
                ])
            }
            VarRow::Node(s, path) => match state.node(*s, path) {
                Some(node) => {
                    let indent = "  ".repeat(path.len());
                    let marker = match (node.expandable(), node.expanded) {
                        (false, _) => "  ",
                        (true, false) => "▸ ",
                        (true, true) => "▾ ",
                    };
                    let value_role = if node.changed { Role::Changed } else { Role::VarValue };
                    let mut spans = vec![
                        Span::raw(indent),
                        Span::styled(marker, theme.style(Role::Dim)),
                        Span::styled(node.var.name.clone(), theme.style(Role::VarName)),
                    ];
                    if let Some(t) = &node.var.type_name {
                        spans.push(Span::styled(format!(": {t}"), theme.style(Role::VarType)));
                    }
                    spans.push(Span::styled(" = ", theme.style(Role::Dim)));
                    spans.push(Span::styled(node.var.value.clone(), theme.style(value_role)));
                    if node.var.truncated {
                        spans.push(Span::styled(" …(v: all)", theme.style(Role::Dim)));
                    }
                    Line::from(spans)
                }
                None => Line::raw(""),
            },
            VarRow::More(s, path) => {
                let node = state.node(*s, path);
                let indent = "  ".repeat(path.len() + 1);
                let text = match node {
                    Some(n) if n.loading => "loading…".to_string(),
                    Some(n) => {
                        let left = n.total.unwrap_or(0).saturating_sub(n.children.len());
                        format!("… show more ({left} more)")
                    }
                    None => String::new(),
                };
                Line::from(vec![Span::raw(indent), Span::styled(text, theme.style(Role::Dim))])
            }
        };
        clip(line, width)
    };
    let empty = || {
        let hint = if app.is_stopped() { "loading…" } else { "values appear when the program stops" };
        hint.to_string()
    };
    render_list(frame, area, theme, list, row, empty);
}

fn section_line(title: &str, expanded: bool, theme: &Theme) -> Line<'static> {
    let marker = if expanded { "▾ " } else { "▸ " };
    Line::from(Span::styled(format!("{marker}{title}"), theme.style(Role::Title)))
}

/// Cuts a line to `width` characters, span by span (values can be 1000 characters long).
fn clip(line: Line<'static>, width: usize) -> Line<'static> {
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let n = span.content.chars().count();
        if n <= left {
            left -= n;
            spans.push(span);
        } else {
            spans.push(Span::styled(fit(&span.content, left), span.style));
            left = 0;
        }
    }
    Line::from(spans)
}
