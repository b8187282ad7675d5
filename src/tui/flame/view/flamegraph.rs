//! The flamegraph itself: one coloured cell run per frame, labelled with as much of its name as
//! fits (see [`frame_label`](super::frame_label)). Inferred frames are marked `~` and drawn in a
//! cooler shade, frames placed by stack samples marked `≈` in teal; search matches, the selection and (with --diff) the differential colours override.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::frame_label::frame_text;
use crate::profile::Evidence;
use crate::tui::flame::state::FlameState;

pub fn draw(frame: &mut Frame, state: &FlameState, area: Rect) {
    if area.height == 0 {
        return;
    }
    let frames = state.frames();
    if frames.is_empty() {
        frame.render_widget(Paragraph::new("nothing to draw: the profile has no self time"), area);
        return;
    }
    let color = state.theme.has_color();
    for f in &frames {
        let node = &state.tree.nodes[f.node];
        let name = state.tree.label(f.node, &state.model.labels);
        let label = match (node.function, node.evidence) {
            (Some(_), Evidence::Inferred) => format!("~{name}"),
            (Some(_), Evidence::Sampled) => format!("≈{name}"),
            _ => name.to_string(),
        };
        let text = format!("{:<width$}", frame_text(&label, f.width as usize), width = f.width as usize);
        let matched = state.matches.get(f.node).copied().unwrap_or(false);
        let mut style = if !color {
            if matched {
                Style::default().add_modifier(Modifier::UNDERLINED)
            } else {
                Style::default()
            }
        } else if matched {
            Style::default().fg(Color::Black).bg(Color::Magenta)
        } else if let Some(&delta) = state.deltas.get(f.node) {
            Style::default().fg(Color::Black).bg(diff_color(delta))
        } else if let Some(function) = node.function {
            Style::default().fg(Color::Black).bg(frame_color(
                &state.model.labels[function],
                node.evidence,
                state.model.library[function],
            ))
        } else {
            // "(other)" and "(unattributed)": no function, no colour of one.
            Style::default().fg(Color::Black).bg(Color::Rgb(170, 170, 170))
        };
        if f.node == state.selected {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        let line = Line::from(Span::styled(text, style));
        frame.render_widget(Paragraph::new(line), Rect::new(f.x, f.y, f.width, 1));
    }
}

/// Warm colours for measured own code, yellow-greens for library code, blues for inferred frames,
/// teals for sampled ones: hashed from the label so a function keeps its colour across views.
fn frame_color(label: &str, evidence: Evidence, library: bool) -> Color {
    let hash = label.bytes().fold(5381u32, |h, b| h.wrapping_mul(33) ^ b as u32);
    let v = (hash % 60) as u8;
    match (evidence, library) {
        (Evidence::Measured, false) => Color::Rgb(205 + v / 2, 80 + v * 2, 40),
        (Evidence::Measured, true) => Color::Rgb(170 + v, 190 + v / 2, 60),
        (Evidence::Sampled, false) => Color::Rgb(40 + v / 2, 170 + v, 150 + v / 2),
        (Evidence::Sampled, true) => Color::Rgb(80 + v / 2, 190 + v / 2, 170 + v / 2),
        (Evidence::Inferred, false) => Color::Rgb(120 + v, 150 + v, 215),
        (Evidence::Inferred, true) => Color::Rgb(110 + v, 180 + v / 2, 190),
    }
}

/// Red where the second profile spends more, blue where it spends less (inferno's convention).
fn diff_color(delta: f64) -> Color {
    let strength = (delta.abs() * 20.0).min(1.0);
    let fade = (220.0 - 160.0 * strength) as u8;
    if delta > 0.0 {
        Color::Rgb(250, fade, fade)
    } else if delta < 0.0 {
        Color::Rgb(fade, fade, 250)
    } else {
        Color::Rgb(220, 220, 220)
    }
}
