//! The Source pane: the file around the current line, with a gutter of breakpoint marks, line
//! numbers and the `▶` execution marker, syntax colours, the cursor line and search matches.
//!
//! A pure render of [`SourcePane`]: highlighting was computed in `prepare`, and rows it has not
//! reached yet render plain. Tabs expand to 4-column stops; control and bidi-override characters
//! are drawn as visible symbols so nothing from the file reaches the terminal raw. Lines wider
//! than the pane end in `…` (there is no horizontal scrolling).

use std::collections::HashMap;
use std::ops::Range;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::panes::block;
use crate::tui::highlight::Row;
use crate::tui::source::SourcePane;
use crate::tui::theme::{Role, Theme};

/// Columns between tab stops.
const TAB_WIDTH: usize = 4;

// The kind is the app's; the view says how each kind is drawn.
pub use crate::tui::app::GutterMark;

impl GutterMark {
    /// One column wide, and all different in shape, so they read without colour (NO_COLOR).
    pub fn glyph(self) -> &'static str {
        match self {
            GutterMark::Breakpoint => "●",
            GutterMark::Conditional => "◆",
            GutterMark::HitCondition => "#",
            GutterMark::Logpoint => "»",
            GutterMark::Disabled => "○",
            GutterMark::Unverified => "◌",
        }
    }

    pub fn role(self) -> Role {
        match self {
            GutterMark::Breakpoint => Role::Breakpoint,
            GutterMark::Conditional => Role::Conditional,
            GutterMark::HitCondition => Role::HitCondition,
            GutterMark::Logpoint => Role::Logpoint,
            GutterMark::Disabled => Role::BreakpointDisabled,
            GutterMark::Unverified => Role::BreakpointUnverified,
        }
    }
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    pane: &SourcePane,
    marks: &HashMap<usize, GutterMark>,
    theme: &Theme,
    focused: bool,
) {
    let note = (!pane.is_message()).then(|| format!("{}/{}", pane.cursor(), pane.line_count()));
    // Room for the title: the border corners, the spaces around title and note, and a gap.
    let note_width = note.as_ref().map_or(0, |n| n.chars().count() + 2);
    let title_room = usize::from(area.width).saturating_sub(note_width + 5);
    let title = if pane.title().is_empty() { "Source" } else { pane.title() };
    // The background of the `text` role (if the theme has one) paints the whole pane.
    let block = block(&fit_tail(title, title_room), note, theme, focused).style(theme.style(Role::Text));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if pane.is_message() {
        render_message(frame, inner, pane, theme);
        return;
    }
    let first = pane.scroll_offset() + 1;
    for (row, number) in (first..=pane.line_count()).take(usize::from(inner.height)).enumerate() {
        let area = Rect { y: inner.y + row as u16, height: 1, ..inner };
        frame.render_widget(source_row(pane, number, marks, theme, focused, usize::from(inner.width)), area);
    }
}

/// A message shown instead of a file: plain dim text, no gutter.
fn render_message(frame: &mut Frame, inner: Rect, pane: &SourcePane, theme: &Theme) {
    let dim = theme.style(Role::Dim);
    let width = usize::from(inner.width);
    if pane.line_count() == 0 {
        let hint = text_spans("No source to show yet.", None, &[], dim, width);
        frame.render_widget(Line::from(hint), Rect { height: 1, ..inner });
        return;
    }
    let first = pane.scroll_offset() + 1;
    for (row, number) in (first..=pane.line_count()).take(usize::from(inner.height)).enumerate() {
        let text = pane.line(number).unwrap_or("");
        let spans = text_spans(text, None, &[], dim, width);
        frame.render_widget(Line::from(spans).style(dim), Rect { y: inner.y + row as u16, height: 1, ..inner });
    }
}

