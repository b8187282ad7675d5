//! Syntax highlighting for the source pane: lazy, cached, and bounded per frame.
//!
//! Highlighting runs in [`Highlighter::prepare`], before a draw, for the visible rows plus a
//! small margin (visible rows first). Results are cached per line as [`Row`]s (styled byte
//! ranges of the raw line), so redrawing or scrolling back costs nothing. syntect's pure-Rust
//! regex engine is slow on Python (measured 15-200 µs a line, release build), so a single
//! `prepare` never does unbounded work: it stops after [`TIME_BUDGET`], [`LINE_BUDGET`] lines or
//! [`BYTE_BUDGET`] bytes, whichever comes first (always parsing at least one line, so it makes
//! progress). Only the first [`MAX_HIGHLIGHT_BYTES`] of a line are highlighted, because the
//! cost grows faster than the length (a 2,000-byte line took 6-18 ms); the rest shows plain,
//! and that much is wider than the pane anyway.
//!
//! # Parse state and far jumps
//!
//! A syntect parse is sequential: line *n*'s colours depend on every line before it. Parsed
//! stretches of the file are kept as *runs*: a start line, the parser state saved every
//! [`CHECKPOINT_EVERY`] lines, and the state at its end. Scrolling near a run extends it, or
//! resumes from its nearest checkpoint, so the cost is proportional to what comes into view.
//!
//! Jumping far ahead (`G`, "go to line 73,000") would mean parsing everything in between. Instead
//! a *speculative* run starts at a nearby safe point: for Python, the closest line a short way
//! above the view, at column 0, that begins `def `, `class `, `async def `, `import `, `from ` or
//! `@` (a top-level statement, where the parser is in its initial state unless that line is
//! really inside a triple-quoted string or open bracket); failing that, the first visible line.
//! Its rows are marked [`Certainty::Provisional`] and show at once. Whatever budget a `prepare`
//! has left grows the exact run from line 1. When it reaches a speculative run's first line, the
//! states are compared: equal means the guess was right, so the runs merge and their rows become
//! exact without reparsing; different means the rows are [`Certainty::Stale`]: they stay on
//! screen in their old colours (never blank) and are recomputed from the exact state as soon as
//! a `prepare` covers them. [`Highlighter::is_pending`] says whether visible rows are still
//! missing or stale, so the caller can redraw soon to let highlighting finish; rows not yet
//! highlighted render plain. Provisional rows do not count as pending: the guess is nearly
//! always right, and confirming it can mean parsing the whole file, so that happens only with
//! the budget left over by prepares the user causes anyway, never by spinning an idle UI.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::style::{Color, Modifier, Style};
use syntect::highlighting::{
    FontStyle, HighlightState, Highlighter as StyleResolver, RangedHighlightIterator, Theme as SyntectTheme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference};

mod grammar;

pub use grammar::{syntaxes, syntect_themes, warm_up};
use grammar::{Language, State};

/// Parser state is saved this often (in lines) inside a run: resuming costs at most this many
/// lines of reparsing.
pub const CHECKPOINT_EVERY: usize = 32;
/// One `prepare` stops parsing after this long (checked after each line)...
pub const TIME_BUDGET: Duration = Duration::from_millis(8);
/// ... or after this many lines (a hard bound whatever the clock says) ...
pub const LINE_BUDGET: usize = 400;
/// ... or once this many bytes were parsed (the line in progress finishes).
pub const BYTE_BUDGET: usize = 48 * 1024;
/// Only this much of a line (in bytes) is highlighted; the rest renders plain.
pub const MAX_HIGHLIGHT_BYTES: usize = 384;
/// Rows above and below the visible ones that are highlighted too, so small scrolls are free.
pub const MARGIN: usize = 16;
/// A view at most this far past the end of a run extends that run instead of guessing.
const REACH: usize = 96;
/// When more rows than this are cached, those far from the view are dropped.
const ROW_CACHE_LIMIT: usize = 20_000;

