//! Integration tests for the TUI's keys: the default keymap (VS Code and pudb habits), how key
//! events from real terminals are matched, `config.toml` and its warnings, and the help overlay.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use loupe::tui::config::{self, Config};
use loupe::tui::keymap::{Action, KeyCombo, Keymap};
use loupe::tui::theme::Theme;
use loupe::tui::view::help;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn ch(c: char) -> KeyEvent {
    press(KeyCode::Char(c), NONE)
}

/// What a terminal sends for an uppercase letter: crossterm adds SHIFT.
fn upper(c: char) -> KeyEvent {
    press(KeyCode::Char(c), SHIFT)
}

fn combo(text: &str) -> KeyCombo {
    text.parse().unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

// ----- the default keymap -----

#[test]
fn every_default_vscode_and_pudb_key_does_what_its_users_expect() {
    use Action::*;
    let f = |n| press(KeyCode::F(n), NONE);
    let key = |code| press(code, NONE);
    let table: &[(&str, KeyEvent, Action)] = &[
        // VS Code
        ("F5", f(5), Continue),
        ("Shift-F5", press(KeyCode::F(5), SHIFT), Stop),
        ("Ctrl-Shift-F5", press(KeyCode::F(5), CTRL | SHIFT), Restart),
        ("F6", f(6), Pause),
        ("F9", f(9), ToggleBreakpoint),
        ("F10", f(10), StepOver),
        ("F11", f(11), StepInto),
        ("Shift-F11", press(KeyCode::F(11), SHIFT), StepOut),
        // pudb
        ("n", ch('n'), StepOver),
        ("s", ch('s'), StepInto),
        ("c", ch('c'), Continue),
        ("r", ch('r'), StepOut),
        ("f", ch('f'), StepOut),
        ("b", ch('b'), ToggleBreakpoint),
        ("t", ch('t'), RunToCursor),
        ("J", upper('J'), Jump),
        ("u", ch('u'), FrameUp),
        ("d", ch('d'), FrameDown),
        ("q", ch('q'), Quit),
        ("?", ch('?'), Help),
        ("F1", f(1), Help),
        ("!", ch('!'), FocusConsole),
        // the rest
        ("p", ch('p'), Pause),
        ("Ctrl-C", press(KeyCode::Char('c'), CTRL), Pause),
        ("B", upper('B'), EditBreakpoint),
        ("R", upper('R'), Restart),
        ("/", ch('/'), Search),
        ("Ctrl-F", press(KeyCode::Char('f'), CTRL), Search),
        (".", ch('.'), SearchNext),
        ("F3", f(3), SearchNext),
        (",", ch(','), SearchPrev),
        ("Shift-F3", press(KeyCode::F(3), SHIFT), SearchPrev),
        ("L", upper('L'), GotoLine),
        ("Ctrl-G", press(KeyCode::Char('g'), CTRL), GotoLine),
        ("Tab", key(KeyCode::Tab), NextPane),
        ("BackTab", press(KeyCode::BackTab, SHIFT), PrevPane),
        ("1", ch('1'), FocusSource),
        ("2", ch('2'), FocusVariables),
        ("3", ch('3'), FocusStack),
        ("4", ch('4'), FocusBreakpoints),
        ("5", ch('5'), FocusConsole),
        ("Up", key(KeyCode::Up), Up),
        ("k", ch('k'), Up),
        ("Down", key(KeyCode::Down), Down),
        ("j", ch('j'), Down),
        ("PgUp", key(KeyCode::PageUp), PageUp),
        ("PgDn", key(KeyCode::PageDown), PageDown),
        ("Home", key(KeyCode::Home), Top),
        ("g", ch('g'), Top),
        ("End", key(KeyCode::End), Bottom),
        ("G", upper('G'), Bottom),
        ("Right", key(KeyCode::Right), Expand),
        ("l", ch('l'), Expand),
        ("Left", key(KeyCode::Left), Collapse),
        ("h", ch('h'), Collapse),
        ("Enter", key(KeyCode::Enter), Activate),
        ("Delete", key(KeyCode::Delete), Delete),
        ("x", ch('x'), Delete),
        ("Space", ch(' '), ToggleEnabled),
        ("e", ch('e'), ToggleEnabled),
        ("w", ch('w'), AddWatch),
        ("W", upper('W'), EditWatch),
        ("v", ch('v'), ViewValue),
        ("Esc", key(KeyCode::Esc), Cancel),
    ];
    let keymap = Keymap::default();
    for (name, event, action) in table {
        assert_eq!(keymap.lookup(event, false), Some(*action), "{name} should be {action:?}");
        // The documented spelling is the same key.
        assert_eq!(keymap.action_for(combo(name)), Some(*action), "{name:?} as written in the docs");
    }
}

#[test]
fn unbound_keys_do_nothing() {
    let keymap = Keymap::default();
    for event in [ch('z'), ch('N'), press(KeyCode::F(12), NONE), press(KeyCode::Char('n'), ALT), ch('6')] {
        assert_eq!(keymap.lookup(&event, false), None, "{event:?}");
    }
}

#[test]
fn no_two_actions_share_a_default_key() {
    let keymap = Keymap::default();
    let mut owners = std::collections::HashMap::new();
    for (action, keys) in keymap.bindings() {
        assert!(!keys.is_empty(), "{action:?} has no default key");
        for key in keys {
            if let Some(other) = owners.insert(*key, action) {
                panic!("{key} is bound to {other:?} and {action:?}");
            }
        }
    }
}

#[test]
fn typing_lets_printable_characters_through_but_keeps_special_keys() {
    let keymap = Keymap::default();
    for event in
        [ch('n'), ch('q'), ch('?'), upper('J'), ch('J'), ch(' '), ch('1'), ch('!'), press(KeyCode::Char('?'), SHIFT)]
    {
        assert_eq!(keymap.lookup(&event, true), None, "{event:?} should be typed");
        assert!(keymap.lookup(&event, false).is_some(), "{event:?} is still bound outside a prompt");
    }
    let special = [
        (press(KeyCode::F(10), NONE), Action::StepOver),
        (press(KeyCode::Esc, NONE), Action::Cancel),
        (press(KeyCode::Up, NONE), Action::Up),
        (press(KeyCode::Char('g'), CTRL), Action::GotoLine),
        (press(KeyCode::F(11), SHIFT), Action::StepOut),
        (press(KeyCode::PageDown, NONE), Action::PageDown),
        (press(KeyCode::Enter, NONE), Action::Activate),
        (press(KeyCode::Tab, NONE), Action::NextPane),
        (press(KeyCode::BackTab, SHIFT), Action::PrevPane),
        (press(KeyCode::Delete, NONE), Action::Delete),
        (press(KeyCode::Home, NONE), Action::Top),
    ];
    for (event, action) in special {
        assert_eq!(keymap.lookup(&event, true), Some(action), "{event:?} while typing");
    }
    // Alt turns a character into a command even at a prompt.
    let mut keymap = Keymap::default();
    keymap.bind(Action::StepOver, &[combo("Alt-n")]);
    assert_eq!(keymap.lookup(&press(KeyCode::Char('n'), ALT), true), Some(Action::StepOver));
}

#[test]
fn shift_is_matched_whether_or_not_the_terminal_reports_it() {
    let keymap = Keymap::default();
    let cases = [
        // Shifted symbols: Unix terminals send '?' bare, Windows adds SHIFT.
        (press(KeyCode::Char('?'), NONE), Action::Help),
        (press(KeyCode::Char('?'), SHIFT), Action::Help),
        (press(KeyCode::Char('!'), SHIFT), Action::FocusConsole),
        // Uppercase letters, with or without SHIFT, and the lowercase letter with SHIFT (kitty).
        (press(KeyCode::Char('J'), SHIFT), Action::Jump),
        (press(KeyCode::Char('J'), NONE), Action::Jump),
        (press(KeyCode::Char('j'), SHIFT), Action::Jump),
        (press(KeyCode::Char('G'), NONE), Action::Bottom),
        // BackTab arrives with SHIFT; Shift-Tab from terminals that say so.
        (press(KeyCode::BackTab, SHIFT), Action::PrevPane),
        (press(KeyCode::BackTab, NONE), Action::PrevPane),
        (press(KeyCode::Tab, SHIFT), Action::PrevPane),
        // Ctrl-letters ignore case and Shift.
        (press(KeyCode::Char('G'), CTRL | SHIFT), Action::GotoLine),
        (press(KeyCode::Char('g'), CTRL | SHIFT), Action::GotoLine),
        (press(KeyCode::F(5), CTRL | SHIFT), Action::Restart),
    ];
    for (event, action) in cases {
        assert_eq!(keymap.lookup(&event, false), Some(action), "{event:?}");
    }
    // Shift still matters on named keys.
    assert_eq!(keymap.lookup(&press(KeyCode::F(5), SHIFT), false), Some(Action::Stop));
    assert_eq!(keymap.lookup(&press(KeyCode::F(5), CTRL), false), None);
}

#[test]
fn releases_are_ignored_and_repeats_count() {
    let keymap = Keymap::default();
    let mut event = KeyEvent::new_with_kind_and_state(KeyCode::F(10), NONE, KeyEventKind::Release, KeyEventState::NONE);
    assert_eq!(keymap.lookup(&event, false), None);
    event.kind = KeyEventKind::Repeat;
    assert_eq!(keymap.lookup(&event, false), Some(Action::StepOver));
}

#[test]
fn every_default_key_displays_as_it_is_written_and_reads_back() {
    let keymap = Keymap::default();
    for (action, keys) in keymap.bindings() {
        for key in keys {
            let text = key.to_string();
            assert_eq!(combo(&text), *key, "{action:?}: {text:?} does not read back");
        }
    }
    for (text, expected) in [
        ("F5", press(KeyCode::F(5), NONE)),
        ("Shift-F11", press(KeyCode::F(11), SHIFT)),
        ("Ctrl-Shift-F5", press(KeyCode::F(5), CTRL | SHIFT)),
        ("n", ch('n')),
        ("?", press(KeyCode::Char('?'), SHIFT)),
        ("J", upper('J')),
        ("Tab", press(KeyCode::Tab, NONE)),
        ("Shift-Tab", press(KeyCode::BackTab, SHIFT)),
        ("PgDn", press(KeyCode::PageDown, NONE)),
        ("Space", ch(' ')),
        ("Ctrl-G", press(KeyCode::Char('g'), CTRL)),
        ("Alt-x", press(KeyCode::Char('x'), ALT)),
        ("Alt-X", press(KeyCode::Char('X'), ALT | SHIFT)),
        ("Esc", press(KeyCode::Esc, NONE)),
    ] {
        assert_eq!(KeyCombo::from(expected).to_string(), text);
        assert_eq!(combo(text), KeyCombo::from(expected), "{text}");
    }
}

#[test]
fn key_strings_follow_the_documented_grammar() {
    // Modifiers and names are case-insensitive; short Emacs-style modifiers work.
    assert_eq!(combo("ctrl-shift-f5"), combo("Ctrl-Shift-F5"));
    assert_eq!(combo("SHIFT-CTRL-F5"), combo("Ctrl-Shift-F5"));
    assert_eq!(combo("C-g"), combo("Ctrl-G"));
    assert_eq!(combo("M-x"), combo("Alt-x"));
    assert_eq!(combo("S-F3"), combo("Shift-F3"));
    assert_eq!(combo("pageup"), combo("PgUp"));
    assert_eq!(combo("PageDown"), combo("PgDn"));
    assert_eq!(combo("del"), combo("Delete"));
    assert_eq!(combo("escape"), combo("Esc"));
    // Characters are case-sensitive.
    assert_ne!(combo("J"), combo("j"));
    assert_eq!(combo("Shift-j"), combo("J"));

    let error = |text: &str| text.parse::<KeyCombo>().expect_err(text).to_string();
    assert_eq!(error("Ctlr-x"), "unknown modifier \"Ctlr\" (use Ctrl, Alt, Shift)");
    assert!(error("Fn10").contains("unknown key \"Fn10\""), "{}", error("Fn10"));
    assert!(error("").contains("empty"));
    assert!(error("Shift-/").contains("\"?\""), "{}", error("Shift-/"));
}

// ----- config.toml -----

/// Where the config usually lives; warnings show it with the home directory as `~`.
fn usual_path() -> std::path::PathBuf {
    dirs::home_dir().unwrap_or_else(|| "/home/ada".into()).join(".config/loupe/config.toml")
}

fn parse(text: &str) -> (Config, Vec<String>) {
    config::parse(text, &usual_path())
}

fn keys(config: &Config, action: Action) -> Vec<String> {
    config.keymap.keys_for(action).iter().map(|k| k.to_string()).collect()
}

fn assert_default_keys(config: &Config, action: Action) {
    assert_eq!(
        config.keymap.keys_for(action),
        Keymap::default().keys_for(action),
        "{action:?} should keep its defaults"
    );
}

/// Exactly one warning, containing each of `needles`.
fn one_warning(warnings: &[String], needles: &[&str]) -> String {
    assert_eq!(warnings.len(), 1, "expected one warning, got {warnings:#?}");
    for needle in needles {
        assert!(warnings[0].contains(needle), "{needle:?} is missing from the warning {:?}", warnings[0]);
    }
    warnings[0].clone()
}

#[test]
fn defaults_without_a_file() {
    let config = Config::default();
    assert!(config.mouse);
    assert_eq!(config.theme, None);
    let dir = tempfile::tempdir().unwrap();
    let (config, warnings) = config::load(&dir.path().join("config.toml"));
    assert!(warnings.is_empty(), "a missing file is not worth a warning: {warnings:?}");
    assert!(config.mouse);
    assert_eq!(config.keymap.keys_for(Action::StepOver), Keymap::default().keys_for(Action::StepOver));
}

#[test]
fn a_good_file_applies() {
    let (config, warnings) = parse(
        r#"
theme = "light"
mouse = false

[keys]
step_over = ["n", "F10", "Ctrl-N"]
continue = "C"
toggle_breakpoint = []
"#,
    );
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(config.theme.as_deref(), Some("light"));
    assert!(!config.mouse);
    assert_eq!(keys(&config, Action::StepOver), ["n", "F10", "Ctrl-N"]);
    assert_eq!(keys(&config, Action::Continue), ["C"]);
    assert!(config.keymap.keys_for(Action::ToggleBreakpoint).is_empty());
    // Unbinding frees the keys; unlisted actions keep theirs.
    assert_eq!(config.keymap.lookup(&press(KeyCode::F(9), NONE), false), None);
    assert_eq!(config.keymap.lookup(&ch('c'), false), None);
    assert_eq!(config.keymap.lookup(&upper('C'), false), Some(Action::Continue));
    assert_eq!(config.keymap.lookup(&press(KeyCode::Char('n'), CTRL), false), Some(Action::StepOver));
    assert_default_keys(&config, Action::StepInto);
}

#[test]
fn dotted_keys_work_like_the_table() {
    let (config, warnings) = parse("keys.step_into = \"i\"\n");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(keys(&config, Action::StepInto), ["i"]);
}

#[test]
fn an_unknown_action_is_a_warning_with_its_line_and_a_suggestion() {
    let (config, warnings) = parse("mouse = true\n\n[keys]\nstep_into = \"i\"\nstep_ovr = \"o\"\n");
    let w = one_warning(
        &warnings,
        &[
            "line 5",
            "keys.step_ovr",
            "unknown action \"step_ovr\"",
            "did you mean \"step_over\"",
            "known actions: continue",
        ],
    );
    assert!(w.starts_with("~/.config/loupe/config.toml line 5: "), "{w}");
    assert_default_keys(&config, Action::StepOver);
    // The rest of the file still applies.
    assert_eq!(keys(&config, Action::StepInto), ["i"]);
}

#[test]
fn a_bad_modifier_names_the_key_and_line_and_keeps_the_defaults() {
    let (config, warnings) = parse("[keys]\nstep_into = \"i\"\n\n\n\n\n\n\ncontinue = \"Ctlr-x\"\n");
    one_warning(
        &warnings,
        &["line 9: keys.continue: \"Ctlr-x\" is not a key: unknown modifier \"Ctlr\" (use Ctrl, Alt, Shift)"],
    );
    assert_default_keys(&config, Action::Continue);
    assert_eq!(keys(&config, Action::StepInto), ["i"]);
}

#[test]
fn a_bad_key_in_a_list_keeps_the_whole_entry_on_its_defaults() {
    let (config, warnings) = parse("[keys]\nstep_over = [\n  \"n\",\n  \"F13x\",\n]\n");
    one_warning(&warnings, &["line 4", "keys.step_over", "\"F13x\" is not a key", "unknown key"]);
    assert_default_keys(&config, Action::StepOver);
}

#[test]
fn wrong_types_are_warnings_naming_the_setting() {
    let (config, warnings) = parse("theme = 3\nmouse = \"yes\"\n[keys]\nstep_over = 5\nstep_into = [\"i\", 7]\n");
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(warnings[0].contains("line 1: theme:") && warnings[0].contains("the number 3"), "{}", warnings[0]);
    assert!(warnings[1].contains("line 2: mouse: expected true or false"), "{}", warnings[1]);
    assert!(warnings[2].contains("line 4: keys.step_over:") && warnings[2].contains("the number 5"), "{}", warnings[2]);
    assert!(warnings[3].contains("line 5: keys.step_into:"), "{}", warnings[3]);
    assert_eq!(config.theme, None);
    assert!(config.mouse);
    assert_default_keys(&config, Action::StepOver);
    assert_default_keys(&config, Action::StepInto);

    let (config, warnings) = parse("keys = \"n\"\n");
    one_warning(&warnings, &["line 1: keys:", "expected a table"]);
    assert_default_keys(&config, Action::StepOver);
}

#[test]
fn a_toml_syntax_error_gives_line_and_column_and_the_defaults() {
    let (config, warnings) = parse("mouse = false\n[keys]\nstep_over = [\"n\"\ncontinue = \"c\"\n");
    let w = one_warning(&warnings, &["config.toml line 4, column", "not valid TOML", "using the default settings"]);
    assert!(!w.contains('\n'), "a warning is one line: {w:?}");
    assert!(config.mouse, "nothing of a broken file applies");
    assert_default_keys(&config, Action::StepOver);

    let (_, warnings) = parse("mouse = \n");
    one_warning(&warnings, &["line 1, column"]);
}

#[test]
fn unknown_settings_are_warnings_but_reserved_sections_are_not() {
    let (config, warnings) = parse(
        "moose = false\n[debug]\njust_my_code = false\n[sandbox]\nnetwork = false\n[profile]\nrate = 100\n[keys]\nquit = \"Q\"\n",
    );
    one_warning(&warnings, &["line 1: moose: unknown setting"]);
    assert_eq!(keys(&config, Action::Quit), ["Q"]);
}

#[test]
fn a_key_listed_twice_goes_to_the_later_entry_with_a_warning() {
    let (config, warnings) = parse("[keys]\nsearch_next = \"m\"\nstep_over = [\"m\", \"F10\"]\n");
    one_warning(
        &warnings,
        &["line 3: keys.step_over:", "\"m\" is also bound to search_next (line 2)", "later binding wins"],
    );
    assert_eq!(config.keymap.lookup(&ch('m'), false), Some(Action::StepOver));
    assert!(config.keymap.keys_for(Action::SearchNext).is_empty());
}

#[test]
fn taking_a_default_key_moves_it_and_says_so() {
    let (config, warnings) = parse("[keys]\nsearch_next = \"n\"\n");
    one_warning(&warnings, &["line 2: keys.search_next:", "\"n\" is step_over's default key", "step_over keeps F10"]);
    assert_eq!(config.keymap.lookup(&ch('n'), false), Some(Action::SearchNext));
    assert_eq!(keys(&config, Action::StepOver), ["F10"]);

    // Rebinding the other action too says it is deliberate, in whichever order.
    for text in
        ["[keys]\nsearch_next = \"n\"\nstep_over = \"F10\"\n", "[keys]\nstep_over = \"F10\"\nsearch_next = \"n\"\n"]
    {
        let (config, warnings) = parse(text);
        assert!(warnings.is_empty(), "{text}: {warnings:#?}");
        assert_eq!(config.keymap.lookup(&ch('n'), false), Some(Action::SearchNext));
    }
}

#[test]
fn load_reads_the_file_and_reports_unreadable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "mouse = false\n[keys]\nhelp = \"H\"\n").unwrap();
    let (config, warnings) = config::load(&path);
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert!(!config.mouse);
    assert_eq!(keys(&config, Action::Help), ["H"]);

    std::fs::write(&path, [0xff, 0xfe, b'\n']).unwrap();
    let (config, warnings) = config::load(&path);
    one_warning(&warnings, &["config.toml", "cannot be read"]);
    assert!(config.mouse);

    // A directory where the file should be.
    let (_, warnings) = config::load(dir.path());
    one_warning(&warnings, &["cannot be read"]);
}

