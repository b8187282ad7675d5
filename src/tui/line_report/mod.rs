//! The line report view (`loupe profile --lines`, `loupe profile --alloc`): the hottest lines of
//! a run, listed, and the source around the selected one with a gutter of per-line figures (time
//! or bytes), plus, for a memory run, the process's RSS over time as a sparkline.
//!
//! The view knows nothing of how the figures were measured: the profiler's reports are turned
//! into a [`LineReport`] by the command that ran them. Same split as the other screens: [`state`]
//! holds everything and takes keys, [`view`] draws state only; [`heat`] is the gutter cell the
//! flame view's source panel draws too.

pub mod heat;
pub mod state;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use state::LineReportState;

/// One line's figures, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct LineCell {
    /// The figure with its unit, e.g. `12.3ms` or `4.0 MiB`.
    pub value: String,
    /// What else is known, e.g. `1,204 hits` or `3 blocks`.
    pub detail: String,
    /// The line's share (0 to 1) of what it is compared with: its function's time in the gutter
    /// of a line profile, all measured time in its list, the memory listed for a memory profile.
    /// It sets the colour.
    pub share: f64,
}

/// A line in the "hottest" list.
#[derive(Debug, Clone, PartialEq)]
pub struct HotLine {
    pub path: PathBuf,
    pub line: usize,
    /// The enclosing function, when the report knows it.
    pub function: Option<String>,
    pub cell: LineCell,
}

/// A series of samples over time (RSS for a memory run), drawn as a sparkline.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// E.g. `RSS`.
    pub name: String,
    pub values: Vec<u64>,
    /// The largest value, with its unit, e.g. `118.0 MiB`.
    pub max_label: String,
    /// The time the samples span, with its unit, e.g. `3.2 s`.
    pub span_label: String,
}

/// What the view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineReport {
    /// E.g. `line times of work.py`.
    pub title: String,
    /// One line under the title, e.g. `peak 38.2 MiB` or `1.23 s in 2 functions (sys.monitoring)`.
    pub summary: String,
    /// The gutter column's name: `time` or `memory`.
    pub measure: String,
    /// Hottest first.
    pub hottest: Vec<HotLine>,
    /// Every line with figures, by file then line.
    pub cells: HashMap<PathBuf, BTreeMap<usize, LineCell>>,
    pub series: Option<Series>,
}

impl LineReport {
    /// The figures of the lines of `path`, if the report has any there.
    pub fn cells_for(&self, path: &Path) -> Option<&BTreeMap<usize, LineCell>> {
        self.cells.get(path)
    }

    /// Adds a line's figures (and keeps it in the hottest list, which is sorted by share).
    pub fn add(&mut self, path: PathBuf, line: usize, function: Option<String>, cell: LineCell) {
        self.cells.entry(path.clone()).or_default().insert(line, cell.clone());
        self.hottest.push(HotLine { path, line, function, cell });
    }

    /// Sorts the hottest list (largest share first, then by place) and keeps the first `limit`.
    pub fn finish(&mut self, limit: usize) {
        self.hottest.sort_by(|a, b| {
            b.cell.share.total_cmp(&a.cell.share).then_with(|| (&a.path, a.line).cmp(&(&b.path, b.line)))
        });
        self.hottest.truncate(limit);
    }
}

/// Runs the view until the user quits.
pub async fn run(report: LineReport, theme_name: Option<&str>) -> anyhow::Result<()> {
    let mut state = LineReportState::new(report, super::flame::theme(theme_name)?);
    super::screen::run(&mut state).await
}

impl super::screen::Screen for LineReportState {
    fn on_key(&mut self, key: crossterm::event::KeyEvent) {
        LineReportState::on_key(self, key);
    }
    fn on_mouse(&mut self, mouse: crossterm::event::MouseEvent) {
        LineReportState::on_mouse(self, mouse);
    }
    fn resize(&mut self, size: ratatui::layout::Rect) {
        LineReportState::resize(self, size);
    }
    fn prepare(&mut self) {
        LineReportState::prepare(self);
    }
    fn draw(&self, frame: &mut ratatui::Frame) {
        view::draw(frame, self);
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn finish(&mut self) {
        self.quit = true;
    }
}