/// One line of the file: gutter, then the text.
fn source_row(
    pane: &SourcePane,
    number: usize,
    marks: &HashMap<usize, GutterMark>,
    theme: &Theme,
    focused: bool,
    width: usize,
) -> Line<'static> {
    let is_exec = pane.exec_line() == Some(number);
    let mut row_style = theme.style(Role::Text);
    if focused && pane.cursor() == number {
        row_style = row_style.patch(theme.style(Role::CursorLine));
    }
    // The execution line wins over the cursor line: where the program is matters most.
    if is_exec {
        row_style = row_style.patch(theme.style(Role::CurrentLine));
    }
    let mark = match marks.get(&number) {
        Some(mark) => Span::styled(mark.glyph(), theme.style(mark.role())),
        None => Span::raw(" "),
    };
    let digits = pane.number_width();
    let exec_marker = if is_exec { Span::styled("▶", theme.style(Role::CurrentLineMarker)) } else { Span::raw(" ") };
    let mut spans = vec![
        mark,
        Span::styled(format!(" {number:>digits$} "), theme.style(Role::LineNumber)),
        exec_marker,
        Span::raw(" "),
    ];
    let text_width = width.saturating_sub(usize::from(pane.gutter_width()));
    if text_width > 0 {
        let text = pane.line(number).unwrap_or("");
        let matches = pane.search_matches(number);
        let overlays: Vec<(Range<usize>, Style)> =
            matches.into_iter().map(|m| (m, theme.style(Role::SearchMatch))).collect();
        spans.extend(text_spans(text, pane.highlighted(number), &overlays, theme.style(Role::Dim), text_width));
    }
    Line::from(spans).style(row_style)
}

/// The spans showing `text` in `width` columns: syntax styles from `row` (the part it does
/// not cover is plain), `overlays` patched on top, and `…` (in `ellipsis`) when cut.
fn text_spans(
    text: &str,
    row: Option<&Row>,
    overlays: &[(Range<usize>, Style)],
    ellipsis: Style,
    width: usize,
) -> Vec<Span<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let fits = display_width(text, width + 1) <= width;
    let mut out = Cells::new(if fits { width } else { width - 1 });
    for (range, style) in pieces(text, row, overlays) {
        if !out.push(&text[range], style) {
            break;
        }
    }
    let mut spans = out.finish();
    if !fits {
        spans.push(Span::styled("…", ellipsis));
    }
    spans
}

/// `text` cut into consecutive byte ranges of one style each: syntax segments split at the
/// overlays' edges.
fn pieces(text: &str, row: Option<&Row>, overlays: &[(Range<usize>, Style)]) -> Vec<(Range<usize>, Style)> {
    let segments = row.map_or(&[][..], |r| r.segments());
    let mut edges: Vec<usize> = vec![0, text.len()];
    edges.extend(segments.iter().map(|s| s.end));
    for (range, _) in overlays {
        edges.extend([range.start, range.end]);
    }
    edges.retain(|&e| e <= text.len() && text.is_char_boundary(e));
    edges.sort_unstable();
    edges.dedup();
    let mut out = Vec::with_capacity(edges.len());
    let mut segment = 0;
    for pair in edges.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        while segment < segments.len() && segments[segment].end <= start {
            segment += 1;
        }
        let mut style = segments.get(segment).map_or_else(Style::default, |s| s.style);
        for (range, overlay) in overlays {
            if range.start <= start && start < range.end {
                style = style.patch(*overlay);
            }
        }
        out.push((start..end, style));
    }
    out
}

/// Display columns of `text` (tabs expanded), counting no further than `limit`.
fn display_width(text: &str, limit: usize) -> usize {
    let mut col = 0;
    for c in text.chars() {
        col += shown(c, col).1;
        if col >= limit {
            break;
        }
    }
    col
}

/// Spans being filled up to a column limit.
struct Cells {
    spans: Vec<Span<'static>>,
    col: usize,
    limit: usize,
}

impl Cells {
    fn new(limit: usize) -> Cells {
        Cells { spans: Vec::new(), col: 0, limit }
    }

    /// Appends `text` in `style`; false once the limit is reached.
    fn push(&mut self, text: &str, style: Style) -> bool {
        let mut content = String::with_capacity(text.len());
        let mut full = false;
        for c in text.chars() {
            let (symbol, w) = shown(c, self.col);
            if self.col + w > self.limit {
                // A tab fills what is left; a wide character is never split.
                if let Shown::Spaces(_) = symbol {
                    content.extend(std::iter::repeat_n(' ', self.limit - self.col));
                    self.col = self.limit;
                }
                full = true;
                break;
            }
            self.col += w;
            match symbol {
                Shown::Char(c) => content.push(c),
                Shown::Spaces(n) => content.extend(std::iter::repeat_n(' ', n)),
            }
        }
        if !content.is_empty() {
            self.spans.push(Span::styled(content, style));
        }
        !full && self.col < self.limit
    }

    fn finish(self) -> Vec<Span<'static>> {
        self.spans
    }
}

/// What a character looks like on screen.
enum Shown {
    Char(char),
    Spaces(usize),
}