// ----- the help overlay -----

fn render_help(keymap: &Keymap, width: u16, height: u16, scroll: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let theme = Theme::default_dark();
    terminal.draw(|frame| help::render(frame, frame.area(), keymap, &theme, scroll)).unwrap();
    terminal
}

fn screen_lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect()
}

#[test]
fn help_at_100x40() {
    let terminal = render_help(&Keymap::default(), 100, 40, 0);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help_at_60x20_scrolled() {
    let terminal = render_help(&Keymap::default(), 60, 20, 12);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help_shows_remapped_and_unbound_keys() {
    let (config, warnings) = parse("[keys]\nstep_over = [\"o\", \"F8\"]\nhelp = \"H\"\njump = []\n");
    assert!(warnings.is_empty(), "{warnings:#?}");
    let terminal = render_help(&config.keymap, 100, 40, 0);
    let text = screen_lines(&terminal).join("\n");
    assert!(text.contains("o  F8"), "{text}");
    assert!(text.contains("unbound"), "{text}");
    assert!(text.contains("Esc/H/q closes"), "the footer follows the keymap: {text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn content_rows_is_what_render_shows() {
    let keymap = Keymap::default();
    let rows = help::content_rows(&keymap);
    // Tall enough for everything: borders, content, footer.
    let terminal = render_help(&keymap, 100, rows + 3, 0);
    let lines = screen_lines(&terminal);
    assert!(lines[1].contains("Running"), "{lines:#?}");
    assert!(lines[usize::from(rows)].contains("cancel"), "the last content row is the last action: {lines:#?}");
    assert!(lines[usize::from(rows) + 1].contains("closes"), "{lines:#?}");
    assert!(!lines[0].contains('/'), "no scroll position when everything fits: {}", lines[0]);

    // One row shorter, and the last action needs a scroll of exactly one.
    let terminal = render_help(&keymap, 100, rows + 2, 0);
    assert!(!screen_lines(&terminal).join("\n").contains("dismiss a message"));
    let terminal = render_help(&keymap, 100, rows + 2, 1);
    assert!(screen_lines(&terminal).join("\n").contains("dismiss a message"));
}

#[test]
fn every_action_is_reachable_by_scrolling_a_small_overlay() {
    let keymap = Keymap::default();
    let rows = help::content_rows(&keymap);
    let mut seen = String::new();
    for scroll in 0..=rows + 5 {
        let terminal = render_help(&keymap, 60, 20, scroll);
        let lines = screen_lines(&terminal);
        assert!(lines[18].contains("Esc/?/q closes"), "footer at scroll {scroll}: {lines:#?}");
        seen.push_str(&lines.join("\n"));
    }
    for action in Action::ALL {
        let start: String = action.description().chars().take(20).collect();
        assert!(seen.contains(&start), "{action:?} ({start:?}) never shows");
    }
    // Scrolling past the end keeps the last page full.
    let last = screen_lines(&render_help(&keymap, 60, 20, rows));
    assert_eq!(last, screen_lines(&render_help(&keymap, 60, 20, u16::MAX)));
    assert!(last[17].contains("cancel"), "{last:#?}");
}

#[test]
fn help_survives_tiny_screens() {
    let keymap = Keymap::default();
    let terminal = render_help(&keymap, 10, 5, 0);
    let lines = screen_lines(&terminal);
    assert!(lines[1].contains("Runni"), "{lines:#?}");
    assert!(lines[3].contains("Esc/"), "how to close it still shows: {lines:#?}");
    for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3), (10, 1), (1, 10), (4, 3), (200, 3)] {
        for scroll in [0, 3, u16::MAX] {
            render_help(&keymap, w, h, scroll);
        }
    }
}

#[test]
fn odd_files_never_panic_and_lines_stay_right() {
    // Windows line endings and a byte-order mark do not shift line numbers.
    let (_, warnings) = parse("\u{feff}mouse = true\r\n\r\n[keys]\r\nfoo = \"x\"\r\n");
    one_warning(&warnings, &["line 4: keys.foo"]);
    for text in [
        "",
        "\n\n\n",
        "[keys]",
        "[keys]\n\"\" = \"x\"\n",
        "[keys]\nstep_over = [[\"n\"]]\n",
        "[keys]\nstep_over = { a = 1 }\n",
        "[keys.step_over]\nx = 1\n",
        "[keys]\nstep_over = \"\u{1F600}\"\n",
        "[keys]\nstep_over = [\"Ctrl-Alt-Shift-\"]\n",
        "[[keys]]\nx = 1\n",
        "theme = \"\"\n",
        "theme = \"~/\"\n",
        "theme = 1979-05-27\n",
        "= 1\n",
        "\"unterminated",
        "[keys]\nstep_over = [\n",
    ] {
        let (config, warnings) = parse(text);
        for w in &warnings {
            assert!(!w.is_empty() && !w.contains('\n'), "{text:?}: {w:?}");
        }
        // Whatever the file, every action still has keys unless it was deliberately unbound.
        assert!(!config.keymap.keys_for(Action::Quit).is_empty(), "{text:?}");
    }
}

#[test]
fn warnings_come_in_file_order() {
    let (_, warnings) = parse("[keys]\nsearch_next = \"n\"\ncontinue = \"Ctlr-x\"\n");
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].contains("line 2: keys.search_next"), "{warnings:#?}");
    assert!(warnings[1].contains("line 3: keys.continue"), "{warnings:#?}");
}

#[test]
fn max_scroll_is_where_the_last_page_starts() {
    let keymap = Keymap::default();
    for (w, h) in [(60, 20), (100, 40), (10, 5)] {
        let max = help::max_scroll(&keymap, ratatui::layout::Rect::new(0, 0, w, h));
        assert!(max > 0 && max < help::content_rows(&keymap), "{w}x{h}: {max}");
        let at_max = screen_lines(&render_help(&keymap, w, h, max));
        assert_eq!(at_max, screen_lines(&render_help(&keymap, w, h, max + 1)), "{w}x{h}");
        assert_ne!(at_max, screen_lines(&render_help(&keymap, w, h, max - 1)), "{w}x{h}");
    }
    let tall = ratatui::layout::Rect::new(0, 0, 100, help::content_rows(&keymap) + 3);
    assert_eq!(help::max_scroll(&keymap, tall), 0, "everything fits");
}
