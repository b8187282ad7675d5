//! The flame view's state: view options, the tree they produce, selection, zoom, search, the open
//! panel, and the screen areas (so mouse clicks and the view agree on where things are).

use std::path::PathBuf;

use ratatui::layout::Rect;

use super::geometry::{self, FrameBox};
use super::model::{self, FlameModel, LibraryMode, SortKey};
use crate::profile::CallTree;
use crate::tui::line_report::LineReport;
use crate::tui::source::SourcePane;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Roots at the bottom, callees above (the classic flamegraph).
    Flame,
    /// Roots at the top, callees below.
    Icicle,
}

/// The pane under the flamegraph, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    None,
    Table,
    Callers,
    Source,
}

/// Where "debug here" starts the debugger, and the sentence that says where and why there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugAt {
    pub file: PathBuf,
    pub line: u32,
    /// E.g. `debug: break at m.py:12 (first line of f)`.
    pub note: String,
}

/// Where each part of the screen is (computed on resize and when the panel changes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub flame: Rect,
    pub panel: Rect,
    pub status: Rect,
}

pub struct FlameState {
    pub model: FlameModel,
    pub theme: Theme,
    pub tree: CallTree,
    /// Differential change per node (empty without --diff).
    pub deltas: Vec<f64>,
    pub orientation: Orientation,
    pub library: LibraryMode,
    pub exact_only: bool,
    /// The node whose subtree fills the width (0: everything).
    pub zoom: usize,
    pub selected: usize,
    /// Levels scrolled away at the root end when the tree is deeper than the screen.
    pub level_offset: usize,
    /// The search being typed, if the search line is open.
    pub search_input: Option<String>,
    pub search: Option<String>,
    /// Nodes whose label matches the search.
    pub matches: Vec<bool>,
    pub panel: Panel,
    /// Whether keys go to the panel (table, callers) rather than the flamegraph.
    pub panel_focused: bool,
    pub sort: SortKey,
    pub table_order: Vec<usize>,
    pub table_row: usize,
    /// Callers then callees of the selected function: (function, is_caller).
    pub callers_row: usize,
    pub source: SourcePane,
    pub help: bool,
    pub message: Option<String>,
    pub areas: Areas,
    pub size: Rect,
    pub quit: bool,
    /// Set by "debug here": where to start the debugger.
    pub debug_at: Option<DebugAt>,
    /// Set by "line times here": the function to measure line by line.
    pub lines_for: Option<LinesFor>,
    /// Line times (or bytes) measured from this view, drawn in the source panel's gutter.
    pub heat: Option<LineReport>,
}

/// "Line times here": the function a line-level run should measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinesFor {
    /// The function's file, as the source panel opens it.
    pub file: PathBuf,
    /// The function's name (cProfile's, the code object's).
    pub name: String,
    /// Its first line, to open the source there when the times are back.
    pub line: u32,
}

impl FlameState {
    pub fn new(mut model: FlameModel, theme: Theme) -> FlameState {
        let tree = model::view_tree(&mut model, false, LibraryMode::Show);
        let deltas = model::node_deltas(&model, &tree);
        let table_order = model::table_order(&model.profile, SortKey::SelfTime);
        let mut state = FlameState {
            model,
            theme,
            tree,
            deltas,
            orientation: Orientation::Flame,
            library: LibraryMode::Show,
            exact_only: false,
            zoom: 0,
            selected: 0,
            level_offset: 0,
            search_input: None,
            search: None,
            matches: Vec::new(),
            panel: Panel::None,
            panel_focused: false,
            sort: SortKey::SelfTime,
            table_order,
            table_row: 0,
            callers_row: 0,
            source: SourcePane::new(),
            help: false,
            message: None,
            areas: Areas::default(),
            size: Rect::default(),
            quit: false,
            debug_at: None,
            lines_for: None,
            heat: None,
        };
        state.selected = state.widest_child(0).unwrap_or(0);
        state
    }

    /// Rebuilds the tree after an option changed, keeping the selected function if it is there.
    pub fn rebuild(&mut self) {
        let function = self.selected_function();
        self.tree = model::view_tree(&mut self.model, self.exact_only, self.library);
        self.deltas = model::node_deltas(&self.model, &self.tree);
        self.zoom = 0;
        self.level_offset = 0;
        self.selected = function.and_then(|f| self.largest_node_of(f)).or_else(|| self.widest_child(0)).unwrap_or(0);
        self.refresh_matches();
    }

