//! Keys and mouse for the flame view: each event changes [`FlameState`]; nothing here draws.

use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use super::geometry;
use super::model::{self, LibraryMode};
use super::state::{DebugAt, FlameState, LinesFor, Orientation, Panel};
use crate::profile::first_line;
use crate::tui::line_report::LineReport;

impl FlameState {
    pub fn on_key(&mut self, key: KeyEvent) {
        // (Key releases and Ctrl-C are the event loop's: `tui::screen`.)
        self.message = None;
        if let Some(input) = &mut self.search_input {
            match key.code {
                KeyCode::Esc => self.search_input = None,
                KeyCode::Enter => {
                    let text = self.search_input.take().unwrap_or_default();
                    self.search = (!text.is_empty()).then_some(text);
                    self.refresh_matches();
                    self.next_match(true);
                }
                KeyCode::Backspace => {
                    input.pop();
                }
                KeyCode::Char(c) => input.push(c),
                _ => {}
            }
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Esc => {
                if self.search.is_some() {
                    self.search = None;
                    self.refresh_matches();
                } else {
                    self.set_panel(Panel::None);
                }
            }
            KeyCode::Char('/') => self.search_input = Some(String::new()),
            KeyCode::Char('n') => self.next_match(true),
            KeyCode::Char('N') => self.next_match(false),
            KeyCode::Char('i') => {
                self.orientation = match self.orientation {
                    Orientation::Flame => Orientation::Icicle,
                    Orientation::Icicle => Orientation::Flame,
                }
            }
            KeyCode::Char('l') => {
                self.library = self.library.next();
                self.rebuild();
                self.message = Some(self.library.describe().to_string());
            }
            KeyCode::Char('e') => {
                self.exact_only = !self.exact_only;
                self.rebuild();
                self.message =
                    Some(if self.exact_only { "exact-only: caller;callee stacks" } else { "inferred stacks" }.into());
            }
            KeyCode::Char('t') => self.toggle_panel(Panel::Table),
            KeyCode::Char('c') => self.toggle_panel(Panel::Callers),
            KeyCode::Char('o') => self.open_source(),
            KeyCode::Char('s') if self.panel == Panel::Table => {
                self.sort = self.sort.next();
                self.table_order = model::table_order(&self.model.profile, self.sort);
                self.table_row = 0;
            }
            KeyCode::Char('b') => self.debug_here(),
            KeyCode::Char('p') => self.lines_here(),
            KeyCode::Tab | KeyCode::BackTab => {
                self.panel_focused = !self.panel_focused && matches!(self.panel, Panel::Table | Panel::Callers)
            }
            KeyCode::PageUp | KeyCode::PageDown if self.panel == Panel::Source => {
                let rows = self.areas.panel.height.saturating_sub(2).max(1) as isize;
                self.source.scroll(if key.code == KeyCode::PageUp { -rows } else { rows });
            }
            _ if self.panel_focused => self.panel_key(key.code),
            KeyCode::Enter => self.zoom_in(),
            KeyCode::Backspace | KeyCode::Char('u') => self.zoom_out(),
            KeyCode::Home | KeyCode::Char('0') => {
                self.zoom = 0;
                self.level_offset = 0;
            }
            KeyCode::Left | KeyCode::Char('h') => self.move_sideways(false),
            KeyCode::Right | KeyCode::Char('L') => self.move_sideways(true),
            KeyCode::Up | KeyCode::Char('k') => self.move_vertically(true),
            KeyCode::Down | KeyCode::Char('j') => self.move_vertically(false),
            _ => {}
        }
    }

