//! The line report view's state and how keys and the mouse change it: which hot line is
//! selected, which part has the keys, and the source pane opened at the selected line.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};

use super::LineReport;
use crate::tui::source::SourcePane;
use crate::tui::theme::Theme;

/// Which part takes the arrow keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Source,
}

/// Where each part of the screen is (computed on resize).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub sparkline: Rect,
    pub list: Rect,
    pub source: Rect,
    pub status: Rect,
}

pub struct LineReportState {
    pub report: LineReport,
    pub theme: Theme,
    pub focus: Focus,
    /// Index into `report.hottest`.
    pub selected: usize,
    pub source: SourcePane,
    /// The file the source pane was asked to show (it may have failed to open).
    opened: Option<PathBuf>,
    pub help: bool,
    pub quit: bool,
    pub message: Option<String>,
    pub areas: Areas,
}

/// Rows of the sparkline when the report has a series.
const SPARKLINE_ROWS: u16 = 4;

impl LineReportState {
    pub fn new(report: LineReport, theme: Theme) -> Self {
        let mut state = LineReportState {
            report,
            theme,
            focus: Focus::List,
            selected: 0,
            source: SourcePane::new(),
            opened: None,
            help: false,
            quit: false,
            message: None,
            areas: Areas::default(),
        };
        state.show_selected();
        state
    }

    pub fn resize(&mut self, size: Rect) {
        let spark = if self.report.series.is_some() { SPARKLINE_ROWS } else { 0 };
        let list_rows = (self.report.hottest.len() as u16 + 2).clamp(3, size.height.saturating_sub(8).max(3) / 2);
        let [header, sparkline, list, source, status] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(spark),
            Constraint::Length(list_rows),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(size);
        self.areas = Areas { header, sparkline, list, source, status };
    }

    /// Before a draw: the source pane settles its view and highlights what will show.
    pub fn prepare(&mut self) {
        let rows = self.areas.source.height.saturating_sub(1);
        self.source.prepare(rows, &self.theme);
    }

    /// Rows of the list that show hot lines (its first row is the heading).
    pub fn list_rows(&self) -> usize {
        usize::from(self.areas.list.height.saturating_sub(2)).max(1)
    }

    /// The first hot line shown, so that the selected one is in view.
    pub fn list_scroll(&self) -> usize {
        (self.selected + 1).saturating_sub(self.list_rows())
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        // (Key releases and Ctrl-C are the event loop's: `tui::screen`.)
        self.message = None;
        if std::mem::take(&mut self.help) {
            return;
        }
        match (key.code, self.focus) {
            (KeyCode::Char('q'), _) => self.quit = true,
            (KeyCode::Char('?'), _) => self.help = true,
            (KeyCode::Tab | KeyCode::BackTab, _) => self.toggle_focus(),
            (KeyCode::Esc, Focus::Source) => self.focus = Focus::List,
            (KeyCode::Esc, Focus::List) => self.quit = true,
            (KeyCode::Enter, Focus::List) => self.focus = Focus::Source,
            (KeyCode::Up | KeyCode::Char('k'), Focus::List) => self.select(self.selected.saturating_sub(1)),
            (KeyCode::Down | KeyCode::Char('j'), Focus::List) => self.select(self.selected + 1),
            (KeyCode::Home | KeyCode::Char('g'), Focus::List) => self.select(0),
            (KeyCode::End | KeyCode::Char('G'), Focus::List) => self.select(usize::MAX),
            (KeyCode::Up | KeyCode::Char('k'), Focus::Source) => self.source.move_cursor(-1),
            (KeyCode::Down | KeyCode::Char('j'), Focus::Source) => self.source.move_cursor(1),
            (KeyCode::Home | KeyCode::Char('g'), Focus::Source) => self.source.top(),
            (KeyCode::End | KeyCode::Char('G'), Focus::Source) => self.source.bottom(),
            (KeyCode::PageUp, _) => self.source.page(-1),
            (KeyCode::PageDown, _) => self.source.page(1),
            _ => {}
        }
    }

    pub fn on_mouse(&mut self, mouse: MouseEvent) {
        let at = Position { x: mouse.column, y: mouse.row };
        match mouse.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown if self.areas.source.contains(at) => {
                self.source.scroll(if mouse.kind == MouseEventKind::ScrollUp { -3 } else { 3 });
            }
            MouseEventKind::Down(_) if self.areas.list.contains(at) => {
                let row = usize::from(at.y.saturating_sub(self.areas.list.y));
                // The list's first two rows are its border and heading.
                if row >= 2 {
                    self.select(self.list_scroll() + row - 2);
                    self.focus = Focus::List;
                }
            }
            MouseEventKind::Down(_) if self.areas.source.contains(at) => self.focus = Focus::Source,
            _ => {}
        }
    }

    fn toggle_focus(&mut self) {
        self.focus = match self.focus {
            Focus::List => Focus::Source,
            Focus::Source => Focus::List,
        };
    }

    fn select(&mut self, index: usize) {
        let last = self.report.hottest.len().saturating_sub(1);
        self.selected = index.min(last);
        self.show_selected();
    }

    /// Opens the selected hot line's file in the source pane, at that line.
    fn show_selected(&mut self) {
        let Some(hot) = self.report.hottest.get(self.selected) else {
            self.source.show_text(" source ", "no line has figures: the measured code never ran");
            return;
        };
        let (path, line) = (hot.path.clone(), hot.line);
        if self.opened.as_ref() != Some(&path) || self.source.is_message() {
            self.opened = Some(path.clone());
            if let Err(e) = self.source.open(&path) {
                self.source.show_text(" source ", &format!("{e:#}"));
                return;
            }
        }
        self.source.goto_line(line);
    }
}
