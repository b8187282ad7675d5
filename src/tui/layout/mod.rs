//! Where each pane and overlay goes for a terminal size, and how many rows each list has. Pure,
//! and the one place these are computed: the view draws into these areas, the app uses the same
//! areas for mouse hit tests and the same heights for paging, so app/ never asks view/.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

pub mod help;
mod overlays;

pub use overlays::{analysis_list_height, env_list_height, overlay_area, tests_list_height};

/// Smallest terminal loupe draws in; below it the screen says so instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Source,
    Variables,
    Stack,
    Breakpoints,
    Console,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Source, Pane::Variables, Pane::Stack, Pane::Breakpoints, Pane::Console];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Source => "Source",
            Pane::Variables => "Variables",
            Pane::Stack => "Stack",
            Pane::Breakpoints => "Breakpoints",
            Pane::Console => "Console",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub source: Rect,
    pub variables: Rect,
    pub stack: Rect,
    pub breakpoints: Rect,
    pub console: Rect,
    pub status: Rect,
}

impl Areas {
    pub fn of(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Source => self.source,
            Pane::Variables => self.variables,
            Pane::Stack => self.stack,
            Pane::Breakpoints => self.breakpoints,
            Pane::Console => self.console,
        }
    }

    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        let p = ratatui::layout::Position { x: column, y: row };
        Pane::ALL.into_iter().find(|&pane| self.of(pane).contains(p))
    }
}

/// The areas for a terminal of `size`; None when it is too small to be useful.
pub fn areas(size: Rect) -> Option<Areas> {
    if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        return None;
    }
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(size);
    if size.width >= 100 {
        // Wide: code and console on the left, inspection on the right.
        let [left, right] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(main);
        let console_height = (left.height * 3 / 10).max(6);
        let [source, console] = Layout::vertical([Constraint::Min(3), Constraint::Length(console_height)]).areas(left);
        let [variables, stack, breakpoints] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(50), Constraint::Percentage(28), Constraint::Percentage(22)])
            .areas(right);
        Some(Areas { source, variables, stack, breakpoints, console, status })
    } else {
        // Narrow: everything stacked, inspection side by side in the middle.
        let [source, middle, console] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(30), Constraint::Percentage(25)])
                .areas(main);
        let [variables, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
        let [stack, breakpoints] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(right);
        Some(Areas { source, variables, stack, breakpoints, console, status })
    }
}

/// A rectangle of `width`×`height` centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

/// Rows of content inside a bordered pane.
pub fn inner_height(area: Rect) -> usize {
    area.height.saturating_sub(2) as usize
}

/// Keeps `selected` within a window of `height` rows starting at `scroll`.
pub fn follow(scroll: usize, selected: usize, height: usize) -> usize {
    if height == 0 {
        return selected;
    }
    if selected < scroll {
        selected
    } else if selected >= scroll + height {
        selected + 1 - height
    } else {
        scroll
    }
}
