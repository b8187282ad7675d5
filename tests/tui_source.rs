//! The source pane, its highlighting and the themes, through the public API: themes and their
//! errors, cursor/search/scroll behaviour, bounded highlighting work on a 100,000-line file,
//! and render snapshots of the pane.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use loupe::tui::highlight::{BYTE_BUDGET, LINE_BUDGET, MAX_HIGHLIGHT_BYTES};
use loupe::tui::source::SourcePane;
use loupe::tui::theme::{Role, Theme};
use loupe::tui::view::source::{render, GutterMark};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

/// A 33-line Python file; opened by a relative path so the title is the same everywhere.
const FIXTURE: &str = "tests/fixtures/source/inventory.py";

fn fixture() -> SourcePane {
    let mut pane = SourcePane::new();
    pane.open(Path::new(FIXTURE)).expect("the fixture opens");
    pane
}

/// Prepares until no visible row waits for highlighting (single calls are time-budgeted).
fn prepare_fully(pane: &mut SourcePane, rows: u16, theme: &Theme) {
    for _ in 0..10_000 {
        pane.prepare(rows, theme);
        assert_work_bounded(pane);
        if !pane.highlight_pending() {
            return;
        }
    }
    panic!("highlighting never finished");
}

fn assert_work_bounded(pane: &SourcePane) {
    let work = pane.highlight_work();
    assert!(work.lines <= LINE_BUDGET, "{work:?}");
    assert!(work.bytes <= BYTE_BUDGET + MAX_HIGHLIGHT_BYTES + 1, "{work:?}");
}

fn draw(
    pane: &mut SourcePane,
    (width, height): (u16, u16),
    marks: &HashMap<usize, GutterMark>,
    theme: &Theme,
    focused: bool,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    prepare_fully(pane, height.saturating_sub(2), theme);
    terminal.draw(|frame| render(frame, frame.area(), pane, marks, theme, focused)).expect("draws");
    terminal
}

/// The text of screen row `y`.
fn row_text(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect()
}

fn temp_file(dir: &tempfile::TempDir, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("temp file written");
    path
}

// ---------------------------------------------------------------- themes

#[test]
fn builtin_themes_load_by_name_with_syntax_colours() {
    for name in Theme::builtin_names() {
        let theme = Theme::load(name).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert_eq!(theme.name(), *name);
        assert!(theme.has_color());
        assert!(theme.syntax_theme().is_some());
    }
    assert_eq!(Theme::default_dark().name(), "dark");
}

#[test]
fn an_unknown_theme_lists_the_builtins_and_where_user_themes_live() {
    let message = format!("{:#}", Theme::load("solarized-purple").expect_err("no such theme"));
    for name in Theme::builtin_names() {
        assert!(message.contains(name), "{message}");
    }
    assert!(message.contains("solarized-purple"), "{message}");
    assert!(message.contains("themes"), "{message}");
}

#[test]
fn a_theme_file_loads_by_path_and_its_errors_name_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = temp_file(&dir, "mine.toml", "base = \"dark\"\n[roles]\nbreakpoint = { fg = \"#ff0000\" }\n");
    let theme = Theme::load(&good.display().to_string()).expect("loads by path");
    assert_eq!(theme.name(), "mine");
    assert_eq!(theme.style(Role::Breakpoint).fg, Some(Color::Rgb(255, 0, 0)));
    assert_eq!(theme.style(Role::Text), Theme::default_dark().style(Role::Text));

    let bad = temp_file(&dir, "bad.toml", "name = \"bad\"\n\n[roles]\ntext = {}\nbrekpoint = { fg = \"red\" }\n");
    let message = format!("{:#}", Theme::load(&bad.display().to_string()).expect_err("unknown role"));
    assert!(message.contains(&format!("{}:5:", bad.display())), "{message}");
    assert!(message.contains("brekpoint"), "{message}");

    let broken = temp_file(&dir, "broken.toml", "name = \"x\"\nsyntax = [1,\n");
    let message = format!("{:#}", Theme::load(&broken.display().to_string()).expect_err("bad TOML"));
    assert!(message.contains(&format!("{}:", broken.display())), "{message}");
}

#[test]
fn no_color_drops_colours_and_highlighting() {
    let theme = Theme::load("high-contrast").expect("loads").without_color();
    assert!(!theme.has_color());
    assert!(theme.syntax_theme().is_none());
    for role in [Role::Text, Role::Breakpoint, Role::SearchMatch, Role::CurrentLine, Role::StatusBar] {
        let style = theme.style(role);
        assert_eq!((style.fg, style.bg), (None, None), "{role:?}");
    }
    let mut pane = fixture();
    pane.prepare(20, &theme);
    assert!(pane.highlighted(1).is_none());
    assert!(!pane.highlight_pending());
}

