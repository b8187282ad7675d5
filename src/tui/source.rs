//! TEMPORARY stub
use std::path::{Path, PathBuf};
#[derive(Default)]
pub struct SourcePane {
    path: Option<PathBuf>,
    lines: Vec<String>,
    cursor: usize,
    exec: Option<usize>,
    title: String,
}
impl SourcePane {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let t = std::fs::read_to_string(path)?;
        self.lines = t.lines().map(String::from).collect();
        self.path = Some(path.to_path_buf());
        self.title = path.display().to_string();
        Ok(())
    }
    pub fn show_text(&mut self, title: &str, text: &str) {
        self.path = None;
        self.title = title.into();
        self.lines = text.lines().map(String::from).collect();
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
    pub fn set_exec_line(&mut self, line: Option<usize>) {
        self.exec = line;
        if let Some(l) = line {
            self.cursor = l;
        }
    }
    pub fn exec_line(&self) -> Option<usize> {
        self.exec
    }
    pub fn cursor(&self) -> usize {
        self.cursor.max(1)
    }
    pub fn move_cursor(&mut self, delta: isize) {
        self.cursor = (self.cursor as isize + delta).max(1) as usize;
    }
    pub fn page(&mut self, pages: isize) {
        self.move_cursor(pages * 20)
    }
    pub fn top(&mut self) {
        self.cursor = 1
    }
    pub fn bottom(&mut self) {
        self.cursor = self.lines.len()
    }
    pub fn goto_line(&mut self, line: usize) -> bool {
        self.cursor = line;
        true
    }
    pub fn scroll(&mut self, delta: isize) {
        self.move_cursor(delta)
    }
    pub fn search(&mut self, _needle: &str, _forward: bool) -> bool {
        false
    }
    pub fn search_next(&mut self, _forward: bool) -> bool {
        false
    }
    pub fn search_needle(&self) -> Option<&str> {
        None
    }
    pub fn prepare(&mut self, _visible_rows: u16, _theme: &crate::tui::theme::Theme) {}
    pub fn scroll_offset(&self) -> usize {
        0
    }
    pub fn line_at(&self, area: ratatui::layout::Rect, column: u16, row: u16) -> Option<(usize, bool)> {
        Some(((row - area.y) as usize, column < area.x + 6))
    }
}