/// Lines a highlighter reads: by 0-based index, without their line ending.
pub trait LineSource {
    fn line_count(&self) -> usize;
    fn line(&self, index: usize) -> &str;
}

impl<S: AsRef<str>> LineSource for [S] {
    fn line_count(&self) -> usize {
        self.len()
    }
    fn line(&self, index: usize) -> &str {
        self.get(index).map_or("", |s| s.as_ref())
    }
}

/// A styled stretch of a raw line: from the previous segment's end (or 0) to `end` (bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub end: usize,
    pub style: Style,
}

/// How far a cached row can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    /// Parsed from the start of the file.
    Exact,
    /// Parsed from a guessed safe point; not yet confirmed.
    Provisional,
    /// The guess was wrong; shown until recomputed.
    Stale,
}

/// One highlighted line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    segments: Vec<Segment>,
    certainty: Certainty,
}

impl Row {
    /// Styled stretches covering `0..highlighted_len()` of the line, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// How many bytes of the line are covered; the rest is plain.
    pub fn highlighted_len(&self) -> usize {
        self.segments.last().map_or(0, |s| s.end)
    }

    pub fn certainty(&self) -> Certainty {
        self.certainty
    }
}

/// Work done by the last `prepare`, for tests and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub lines: usize,
    pub bytes: usize,
}

/// A contiguous parsed stretch `start..end`.
#[derive(Debug)]
struct Run {
    start: usize,
    end: usize,
    exact: bool,
    /// (line, state before that line), sorted; the first is `start`.
    checkpoints: Vec<(usize, State)>,
    /// The state before line `end`.
    tail: State,
}

impl Run {
    fn new(start: usize, state: State, exact: bool) -> Run {
        Run { start, end: start, exact, checkpoints: vec![(start, state.clone())], tail: state }
    }

    /// The latest saved state at or before `line` (which must be within the run).
    fn resume_point(&self, line: usize) -> (usize, State) {
        if line >= self.end {
            return (self.end, self.tail.clone());
        }
        let i = self.checkpoints.partition_point(|(l, _)| *l <= line).saturating_sub(1);
        let (l, s) = &self.checkpoints[i];
        (*l, s.clone())
    }

    fn certainty(&self) -> Certainty {
        if self.exact {
            Certainty::Exact
        } else {
            Certainty::Provisional
        }
    }
}

/// The per-call allowance.
struct Budget {
    lines: usize,
    bytes: usize,
    deadline: Instant,
}

impl Budget {
    fn new() -> Budget {
        Budget { lines: LINE_BUDGET, bytes: BYTE_BUDGET, deadline: Instant::now() + TIME_BUDGET }
    }
    fn exhausted(&self) -> bool {
        self.lines == 0 || self.bytes == 0 || Instant::now() >= self.deadline
    }
    fn spend(&mut self, bytes: usize) {
        self.lines = self.lines.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}

/// What one `prepare` works with.
struct Pass<'a, L: ?Sized> {
    lines: &'a L,
    language: &'a Language,
    resolver: &'a StyleResolver<'a>,
    budget: Budget,
}

/// Which parsed rows [`Highlighter::advance`] stores.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// All of them (they are on screen or just above it).
    Everything,
    /// Only those already cached (refreshing provisional or stale rows while catching up).
    CachedOnly,
}

/// Why [`Highlighter::advance`] stopped.
#[derive(PartialEq, Eq)]
enum Stop {
    Reached,
    OutOfBudget,
    /// The run met the next one; the runs changed, so the caller re-plans.
    Met,
}

/// Syntax highlighting state for one open file. `Default` highlights nothing (plain text).
#[derive(Default)]
pub struct Highlighter {
    language: Option<Language>,
    /// Sorted by start, disjoint; `runs[0]` is the exact run from line 0 (when there is a language).
    runs: Vec<Run>,
    rows: HashMap<usize, Row>,
    /// The syntax colours the cached rows were made with.
    theme: Option<Arc<SyntectTheme>>,
    window: Range<usize>,
    work: Work,
    pending: bool,
}