/// How `c`, at display column `col`, is drawn, and its width. Tabs go to the next stop;
/// control characters become their Unicode "control picture" (␀, ␛, ␡); invisible format
/// characters that could reorder or hide text (bidi overrides, zero-width spaces) become `�`.
fn shown(c: char, col: usize) -> (Shown, usize) {
    match c {
        '\t' => {
            let n = TAB_WIDTH - col % TAB_WIDTH;
            (Shown::Spaces(n), n)
        }
        '\u{0}'..='\u{1f}' => (Shown::Char(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')), 1),
        '\u{7f}' => (Shown::Char('\u{2421}'), 1),
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'
        | '\u{200c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}' => (Shown::Char('\u{fffd}'), 1),
        c if c.is_ascii() => (Shown::Char(c), 1),
        c => {
            let mut buf = [0u8; 4];
            (Shown::Char(c), Span::raw(&*c.encode_utf8(&mut buf)).width())
        }
    }
}

/// `text` in at most `width` columns, keeping its end (where a path's file name is) behind a
/// leading `…`. Control characters are made visible, as in the text.
fn fit_tail(text: &str, width: usize) -> String {
    let visible: String = text
        .chars()
        .map(|c| match shown(c, 0) {
            (Shown::Char(s), _) => s,
            (Shown::Spaces(_), _) => ' ',
        })
        .collect();
    let widths: Vec<usize> = visible.chars().map(|c| shown(c, 0).1).collect();
    let total: usize = widths.iter().sum();
    if total <= width {
        return visible;
    }
    if width == 0 {
        return String::new();
    }
    let mut kept = Vec::new();
    let mut used = 1;
    for (c, w) in visible.chars().rev().zip(widths.iter().rev()) {
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn tabs_expand_to_stops_and_controls_show() {
        assert_eq!(plain(&text_spans("\tx", None, &[], Style::default(), 20)), "    x");
        assert_eq!(plain(&text_spans("ab\tx", None, &[], Style::default(), 20)), "ab  x");
        assert_eq!(plain(&text_spans("a\u{1b}[2Jb\u{7f}", None, &[], Style::default(), 20)), "a␛[2Jb␡");
        assert_eq!(plain(&text_spans("x\u{202e}y\u{85}", None, &[], Style::default(), 20)), "x\u{fffd}y\u{fffd}");
    }

    #[test]
    fn long_lines_end_in_an_ellipsis_within_the_width() {
        let spans = text_spans("abcdefghij", None, &[], Style::default(), 5);
        assert_eq!(plain(&spans), "abcd…");
        assert_eq!(plain(&text_spans("abcde", None, &[], Style::default(), 5)), "abcde");
        // A wide character that would straddle the edge is left out, never split.
        let spans = text_spans("ab漢字漢字", None, &[], Style::default(), 5);
        assert_eq!(plain(&spans), "ab漢…");
        assert_eq!(plain(&text_spans("漢字", None, &[], Style::default(), 1)), "…");
        assert!(text_spans("abc", None, &[], Style::default(), 0).is_empty());
        assert_eq!(plain(&text_spans("\t\tx", None, &[], Style::default(), 6)), "     …");
    }

    #[test]
    fn overlays_split_syntax_pieces() {
        let bold = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let got = pieces("hello world", None, &[(2..7, bold)]);
        assert_eq!(got, vec![(0..2, Style::default()), (2..7, bold), (7..11, Style::default())]);
        assert_eq!(pieces("", None, &[]), vec![]);
    }

    #[test]
    fn titles_keep_their_end() {
        assert_eq!(fit_tail("src/pkg/module.py", 40), "src/pkg/module.py");
        assert_eq!(fit_tail("src/pkg/module.py", 10), "…module.py");
        assert_eq!(fit_tail("a\nb", 10), "a␊b");
        assert_eq!(fit_tail("abc", 0), "");
        assert_eq!(fit_tail("abc", 1), "…");
    }

    #[test]
    fn gutter_glyphs_differ_without_colour() {
        let all = [
            GutterMark::Breakpoint,
            GutterMark::Conditional,
            GutterMark::HitCondition,
            GutterMark::Logpoint,
            GutterMark::Disabled,
            GutterMark::Unverified,
        ];
        let glyphs: std::collections::HashSet<_> = all.iter().map(|m| m.glyph()).collect();
        let roles: std::collections::HashSet<_> = all.iter().map(|m| m.role()).collect();
        assert_eq!((glyphs.len(), roles.len()), (all.len(), all.len()));
        for m in all {
            assert_eq!(Span::raw(m.glyph()).width(), 1, "{m:?}");
        }
    }
}
