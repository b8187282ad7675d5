//! The source pane's state: the open file (or a message shown in its place), the cursor, the
//! scroll position, the search, and the syntax highlighting prepared for the next draw.
//!
//! Everything here is cheap to call from key handlers: moving only updates numbers, and the
//! viewport and highlighting are settled once per frame in [`SourcePane::prepare`], which knows
//! the pane's height.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context};
use ratatui::layout::{Position, Rect};

use crate::tui::highlight::{Highlighter, LineSource, Row, Work};
use crate::tui::theme::Theme;

/// Larger files are refused: they are not source code anyone steps through.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Lines kept visible above and below the cursor when scrolling (fewer in tiny panes).
const SCROLL_CONTEXT: usize = 3;
/// Page size before the first draw has told us the real height.
const DEFAULT_PAGE: usize = 20;

/// Text split into lines (without their `\n` or `\r\n`). Never empty once built.
#[derive(Default)]
struct Document {
    text: String,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Document {
    fn new(mut text: String) -> Document {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
        Document { text, starts }
    }
}

impl LineSource for Document {
    fn line_count(&self) -> usize {
        self.starts.len()
    }

    fn line(&self, index: usize) -> &str {
        let Some(&start) = self.starts.get(index) else { return "" };
        let end = self.starts.get(index + 1).copied().unwrap_or(self.text.len());
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        line.strip_suffix('\r').unwrap_or(line)
    }
}

/// What identifies a version of a file on disk.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

/// The remembered search, with its case rule already applied.
struct Search {
    needle: String,
    ignore_case: bool,
    /// The needle's characters, lowercased when ignoring case.
    folded: Vec<char>,
}

impl Search {
    /// Smart case: case matters only when the needle has an uppercase letter.
    fn new(needle: &str) -> Search {
        let ignore_case = !needle.chars().any(char::is_uppercase);
        let folded = needle.chars().map(|c| if ignore_case { fold(c) } else { c }).collect();
        Search { needle: needle.to_string(), ignore_case, folded }
    }

    /// Byte ranges of the non-overlapping matches in `line`.
    fn matches(&self, line: &str) -> Vec<Range<usize>> {
        if self.needle.is_empty() {
            return Vec::new();
        }
        if !self.ignore_case {
            return line.match_indices(&self.needle).map(|(i, m)| i..i + m.len()).collect();
        }
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(range) = self.find_folded(line, from) {
            from = range.end;
            found.push(range);
        }
        found
    }

    fn is_in(&self, line: &str) -> bool {
        if self.needle.is_empty() {
            false
        } else if self.ignore_case {
            self.find_folded(line, 0).is_some()
        } else {
            line.contains(&self.needle)
        }
    }

    /// The first case-insensitive match at or after byte `from` (a char boundary).
    fn find_folded(&self, line: &str, from: usize) -> Option<Range<usize>> {
        let first = *self.folded.first()?;
        let rest = &line[from..];
        for (i, c) in rest.char_indices() {
            if fold(c) != first {
                continue;
            }
            let mut chars = rest[i..].char_indices();
            let matched = self.folded.iter().all(|&n| chars.next().is_some_and(|(_, c)| fold(c) == n));
            if matched {
                let len = chars.next().map_or(rest.len() - i, |(j, _)| j);
                return Some(from + i..from + i + len);
            }
        }
        None
    }
}

/// A character's lowercase form, when that is a single character (enough for search).
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The source pane.
#[derive(Default)]
pub struct SourcePane {
    path: Option<PathBuf>,
    stamp: Option<FileStamp>,
    title: String,
    doc: Document,
    /// 1-based; kept within the document by `clamp_cursor`.
    cursor: usize,
    /// 0-based index of the first visible line.
    offset: usize,
    exec: Option<usize>,
    /// Visible text rows at the last `prepare` (0 before the first).
    height: usize,
    /// Centre the cursor at the next `prepare` if it is not comfortably in view.
    recenter: bool,
    search: Option<Search>,
    highlighter: Highlighter,
}

impl SourcePane {
    /// An empty pane. Also starts loading the syntax definitions in the background (once per
    /// process), so the first file opened is highlighted without a wait.
    pub fn new() -> Self {
        crate::tui::highlight::warm_up();
        Self::default()
    }

