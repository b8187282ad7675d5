//! What only the pdb/ipdb backend has to prove, through batch mode with real pdb and ipdb in a
//! pseudo-terminal (each scenario as `NAME::pdb` and `NAME::ipdb`): the program's own output cannot
//! fool it, `breakpoint()` stops in loupe, pdb's own rules hold where they differ from debugpy's,
//! other CPython versions work, and a missing ipdb is explained. The scenarios shared with debugpy
//! (stepping, breakpoints, values, stdin) run on every backend in `debugpy_session.rs` and
//! `debugpy_breakpoints.rs`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{program, python, Loupe, Run};

fn at(name: &str, line: i64) -> String {
    format!("{}:{line}", program(name).display())
}

fn run_on(backend: &str, python: &std::path::Path, name: &str, flags: &[&str], commands: &[&str]) -> Run {
    let mut args: Vec<String> =
        vec!["run".into(), "--batch".into(), "--backend".into(), backend.into(), "--python".into()];
    args.push(python.display().to_string());
    args.extend(flags.iter().map(|s| s.to_string()));
    for c in commands {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push(program(name).display().to_string());
    Loupe::new(args).run()
}

fn fake_prompts_escape_sequences_and_megabytes_of_output_do_not_matter(backend: &str) {
    // pdb_noise.py line 12: marker = "after the noise"
    let run = run_on(
        backend,
        &python(),
        "pdb_noise.py",
        &["--break", &at("pdb_noise.py", 12)],
        &["print i", "next", "print marker"],
    );
    assert_eq!(run.stop_lines(), vec![(12, "breakpoint".into()), (13, "step".into())], "{backend}: {run}");
    let printed: Vec<&str> = run.results("print").iter().map(|r| r["value"].as_str().unwrap_or("")).collect();
    assert_eq!(printed, ["29999", "'after the noise'"], "{backend}: {run}");
    let stdout = run.output("stdout");
    assert!(stdout.starts_with("(Pdb) \nipdb> "), "{backend}: the program's output is reported as it wrote it");
    assert!(stdout.ends_with("after the noise\n"), "{backend}");
    assert_eq!(stdout.lines().count(), 30_000 + 3, "{backend}");
    assert_eq!(run.exit_code(), Some(0), "{backend}: {run}");
}
on_backends!(fake_prompts_escape_sequences_and_megabytes_of_output_do_not_matter: pdb, ipdb);

fn breakpoint_builtin_stops_in_loupe(backend: &str) {
    let run = run_on(backend, &python(), "builtin_breakpoint.py", &[], &["print doubled", "finish", "continue"]);
    let stops = run.stop_lines();
    assert_eq!(stops.first().map(|s| s.0), Some(4), "stops after breakpoint() returns\n{backend}: {run}");
    assert_eq!(run.results("print")[0]["value"], "40", "{backend}: {run}");
    assert_eq!(run.output("stdout"), "result 41\n", "{backend}: {run}");
    assert_eq!(run.exit_code(), Some(0), "{backend}");
}
on_backends!(breakpoint_builtin_stops_in_loupe: pdb, ipdb);

/// CPython versions other than the test venv's, from pyenv.
fn other_pythons() -> Vec<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .expect("HOME is set");
    let mut found = Vec::new();
    for minor in ["3.8", "3.13"] {
        let dir = root.join("versions");
        let version = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| {
                panic!(
                    "no pyenv versions in {} ({e}): install CPython {minor} with `pyenv install {minor}`",
                    dir.display()
                )
            })
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{minor}."))))
            .max()
            .unwrap_or_else(|| {
                panic!("CPython {minor} is not installed under {}: `pyenv install {minor}`", dir.display())
            });
        found.push(version.join("bin/python3"));
    }
    found
}

#[test]
fn pdb_works_on_other_cpython_versions() {
    for interpreter in other_pythons() {
        // step_demo.py: 1 def add(a, b), 3 return total, 8 y = add(x, 2), 9 z = y * 10
        let run = run_on(
            "pdb",
            &interpreter,
            "step_demo.py",
            &["--break", &at("step_demo.py", 8)],
            &["step", "locals", "finish", "next", "print y"],
        );
        assert_eq!(
            run.stop_lines(),
            // pdb's stepping: `step` stops at the call (line 1, `def add`), `return` at the return.
            vec![(8, "breakpoint".into()), (1, "step".into()), (3, "step".into()), (9, "step".into())],
            "{}: {run}",
            interpreter.display()
        );
        assert_eq!(Run::local(run.result("locals"), "a").unwrap()["value"], "1", "{run}");
        assert_eq!(run.results("print")[0]["value"], "3", "{run}");
        assert_eq!(run.output("stdout"), "z 30\n");
        assert_eq!(run.exit_code(), Some(0));
        typed_breakpoints_are_adopted("pdb", &interpreter);
    }
}