    pub fn resize(&mut self, size: Rect) {
        self.size = size;
        self.layout();
    }

    /// Splits the screen: header, flamegraph, optional panel, status line.
    pub fn layout(&mut self) {
        let s = self.size;
        let header = Rect::new(s.x, s.y, s.width, 1.min(s.height));
        let status_height = if s.height >= 3 { 2 } else { 0 };
        let status = Rect::new(s.x, s.bottom().saturating_sub(status_height), s.width, status_height);
        let middle_top = header.bottom();
        let middle_height = status.y.saturating_sub(middle_top);
        let panel_height =
            if self.panel == Panel::None { 0 } else { (middle_height * 2 / 5).max(3.min(middle_height)) };
        let flame = Rect::new(s.x, middle_top, s.width, middle_height - panel_height);
        let panel = Rect::new(s.x, flame.bottom(), s.width, panel_height);
        self.areas = Areas { header, flame, panel, status };
    }

    /// Before a draw: the source pane settles its view and highlights the visible lines.
    pub fn prepare(&mut self) {
        if self.panel == Panel::Source {
            let rows = self.areas.panel.height.saturating_sub(1);
            self.source.prepare(rows, &self.theme);
        }
    }

    pub fn selected_function(&self) -> Option<usize> {
        self.tree.nodes.get(self.selected).and_then(|n| n.function)
    }

    /// The frames on screen, with their positions.
    pub fn frames(&self) -> Vec<FrameBox> {
        geometry::frames(&self.tree, self.zoom, self.areas.flame, self.orientation, self.level_offset)
    }

    pub fn widest_child(&self, node: usize) -> Option<usize> {
        let children = &self.tree.nodes.get(node)?.children;
        children
            .iter()
            .copied()
            .max_by(|&a, &b| self.tree.nodes[a].total_time.total_cmp(&self.tree.nodes[b].total_time))
    }

    /// The node of `function` with the most time (where the table and callers panel jump to).
    pub fn largest_node_of(&self, function: usize) -> Option<usize> {
        (1..self.tree.nodes.len())
            .filter(|&i| self.tree.nodes[i].function == Some(function))
            .max_by(|&a, &b| self.tree.nodes[a].total_time.total_cmp(&self.tree.nodes[b].total_time))
    }

    pub fn refresh_matches(&mut self) {
        self.matches = match &self.search {
            Some(needle) if !needle.is_empty() => {
                let needle = needle.to_lowercase();
                self.tree
                    .nodes
                    .iter()
                    .map(|n| n.function.is_some_and(|f| self.model.labels[f].to_lowercase().contains(&needle)))
                    .collect()
            }
            _ => Vec::new(),
        };
    }

    /// Share of the total time in frames matching the search (nested matches counted once).
    pub fn matched_share(&self) -> f64 {
        if self.matches.is_empty() || self.tree.total() <= 0.0 {
            return 0.0;
        }
        let mut time = 0.0;
        for (i, node) in self.tree.nodes.iter().enumerate() {
            if self.matches[i] {
                let mut ancestor = node.parent;
                let mut nested = false;
                while let Some(a) = ancestor {
                    if self.matches[a] {
                        nested = true;
                        break;
                    }
                    ancestor = self.tree.nodes[a].parent;
                }
                if !nested {
                    time += node.total_time;
                }
            }
        }
        time / self.tree.total()
    }

    /// Callers then callees of the selected function, for the callers panel.
    pub fn relatives(&self) -> Vec<(usize, bool)> {
        let Some(f) = self.selected_function() else { return Vec::new() };
        let function = &self.model.profile.functions[f];
        let mut rows: Vec<(usize, bool)> = function.callers.iter().map(|e| (e.caller, true)).collect();
        let mut callees: Vec<usize> = function.callees.clone();
        callees.sort_by(|&a, &b| {
            let ta = self.model.profile.edge(f, a).map_or(0.0, |e| e.figures.cumulative_time);
            let tb = self.model.profile.edge(f, b).map_or(0.0, |e| e.figures.cumulative_time);
            tb.total_cmp(&ta)
        });
        rows.extend(callees.into_iter().map(|c| (c, false)));
        rows
    }
}