// ---------------------------------------------------------------- highlighting

#[test]
fn python_keywords_are_styled_unlike_identifiers() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    assert_eq!(pane.language(), Some("Python"));
    prepare_fully(&mut pane, 40, &theme);
    // Line 14: "        return self.price * self.count"
    let row = pane.highlighted(14).expect("highlighted");
    let style_at = |at: usize| {
        let mut start = 0;
        row.segments()
            .iter()
            .find(|s| {
                let hit = (start..s.end).contains(&at);
                start = s.end;
                hit
            })
            .map(|s| s.style)
            .expect("covered")
    };
    let keyword = style_at(8);
    let identifier = style_at(20);
    assert!(keyword.fg.is_some());
    assert_ne!(keyword, identifier);
}

#[test]
fn a_huge_file_opens_and_jumps_with_bounded_work_per_prepare() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = [
        "class Shape:",
        "    \"\"\"A shape.\"\"\"",
        "    def area(self, scale: float = 1.0) -> float:",
        "        # computed lazily",
        "        return self.w * self.h * scale",
        "",
        "def helper(a, *args, **kw):",
        "    return [k for k in kw if k.startswith('_')]",
    ];
    let text: String = (0..100_000).map(|i| format!("{}\n", body[i % body.len()])).collect();
    let path = temp_file(&dir, "huge.py", text);
    let theme = Theme::default_dark();
    let mut pane = SourcePane::new();
    pane.open(&path).expect("opens");
    assert_eq!(pane.line_count(), 100_000);

    pane.prepare(40, &theme);
    assert_work_bounded(&pane);

    assert!(pane.goto_line(73_000));
    check_far_view(&mut pane, &theme, 73_000);
    pane.bottom();
    check_far_view(&mut pane, &theme, 100_000);
}

/// After a jump to `line`: one prepare stays within budget and shows the line; repeated
/// prepares (each within budget too) highlight every visible row.
fn check_far_view(pane: &mut SourcePane, theme: &Theme, line: usize) {
    pane.prepare(40, theme);
    assert_work_bounded(pane);
    assert_eq!(pane.cursor(), line);
    let offset = pane.scroll_offset();
    assert!((offset + 1..=offset + 40).contains(&line), "line {line} in view from {offset}");
    prepare_fully(pane, 40, theme);
    assert_eq!(pane.scroll_offset(), offset);
    for visible in offset + 1..=(offset + 40).min(pane.line_count()) {
        assert!(pane.highlighted(visible).is_some(), "line {visible} not highlighted");
    }
}

#[test]
fn minified_lines_do_not_stall() {
    let dir = tempfile::tempdir().expect("temp dir");
    let long = format!("data = [{}]\n", "123, 'abc', ".repeat(100_000));
    let path = temp_file(&dir, "minified.py", long.repeat(3));
    let theme = Theme::default_dark();
    let mut pane = SourcePane::new();
    pane.open(&path).expect("opens");
    prepare_fully(&mut pane, 10, &theme);
    let row = pane.highlighted(1).expect("highlighted");
    assert!(row.highlighted_len() <= MAX_HIGHLIGHT_BYTES);
    let terminal = draw(&mut pane, (40, 6), &HashMap::new(), &theme, true);
    assert!(row_text(&terminal, 1).contains("data = [123, 'abc',"), "{}", row_text(&terminal, 1));
    assert!(row_text(&terminal, 1).ends_with("…┃"), "{}", row_text(&terminal, 1));
}

// ---------------------------------------------------------------- cursor, scroll, search

#[test]
fn an_empty_pane_takes_every_command() {
    let theme = Theme::default_dark();
    let mut pane = SourcePane::new();
    assert_eq!((pane.line_count(), pane.cursor(), pane.path()), (0, 1, None));
    pane.move_cursor(5);
    pane.page(-3);
    pane.top();
    pane.bottom();
    pane.scroll(10);
    pane.set_exec_line(Some(40));
    assert!(!pane.goto_line(1));
    assert!(!pane.search("x", true));
    assert!(!pane.search_next(false));
    pane.prepare(0, &theme);
    pane.prepare(10, &theme);
    assert_eq!(pane.cursor(), 1);
    assert_eq!(pane.line_at(Rect::new(0, 0, 20, 10), 3, 3), None);
}

