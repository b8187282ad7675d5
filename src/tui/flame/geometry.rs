//! Where frames go on screen: the zoomed subtree laid out over the width (each frame as wide as
//! its share of the zoomed frame's time), one row per depth, upward for a flame and downward for
//! an icicle. Shared by the view and by mouse hit-testing so they always agree.

use ratatui::layout::Rect;

use super::state::Orientation;
use crate::profile::CallTree;

/// One frame on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameBox {
    pub node: usize,
    pub x: u16,
    pub y: u16,
    pub width: u16,
    /// Depth below the zoomed frame (0 = the zoomed frame itself, or the roots when not zoomed).
    pub level: usize,
}

/// Frames of `tree` under `zoom`, in `area`. Frames narrower than one column are not placed (their
/// time is inside their parent's width). `level_offset` levels at the root end are scrolled away.
pub fn frames(
    tree: &CallTree,
    zoom: usize,
    area: Rect,
    orientation: Orientation,
    level_offset: usize,
) -> Vec<FrameBox> {
    let mut out = Vec::new();
    let Some(zoomed) = tree.nodes.get(zoom) else { return out };
    if area.width == 0 || area.height == 0 || zoomed.total_time <= 0.0 {
        return out;
    }
    let scale = area.width as f64 / zoomed.total_time;
    // (node, start in seconds from the zoomed frame's left edge, level)
    let mut stack: Vec<(usize, f64, usize)> = Vec::new();
    if zoom == 0 {
        let mut start = 0.0;
        for &c in &zoomed.children {
            stack.push((c, start, 0));
            start += tree.nodes[c].total_time;
        }
    } else {
        stack.push((zoom, 0.0, 0));
    }
    while let Some((node, start, level)) = stack.pop() {
        let n = &tree.nodes[node];
        let x0 = (start * scale).round() as u16;
        let x1 = (((start + n.total_time) * scale).round() as u16).min(area.width);
        if x1 <= x0 {
            continue;
        }
        if level >= level_offset && level - level_offset < area.height as usize {
            let row = (level - level_offset) as u16;
            let y = match orientation {
                Orientation::Icicle => area.y + row,
                Orientation::Flame => area.bottom() - 1 - row,
            };
            out.push(FrameBox { node, x: area.x + x0, y, width: x1 - x0, level });
        }
        if level + 1 >= level_offset + area.height as usize {
            continue;
        }
        let mut child_start = start;
        for &c in &n.children {
            stack.push((c, child_start, level + 1));
            child_start += tree.nodes[c].total_time;
        }
    }
    out.sort_by_key(|f| (f.level, f.x));
    out
}

/// The frame at a screen cell, if any.
pub fn hit(frames: &[FrameBox], column: u16, row: u16) -> Option<usize> {
    frames.iter().find(|f| f.y == row && column >= f.x && column < f.x + f.width).map(|f| f.node)
}
