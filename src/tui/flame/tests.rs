//! Snapshot tests of the flame view, rendered with ratatui's test backend from a real pstats file
//! (tests/programs/profile/fixtures, written by CPython 3.11's cProfile), brought to each state by
//! the same key and mouse events a user sends. Review with `cargo insta review`.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::model::{FlameModel, LibraryMode, SortKey};
use super::state::{FlameState, Orientation, Panel};
use super::view;
use crate::profile::{CallTree, Evidence, Profile};
use crate::tui::theme::Theme;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile/fixtures").join(name)
}

fn state_for(name: &str, width: u16, height: u16) -> FlameState {
    let profile = Profile::load(&fixture(name)).unwrap();
    let tree = CallTree::build(&profile);
    let model = FlameModel::new(profile, tree, name.into(), 0.001);
    let mut state = FlameState::new(model, Theme::default_dark());
    state.resize(Rect::new(0, 0, width, height));
    state
}

fn state(width: u16, height: u16) -> FlameState {
    state_for("structure-3.11.prof", width, height)
}

fn key(state: &mut FlameState, code: KeyCode) {
    state.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(state: &mut FlameState, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

fn render(state: &FlameState) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.size.width, state.size.height)).unwrap();
    terminal.draw(|frame| view::draw(frame, state)).unwrap();
    terminal
}

/// The screen row (as the debug rendering quotes it) containing `needle`.
fn row_with<'s>(screen: &'s str, needle: &str) -> Option<&'s str> {
    screen.lines().find(|l| l.contains(needle))
}

fn label(state: &FlameState) -> String {
    state.selected_function().map(|f| state.model.labels[f].clone()).unwrap_or_default()
}

#[test]
fn first_screen() {
    let state = state(100, 16);
    insta::assert_snapshot!(render(&state).backend());
}

#[test]
fn icicle_zoomed_into_outer() {
    let mut state = state(100, 16);
    key(&mut state, KeyCode::Char('i'));
    assert_eq!(state.orientation, Orientation::Icicle);
    while !label(&state).starts_with("outer") {
        key(&mut state, KeyCode::Down);
    }
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.zoom, state.selected);
    insta::assert_snapshot!(render(&state).backend());
    key(&mut state, KeyCode::Backspace);
    assert_eq!(state.zoom, state.tree.nodes[state.selected].parent.unwrap());
}

#[test]
fn search_highlights_and_measures_matches() {
    let mut state = state(100, 16);
    key(&mut state, KeyCode::Char('/'));
    keys(&mut state, "leaf");
    key(&mut state, KeyCode::Enter);
    assert!(label(&state).starts_with("leaf"));
    let share = state.matched_share();
    assert!(share > 0.3 && share < 1.0, "{share}");
    insta::assert_snapshot!(render(&state).backend());
    key(&mut state, KeyCode::Esc);
    assert!(state.search.is_none() && state.matches.is_empty());
}

#[test]
fn table_sorts_by_each_column() {
    let mut state = state(100, 20);
    key(&mut state, KeyCode::Char('t'));
    assert_eq!(state.panel, Panel::Table);
    let first = |s: &FlameState| s.model.labels[s.table_order[0]].clone();
    assert!(first(&state).starts_with("work"), "self time: work does the work");
    insta::assert_snapshot!("table_by_self", render(&state).backend());
    keys(&mut state, "s");
    assert_eq!(state.sort, SortKey::Cumulative);
    keys(&mut state, "s");
    assert_eq!(state.sort, SortKey::Calls);
    assert!(first(&state).starts_with("work"), "40 calls");
    keys(&mut state, "s");
    assert_eq!(state.sort, SortKey::PerCall);
    keys(&mut state, "s");
    assert_eq!(state.sort, SortKey::SelfTime);
    // Enter on the third row selects that function's largest frame.
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.selected_function(), Some(state.table_order[2]));
}