impl Highlighter {
    /// No highlighting: every row renders plain.
    pub fn plain() -> Highlighter {
        Highlighter::default()
    }

    /// A highlighter for `path`, chosen by extension (Cython's `.pyx`/`.pxd`/`.pxi` and stubs
    /// count as Python), then by the first line (`#!/usr/bin/env python3`); plain otherwise.
    pub fn for_file(path: &Path, first_line: &str) -> Highlighter {
        let set = syntaxes();
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let syntax = match ext.as_deref() {
            Some("py" | "pyw" | "pyi" | "pyx" | "pxd" | "pxi") => set.find_syntax_by_name("Python"),
            Some(ext) => set.find_syntax_by_extension(ext),
            None => name.as_deref().and_then(|n| set.find_syntax_by_extension(n)),
        }
        .or_else(|| set.find_syntax_by_first_line(first_line));
        match syntax {
            Some(s) if s.name != set.find_syntax_plain_text().name => Highlighter::for_syntax(s),
            _ => Highlighter::plain(),
        }
    }

    fn for_syntax(syntax: &'static SyntaxReference) -> Highlighter {
        let Some(language) = Language::new(syntax) else { return Highlighter::plain() };
        let exact = Run::new(0, language.top_level_at_file_start(), true);
        Highlighter { runs: vec![exact], language: Some(language), ..Highlighter::default() }
    }

    /// The syntax in use ("Python"), or None for plain text.
    pub fn language(&self) -> Option<&str> {
        self.language.as_ref().map(|l| l.syntax.name.as_str())
    }

    /// The cached highlighting of line `index` (0-based), if any.
    pub fn row(&self, index: usize) -> Option<&Row> {
        self.rows.get(&index)
    }

    /// Whether rows in the last prepared window are still missing or unconfirmed; call
    /// `prepare` again (soon) to let highlighting catch up.
    pub fn is_pending(&self) -> bool {
        self.pending
    }

    /// Work done by the last `prepare`.
    pub fn last_work(&self) -> Work {
        self.work
    }

    /// Highlights what is needed to show `visible` (0-based line indices), within budget.
    /// `theme` None (no colour) highlights nothing; a different theme drops cached rows.
    pub fn prepare(
        &mut self,
        lines: &(impl LineSource + ?Sized),
        visible: Range<usize>,
        theme: Option<&Arc<SyntectTheme>>,
    ) {
        self.work = Work::default();
        let count = lines.line_count();
        let end = visible.end.saturating_add(MARGIN).min(count);
        self.window = visible.start.saturating_sub(MARGIN).min(end)..end;
        if !same_theme(self.theme.as_ref(), theme) {
            self.rows.clear();
            self.theme = theme.cloned();
        }
        let (Some(language), Some(theme)) = (self.language.clone(), self.theme.clone()) else {
            self.pending = false;
            return;
        };
        let resolver = StyleResolver::new(&theme);
        let mut pass = Pass { lines, language: &language, resolver: &resolver, budget: Budget::new() };
        self.prune_rows();
        let visible = visible.start.min(end)..visible.end.min(end);
        if self.fill(&mut pass, visible) && self.fill(&mut pass, self.window.clone()) {
            self.catch_up(&mut pass);
        }
        self.pending = self.window.clone().any(|i| self.needs_work(i));
    }

    /// Whether line `index` has no row, or only a stale one.
    fn needs_work(&self, index: usize) -> bool {
        self.rows.get(&index).is_none_or(|r| r.certainty == Certainty::Stale)
    }