    /// Shows the file at `path`. Reopening the file already shown keeps the cursor and scroll
    /// unless it changed on disk (size or modification time), in which case it is reloaded.
    /// On error the pane is unchanged.
    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
        if meta.is_dir() {
            bail!("{} is a directory, not a source file", path.display());
        }
        if !meta.is_file() {
            bail!("{} is not a regular file", path.display());
        }
        check_size(path, meta.len())?;
        let stamp = FileStamp { len: meta.len(), modified: meta.modified().ok() };
        let same_path = self.path.as_deref() == Some(path);
        if same_path && self.stamp == Some(stamp) {
            return Ok(());
        }
        let text = read_text(path)?;
        self.doc = Document::new(text);
        self.highlighter = Highlighter::for_file(path, self.doc.line(0));
        self.path = Some(path.to_path_buf());
        self.stamp = Some(stamp);
        self.title = display_title(path);
        if !same_path {
            self.cursor = 1;
            self.offset = 0;
            self.exec = None;
            self.recenter = false;
        }
        self.clamp_cursor();
        Ok(())
    }

    /// Shows a message instead of a file ("no source for this frame"); `path()` becomes None.
    pub fn show_text(&mut self, title: &str, text: &str) {
        self.path = None;
        self.stamp = None;
        self.title = title.to_string();
        self.doc = Document::new(text.to_string());
        self.highlighter = Highlighter::plain();
        self.cursor = 1;
        self.offset = 0;
        self.exec = None;
        self.recenter = false;
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Whether a message (not a file) is shown, or nothing at all.
    pub fn is_message(&self) -> bool {
        self.path.is_none()
    }

    pub fn line_count(&self) -> usize {
        self.doc.line_count()
    }

    /// The text of line `number` (1-based), without its line ending.
    pub fn line(&self, number: usize) -> Option<&str> {
        (1..=self.line_count()).contains(&number).then(|| self.doc.line(number - 1))
    }

    /// The highlighting of line `number` (1-based), if it has been computed.
    pub fn highlighted(&self, number: usize) -> Option<&Row> {
        number.checked_sub(1).and_then(|i| self.highlighter.row(i))
    }

    /// Whether visible rows still wait for highlighting: draw again soon to finish it.
    pub fn highlight_pending(&self) -> bool {
        self.highlighter.is_pending()
    }

    /// The highlighting work done by the last `prepare`.
    pub fn highlight_work(&self) -> Work {
        self.highlighter.last_work()
    }

    /// The language used for highlighting ("Python"), None for plain text.
    pub fn language(&self) -> Option<&str> {
        self.highlighter.language()
    }

    /// Sets the line the program is stopped at (1-based) and brings the cursor to it.
    pub fn set_exec_line(&mut self, line: Option<usize>) {
        self.exec = line;
        if let Some(line) = line {
            self.cursor = line;
            self.clamp_cursor();
            self.recenter = true;
        }
    }

    pub fn exec_line(&self) -> Option<usize> {
        self.exec
    }

    /// The cursor line, 1-based, always within the document.
    pub fn cursor(&self) -> usize {
        self.cursor.clamp(1, self.line_count().max(1))
    }

    pub fn move_cursor(&mut self, delta: isize) {
        self.cursor = offset_by(self.cursor(), delta);
        self.clamp_cursor();
    }

    /// Moves cursor and view by `pages` pages (of the last visible height, less one line kept
    /// for context).
    pub fn page(&mut self, pages: isize) {
        let step = if self.height == 0 { DEFAULT_PAGE } else { self.height.saturating_sub(1).max(1) };
        let delta = pages.saturating_mul(isize::try_from(step).unwrap_or(isize::MAX));
        self.offset = offset_by(self.offset, delta).min(self.max_offset());
        self.move_cursor(delta);
    }

    pub fn top(&mut self) {
        self.cursor = 1;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.line_count().max(1);
    }

    /// Puts the cursor on `line` (1-based) and centres it if it was out of view. False (and
    /// nothing moves) when there is no such line.
    pub fn goto_line(&mut self, line: usize) -> bool {
        if !(1..=self.line_count()).contains(&line) {
            return false;
        }
        self.cursor = line;
        self.recenter = true;
        true
    }

    /// Moves the view by `delta` rows (mouse wheel); the cursor is dragged along to stay in it.
    pub fn scroll(&mut self, delta: isize) {
        if self.height == 0 {
            self.move_cursor(delta);
            return;
        }
        self.offset = offset_by(self.offset, delta).min(self.max_offset());
        let margin = self.context();
        let last = self.line_count().saturating_sub(1);
        let low = if self.offset == 0 { 0 } else { self.offset + margin };
        let high = if self.offset >= self.max_offset() { last } else { self.offset + self.height - 1 - margin };
        self.cursor = (self.cursor() - 1).clamp(low, high.max(low)) + 1;
        self.clamp_cursor();
    }

    /// Searches for `needle` from the cursor line (included), wrapping around, and remembers it.
    /// Smart case: case-insensitive unless the needle has an uppercase letter.
    pub fn search(&mut self, needle: &str, forward: bool) -> bool {
        self.search = Some(Search::new(needle));
        self.find_from(0, forward)
    }

    /// The next (or previous) line with the remembered needle, not counting the cursor line.
    pub fn search_next(&mut self, forward: bool) -> bool {
        self.find_from(1, forward)
    }

    pub fn search_needle(&self) -> Option<&str> {
        self.search.as_ref().map(|s| s.needle.as_str())
    }

    /// Forgets the search (and its highlighting).
    pub fn clear_search(&mut self) {
        self.search = None;
    }

    /// Byte ranges of search matches in line `number` (1-based).
    pub fn search_matches(&self, number: usize) -> Vec<Range<usize>> {
        match (&self.search, self.line(number)) {
            (Some(search), Some(line)) => search.matches(line),
            _ => Vec::new(),
        }
    }

    /// Before a draw with `visible_rows` text rows: settles the view around the cursor and
    /// highlights what will show (within the highlighter's per-call budget).
    pub fn prepare(&mut self, visible_rows: u16, theme: &Theme) {
        self.height = usize::from(visible_rows);
        self.clamp_cursor();
        if self.height == 0 {
            return;
        }
        if std::mem::take(&mut self.recenter) {
            self.center_if_out_of_view();
        }
        self.follow_cursor();
        let end = (self.offset + self.height).min(self.line_count());
        self.highlighter.prepare(&self.doc, self.offset..end, theme.syntax_theme());
    }

    /// 0-based index of the first visible line.
    pub fn scroll_offset(&self) -> usize {
        self.offset
    }

    /// Columns taken by the gutter, `● 12 ▶ `: breakpoint mark, space, line number, space,
    /// exec marker, space. 0 for messages.
    pub fn gutter_width(&self) -> u16 {
        if self.is_message() {
            0
        } else {
            u16::try_from(self.number_width() + 5).unwrap_or(u16::MAX)
        }
    }

    /// Columns for line numbers: the widest one's digits, at least 2.
    pub fn number_width(&self) -> usize {
        self.line_count().max(1).to_string().len().max(2)
    }

    /// For a click at (`column`, `row`) in the pane's outer (bordered) `area`: the 1-based line
    /// and whether the click was in the gutter. None outside the text rows or for a message.
    pub fn line_at(&self, area: Rect, column: u16, row: u16) -> Option<(usize, bool)> {
        if self.is_message() {
            return None;
        }
        let inner = Rect {
            x: area.x.saturating_add(1),
            y: area.y.saturating_add(1),
            width: area.width.saturating_sub(2),
            height: area.height.saturating_sub(2),
        };
        if !inner.contains(Position { x: column, y: row }) {
            return None;
        }
        let line = self.offset + usize::from(row - inner.y) + 1;
        let in_gutter = column - inner.x < self.gutter_width();
        (line <= self.line_count()).then_some((line, in_gutter))
    }

    /// Rows of context around the cursor for the current height.
    fn context(&self) -> usize {
        SCROLL_CONTEXT.min(self.height.saturating_sub(1) / 2)
    }

    fn max_offset(&self) -> usize {
        self.line_count().saturating_sub(self.height.max(1))
    }

    fn clamp_cursor(&mut self) {
        self.cursor = self.cursor();
    }

    /// Scrolls the least needed to show the cursor with some context around it.
    fn follow_cursor(&mut self) {
        let c = self.cursor() - 1;
        let margin = self.context();
        if c < self.offset + margin {
            self.offset = c.saturating_sub(margin);
        }
        if c + margin >= self.offset + self.height {
            self.offset = c + margin + 1 - self.height;
        }
        self.offset = self.offset.min(self.max_offset());
    }

    /// After a jump: centres the cursor unless it is already comfortably in view.
    fn center_if_out_of_view(&mut self) {
        let c = self.cursor() - 1;
        let margin = self.context();
        if c < self.offset + margin || c + margin >= self.offset + self.height {
            self.offset = c.saturating_sub(self.height / 2).min(self.max_offset());
        }
    }

    /// Moves the cursor to the first line with a match, starting `skip` lines past it.
    fn find_from(&mut self, skip: usize, forward: bool) -> bool {
        let Some(search) = &self.search else { return false };
        let count = self.line_count();
        if count == 0 {
            return false;
        }
        let start = self.cursor() - 1;
        let found = (skip..count + skip)
            .map(|k| if forward { (start + k) % count } else { (start + count * 2 - k) % count })
            .find(|&i| search.is_in(self.doc.line(i)));
        match found {
            Some(i) => {
                self.cursor = i + 1;
                self.recenter = true;
                true
            }
            None => false,
        }
    }
}

/// `base` moved by `delta`, saturating at 0 and `usize::MAX`.
fn offset_by(base: usize, delta: isize) -> usize {
    if delta < 0 {
        base.saturating_sub(delta.unsigned_abs())
    } else {
        base.saturating_add(delta.unsigned_abs())
    }
}

fn check_size(path: &Path, len: u64) -> anyhow::Result<()> {
    if len > MAX_FILE_BYTES {
        bail!(
            "{} is {} MB; loupe shows source files up to {} MB",
            path.display(),
            len / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    Ok(())
}

/// Reads a file as text: invalid UTF-8 is replaced (with U+FFFD), never an error. Reads at
/// most one byte past the limit, so a file growing while read cannot exhaust memory.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    check_size(path, bytes.len() as u64)?;
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The path as the title shows it: relative to the working directory when inside it, with `~`
/// for the home directory otherwise.
fn display_title(path: &Path) -> String {
    if path.is_absolute() {
        if let Some(rel) = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(PathBuf::from)) {
            return rel.display().to_string();
        }
        if let Some(rel) = dirs::home_dir().and_then(|home| path.strip_prefix(home).ok().map(PathBuf::from)) {
            return Path::new("~").join(rel).display().to_string();
        }
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_lines_like_editors() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[""]),
            ("a", &["a"]),
            ("a\n", &["a"]),
            ("a\n\n", &["a", ""]),
            ("a\r\nb\r\n", &["a", "b"]),
            ("\u{feff}x\ny", &["x", "y"]),
            ("a\rb", &["a\rb"]),
        ];
        for (text, want) in cases {
            let doc = Document::new(text.to_string());
            let got: Vec<&str> = (0..doc.line_count()).map(|i| doc.line(i)).collect();
            assert_eq!(&got, want, "{text:?}");
        }
        assert_eq!(Document::default().line_count(), 0);
        assert_eq!(Document::new("a".into()).line(5), "");
    }

    #[test]
    fn smart_case_search() {
        let lower = Search::new("foo");
        assert_eq!(lower.matches("Foo foo FOO"), vec![0..3, 4..7, 8..11]);
        let upper = Search::new("Foo");
        assert_eq!(upper.matches("Foo foo FOO"), vec![0..3]);
        let unicode = Search::new("straße");
        assert_eq!(unicode.matches("STRASSE Straße"), vec![8..15]);
        let accent = Search::new("é");
        assert_eq!(accent.matches("É é"), vec![0..2, 3..5]);
        assert!(Search::new("").matches("abc").is_empty());
        assert!(!Search::new("").is_in("abc"));
        assert_eq!(Search::new("aa").matches("aaaa"), vec![0..2, 2..4]);
    }

    #[test]
    fn offsets_saturate() {
        assert_eq!(offset_by(3, -5), 0);
        assert_eq!(offset_by(3, 2), 5);
        assert_eq!(offset_by(usize::MAX, 1), usize::MAX);
        assert_eq!(offset_by(0, isize::MIN), 0);
    }
}