#[test]
fn a_missing_ipdb_is_explained() {
    // A fresh virtual environment has pdb but not ipdb.
    let venv = tempfile::tempdir().unwrap();
    let made = Command::new(python()).args(["-m", "venv", "--without-pip"]).arg(venv.path()).status().unwrap();
    assert!(made.success());
    let bare = venv.path().join("bin/python");
    let run = run_on("ipdb", &bare, "step_demo.py", &[], &[]);
    assert_eq!(run.code, Some(125), "{run}");
    assert!(run.stderr.contains("ipdb is not installed"), "{run}");
    assert!(run.stderr.contains("pip install ipdb"), "says how to install it\n{run}");
}

#[test]
fn a_program_killed_by_a_signal_is_reported() {
    let run = Loupe::new([
        "run".to_string(),
        "--batch".into(),
        "--backend".into(),
        "pdb".into(),
        "--python".into(),
        python().display().to_string(),
        program("bad_signal.py").display().to_string(),
        "KILL".into(),
    ])
    .run();
    let exited = run.events("exited");
    assert_eq!(exited.len(), 1, "{run}");
    assert_eq!(exited[0]["signal"], "SIGKILL", "{run}");
    assert_eq!(run.code, Some(128 + 9), "{run}");
}

// Where pdb's behaviour differs from debugpy's on purpose (the debugpy versions of these are in
// debugpy_breakpoints.rs). bp_loop.py: 6 result = x * x. bp_exceptions.py: 6 raise, 12 risky(5) in a try.

fn catch_raised_stops_once_where_the_exception_is_raised(backend: &str) {
    let run = run_on(backend, &python(), "bp_exceptions.py", &[], &["catch raised", "print n"]);
    // debugpy stops again in every frame the exception crosses; pdb only where it is raised.
    assert_eq!(run.stop_lines(), vec![(6, "exception".into())], "{backend}: {run}");
    assert_eq!(run.stops()[0]["text"], "ValueError", "{backend}: {run}");
    assert_eq!(run.stops()[0]["description"], "too big: 5", "{backend}: {run}");
    assert_eq!(run.results("print")[0]["value"], "5", "{backend}: {run}");
    assert_eq!(run.exit_code(), Some(0), "{backend}");
}
on_backends!(catch_raised_stops_once_where_the_exception_is_raised: pdb, ipdb);

fn a_condition_that_raises_stops_as_in_pdb(backend: &str) {
    // x = 2 makes the condition divide by zero: pdb stops there (debugpy counts it as false).
    let run = run_on(
        backend,
        &python(),
        "bp_loop.py",
        &[],
        &[&format!("break {} if 1 / (x - 2) > 0", at("bp_loop.py", 6)), "print x", "continue", "print x"],
    );
    let xs: Vec<&str> = run.results("print").iter().map(|r| r["value"].as_str().unwrap_or("")).collect();
    assert_eq!(xs, ["2", "3"], "{backend}: {run}");
    assert_eq!(run.stops().len(), 4, "x = 2 (the failing one), 3, 4, 5\n{backend}: {run}");
    assert_eq!(run.exit_code(), Some(5), "{backend}");
}
on_backends!(a_condition_that_raises_stops_as_in_pdb: pdb, ipdb);

fn a_function_breakpoint_stops_at_the_first_line_of_its_body(backend: &str) {
    let run =
        run_on(backend, &python(), "bp_loop.py", &[], &["break square", "print x", "continue", "print x", "delete 1"]);
    let stops = run.stop_lines();
    assert_eq!(stops[..2], [(6, "function breakpoint".into()), (6, "function breakpoint".into())], "{backend}: {run}");
    let xs: Vec<&str> = run.results("print").iter().map(|r| r["value"].as_str().unwrap_or("")).collect();
    assert_eq!(xs, ["0", "1"], "{backend}: {run}");
    assert_eq!(stops.len(), 2, "deleted after the second call\n{backend}: {run}");
    assert_eq!(run.exit_code(), Some(5), "{backend}");
}
on_backends!(a_function_breakpoint_stops_at_the_first_line_of_its_body: pdb, ipdb);

#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let run = run_on("pdb", &python(), "bad_syntax.py", &[], &[]);
    let stderr = run.output("stderr");
    assert!(stderr.contains("line 5") && stderr.contains("SyntaxError"), "{run}");
    assert!(run.stops().is_empty(), "{run}");
    assert_eq!(run.exit_code(), Some(1), "{run}");
}

fn breakpoints_typed_at_the_prompt_become_loupes(backend: &str) {
    typed_breakpoints_are_adopted(backend, &python());
}
on_backends!(breakpoints_typed_at_the_prompt_become_loupes: pdb, ipdb);