#[test]
fn callers_and_callees_show_exact_edges() {
    let mut state = state(100, 20);
    let leaf = state.model.profile.find("structure.py", "leaf").unwrap();
    state.jump_to_function(leaf);
    key(&mut state, KeyCode::Char('c'));
    let rows = state.relatives();
    let callers: Vec<String> = rows.iter().filter(|r| r.1).map(|r| state.model.labels[r.0].clone()).collect();
    assert_eq!(callers.len(), 2, "{callers:?}");
    insta::assert_snapshot!(render(&state).backend());
}

#[test]
fn library_frames_collapse_and_hide() {
    let mut state = state_for("threads-3.11.prof", 120, 24);
    let total = state.tree.total();
    let frames_shown = state.tree.nodes.len();
    state.set_library(LibraryMode::Collapse);
    let collapsed = state.tree.nodes.len();
    state.set_library(LibraryMode::Hide);
    let hidden = state.tree.nodes.len();
    assert!(hidden < collapsed && collapsed < frames_shown, "{frames_shown} {collapsed} {hidden}");
    assert!((state.tree.total() - total).abs() < total * 1e-9, "hiding moves time, never drops it");
    let library_below_top = state
        .tree
        .nodes
        .iter()
        .filter(|n| n.depth > 1)
        .filter(|n| n.function.is_some_and(|f| state.model.library[f]))
        .count();
    assert_eq!(library_below_top, 0);
    insta::assert_snapshot!(render(&state).backend());
}

#[test]
fn exact_only_view_has_no_inferred_frames() {
    let mut state = state(100, 16);
    key(&mut state, KeyCode::Char('e'));
    assert!(state.exact_only);
    assert_eq!(state.tree.inferred_share(), 0.0);
    assert!(state.tree.nodes.iter().all(|n| n.depth <= 2));
    insta::assert_snapshot!(render(&state).backend());
}

#[test]
fn mouse_selects_then_zooms() {
    let mut state = state(100, 16);
    let frames = state.frames();
    let target = frames.iter().find(|f| f.node != state.selected && f.width > 3).copied().unwrap();
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: target.x + 1,
        row: target.y,
        modifiers: KeyModifiers::NONE,
    };
    state.on_mouse(click);
    assert_eq!(state.selected, target.node);
    state.on_mouse(click);
    assert_eq!(state.zoom, target.node);
}

#[test]
fn source_and_debug_here() {
    let mut state = state(100, 24);
    let inner = state.model.profile.find("structure.py", "inner").unwrap();
    state.jump_to_function(inner);
    // The fixture's file names are relative to where it was taken: tests/programs/profile.
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile");
    let file = base.join("structure.py");
    key(&mut state, KeyCode::Char('o'));
    assert!(state.message.as_deref().unwrap_or("").contains("structure.py"), "not found from the cwd");
    state.model.base_dir = Some(base);
    key(&mut state, KeyCode::Char('o'));
    assert_eq!(state.panel, Panel::Source, "{:?}", state.message);
    assert_eq!(state.source.cursor(), 16);
    state.prepare();
    insta::assert_snapshot!("source_pane", render(&state).backend());
    key(&mut state, KeyCode::PageDown);
    state.prepare();
    assert!(state.source.scroll_offset() > 0);
    key(&mut state, KeyCode::Char('b'));
    assert!(state.quit);
    // The breakpoint goes on the body's first line, not on the def line cProfile records (16).
    let at = state.debug_at.clone().expect("debug here");
    assert_eq!((at.file, at.line), (file, 17));
    assert_eq!(at.note, "debug: break at structure.py:17 (first line of inner)");
    // The last frame the view draws says so.
    let screen = format!("{:?}", render(&state).backend());
    assert!(screen.contains("debug: break at structure.py:17 (first line of inner)"), "{screen}");
}