    /// Highlights the missing or stale rows of `range`, first to last. False when the budget ran
    /// out first.
    fn fill<L: LineSource + ?Sized>(&mut self, pass: &mut Pass<L>, range: Range<usize>) -> bool {
        while let Some(target) = range.clone().find(|&i| self.needs_work(i)) {
            if pass.budget.exhausted() {
                return false;
            }
            let gap_end = (target + 1..range.end).find(|&i| !self.needs_work(i)).unwrap_or(range.end);
            let run = self.run_for(pass, target);
            let from = self.runs[run].resume_point(target);
            if self.advance(pass, run, from, gap_end, Keep::Everything) == Stop::OutOfBudget {
                return false;
            }
        }
        true
    }

    /// Grows the exact run towards the first speculative one, to confirm or correct it.
    fn catch_up<L: LineSource + ?Sized>(&mut self, pass: &mut Pass<L>) {
        while !pass.budget.exhausted() && self.runs.len() > 1 {
            let from = (self.runs[0].end, self.runs[0].tail.clone());
            let until = self.runs[1].start + 1;
            if self.advance(pass, 0, from, until, Keep::CachedOnly) == Stop::OutOfBudget {
                return;
            }
        }
    }

    /// The run to highlight `target` from: the one containing it or ending a short way above
    /// it, else a new speculative run from a guessed safe point.
    fn run_for<L: LineSource + ?Sized>(&mut self, pass: &Pass<L>, target: usize) -> usize {
        let index = self.runs.partition_point(|r| r.start <= target).saturating_sub(1);
        let run = &self.runs[index];
        if target <= run.end.saturating_add(REACH) {
            return index;
        }
        let start = pass.language.guess_start(pass.lines, target, run.end + 1);
        self.runs.insert(index + 1, Run::new(start, pass.language.top_level.clone(), false));
        index + 1
    }

    /// Parses from `from` (a line and the state before it) up to `until`, on behalf of run
    /// `run`: rows are stored as `keep` says, and the run's end grown when parsing goes past it.
    /// Meeting the next run's start settles that run (see module docs).
    fn advance<L: LineSource + ?Sized>(
        &mut self,
        pass: &mut Pass<L>,
        run: usize,
        from: (usize, State),
        until: usize,
        keep: Keep,
    ) -> Stop {
        let (mut line, state) = from;
        let until = until.min(pass.lines.line_count());
        let mut parse = state.parse;
        let mut styles = HighlightState::new(pass.resolver, state.scopes);
        let mut buffer = String::new();
        let certainty = self.runs[run].certainty();
        let stop = loop {
            if line >= until {
                break Stop::Reached;
            }
            if pass.budget.exhausted() {
                break Stop::OutOfBudget;
            }
            let extending = line >= self.runs[run].end;
            if extending && self.runs.get(run + 1).is_some_and(|next| next.start == line) {
                self.settle_meeting(run, &parse, &styles.path);
                break Stop::Met;
            }
            let text = pass.lines.line(line);
            let (segments, parsed) = highlight_line(&mut parse, &mut styles, pass.resolver, text, &mut buffer);
            pass.budget.spend(parsed);
            self.work.lines += 1;
            self.work.bytes += parsed;
            if keep == Keep::Everything || self.rows.contains_key(&line) {
                self.rows.insert(line, Row { segments, certainty });
            }
            line += 1;
            if extending {
                self.grow(run, line, &parse, &styles.path);
            }
        };
        stop
    }

    /// Records that run `run` now reaches `end`, with the state before it.
    fn grow(&mut self, run: usize, end: usize, parse: &ParseState, scopes: &ScopeStack) {
        let r = &mut self.runs[run];
        r.end = end;
        r.tail = State { parse: parse.clone(), scopes: scopes.clone() };
        if (end - r.start).is_multiple_of(CHECKPOINT_EVERY) {
            r.checkpoints.push((end, r.tail.clone()));
        }
    }

