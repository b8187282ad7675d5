//! Post-mortem by default, through batch mode on debugpy, pdb and ipdb (`NAME::debugpy`,
//! `NAME::pdb`, `NAME::ipdb`): an uncaught exception stops at the raising frame with its type,
//! message, traceback, stack and locals; continuing ends the program as Python would (exit code 1,
//! the traceback on stderr); `catch none` gives the old behaviour back.

mod common;

use common::{program, Loupe, Run};
use serde_json::json;

// pm_keyerror.py: lookup(table, "a") finds "A"; lookup(table, "b") raises KeyError('B') nobody
// catches.
const LOOKUP_RAISE: i64 = 3; //       return table[wanted]
const MAIN_MISSING: i64 = 9; //       print("missing", lookup(table, "b"))
const KEYERROR_STDOUT: &str = "found 1\n";

// bp_exceptions.py: risky(7) raises a ValueError nobody catches when the argument is `crash`.
const RISKY_RAISE: i64 = 6; //        raise ValueError(f"too big: {n}")
const MAIN_CRASH_CALL: i64 = 16; //   risky(7)      (no try)

fn path_of(name: &str) -> String {
    program(name).display().to_string()
}

/// `loupe run --batch` with `-ex` for each command, then the program and its arguments.
fn debug(backend: &str, name: &str, program_args: &[&str], commands: &[&str]) -> Run {
    let mut args: Vec<String> = Vec::new();
    for c in commands {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push(path_of(name));
    args.extend(program_args.iter().map(|s| s.to_string()));
    Loupe::batch_on(backend, args).run()
}

/// The stderr a crash leaves: Python's traceback, ending with the exception.
fn assert_traceback_on_stderr(run: &Run, caller_line: &str, last: &str) {
    let stderr = run.output("stderr");
    assert!(stderr.contains("Traceback (most recent call last):\n"), "{run}");
    assert!(stderr.contains(caller_line), "{caller_line:?} in\n{stderr}");
    assert!(stderr.ends_with(&format!("{last}\n")), "{stderr}");
}

/// The bar: a script that raises KeyError at line N stops with reason "exception", frame
/// line N, and the locals of that frame, with no `catch` given.
fn keyerror_stops_at_the_raising_line_with_its_locals(backend: &str) {
    let run = debug(backend, "pm_keyerror.py", &[], &["locals", "stack", "continue"]);
    assert_eq!(run.stop_lines(), vec![(LOOKUP_RAISE, "exception".to_string())], "{run}");
    let stop = run.stops()[0];
    assert_eq!(stop["file"], path_of("pm_keyerror.py"), "{run}");
    assert_eq!(stop["function"], "lookup", "{run}");
    assert_eq!(stop["text"], "KeyError", "{run}");
    assert_eq!(stop["description"], "'B'", "{run}");
    let traceback = stop["traceback"].as_str().unwrap_or_else(|| panic!("no traceback in the stop\n{run}"));
    assert!(traceback.contains(&format!("line {LOOKUP_RAISE}, in lookup")), "{traceback}");
    assert!(traceback.contains("KeyError: 'B'"), "{traceback}");

    let locals = run.result("locals");
    let value = |name: &str| Run::local(locals, name).map(|v| v["value"].clone());
    assert_eq!(value("table"), Some(json!("{'A': 1}")), "{run}");
    assert_eq!(value("key"), Some(json!("'b'")), "{run}");
    assert_eq!(value("wanted"), Some(json!("'B'")), "{run}");
    let frames = run.stack_functions_and_lines();
    assert_eq!(frames[..2], [(json!("lookup"), json!(LOOKUP_RAISE)), (json!("main"), json!(MAIN_MISSING))], "{run}");

    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), KEYERROR_STDOUT);
    assert_traceback_on_stderr(&run, &format!("line {MAIN_MISSING}, in main\n"), "KeyError: 'B'");
    assert_eq!(run.exit_code(), Some(1), "{run}");
    assert_eq!(run.code, Some(1));
}
on_backends!(keyerror_stops_at_the_raising_line_with_its_locals);

/// With no commands at all, the stop is reported and the run continues to the program's own end.
fn uncaught_exception_stops_by_default_then_exits_1_with_the_traceback_on_stderr(backend: &str) {
    let run = debug(backend, "bp_exceptions.py", &["crash"], &[]);
    assert_eq!(run.stop_lines(), vec![(RISKY_RAISE, "exception".to_string())], "{run}");
    assert_eq!(run.stops()[0]["text"], "ValueError", "{run}");
    assert_eq!(run.stops()[0]["description"], "too big: 7", "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), "caught too big: 5\n");
    let call = format!("File \"{}\", line {MAIN_CRASH_CALL}, in main\n", path_of("bp_exceptions.py"));
    assert_traceback_on_stderr(&run, &call, "ValueError: too big: 7");
    assert_eq!(run.exit_code(), Some(1), "{run}");
    assert_eq!(run.code, Some(1));
}
on_backends!(uncaught_exception_stops_by_default_then_exits_1_with_the_traceback_on_stderr);

/// `catch none`: the program dies of its exception without stopping, as before post-mortem became
/// the default.
fn catch_none_lets_an_uncaught_exception_end_the_program(backend: &str) {
    let run = debug(backend, "bp_exceptions.py", &["crash"], &["catch none"]);
    assert_eq!(run.result("catch"), &json!({"type": "result", "command": "catch", "filters": []}));
    assert!(run.stops().is_empty(), "{run}");
    let stderr = run.output("stderr");
    assert!(stderr.starts_with("Traceback (most recent call last):\n"), "{run}");
    let call = format!("File \"{}\", line {MAIN_CRASH_CALL}, in main\n", path_of("bp_exceptions.py"));
    assert_traceback_on_stderr(&run, &call, "ValueError: too big: 7");
    assert_eq!(run.output("stdout"), "caught too big: 5\n");
    assert_eq!(run.exit_code(), Some(1), "{run}");
    assert_eq!(run.code, Some(1));
}
on_backends!(catch_none_lets_an_uncaught_exception_end_the_program);

/// `sys.exit("message")` is an exit, not a crash: no stop (debugpy's own rule would stop there),
/// the message on stderr and exit code 1, as Python gives them; `catch raised` still stops at it.
fn sys_exit_with_a_message_ends_the_program_without_a_stop(backend: &str) {
    let run = debug(backend, "exit_message.py", &[], &["continue"]);
    assert!(run.stops().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), "working\n", "{run}");
    assert_eq!(run.output("stderr"), "fatal: nothing to do\n", "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}
on_backends!(sys_exit_with_a_message_ends_the_program_without_a_stop);

#[test]
fn catch_raised_still_stops_at_sys_exit_on_debugpy() {
    let run = debug("debugpy", "exit_message.py", &[], &["catch raised", "continue", "continue"]);
    let stops = run.stops();
    assert_eq!(stops.len(), 1, "{run}");
    assert_eq!(stops[0]["text"], "SystemExit", "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}
