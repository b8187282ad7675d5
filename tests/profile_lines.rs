//! `loupe profile --lines` on real CPython: sys.settrace (3.11) and sys.monitoring (3.12, 3.13).
//! Exact hit counts on programs whose shape is known (a hot loop, recursion, a generator,
//! threads), line_profiler's table, every `--function` name form and a wrong one, the report
//! surviving an exception, SIGTERM and sys.exit, the compiled callbacks against the Python ones
//! (identical hits, with exceptions, threads and generators; 3.8 keeps the Python ones and
//! says so), and the figures against real kernprof
//! (line_profiler 5.1.0, installed into .venv-test by scripts/setup-test-env.sh).

mod profile_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use loupe::profile::lines::LineProfile;
use profile_support::{cpython, loupe_command, program, repo};

const HEADER: &str = "Line #      Hits         Time  Per Hit   % Time  Line Contents";

/// The versions whose two mechanisms are tested; 3.12+ ones missing from pyenv are reported
/// loudly and skipped (3.11 is the default python3 here and must be there).
fn interpreters() -> Vec<(&'static str, PathBuf)> {
    let mut found = vec![("3.11", cpython("3.11"))];
    for minor in ["3.12", "3.13"] {
        match std::panic::catch_unwind(|| cpython(minor)) {
            Ok(path) => found.push((minor, path)),
            Err(_) => eprintln!("!!! CPython {minor} is not installed: sys.monitoring on {minor} was NOT tested !!!"),
        }
    }
    assert!(found.len() > 1, "no CPython 3.12+ in pyenv: the sys.monitoring path was not tested at all");
    found
}

struct Lines {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Lines {
    /// The `--json` report (after whatever the program itself printed).
    fn report(&self) -> LineProfile {
        let start = self.stdout.find("\n{\n").map(|i| i + 1).or_else(|| self.stdout.starts_with("{\n").then_some(0));
        let start = start.unwrap_or_else(|| panic!("no JSON report on stdout:\n{}\n{}", self.stdout, self.stderr));
        LineProfile::parse(&self.stdout[start..]).unwrap_or_else(|e| panic!("{e:#}\n{}", self.stdout))
    }

