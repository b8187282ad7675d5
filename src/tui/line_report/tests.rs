//! Snapshot tests of the line report view, rendered with ratatui's test backend over a real
//! source file (tests/programs/profile/structure.py), brought to each state by the keys a user
//! presses. Review with `cargo insta review`.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::{view, LineCell, LineReport, LineReportState, Series};
use crate::tui::theme::Theme;

fn structure() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile/structure.py")
}

fn cell(value: &str, hits: u64, share: f64) -> LineCell {
    LineCell { value: value.into(), detail: format!("{hits} hits"), share }
}

/// A line report as `--lines` gives it for structure.py: `work`'s loop is the hot spot.
fn time_report() -> LineReport {
    let mut report = LineReport {
        title: "line times of structure.py".into(),
        summary: "1.20 s in 2 functions (settrace, Python 3.11)".into(),
        measure: "time".into(),
        ..LineReport::default()
    };
    for (line, value, hits, share, function) in [
        (7, "480ms", 9_300, 0.40, "work"),
        (8, "600ms", 9_300, 0.50, "work"),
        (9, "12ms", 31, 0.01, "work"),
        (6, "1ms", 31, 0.001, "work"),
        (18, "90ms", 75, 0.075, "inner"),
    ] {
        report.add(structure(), line, Some(function.into()), cell(value, hits, share));
    }
    report.finish(20);
    report
}

fn state(report: LineReport, width: u16, height: u16) -> LineReportState {
    let mut state = LineReportState::new(report, Theme::default_dark().without_color());
    state.resize(Rect::new(0, 0, width, height));
    state
}

fn render(state: &mut LineReportState, width: u16, height: u16) -> Terminal<TestBackend> {
    state.prepare();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::draw(frame, state)).unwrap();
    terminal
}

fn key(state: &mut LineReportState, code: KeyCode) {
    state.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn the_hottest_line_is_selected_and_shown_in_its_source_with_the_gutter() {
    let mut state = state(time_report(), 100, 30);
    assert_eq!(state.report.hottest[0].line, 8, "sorted by share");
    assert_eq!(state.source.cursor(), 8);
    let terminal = render(&mut state, 100, 30);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn selecting_another_line_moves_the_source_there() {
    let mut state = state(time_report(), 100, 30);
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Down);
    assert_eq!(state.report.hottest[state.selected].line, 18);
    assert_eq!(state.source.cursor(), 18);
    key(&mut state, KeyCode::End);
    assert_eq!(state.selected, 4, "End selects the last");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Up);
    assert_eq!(state.source.cursor(), 5, "in the source the arrows move the cursor");
    key(&mut state, KeyCode::Esc);
    assert!(!state.quit, "Esc in the source goes back to the list");
    key(&mut state, KeyCode::Esc);
    assert!(state.quit);
}

#[test]
fn a_memory_report_draws_its_rss_sparkline() {
    let mut report = LineReport {
        title: "memory at peak of structure.py".into(),
        summary: "peak 38.2 MiB (tracemalloc), 12 allocation sites".into(),
        measure: "memory".into(),
        series: Some(Series {
            name: "RSS".into(),
            values: (0..300).map(|i| 10 + (i % 50) * 2).collect(),
            max_label: "118.0 MiB".into(),
            span_label: "3.2 s".into(),
        }),
        ..LineReport::default()
    };
    report.add(
        structure(),
        8,
        Some("work".into()),
        LineCell { value: "30.1 MiB".into(), detail: "2 blocks".into(), share: 0.79 },
    );
    report.add(
        structure(),
        13,
        Some("leaf".into()),
        LineCell { value: "8.1 MiB".into(), detail: "9 blocks".into(), share: 0.21 },
    );
    report.finish(20);
    let mut state = state(report, 90, 24);
    let terminal = render(&mut state, 90, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn an_unreadable_file_is_said_in_the_source_pane_and_an_empty_report_says_why() {
    let mut report = time_report();
    report.hottest[0].path = PathBuf::from("/nonexistent/gone.py");
    let mut state = state(report, 80, 20);
    let screen = render(&mut state, 80, 20).backend().to_string();
    assert!(screen.contains("gone.py"), "{screen}");
    let mut empty = state_empty();
    let screen = render(&mut empty, 80, 20).backend().to_string();
    assert!(screen.contains("the measured code never ran"), "{screen}");
}

fn state_empty() -> LineReportState {
    state(LineReport { title: "t".into(), measure: "time".into(), ..LineReport::default() }, 80, 20)
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut state = state(time_report(), 100, 30);
    key(&mut state, KeyCode::Char('?'));
    let screen = render(&mut state, 100, 30).backend().to_string();
    assert!(screen.contains("switch between the list and the source"), "{screen}");
    key(&mut state, KeyCode::Char('x'));
    assert!(!state.help && !state.quit);
}