#[test]
fn cursor_moves_stay_in_the_file() {
    let mut pane = fixture();
    assert_eq!(pane.line_count(), 33);
    assert_eq!(pane.cursor(), 1);
    pane.move_cursor(-5);
    assert_eq!(pane.cursor(), 1);
    pane.move_cursor(10);
    assert_eq!(pane.cursor(), 11);
    pane.move_cursor(isize::MAX);
    assert_eq!(pane.cursor(), 33);
    pane.top();
    assert_eq!(pane.cursor(), 1);
    pane.bottom();
    assert_eq!(pane.cursor(), 33);
    assert!(!pane.goto_line(0));
    assert!(!pane.goto_line(34));
    assert_eq!(pane.cursor(), 33);
    assert!(pane.goto_line(12));
    assert_eq!(pane.cursor(), 12);
}

#[test]
fn the_exec_line_is_brought_into_view_with_context() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    pane.prepare(10, &theme);
    pane.set_exec_line(Some(30));
    assert_eq!((pane.exec_line(), pane.cursor()), (Some(30), 30));
    pane.prepare(10, &theme);
    let offset = pane.scroll_offset();
    assert!((offset + 1..=offset + 10).contains(&30), "offset {offset}");
    assert!(30 + 3 <= offset + 10 || offset + 10 == 33, "context below: offset {offset}");

    pane.set_exec_line(Some(20));
    pane.prepare(10, &theme);
    let offset = pane.scroll_offset();
    assert!(offset + 1 + 3 <= 20 && 20 + 3 <= offset + 10, "centred-ish: offset {offset}");

    pane.set_exec_line(None);
    assert_eq!((pane.exec_line(), pane.cursor()), (None, 20));
}

#[test]
fn pages_move_by_the_visible_height() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    pane.prepare(10, &theme);
    pane.page(1);
    assert_eq!(pane.cursor(), 10);
    pane.prepare(10, &theme);
    pane.page(1);
    assert_eq!(pane.cursor(), 19);
    pane.page(5);
    assert_eq!(pane.cursor(), 33);
    pane.page(-1);
    assert_eq!(pane.cursor(), 24);
    pane.page(-10);
    assert_eq!(pane.cursor(), 1);
}

#[test]
fn the_wheel_scrolls_the_view_and_drags_the_cursor() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    pane.prepare(10, &theme);
    pane.scroll(5);
    assert_eq!(pane.scroll_offset(), 5);
    assert_eq!(pane.cursor(), 9, "cursor kept 3 lines inside the view");
    pane.prepare(10, &theme);
    assert_eq!(pane.scroll_offset(), 5, "prepare keeps the scrolled view");
    pane.scroll(100);
    assert_eq!(pane.scroll_offset(), 23);
    pane.scroll(-100);
    assert_eq!(pane.scroll_offset(), 0);
    assert!(pane.cursor() <= 7);
}

#[test]
fn search_is_smart_case_and_wraps() {
    let mut pane = fixture();
    assert!(pane.search("item", true));
    assert_eq!(pane.cursor(), 7, "class Item:");
    assert_eq!(pane.search_needle(), Some("item"));
    assert!(pane.search_next(true));
    assert_eq!(pane.cursor(), 20);

    assert!(pane.search("Item", true), "the cursor line counts for a new search");
    assert_eq!(pane.cursor(), 20);
    assert!(pane.search_next(true));
    assert_eq!(pane.cursor(), 7, "wrapped around; lowercase 'item' lines skipped");
    assert!(pane.search_next(false));
    assert_eq!(pane.cursor(), 20);
    assert_eq!(pane.search_matches(20), vec![13..17]);
    assert!(pane.search_matches(21).is_empty());

    assert!(!pane.search("zebra", true));
    assert_eq!(pane.cursor(), 20);
    assert_eq!(pane.search_needle(), Some("zebra"));
    pane.clear_search();
    assert_eq!(pane.search_needle(), None);
}