    /// (hits, time, % time) per source line of `function`'s table, keyed by the line's text.
    fn table(&self, function: &str) -> BTreeMap<String, (u64, f64, f64)> {
        parse_table(&self.stdout, function)
    }
}

fn loupe_lines(python: &Path, args: &[&str]) -> Lines {
    loupe_lines_env(python, args, &[])
}

/// `loupe profile --lines --no-tui ARGS` on `python`, with extra environment variables for loupe.
fn loupe_lines_env(python: &Path, args: &[&str], env: &[(&str, &str)]) -> Lines {
    let state = tempfile::tempdir().unwrap();
    let output = loupe_command()
        .args(["profile", "--lines", "--no-tui", "--python"])
        .arg(python)
        .args(args)
        .env("XDG_STATE_HOME", state.path())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("start loupe");
    Lines {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn workload() -> String {
    program("lines_workload.py").display().to_string()
}

/// Rows of the line_profiler table of `function` (loupe's or kernprof's): contents → (hits,
/// time, % time), for the lines that ran.
fn parse_table(text: &str, function: &str) -> BTreeMap<String, (u64, f64, f64)> {
    let start = text
        .find(&format!("Function: {function} at line"))
        .unwrap_or_else(|| panic!("no table for {function} in:\n{text}"));
    let body = &text[start..];
    let header = body.find(HEADER).unwrap_or_else(|| panic!("no header in:\n{body}"));
    let mut rows = BTreeMap::new();
    for row in body[header..].lines().skip(2).take_while(|l| !l.is_empty()) {
        let (numbers, contents) = row.split_at(HEADER.find("Line Contents").unwrap());
        let cells: Vec<&str> = numbers.split_whitespace().collect();
        if cells.len() == 5 {
            let hits = cells[1].parse().unwrap();
            rows.insert(contents.trim().to_string(), (hits, cells[2].parse().unwrap(), cells[4].parse().unwrap()));
        }
    }
    assert!(!rows.is_empty(), "empty table for {function}:\n{body}");
    rows
}

fn hottest(rows: &BTreeMap<String, (u64, f64, f64)>) -> &str {
    rows.iter().max_by(|a, b| a.1 .1.total_cmp(&b.1 .1)).map(|(k, _)| k.as_str()).unwrap()
}

const HOT: &str = "acc = (acc * 31 + i * j + 7) % 1000003  # HOT";

#[test]
fn workload_table_has_exact_hits_and_the_known_hottest_line_on_every_mechanism() {
    for (minor, python) in interpreters() {
        let run = loupe_lines(&python, &["--function", "crunch", &workload()]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        // The program's own output first, then line_profiler's layout.
        assert!(run.stdout.starts_with("result 242447 19994\nTimer unit: 1e-06 s\n\nTotal time: "), "{}", run.stdout);
        assert!(run
            .stdout
            .contains(&format!("Function: crunch at line 17\n\n{HEADER}\n{}\n", "=".repeat(HEADER.len()))));
        assert!(
            run.stdout.contains("    17                                           def crunch(n):\n"),
            "{}",
            run.stdout
        );
        let rows = run.table("crunch");
        assert_eq!(hottest(&rows), HOT, "{minor}: {rows:?}");
        let hits: Vec<u64> = rows.values().map(|r| r.0).collect();
        let mut want: Vec<(&str, u64)> = vec![
            ("acc = 0", 1),
            ("for i in range(n):", 20001),
            ("for j in range(40):", 820000),
            (HOT, 800000),
            ("if i % 100 == 0:", 20000),
            ("acc += helper(range(10))", 200),
            ("return acc", 1),
        ];
        want.sort();
        assert_eq!(rows.keys().map(String::as_str).zip(hits).collect::<Vec<_>>(), want, "{minor}");
        let percent: f64 = rows.values().map(|r| r.2).sum();
        assert!((percent - 100.0).abs() < 0.5, "{minor}: shares add to {percent}");

        let report = loupe_lines(&python, &["--function", "crunch", "--json", &workload()]).report();
        let mechanism = if minor == "3.11" { "sys.settrace" } else { "sys.monitoring" };
        assert_eq!(report.mechanism, mechanism);
        assert!(report.python.starts_with(&format!("{minor}.")), "{}", report.python);
        let crunch = &report.functions[0];
        assert_eq!((crunch.name.as_str(), crunch.first_line, crunch.last_line), ("crunch", 17, 24));
        assert_eq!(crunch.total_ns, crunch.lines.iter().map(|l| l.time_ns).sum::<u64>());
        let hot = report.hottest(1);
        assert_eq!(hot[0].line, 21, "{minor}: {hot:?}");
        let gutter = report.times_for(&program("lines_workload.py"));
        assert_eq!(gutter[&21].hits, 800000);
    }
}

#[test]
fn without_function_a_first_pass_picks_the_hot_user_functions() {
    let run = loupe_lines(&cpython("3.11"), &[&workload()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let note = run.stderr.lines().find(|l| l.contains("line-profiling")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(note.contains("crunch (lines_workload.py:17)") && note.contains("self time"), "{note}");
    assert_eq!(hottest(&run.table("crunch")), HOT);
    // Only the script's functions: no standard library, no runner.
    for file in run.stdout.lines().filter_map(|l| l.strip_prefix("File: ")) {
        assert!(file.ends_with("lines_workload.py"), "{file}");
    }
}

#[test]
fn every_function_name_form_selects_exactly_that_function() {
    let (_, python) = interpreters().pop().unwrap();
    let cases: [(&str, &str); 6] = [
        ("crunch", "crunch"),
        ("Grid.smooth", "Grid.smooth"),
        ("lines_workload:helper", "helper"),
        ("__main__:crunch", "crunch"),
        ("lines_workload.py:Grid.smooth", "Grid.smooth"),
        ("programs/profile/lines_workload.py:helper", "helper"),
    ];
    for (name, qualname) in cases {
        let run = loupe_lines(&python, &["--function", name, "--json", &workload()]);
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        let report = run.report();
        let got: Vec<&str> = report.functions.iter().map(|f| f.qualname.as_str()).collect();
        assert_eq!(got, [qualname], "{name}");
    }
    // On 3.11 (settrace) too, two names at once.
    let run =
        loupe_lines(&cpython("3.11"), &["--function", "Grid.smooth", "--function", "helper", "--json", &workload()]);
    let mut got: Vec<String> = run.report().functions.iter().map(|f| f.qualname.clone()).collect();
    got.sort();
    assert_eq!(got, ["Grid.smooth", "helper"]);
}

#[test]
fn a_name_that_matches_nothing_is_one_error_line_and_status_2() {
    for (minor, python) in interpreters() {
        let run = loupe_lines(&python, &["--function", "crnch", &workload()]);
        assert_eq!(run.code, Some(2), "{minor}: {}", run.stderr);
        let errors: Vec<&str> = run.stderr.lines().filter(|l| l.contains("error")).collect();
        assert_eq!(errors.len(), 1, "{minor}: {}", run.stderr);
        assert!(
            errors[0].starts_with("loupe: error: --function crnch matched no function the program ran")
                && errors[0].contains("closest names that ran: crunch")
                && errors[0].contains("module:func"),
            "{}",
            errors[0]
        );
        assert!(!run.stderr.contains("Traceback") && !run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!run.stdout.contains("Timer unit"), "no table for a wrong name");
    }
    // A malformed name is refused before the program runs.
    let run = loupe_lines(&cpython("3.11"), &["--function", "Grid.", &workload()]);
    assert_eq!(run.code, Some(2));
    assert!(!run.stdout.contains("result"), "the program did not run: {}", run.stdout);
    assert_eq!(run.stderr.lines().filter(|l| l.contains("error")).count(), 1, "{}", run.stderr);
}

#[test]
fn the_report_survives_an_exception_sigterm_sigint_and_sys_exit() {
    let script = program("lines_ends.py").display().to_string();
    for (minor, python) in interpreters() {
        for (how, code, ending) in [
            ("raise", 1, "exception"),
            ("sigterm", 143, "signal 15"),
            ("sigint", 130, "interrupted"),
            ("exit3", 3, "exit 3"),
        ] {
            let run = loupe_lines(&python, &["--function", "busy", "--json", &script, how]);
            assert_eq!(run.code, Some(code), "{minor} {how}: {}", run.stderr);
            let report = run.report();
            assert_eq!(report.ending, ending, "{minor} {how}");
            let busy = &report.functions[0];
            let hits: Vec<(u32, u64)> = busy.lines.iter().map(|l| (l.line, l.hits)).collect();
            assert_eq!(hits, [(11, 1), (12, 50001), (13, 50000), (14, 1)], "{minor} {how}");
        }
    }
}

/// Both ways of handling the events: loupe's compiled callbacks (the default, crates/line_tracer)
/// and the runner's Python ones (LOUPE_LINES_CALLBACKS=python), which must count the same.
const CALLBACKS: [&str; 2] = ["compiled", "python"];

fn loupe_lines_with(callbacks: &str, python: &Path, args: &[&str]) -> Lines {
    loupe_lines_env(python, &[&["--json"], args].concat(), &[("LOUPE_LINES_CALLBACKS", callbacks)])
}

/// Each function's (line, hits), by name.
fn hits_by_function(report: &LineProfile) -> BTreeMap<String, Vec<(u32, u64)>> {
    report.functions.iter().map(|f| (f.name.clone(), f.lines.iter().map(|l| (l.line, l.hits)).collect())).collect()
}

/// The compiled callbacks are what runs unless asked otherwise, on every interpreter from 3.9.
fn assert_callbacks(report: &LineProfile, asked: &str, minor: &str) {
    let expected = if asked == "compiled" { "compiled" } else { "python (asked for)" };
    assert_eq!(report.callbacks.as_deref(), Some(expected), "{minor}");
}

#[test]
fn recursion_generators_and_threads_count_exactly() {
    let script = program("lines_shapes.py").display().to_string();
    for (minor, python) in interpreters() {
        for callbacks in CALLBACKS {
            let names = ["--function", "fib", "--function", "squares", "--function", "count"];
            let run = loupe_lines_with(callbacks, &python, &[&names[..], &[&script]].concat());
            assert_eq!(run.code, Some(0), "{minor} {callbacks}: {}", run.stderr);
            let report = run.report();
            assert_callbacks(&report, callbacks, minor);
            let hits = hits_by_function(&report);
            assert_eq!(hits["fib"], [(9, 1973), (10, 987), (11, 986)], "{minor} {callbacks}");
            assert_eq!(hits["squares"], [(15, 1001), (16, 1000)], "{minor} {callbacks}");
            assert_eq!(hits["count"], [(20, 4), (21, 80004), (22, 80000), (23, 4)], "{minor} {callbacks}");
            // fib's recursive line holds its callees' time: nearly all of fib's.
            let fib = report.functions.iter().find(|f| f.name == "fib").unwrap();
            assert!(fib.lines[2].time_ns * 10 > fib.total_ns * 9, "{minor} {callbacks}: {fib:?}");
        }
    }
}

#[test]
fn exceptions_through_targets_count_the_same_with_either_callbacks() {
    let script = program("lines_unwinds.py").display().to_string();
    let names = ["--function", "handles", "--function", "raises", "--function", "echo"];
    let expected: BTreeMap<String, Vec<(u32, u64)>> = [
        ("handles", vec![(9, 1), (10, 3001), (11, 3000), (12, 3000), (13, 1000), (14, 1000), (15, 1000), (16, 1)]),
        ("raises", vec![(20, 1000), (21, 500), (22, 500)]),
        ("echo", vec![(26, 1), (27, 502), (28, 502), (29, 502), (30, 501), (31, 500)]),
    ]
    .into_iter()
    .map(|(name, hits)| (name.to_string(), hits))
    .collect();
    for (minor, python) in interpreters() {
        for callbacks in CALLBACKS {
            let run = loupe_lines_with(callbacks, &python, &[&names[..], &[&script]].concat());
            assert_eq!(run.code, Some(0), "{minor} {callbacks}: {}", run.stderr);
            let report = run.report();
            assert_callbacks(&report, callbacks, minor);
            assert_eq!(hits_by_function(&report), expected, "{minor} {callbacks}");
            assert!(run.stdout.contains("handled 1000\nkept 249500\nthrown 500\n"), "{minor}: {}", run.stdout);
        }
    }
}

#[test]
fn python_3_8_keeps_the_python_callbacks_and_says_so() {
    let python = cpython("3.8");
    let run = loupe_lines_with(
        "compiled",
        &python,
        &["--function", "fib", &program("lines_shapes.py").display().to_string()],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report = run.report();
    assert_eq!(report.callbacks.as_deref(), Some("python (Python 3.8: they need 3.9's PyFrame_GetCode)"));
    assert_eq!(hits_by_function(&report)["fib"], [(9, 1973), (10, 987), (11, 986)]);
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.contains("Python callbacks")).collect();
    assert_eq!(notes.len(), 1, "{}", run.stderr);
    assert!(notes[0].contains("Python 3.8") && notes[0].contains("overhead"), "{}", notes[0]);
}

#[test]
fn agrees_with_kernprof_on_the_hottest_line_and_every_share() {
    let venv = repo().join(".venv-test/bin");
    let kernprof = venv.join("kernprof");
    assert!(
        kernprof.exists(),
        "kernprof is missing: run scripts/setup-test-env.sh (it installs line_profiler into .venv-test)"
    );
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(program("lines_workload.py")).unwrap();
    let decorated = dir.path().join("lines_workload.py");
    std::fs::write(&decorated, source.replace("\ndef crunch(n):", "\n@profile\ndef crunch(n):")).unwrap();
    let status = Command::new(&kernprof)
        .args(["-l", "-q", "-o"])
        .arg(dir.path().join("w.lprof"))
        .arg(&decorated)
        .arg("2")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let shown = Command::new(venv.join("python"))
        .args(["-m", "line_profiler"])
        .arg(dir.path().join("w.lprof"))
        .output()
        .unwrap();
    let theirs = parse_table(&String::from_utf8_lossy(&shown.stdout), "crunch");

    let run = loupe_lines(&venv.join("python"), &["--function", "crunch", &workload(), "2"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let ours = run.table("crunch");
    assert_eq!(hottest(&ours), hottest(&theirs), "ours {ours:?}\nkernprof {theirs:?}");
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (line, (hits, _, percent)) in &ours {
        let (their_hits, _, their_percent) = theirs[line];
        assert_eq!(*hits, their_hits, "{line}");
        assert!((percent - their_percent).abs() <= 10.0, "{line}: loupe {percent}% vs kernprof {their_percent}%");
    }
}

/// A line tracer library that cannot be loaded (here an empty file, as build.rs leaves when it
/// could not build one) leaves the runner's Python callbacks, with the reason in the report.
#[test]
fn a_tracer_library_that_does_not_load_leaves_the_python_callbacks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("adapters/profile/loupe_lines.py"), dir.path().join("loupe_lines.py")).unwrap();
    std::fs::write(dir.path().join("loupe_line_tracer.so"), b"").unwrap();
    let out = dir.path().join("lines.json");
    let status = Command::new(cpython("3.11"))
        .arg(dir.path().join("loupe_lines.py"))
        .arg(&out)
        .arg(r#"{"names": ["fib"]}"#)
        .arg(program("lines_shapes.py"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let report = LineProfile::load(&out).unwrap();
    let callbacks = report.callbacks.clone().unwrap_or_default();
    assert!(callbacks.starts_with("python (") && callbacks.contains("loupe_line_tracer.so"), "{callbacks}");
    assert_eq!(hits_by_function(&report)["fib"], [(9, 1973), (10, 987), (11, 986)]);
}

/// One build of the line tracer serves every CPython from 3.9: the interpreters the other tests
/// do not run (3.9, 3.10) load it too and count exactly. A version missing from pyenv is said
/// loudly and not tested.
#[test]
fn the_compiled_callbacks_load_on_3_9_and_3_10() {
    let script = program("lines_shapes.py").display().to_string();
    for minor in ["3.9", "3.10"] {
        let Ok(python) = std::panic::catch_unwind(|| cpython(minor)) else {
            eprintln!("!!! CPython {minor} is not installed: the line tracer was NOT tested on {minor} !!!");
            continue;
        };
        let run = loupe_lines_with("compiled", &python, &["--function", "fib", "--function", "count", &script]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let report = run.report();
        assert_callbacks(&report, "compiled", minor);
        let hits = hits_by_function(&report);
        assert_eq!(hits["fib"], [(9, 1973), (10, 987), (11, 986)], "{minor}");
        assert_eq!(hits["count"], [(20, 4), (21, 80004), (22, 80000), (23, 4)], "{minor}");
    }
}
