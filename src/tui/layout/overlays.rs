//! Where the full-screen overlays (Environment, Analysis) go, and how many list rows they have:
//! the views draw into these areas and the app pages and scrolls by the same heights, so neither
//! asks the other.

use ratatui::layout::{Margin, Rect};

/// Rows above the Environment overlay's list: tabs, interpreter, site-packages, blank.
const ENV_HEADER_ROWS: u16 = 4;
/// Rows above the Analysis overlay's list: the summary line and a blank.
const ANALYSIS_HEADER_ROWS: u16 = 2;

/// Rows above the tests overlay's list: the summary line and the legend.
const TESTS_HEADER_ROWS: u16 = 2;

/// An overlay's area for a screen of `size`: nearly all of it.
pub fn overlay_area(size: Rect) -> Rect {
    size.inner(Margin { horizontal: 2, vertical: 1 })
}

/// How many list rows fit in the Environment overlay (the app pages by it).
pub fn env_list_height(size: Rect) -> usize {
    usize::from(overlay_area(size).height.saturating_sub(2 + ENV_HEADER_ROWS + 2))
}

/// How many list rows fit in the Analysis overlay (the app pages by it).
pub fn analysis_list_height(size: Rect) -> usize {
    usize::from(overlay_area(size).height.saturating_sub(2 + ANALYSIS_HEADER_ROWS))
}

/// How many list rows fit in the tests overlay (the app pages by it).
pub fn tests_list_height(size: Rect) -> usize {
    usize::from(overlay_area(size).height.saturating_sub(2 + TESTS_HEADER_ROWS))
}