#[test]
fn clicks_map_to_lines_and_the_gutter() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    let area = Rect::new(10, 5, 50, 12);
    pane.prepare(area.height - 2, &theme);
    let gutter = pane.gutter_width();
    assert_eq!(gutter, 7);
    assert_eq!(pane.line_at(area, 10, 5), None, "border");
    assert_eq!(pane.line_at(area, 11, 6), Some((1, true)));
    assert_eq!(pane.line_at(area, 11 + gutter, 6), Some((1, false)));
    assert_eq!(pane.line_at(area, 58, 15), Some((10, false)));
    assert_eq!(pane.line_at(area, 30, 16), None, "bottom border");
    assert_eq!(pane.line_at(area, 60, 8), None, "right of the pane");
    pane.scroll(4);
    assert_eq!(pane.line_at(area, 20, 6), Some((5, false)));

    let tall = Rect::new(0, 0, 50, 60);
    pane.prepare(58, &theme);
    assert_eq!(pane.line_at(tall, 20, 40), None, "below the last line");

    pane.show_text("message", "nothing here");
    assert_eq!(pane.line_at(area, 20, 6), None);
}

// ---------------------------------------------------------------- files

#[test]
fn reopening_keeps_the_position_until_the_file_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "a.py", (1..=10).map(|i| format!("x{i} = {i}\n")).collect::<String>());
    let mut pane = SourcePane::new();
    pane.open(&path).expect("opens");
    assert!(pane.goto_line(8));
    pane.set_exec_line(Some(8));
    pane.open(&path).expect("reopens");
    assert_eq!((pane.cursor(), pane.exec_line()), (8, Some(8)));

    std::fs::write(&path, "a = 1\nb = 2\nc = 3\n").expect("rewritten");
    pane.open(&path).expect("reloads");
    assert_eq!(pane.line_count(), 3);
    assert_eq!(pane.cursor(), 3);
    assert_eq!(pane.line(1), Some("a = 1"));

    let other = temp_file(&dir, "b.py", "pass\n");
    pane.open(&other).expect("opens another");
    assert_eq!((pane.cursor(), pane.exec_line()), (1, None));
}

#[test]
fn files_that_cannot_be_shown_say_why_and_leave_the_pane_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pane = fixture();
    let message = format!("{:#}", pane.open(dir.path()).expect_err("a directory"));
    assert!(message.contains("directory"), "{message}");
    let missing = dir.path().join("missing.py");
    let message = format!("{:#}", pane.open(&missing).expect_err("missing"));
    assert!(message.contains("missing.py"), "{message}");
    assert_eq!(pane.path(), Some(Path::new(FIXTURE)));
    assert_eq!(pane.line_count(), 33);
}

#[test]
fn invalid_utf8_and_crlf_are_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "odd.py", b"x = '\xff\xfe'\r\ny = 2\r\n");
    let mut pane = SourcePane::new();
    pane.open(&path).expect("opens");
    assert_eq!(pane.line_count(), 2);
    assert_eq!(pane.line(1), Some("x = '\u{fffd}\u{fffd}'"));
    assert_eq!(pane.line(2), Some("y = 2"));
}

#[test]
fn a_message_replaces_the_file() {
    let mut pane = fixture();
    pane.show_text("main", "(no source for this frame)");
    assert_eq!((pane.path(), pane.title(), pane.line_count()), (None, "main", 1));
    assert!(pane.is_message());
}

// ---------------------------------------------------------------- rendering

#[test]
fn render_exec_line_and_cursor() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    pane.set_exec_line(Some(14));
    pane.prepare(14, &theme);
    pane.move_cursor(-2);
    let terminal = draw(&mut pane, (60, 16), &HashMap::new(), &theme, true);
    insta::assert_snapshot!(terminal.backend());

    let buffer = terminal.backend().buffer();
    let exec_row = (1..15).find(|&y| row_text(&terminal, y).contains('▶')).expect("exec marker shown");
    assert!(row_text(&terminal, exec_row).contains("return self.price"));
    let exec_bg = theme.style(Role::CurrentLine).bg.expect("dark has a current line colour");
    assert_eq!(buffer[(40, exec_row)].bg, exec_bg, "the whole exec row is tinted");
    let cursor_row = exec_row - 2;
    assert_eq!(buffer[(30, cursor_row)].bg, theme.style(Role::CursorLine).bg.expect("cursor colour"));
}

#[test]
fn render_all_gutter_marks() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    let marks = HashMap::from([
        (6, GutterMark::Breakpoint),
        (7, GutterMark::Conditional),
        (8, GutterMark::HitCondition),
        (9, GutterMark::Logpoint),
        (10, GutterMark::Disabled),
        (12, GutterMark::Unverified),
    ]);
    pane.set_exec_line(Some(12));
    let terminal = draw(&mut pane, (50, 16), &marks, &theme, false);
    insta::assert_snapshot!(terminal.backend());

    let buffer = terminal.backend().buffer();
    for (&line, mark) in &marks {
        let y = u16::try_from(line - pane.scroll_offset()).expect("on screen");
        assert_eq!(buffer[(1, y)].symbol(), mark.glyph());
        assert_eq!(Some(buffer[(1, y)].fg), theme.style(mark.role()).fg, "{mark:?}");
    }
}