#[test]
fn debug_here_without_the_source_says_the_line_is_the_recorded_one() {
    let mut state = state(100, 16);
    let inner = state.model.profile.find("structure.py", "inner").unwrap();
    state.jump_to_function(inner);
    // No base directory: structure.py is not found from the test's working directory.
    key(&mut state, KeyCode::Char('b'));
    let at = state.debug_at.clone().expect("debug here still starts the debugger");
    assert_eq!(at.line, 16);
    assert!(
        at.note.starts_with("debug: break at structure.py:16 (the recorded line of inner: cannot read"),
        "{}",
        at.note
    );
}

#[test]
fn builtins_have_no_source_or_breakpoint() {
    let mut state = state(100, 16);
    let exec = state.model.profile.functions.iter().position(|f| f.key.is_builtin()).unwrap();
    state.jump_to_function(exec);
    key(&mut state, KeyCode::Char('b'));
    assert!(!state.quit);
    assert!(state.message.as_deref().unwrap().contains("built in"));
}

#[test]
fn help_and_any_size() {
    let mut state = state(100, 24);
    key(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!("help", render(&state).backend());
    for (w, h) in [(19, 5), (20, 6), (40, 8), (200, 60)] {
        let mut s = self::state(w, h);
        s.resize(Rect::new(0, 0, w, h));
        key(&mut s, KeyCode::Char('t'));
        key(&mut s, KeyCode::Up);
        let _ = render(&s);
    }
    insta::assert_snapshot!("size_40x8", render(&self::state(40, 8)).backend());
}

#[test]
fn narrow_frames_keep_the_start_of_their_name() {
    let state = state(32, 12);
    let terminal = render(&state);
    let buffer = terminal.backend().buffer();
    let narrow = state.frames().into_iter().filter(|f| f.width <= 6).count();
    assert!(narrow > 0, "the test needs narrow frames");
    for f in state.frames() {
        let text: String = (f.x..f.x + f.width).filter_map(|x| buffer.cell((x, f.y))).map(|c| c.symbol()).collect();
        let node = &state.tree.nodes[f.node];
        let name = &state.model.profile.functions[node.function.unwrap()].key.name;
        let shown = text.trim_end().trim_start_matches('~').trim_end_matches('…');
        assert!(!shown.is_empty(), "frame {f:?} shows no name: {text:?}");
        assert!(name.starts_with(shown) || shown.starts_with(name.as_str()), "{text:?} is not {name}'s start");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn status_line_calls_are_whole_numbers_and_estimates_are_marked() {
    let mut state = state(100, 16);
    let inferred = (1..state.tree.nodes.len()).find(|&i| state.tree.nodes[i].evidence == Evidence::Inferred).unwrap();
    assert!(state.tree.nodes[inferred].calls.fract() != 0.0, "the fixture's inferred calls are fractional");
    state.selected = inferred;
    let screen = format!("{:?}", render(&state).backend());
    let line = row_with(&screen, "· inferred").unwrap_or_else(|| panic!("{screen}"));
    let calls = line.split(" · ").find(|part| part.ends_with("calls") || part.ends_with("call")).unwrap();
    assert!(calls.starts_with('~') || calls == "<1 call", "{line}");
    assert!(!calls.contains('.'), "{line}");
    // A measured frame: exact, no mark.
    state.selected = state.widest_child(0).unwrap();
    assert!(format!("{:?}", render(&state).backend()).contains(" · 1 call · measured"));
}

#[test]
fn differential_colours_follow_the_change() {
    let a = Profile::load(&fixture("structure-3.8.prof")).unwrap();
    let b = Profile::load(&fixture("structure-3.13.prof")).unwrap();
    let (ta, tb) = (CallTree::build(&a).pruned(0.001), CallTree::build(&b).pruned(0.001));
    let differential = crate::profile::diff::Differential::new((&a, &ta), (&b, &tb));
    let model = FlameModel::new(b.clone(), CallTree::build(&b), "structure-3.13.prof".into(), 0.001)
        .with_differential(differential);
    let mut state = FlameState::new(model, Theme::default_dark());
    state.resize(Rect::new(0, 0, 100, 16));
    assert_eq!(state.deltas.len(), state.tree.nodes.len());
    // Normalised: the changes add up to (about) nothing.
    let sum: f64 = state.deltas.iter().sum();
    assert!(sum.abs() < 0.01, "{sum}");
    assert!(state.deltas.iter().any(|d| d.abs() > 1e-4));
    let screen = format!("{:?}", render(&state).backend());
    assert!(screen.contains("diff: red more, blue less"));
}

#[test]
fn sampled_frames_are_marked_in_the_header_frames_and_status_line() {
    // dispatch-3.11.prof comes with the stack samples `loupe profile` took (…prof.stacks).
    let mut state = state_for("dispatch-3.11.prof", 120, 16);
    assert!(state.model.profile.samples.is_some(), "the fixture's samples were not picked up");
    let sampled = (1..state.tree.nodes.len())
        .filter(|&i| state.tree.nodes[i].evidence == Evidence::Sampled)
        .max_by(|&a, &b| state.tree.nodes[a].total_time.total_cmp(&state.tree.nodes[b].total_time))
        .expect("a sampled frame");
    state.selected = sampled;
    let screen = format!("{:?}", render(&state).backend());
    assert!(screen.contains("% sampled ·"), "no sampled share in the header:\n{screen}");
    assert!(row_with(&screen, "· sampled").is_some(), "the status line does not say sampled:\n{screen}");
    assert!(screen.contains('≈'), "no frame marked ≈:\n{screen}");
    // No impossible stack: dispatch under a_caller never calls b.
    for i in 1..state.tree.nodes.len() {
        let names: Vec<&str> =
            state.tree.path(i).iter().map(|&f| state.model.profile.functions[f].key.name.as_str()).collect();
        assert!(!names.windows(3).any(|w| w == ["a_caller", "dispatch", "b"]), "{names:?}");
    }
}

/// "Line times here" (p): the view leaves with the function to measure, and when the times are
/// back the source panel opens at it with the time per line in a gutter (issue 23).
#[test]
fn line_times_here_asks_for_the_function_and_draws_the_gutter() {
    use crate::tui::line_report::{LineCell, LineReport};
    let mut state = state(100, 26);
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile");
    state.model.base_dir = Some(base.clone());
    let work = state.model.profile.find("structure.py", "work").unwrap();
    state.jump_to_function(work);
    key(&mut state, KeyCode::Char('p'));
    assert!(state.quit, "the program runs again outside the view");
    let at = state.lines_for.clone().expect("line times here");
    assert_eq!((at.file.clone(), at.name.as_str(), at.line), (base.join("structure.py"), "work", 5));
    // What `loupe profile`'s line-level run gives back for work (figures as loupe_lines.py
    // measures them: the loop's body is the hot line).
    let mut report = LineReport { measure: "time".into(), ..LineReport::default() };
    for (line, value, share) in [(6, "2 µs", 0.001), (7, "310 µs", 0.38), (8, "480 µs", 0.59), (9, "25 µs", 0.03)] {
        let cell = LineCell { value: value.into(), detail: "hits".into(), share };
        report.add(at.file.clone(), line, Some("work".into()), cell);
    }
    report.finish(10);
    state.quit = false;
    state.show_line_times(report, &at);
    assert_eq!(state.panel, Panel::Source);
    state.prepare();
    let screen = render(&state).backend().to_string();
    insta::assert_snapshot!("source_pane_with_line_times", screen);
    assert!(screen.contains("the hottest line is 8 (59%)"), "{screen}");
    // Built-ins have no lines to time.
    let builtin = (0..state.model.profile.functions.len()).find(|&f| state.model.profile.functions[f].key.is_builtin());
    state.jump_to_function(builtin.expect("a built-in in the fixture"));
    state.lines_for = None;
    key(&mut state, KeyCode::Char('p'));
    assert!(state.lines_for.is_none() && !state.quit, "{:?}", state.message);
}