    pub fn on_mouse(&mut self, mouse: MouseEvent) {
        let (column, row) = (mouse.column, mouse.row);
        let inside = |r: ratatui::layout::Rect| column >= r.x && column < r.right() && row >= r.y && row < r.bottom();
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.help = false;
                if inside(self.areas.flame) {
                    self.panel_focused = false;
                    if let Some(node) = geometry::hit(&self.frames(), column, row) {
                        if node == self.selected {
                            self.zoom_in();
                        } else {
                            self.selected = node;
                        }
                    }
                } else if inside(self.areas.panel) {
                    self.panel_focused = matches!(self.panel, Panel::Table | Panel::Callers);
                    // Rows start below the panel's border and heading.
                    let index = row.saturating_sub(self.areas.panel.y + 2) as usize;
                    match self.panel {
                        Panel::Table => {
                            let row = self.table_scroll() + index;
                            if row < self.table_order.len() {
                                self.table_row = row;
                                self.jump_to_function(self.table_order[row]);
                            }
                        }
                        Panel::Callers => {
                            let rows = self.relatives();
                            if let Some(&(f, _)) = rows.get(self.callers_scroll() + index) {
                                self.callers_row = self.callers_scroll() + index;
                                self.jump_to_function(f);
                            }
                        }
                        _ => {}
                    }
                }
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let up = mouse.kind == MouseEventKind::ScrollUp;
                if self.panel == Panel::Source && inside(self.areas.panel) {
                    self.source.scroll(if up { -3 } else { 3 });
                } else if inside(self.areas.panel) {
                    self.panel_key(if up { KeyCode::Up } else { KeyCode::Down });
                } else {
                    self.move_vertically(up);
                }
            }
            _ => {}
        }
    }

    fn panel_key(&mut self, code: KeyCode) {
        let (len, row) = match self.panel {
            Panel::Table => (self.table_order.len(), &mut self.table_row),
            Panel::Callers => (self.relatives().len(), &mut self.callers_row),
            _ => return,
        };
        let page = self.areas.panel.height.saturating_sub(3).max(1) as usize;
        match code {
            KeyCode::Up | KeyCode::Char('k') => *row = row.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *row = (*row + 1).min(len.saturating_sub(1)),
            KeyCode::PageUp => *row = row.saturating_sub(page),
            KeyCode::PageDown => *row = (*row + page).min(len.saturating_sub(1)),
            KeyCode::Home => *row = 0,
            KeyCode::End => *row = len.saturating_sub(1),
            KeyCode::Enter => {
                let target = match self.panel {
                    Panel::Table => self.table_order.get(self.table_row).copied(),
                    _ => self.relatives().get(self.callers_row).map(|r| r.0),
                };
                if let Some(f) = target {
                    self.jump_to_function(f);
                }
            }
            _ => {}
        }
    }

    /// First table row on screen (the selected row kept in view).
    pub fn table_scroll(&self) -> usize {
        let visible = self.areas.panel.height.saturating_sub(3).max(1) as usize;
        self.table_row.saturating_sub(visible - 1)
    }

    pub fn callers_scroll(&self) -> usize {
        let visible = self.areas.panel.height.saturating_sub(3).max(1) as usize;
        self.callers_row.saturating_sub(visible - 1)
    }

    fn toggle_panel(&mut self, panel: Panel) {
        self.set_panel(if self.panel == panel { Panel::None } else { panel });
    }

    fn set_panel(&mut self, panel: Panel) {
        self.panel = panel;
        self.panel_focused = matches!(panel, Panel::Table | Panel::Callers);
        self.callers_row = 0;
        self.layout();
        self.keep_selection_visible();
    }

    /// Selects `function`'s largest frame, zooming out if it is outside the zoomed frame.
    pub fn jump_to_function(&mut self, function: usize) {
        match self.largest_node_of(function) {
            Some(node) => {
                self.selected = node;
                if !self.is_under_zoom(node) {
                    self.zoom = 0;
                }
                self.keep_selection_visible();
                if self.panel == Panel::Callers {
                    self.callers_row = 0;
                }
            }
            None => {
                self.message = Some(format!("{} has no frame in this view", self.model.labels[function]));
            }
        }
    }

    fn is_under_zoom(&self, node: usize) -> bool {
        let mut at = Some(node);
        while let Some(i) = at {
            if i == self.zoom {
                return true;
            }
            at = self.tree.nodes[i].parent;
        }
        false
    }

    fn zoom_in(&mut self) {
        if self.selected != 0 {
            self.zoom = self.selected;
            self.level_offset = 0;
        }
    }

    fn zoom_out(&mut self) {
        if self.zoom != 0 {
            self.selected = self.zoom;
            self.zoom = self.tree.nodes[self.zoom].parent.unwrap_or(0);
            self.keep_selection_visible();
        }
    }

    /// Up is towards callees in a flame (they are drawn above), towards callers in an icicle.
    fn move_vertically(&mut self, up: bool) {
        let deeper = up == (self.orientation == Orientation::Flame);
        let target = if deeper {
            self.widest_child(self.selected)
        } else {
            self.tree.nodes[self.selected].parent.filter(|&p| p != 0 && (self.is_under_zoom(p)))
        };
        if let Some(t) = target {
            self.selected = t;
            self.keep_selection_visible();
        }
    }

    /// The frame to the left or right on the same row.
    fn move_sideways(&mut self, right: bool) {
        let frames = self.frames();
        let Some(current) = frames.iter().find(|f| f.node == self.selected) else { return };
        let row: Vec<_> = frames.iter().filter(|f| f.level == current.level).collect();
        let position = row.iter().position(|f| f.node == self.selected).unwrap_or(0);
        let next = if right { row.get(position + 1) } else { position.checked_sub(1).and_then(|p| row.get(p)) };
        if let Some(f) = next {
            self.selected = f.node;
        }
    }

    /// Scrolls levels so the selected frame is on screen.
    pub fn keep_selection_visible(&mut self) {
        let Some(node) = self.tree.nodes.get(self.selected) else { return };
        let zoom_depth = if self.zoom == 0 { 1 } else { self.tree.nodes[self.zoom].depth };
        let level = node.depth.saturating_sub(zoom_depth);
        let rows = self.areas.flame.height.max(1) as usize;
        if level < self.level_offset {
            self.level_offset = level;
        } else if level >= self.level_offset + rows {
            self.level_offset = level + 1 - rows;
        }
    }

    fn next_match(&mut self, forward: bool) {
        if self.matches.is_empty() {
            if self.search.is_some() {
                self.message = Some("no frame matches".into());
            }
            return;
        }
        let n = self.tree.nodes.len();
        for step in 1..=n {
            let i = if forward { (self.selected + step) % n } else { (self.selected + n * 2 - step) % n };
            if self.matches[i] {
                self.selected = i;
                if !self.is_under_zoom(i) {
                    self.zoom = 0;
                }
                self.keep_selection_visible();
                return;
            }
        }
    }

    fn open_source(&mut self) {
        let Some(f) = self.selected_function() else { return };
        let key = self.model.profile.functions[f].key.clone();
        if key.is_builtin() {
            self.message = Some(format!("{} is built in: it has no Python source", key.name));
            return;
        }
        match self.source.open(&self.model.source_path(&key.file)) {
            Ok(()) => {
                self.source.goto_line(key.line.max(1) as usize);
                self.panel = Panel::Source;
                self.panel_focused = false;
                self.layout();
            }
            Err(e) => self.message = Some(format!("{e:#}")),
        }
    }

    fn debug_here(&mut self) {
        let Some(f) = self.selected_function() else { return };
        let key = &self.model.profile.functions[f].key;
        if key.is_builtin() {
            self.message = Some(format!("{} is built in: no line to stop at; pick a Python function", key.name));
            return;
        }
        // A module's code can be recorded at line 0; its first statement is found all the same.
        if key.line == 0 && key.name != "<module>" {
            self.message = Some(format!("{} has no line recorded: no line to stop at", key.name));
            return;
        }
        let file = self.model.source_path(&key.file);
        // cProfile's line is the `def` (or first decorator): a breakpoint there would stop only
        // when the function is defined, so it goes on the body's first line.
        let target = first_line::break_line(&file, &key.name, key.line);
        let note = target.describe(&file, &key.name);
        // The last frame drawn before the view leaves says where the debugger will stop.
        self.message = Some(note.clone());
        self.debug_at = Some(DebugAt { file, line: target.line, note });
        self.quit = true;
    }

    /// "Line times here": leaves the view so that the function is measured line by line (the
    /// program runs again), then comes back with the times in the source panel's gutter.
    fn lines_here(&mut self) {
        let Some(f) = self.selected_function() else { return };
        let key = &self.model.profile.functions[f].key;
        if key.is_builtin() || key.name.starts_with('<') {
            self.message = Some(format!("{} has no lines of its own to time; pick a Python function", key.name));
            return;
        }
        let file = self.model.source_path(&key.file);
        self.message = Some(format!("measuring {} line by line (the program runs again)…", key.name));
        self.lines_for = Some(LinesFor { file, name: key.name.clone(), line: key.line });
        self.quit = true;
    }

    /// Back from a line-level run: keeps its figures for the source panel and opens the measured
    /// function's source there.
    pub fn show_line_times(&mut self, report: LineReport, at: &LinesFor) {
        self.message = Some(match report.hottest.first() {
            Some(hot) => format!(
                "line times of {}: the hottest line is {} ({:.0}%); they stay in the source panel (o)",
                at.name,
                hot.line,
                hot.cell.share * 100.0
            ),
            None => format!("line times of {}: no line ran", at.name),
        });
        // Functions measured one after the other keep their times side by side.
        match &mut self.heat {
            Some(heat) => {
                for (path, lines) in report.cells {
                    heat.cells.entry(path).or_default().extend(lines);
                }
                heat.hottest.extend(report.hottest);
            }
            None => self.heat = Some(report),
        }
        match self.source.open(&at.file) {
            Ok(()) => {
                self.source.goto_line(at.line.max(1) as usize);
                self.panel = Panel::Source;
                self.panel_focused = false;
                self.layout();
            }
            Err(e) => self.message = Some(format!("{e:#}")),
        }
    }

    /// Applies a library mode directly (tests and the help text use it).
    pub fn set_library(&mut self, mode: LibraryMode) {
        self.library = mode;
        self.rebuild();
    }
}