    /// Run `run` has reached the first line of the next run: merge them when the next run's
    /// guessed start state was right, otherwise drop it and mark its rows stale.
    fn settle_meeting(&mut self, run: usize, parse: &ParseState, scopes: &ScopeStack) {
        let next = self.runs.remove(run + 1);
        let guessed = &next.checkpoints[0].1;
        let range = next.start..next.end;
        if guessed.parse == *parse && guessed.scopes == *scopes {
            let r = &mut self.runs[run];
            r.end = next.end;
            r.tail = next.tail;
            r.checkpoints.extend(next.checkpoints);
            let certainty = r.certainty();
            self.set_certainty(range, certainty);
        } else {
            self.set_certainty(range, Certainty::Stale);
        }
    }

    fn set_certainty(&mut self, range: Range<usize>, certainty: Certainty) {
        for (_, row) in self.rows.iter_mut().filter(|(i, _)| range.contains(i)) {
            row.certainty = certainty;
        }
    }

    /// Keeps the row cache bounded: drops rows furthest from the window.
    fn prune_rows(&mut self) {
        if self.rows.len() <= ROW_CACHE_LIMIT {
            return;
        }
        let keep = ROW_CACHE_LIMIT / 2;
        let low = self.window.start.saturating_sub(keep);
        let high = self.window.end.saturating_add(keep);
        self.rows.retain(|i, _| (low..high).contains(i));
    }
}