fn typed_breakpoints_are_adopted(backend: &str, python: &std::path::Path) {
    // bp_loop.py: line 6 `result = x * x` in square(x), line 16 `print("total", total)`.
    let backend = &format!("{backend} on {}", python.display());
    let run = run_on(
        backend.split(' ').next().unwrap(),
        python,
        "bp_loop.py",
        &["--break", &at("bp_loop.py", 11)],
        &[
            "pdb break 6, x >= 3",
            "pdb tbreak 16",
            "continue",
            "print x",
            "pdb disable 2",
            "pdb condition 2 x > 4",
            "continue",
            "pdb p total",
            "pdb clear 1",
            "continue",
        ],
    );
    let adopted: Vec<&serde_json::Value> =
        run.events("breakpoint").into_iter().map(|e| &e["breakpoint"]).filter(|b| b["id"] != 1).collect();
    let summary: Vec<(i64, i64, bool, bool, Option<&str>)> = adopted
        .iter()
        .map(|b| {
            (
                b["id"].as_i64().unwrap(),
                b["line"].as_i64().unwrap(),
                b["enabled"].as_bool().unwrap(),
                b["temporary"].as_bool().unwrap(),
                b["condition"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, 6, true, false, Some("x >= 3")),
            (3, 16, true, true, None),
            (2, 6, false, false, Some("x >= 3")),
            (2, 6, false, false, Some("x > 4")),
        ],
        "{backend}: {run}"
    );
    assert!(adopted.iter().all(|b| b["verified"] == true && b["file"] == program("bp_loop.py").to_str().unwrap()));
    let stops: Vec<(i64, String, serde_json::Value)> = run
        .stops()
        .iter()
        .map(|s| (s["line"].as_i64().unwrap(), s["reason"].as_str().unwrap().into(), s["breakpoints"].clone()))
        .collect();
    assert_eq!(
        stops,
        vec![
            (11, "breakpoint".into(), serde_json::json!([1])),
            (6, "breakpoint".into(), serde_json::json!([2])),
            (16, "breakpoint".into(), serde_json::json!([3])),
        ],
        "{backend}: {run}"
    );
    assert_eq!(run.result("print")["value"], "3", "{backend}: {run}");
    // `clear 1` typed there removes loupe's own breakpoint (the temporary one went at its stop,
    // as loupe's temporaries do).
    let removed: Vec<i64> = run.events("breakpoint_removed").iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(removed, vec![1], "{backend}: {run}");
    let pdb: Vec<&serde_json::Value> = run.results("pdb");
    assert_eq!(pdb.len(), 6, "{backend}: {run}");
    assert_eq!(pdb[4]["output"].as_str().map(str::trim), Some("55"), "what `p total` printed\n{backend}: {run}");
    assert!(pdb[5]["output"].as_str().unwrap().contains("Deleted breakpoint 1"), "{backend}: {run}");
    assert!(pdb.iter().all(|r| r["resumed"] == false), "{backend}: {run}");
    assert_eq!(run.exit_code(), Some(5), "{backend}: {run}");
}

fn a_next_typed_at_the_prompt_steps_over_a_breakpoint_waiting_for_a_later_hit(backend: &str) {
    // bp_loop.py line 15 `total += square(i)`; line 6 is in square. The bridge applies the hit
    // condition, so the typed `next` ends where a step ends instead of being lost.
    let run = run_on(
        backend,
        &python(),
        "bp_loop.py",
        &["--break", &format!("{} if i == 0", at("bp_loop.py", 15))],
        &["break bp_loop.py:6 hits == 3", "pdb next", "continue", "print x"],
    );
    assert_eq!(
        run.stop_lines(),
        vec![(15, "breakpoint".into()), (12, "step".into()), (6, "breakpoint".into())],
        "{backend}: {run}"
    );
    assert_eq!(run.result("pdb")["resumed"], true, "{backend}: {run}");
    assert_eq!(run.result("print")["value"], "2", "the third call is square(2)\n{backend}: {run}");
    assert_eq!(run.stops()[2]["breakpoints"], serde_json::json!([2]), "{backend}: {run}");
}
on_backends!(a_next_typed_at_the_prompt_steps_over_a_breakpoint_waiting_for_a_later_hit: pdb, ipdb);

#[test]
fn pdb_commands_are_refused_by_debugpy_with_the_reason() {
    let run = run_on("debugpy", &python(), "bp_loop.py", &["--break", &at("bp_loop.py", 11)], &["pdb break 6"]);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run}");
    assert!(errors[0]["message"].as_str().unwrap().contains("no debugger prompt of its own"), "{run}");
}