#[test]
fn render_search_match() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    assert!(pane.search("price", true));
    let terminal = draw(&mut pane, (60, 14), &HashMap::new(), &theme, false);
    insta::assert_snapshot!(terminal.backend());

    let buffer = terminal.backend().buffer();
    let y = (1..13).find(|&y| row_text(&terminal, y).contains("price: float")).expect("line 9 shown");
    let x = u16::try_from(row_text(&terminal, y).chars().position(|c| c == 'p').expect("p")).expect("fits");
    let want = theme.style(Role::SearchMatch);
    assert_eq!((Some(buffer[(x, y)].bg), Some(buffer[(x, y)].fg)), (want.bg, want.fg));
    assert_ne!(Some(buffer[(x - 1, y)].bg), want.bg, "only the match is marked");
}

#[test]
fn render_narrow_area() {
    let theme = Theme::default_dark();
    let mut pane = fixture();
    pane.set_exec_line(Some(2));
    let marks = HashMap::from([(3, GutterMark::Breakpoint)]);
    let terminal = draw(&mut pane, (16, 6), &marks, &theme, true);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn tiny_areas_do_not_panic() {
    let theme = Theme::default_dark();
    for size in [(1, 1), (1, 10), (2, 2), (3, 3), (8, 2), (9, 3), (80, 1), (0, 0)] {
        let mut pane = fixture();
        pane.set_exec_line(Some(33));
        let marks = HashMap::from([(33, GutterMark::Logpoint)]);
        let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("test terminal");
        pane.prepare(size.1.saturating_sub(2), &theme);
        terminal.draw(|f| render(f, f.area(), &pane, &marks, &theme, true)).expect("draws");
    }
}

#[test]
fn render_no_file_message() {
    let theme = Theme::default_dark();
    let mut empty = SourcePane::new();
    let terminal = draw(&mut empty, (40, 5), &HashMap::new(), &theme, false);
    insta::assert_snapshot!("render_no_file_yet", terminal.backend());

    let mut pane = fixture();
    pane.show_text("main", "(no source for this frame)");
    let terminal = draw(&mut pane, (40, 5), &HashMap::new(), &theme, true);
    insta::assert_snapshot!("render_no_source_for_frame", terminal.backend());
}

#[test]
fn control_characters_and_wide_text_render_safely() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(
        &dir,
        "odd.py",
        "s = '\u{1b}[31mred\u{7}'\nt = '\u{202e}evil'\n# 漢字と絵文字 🐍 mixed\n\tindented\n",
    );
    let theme = Theme::default_dark();
    let mut pane = SourcePane::new();
    pane.open(&path).expect("opens");
    let terminal = draw(&mut pane, (30, 7), &HashMap::new(), &theme, true);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(!cell.symbol().chars().any(|c| c.is_control()), "raw control character in {:?}", cell.symbol());
    }
    assert!(row_text(&terminal, 1).contains("␛[31mred␇"), "{}", row_text(&terminal, 1));
    assert!(row_text(&terminal, 2).contains("'\u{fffd}evil'"), "{}", row_text(&terminal, 2));
    assert!(row_text(&terminal, 3).contains("漢"), "{}", row_text(&terminal, 3));
    assert!(row_text(&terminal, 4).contains("4       indented"), "{}", row_text(&terminal, 4));
}

#[test]
fn no_color_render_keeps_lines_apart_by_attributes() {
    let theme = Theme::default_dark().without_color();
    let mut pane = fixture();
    pane.set_exec_line(Some(14));
    assert!(pane.search("json", true));
    assert_eq!(pane.cursor(), 19, "from the exec line on");
    let terminal = draw(&mut pane, (50, 12), &HashMap::new(), &theme, true);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let cursor_y = (1..11).find(|&y| row_text(&terminal, y).contains("json.load")).expect("line 19");
    assert!(buffer[(30, cursor_y)].modifier.contains(Modifier::REVERSED), "cursor line reversed");
    let exec_y = (1..11).find(|&y| row_text(&terminal, y).contains('▶')).expect("exec line");
    assert!(buffer[(20, exec_y)].modifier.contains(Modifier::BOLD), "exec line bold");
}