fn same_theme(a: Option<&Arc<SyntectTheme>>, b: Option<&Arc<SyntectTheme>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Parses and styles one line (its first [`MAX_HIGHLIGHT_BYTES`]), advancing the states.
/// Returns the segments and the number of bytes parsed. A parse error leaves the line plain.
fn highlight_line(
    parse: &mut ParseState,
    styles: &mut HighlightState,
    resolver: &StyleResolver,
    text: &str,
    buffer: &mut String,
) -> (Vec<Segment>, usize) {
    let cut = floor_char_boundary(text, MAX_HIGHLIGHT_BYTES);
    // The "newlines" syntaxes expect each line to end with its newline.
    buffer.clear();
    buffer.push_str(&text[..cut]);
    buffer.push('\n');
    let Ok(ops) = parse.parse_line(buffer, syntaxes()) else {
        return (Vec::new(), buffer.len());
    };
    let plain = resolver.get_default().foreground;
    let mut segments: Vec<Segment> = Vec::new();
    for (style, _, range) in RangedHighlightIterator::new(styles, &ops, buffer, resolver) {
        let end = range.end.min(cut);
        if range.start >= end {
            continue;
        }
        let style = to_ratatui(style, plain);
        match segments.last_mut() {
            Some(last) if last.style == style => last.end = end,
            _ => segments.push(Segment { end, style }),
        }
    }
    (segments, buffer.len())
}

/// A syntect style as a ratatui one: foreground and bold/italic/underline only (backgrounds
/// come from the theme's roles). The syntax theme's plain colour, or a transparent one, maps to
/// no colour, so unhighlighted text takes the `text` role's colour.
fn to_ratatui(style: syntect::highlighting::Style, plain: syntect::highlighting::Color) -> Style {
    let fg = style.foreground;
    let mut out = Style::default();
    if fg != plain && fg.a != 0 {
        out = out.fg(Color::Rgb(fg.r, fg.g, fg.b));
    }
    for (font, modifier) in [
        (FontStyle::BOLD, Modifier::BOLD),
        (FontStyle::ITALIC, Modifier::ITALIC),
        (FontStyle::UNDERLINE, Modifier::UNDERLINED),
    ] {
        if style.font_style.contains(font) {
            out = out.add_modifier(modifier);
        }
    }
    out
}

/// The largest char boundary of `text` at or below `at`.
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::Theme;

    fn python() -> Highlighter {
        Highlighter::for_file(Path::new("x.py"), "")
    }

    fn dark() -> Arc<SyntectTheme> {
        Theme::default_dark().syntax_theme().expect("dark has syntax colours").clone()
    }

    /// Prepares until nothing in `view` is missing (the time budget makes single calls partial).
    fn prepare_fully(h: &mut Highlighter, lines: &[&str], view: Range<usize>, theme: &Arc<SyntectTheme>) {
        for _ in 0..10_000 {
            h.prepare(lines, view.clone(), Some(theme));
            if !h.is_pending() {
                return;
            }
        }
        panic!("highlighting never finished");
    }

    /// The style of the first segment covering byte `at` of row `index`.
    fn style_at(h: &Highlighter, index: usize, at: usize) -> Style {
        let row = h.row(index).expect("row is highlighted");
        let mut start = 0;
        for s in row.segments() {
            if (start..s.end).contains(&at) {
                return s.style;
            }
            start = s.end;
        }
        panic!("byte {at} not covered");
    }

    #[test]
    fn keywords_and_identifiers_get_different_styles() {
        let lines = ["def greet(name):", "    return name"];
        let mut h = python();
        prepare_fully(&mut h, &lines, 0..2, &dark());
        let keyword = style_at(&h, 0, 0);
        let function = style_at(&h, 0, 4);
        let identifier = style_at(&h, 1, 11);
        assert_ne!(keyword, identifier);
        assert_ne!(keyword, function);
        assert!(keyword.fg.is_some());
        assert_eq!(h.row(0).expect("row").highlighted_len(), lines[0].len());
    }

    #[test]
    fn strings_spanning_lines_keep_their_state() {
        let lines = ["x = '''", "def not_code():", "'''", "def code():", "s = 'abc'"];
        let mut h = python();
        prepare_fully(&mut h, &lines, 0..5, &dark());
        let string = style_at(&h, 4, 5);
        assert_eq!(style_at(&h, 1, 0), string, "def inside a string is string-coloured");
        assert_ne!(style_at(&h, 3, 0), string);
    }

    #[test]
    fn choice_of_language() {
        assert_eq!(python().language(), Some("Python"));
        assert_eq!(Highlighter::for_file(Path::new("m.pyx"), "").language(), Some("Python"));
        assert_eq!(Highlighter::for_file(Path::new("tool"), "#!/usr/bin/env python3").language(), Some("Python"));
        assert_eq!(Highlighter::for_file(Path::new("notes.txt"), "").language(), None);
        assert_eq!(Highlighter::for_file(Path::new("README"), "hello").language(), None);
        assert_eq!(Highlighter::plain().language(), None);
    }

    #[test]
    fn no_colour_means_no_work() {
        let lines = ["import os"];
        let mut h = python();
        h.prepare(&lines[..], 0..1, None);
        assert!(h.row(0).is_none());
        assert_eq!(h.last_work(), Work::default());
        assert!(!h.is_pending());
    }

    #[test]
    fn a_theme_change_restyles() {
        let lines = ["import os"];
        let mut h = python();
        prepare_fully(&mut h, &lines, 0..1, &dark());
        let before = h.row(0).cloned();
        let light = Theme::load("light").expect("light").syntax_theme().expect("syntax").clone();
        h.prepare(&lines[..], 0..1, Some(&light));
        assert_ne!(before.as_ref(), h.row(0));
        assert_eq!(h.last_work().lines, 1);
        // Same theme again: served from the cache.
        h.prepare(&lines[..], 0..1, Some(&light));
        assert_eq!(h.last_work().lines, 0);
    }

    #[test]
    fn long_lines_are_highlighted_only_in_part() {
        let long = format!("x = [{}]", "1, ".repeat(10_000));
        let lines = [long.as_str(), "y = 2"];
        let mut h = python();
        h.prepare(&lines[..], 0..2, Some(&dark()));
        assert!(h.last_work().bytes <= 2 * (MAX_HIGHLIGHT_BYTES + 1));
        prepare_fully(&mut h, &lines, 0..2, &dark());
        let row = h.row(0).expect("row");
        assert_eq!(row.highlighted_len(), MAX_HIGHLIGHT_BYTES);
        assert!(h.row(1).is_some());
    }

    #[test]
    fn cut_respects_char_boundaries() {
        let text = "é".repeat(MAX_HIGHLIGHT_BYTES);
        let lines = [text.as_str()];
        let mut h = python();
        prepare_fully(&mut h, &lines, 0..1, &dark());
        let len = h.row(0).expect("row").highlighted_len();
        assert!(text.is_char_boundary(len) && len <= MAX_HIGHLIGHT_BYTES);
    }

    /// Prepares `view` until every row in it is exact, checking the bound on each call.
    fn prepare_until_exact(h: &mut Highlighter, lines: &[String], view: Range<usize>, theme: &Arc<SyntectTheme>) {
        for _ in 0..100_000 {
            h.prepare(lines, view.clone(), Some(theme));
            assert!(h.last_work().lines <= LINE_BUDGET);
            assert!(h.last_work().bytes <= BYTE_BUDGET + MAX_HIGHLIGHT_BYTES + 1);
            if view.clone().all(|i| h.row(i).is_some_and(|r| r.certainty() == Certainty::Exact)) {
                return;
            }
        }
        panic!("never caught up");
    }

    /// Every line highlighted the simple way: one pass from the top.
    fn parse_everything(lines: &[String], theme: &Arc<SyntectTheme>) -> Vec<Row> {
        let language = python().language.expect("python");
        let resolver = StyleResolver::new(theme);
        let mut parse = language.top_level_at_file_start().parse;
        let mut styles = HighlightState::new(&resolver, ScopeStack::new());
        let mut buffer = String::new();
        lines
            .iter()
            .map(|l| {
                let (segments, _) = highlight_line(&mut parse, &mut styles, &resolver, l, &mut buffer);
                Row { segments, certainty: Certainty::Exact }
            })
            .collect()
    }

    /// A far jump into a triple-quoted string whose safe point is a lie: the provisional rows
    /// are wrong at first, and exact once the exact run catches up.
    #[test]
    fn a_wrong_guess_is_corrected() {
        let mut lines: Vec<String> = (0..3_000).map(|i| format!("v{i} = {i}")).collect();
        lines[2_400] = "doc = '''".into();
        for line in lines.iter_mut().take(2_600).skip(2_401) {
            *line = "def inside_a_string(): pass".into();
        }
        lines[2_600] = "'''".into();
        let theme = dark();
        let truth = parse_everything(&lines, &theme);
        let mut h = python();
        while h.row(2_500).is_none() {
            h.prepare(&lines[..], 2_500..2_510, Some(&theme));
            assert!(h.last_work().lines <= LINE_BUDGET);
        }
        let guessed = h.row(2_500).expect("shown before the exact parse gets there");
        assert_eq!(guessed.certainty(), Certainty::Provisional);
        assert_ne!(guessed.segments(), truth[2_500].segments(), "the guess should be wrong here");
        prepare_until_exact(&mut h, &lines, 2_500..2_510, &theme);
        for (i, want) in truth.iter().enumerate().take(2_510).skip(2_500) {
            let row = h.row(i).expect("row");
            assert_eq!(row.certainty(), Certainty::Exact);
            assert_eq!(row.segments(), want.segments(), "line {i}");
        }
    }

    /// A right guess is confirmed by merging, without reparsing the guessed stretch.
    #[test]
    fn a_right_guess_is_confirmed() {
        let lines: Vec<String> =
            (0..5_000).map(|i| if i % 10 == 0 { format!("def f{i}():") } else { "    pass".into() }).collect();
        let theme = dark();
        let mut h = python();
        while h.row(4_000).is_none() {
            h.prepare(&lines[..], 4_000..4_040, Some(&theme));
        }
        assert_eq!(h.row(4_000).expect("row").certainty(), Certainty::Provisional);
        prepare_until_exact(&mut h, &lines, 4_000..4_040, &theme);
        assert_eq!(h.runs.len(), 1);
        assert_eq!(h.row(4_000).expect("row").certainty(), Certainty::Exact);
    }
}
