//! The header (profile, totals, view options) and the status lines (the selected frame, the
//! search line, messages, key hints).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::{fit, line_in};
use crate::profile::calls;
use crate::profile::svg::human_time;
use crate::profile::{Evidence, NodeKind};
use crate::tui::flame::state::{FlameState, Orientation};
use crate::tui::theme::Role;

pub fn header(frame: &mut Frame, state: &FlameState, area: Rect) {
    let tree = &state.tree;
    let mut text = format!(
        " {} · {} · {:.1}% inferred{} · {} · {}{}",
        state.model.name,
        human_time(tree.total()),
        tree.inferred_share() * 100.0,
        if tree.sampled_time() > 0.0 {
            format!(" · {:.1}% sampled", tree.sampled_share() * 100.0)
        } else {
            String::new()
        },
        if state.orientation == Orientation::Flame { "flame" } else { "icicle" },
        state.library.describe(),
        if state.exact_only { " · exact only" } else { "" },
    );
    if state.model.differential.is_some() {
        text.push_str(" · diff: red more, blue less");
    }
    if state.zoom != 0 {
        if let Some(f) = tree.nodes[state.zoom].function {
            text.push_str(&format!(" · zoom: {}", state.model.labels[f]));
        }
    }
    let style = state.theme.style(Role::StatusBar);
    line_in(
        frame,
        Line::styled(format!("{:<w$}", fit(&text, area.width as usize), w = area.width as usize), style),
        area,
    );
}

pub fn status(frame: &mut Frame, state: &FlameState, area: Rect) {
    if area.height == 0 {
        return;
    }
    let width = area.width as usize;
    let first = Rect::new(area.x, area.y, area.width, 1);
    let second = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1).min(1));
    let info = selected_info(state);
    line_in(frame, Line::from(fit(&info, width)), first);
    let key = state.theme.style(Role::Key);
    let line = if let Some(input) = &state.search_input {
        Line::from(vec![Span::styled("/", key), Span::raw(input.clone()), Span::styled("▏", key)])
    } else if let Some(message) = &state.message {
        Line::styled(fit(message, width), state.theme.style(Role::Error).remove_modifier(Modifier::BOLD))
    } else if let Some(search) = &state.search {
        Line::from(fit(
            &format!(
                "search {search:?}: {:.1}% of the time · n/N next/previous · Esc clears",
                state.matched_share() * 100.0
            ),
            width,
        ))
    } else {
        let hints = [
            ("?", "help"),
            ("Enter", "zoom"),
            ("⌫", "out"),
            ("/", "search"),
            ("t", "table"),
            ("c", "callers"),
            ("o", "source"),
            ("b", "debug here"),
            ("l", "library"),
            ("e", "exact"),
            ("i", "icicle"),
            ("q", "quit"),
        ];
        let mut spans = Vec::new();
        let mut used = 0;
        for (k, what) in hints {
            let len = k.chars().count() + what.len() + 2;
            if used + len > width {
                break;
            }
            spans.push(Span::styled(k, key));
            spans.push(Span::styled(format!(" {what} "), Style::default()));
            used += len;
        }
        Line::from(spans)
    };
    line_in(frame, line, second);
}

fn selected_info(state: &FlameState) -> String {
    let Some(node) = state.tree.nodes.get(state.selected) else { return String::new() };
    let Some(f) = node.function else {
        return match node.kind {
            NodeKind::Other => format!(
                "(other) · {} ({:.1}%) · callees of the frame below, each too small to draw",
                human_time(node.total_time),
                node.total_time / state.tree.total().max(f64::MIN_POSITIVE) * 100.0
            ),
            NodeKind::Unattributed => format!(
                "(unattributed) · {} · cProfile's figures cannot place this time without drawing a function wider than its cumulative time",
                human_time(node.total_time)
            ),
            _ => String::new(),
        };
    };
    let key = &state.model.profile.functions[f].key;
    let total = state.tree.total().max(f64::MIN_POSITIVE);
    let mut text = format!(
        "{} {}:{} · total {} ({:.1}%) · self {} · {} · {}",
        key.name,
        key.file,
        key.line,
        human_time(node.total_time),
        node.total_time / total * 100.0,
        human_time(node.self_time),
        calls::on_path(node.calls, node.evidence == Evidence::Measured, node.total_time),
        node.evidence.word(),
    );
    // Below a tenth of a microsecond it is the clock's noise, not callees.
    if node.folded_time >= 1e-7 {
        text.push_str(&format!(" · {} of small callees folded in", human_time(node.folded_time)));
    }
    if let Some(d) = state.deltas.get(state.selected) {
        text.push_str(&format!(" · diff {:+.2}%", d * 100.0));
    }
    text
}
