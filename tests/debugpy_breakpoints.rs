//! Breakpoints against real debugpy, pdb and ipdb (one test per backend for each scenario:
//! `NAME::debugpy`, `NAME::pdb`, `NAME::ipdb`), through batch mode: conditions, hit conditions, logpoints,
//! temporary breakpoints, disable/enable/delete, function breakpoints, lines without code (moved
//! to the next line with code on every backend), past the end of a file,
//! conditions that raise, exception breakpoints, `--break`, launch.json and imported modules.
//!
//! Line numbers of the programs are constants below, each with the line's content; keep them in
//! step when a program changes. Nothing here depends on timing: program output (a pipe) and
//! debugger events (the DAP socket) arrive on different channels, so no test asserts their
//! relative order.

mod common;

use common::{program, Loupe, Run};
use serde_json::{json, Value};

// bp_loop.py: main(6) runs the loop body for i = 0..=5, prints "total 55", exits with 55 - 50.
const LOOP_BLANK_TOP: i64 = 3; //      (blank line after the import)
const SQUARE_DEF: i64 = 5; //          def square(x):
const SQUARE_RESULT: i64 = 6; //           result = x * x
const LOOP_BLANK_MIDDLE: i64 = 8; //   (blank line after square)
const MAIN_DEF: i64 = 10; //           def main(n):
const MAIN_COMMENT: i64 = 13; //               # a comment inside the loop
const MAIN_BLANK: i64 = 14; //                 (blank line inside the loop)
const MAIN_BODY: i64 = 15; //                  total += square(i)
const MAIN_PRINT: i64 = 16; //             print("total", total)
const LOOP_PASSES: usize = 6; //       times the loop body runs
const LOOP_EXIT_CODE: i64 = 5; //      55 - 50
const LOOP_STDOUT: &str = "total 55\n";

// bp_exceptions.py: risky(5) raises a ValueError that main catches; with the argument `crash`,
// risky(7) raises one that nobody catches.
const RISKY_RAISE: i64 = 6; //         raise ValueError(f"too big: {n}")
const MAIN_CAUGHT_CALL: i64 = 12; //   risky(5)      (inside try)
const MAIN_CRASH_CALL: i64 = 16; //    risky(7)      (no try)

// bp_helper.py (imported by bp_uses_helper.py as a module)
const HELPER_SCALED: i64 = 2; //       scaled = value * factor
const HELPER_RETURN: i64 = 3; //       return scaled
                              // bp_uses_helper.py
const USES_CALL: i64 = 4; //           print("scaled", bp_helper.scale(k, 10))

// bp_launch.py (copied into a temporary workspace as app.py)
const LAUNCH_FIRST: i64 = 1; //        import os
const LAUNCH_PRINT_ARGS: i64 = 5; //   print("args", sys.argv[1:])

fn path_of(name: &str) -> String {
    program(name).display().to_string()
}

/// `NAME:LINE` with NAME's absolute path.
fn at(name: &str, line: i64) -> String {
    format!("{}:{line}", path_of(name))
}

/// `loupe run --batch` with `-ex` for each command, then the program and its arguments.
fn debug(backend: &str, name: &str, program_args: &[&str], flags: &[&str], commands: &[&str]) -> Run {
    let mut args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    for c in commands {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push(path_of(name));
    args.extend(program_args.iter().map(|s| s.to_string()));
    Loupe::batch_on(backend, args).run()
}

fn loop_run(backend: &str, commands: &[&str]) -> Run {
    debug(backend, "bp_loop.py", &[], &[], commands)
}

/// The values of the `print` results, in order.
fn printed(run: &Run) -> Vec<String> {
    run.results("print").iter().map(|r| r["value"].as_str().unwrap_or("<no value>").to_string()).collect()
}

/// The `breakpoints` field of every stop (null when the stop names none).
fn stop_breakpoints(run: &Run) -> Vec<Value> {
    run.stops().iter().map(|s| s["breakpoints"].clone()).collect()
}

/// The breakpoint object of the `index`th result of `command` (break, tbreak, enable, disable).
fn breakpoint_of(run: &Run, command: &str, index: usize) -> Value {
    run.results(command).get(index).unwrap_or_else(|| panic!("no {command} result #{index}\n{run}"))["breakpoint"]
        .clone()
}

fn error_messages(run: &Run) -> Vec<(String, String)> {
    run.errors()
        .iter()
        .map(|e| (e["command"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn assert_loop_finished(run: &Run) {
    assert_eq!(run.exit_code(), Some(LOOP_EXIT_CODE), "{run}");
    assert_eq!(run.code, Some(LOOP_EXIT_CODE as i32), "loupe passes the program's exit code through\n{run}");
}

fn reasons(n: usize, line: i64, reason: &str) -> Vec<(i64, String)> {
    vec![(line, reason.to_string()); n]
}

// ----- 1. conditions -----

fn condition_stops_once_on_the_matching_iteration(backend: &str) {
    let run = loop_run(backend, &[&format!("break {} if i == 3", at("bp_loop.py", MAIN_BODY)), "print i", "locals"]);
    assert_eq!(
        breakpoint_of(&run, "break", 0),
        json!({
            "id": 1, "verified": true, "enabled": true, "temporary": false, "hits": 0,
            "file": path_of("bp_loop.py"), "line": MAIN_BODY, "condition": "i == 3",
        }),
        "{run}"
    );
    assert_eq!(run.stop_lines(), vec![(MAIN_BODY, "breakpoint".to_string())], "{run}");
    let stop = run.stops()[0];
    assert_eq!(stop["function"], "main");
    assert_eq!(stop["file"], path_of("bp_loop.py"));
    assert_eq!(stop["breakpoints"], json!([1]));
    assert_eq!(printed(&run), ["3"], "{run}");
    let locals = run.result("locals");
    assert_eq!(Run::local(locals, "i").unwrap()["value"], "3");
    assert_eq!(Run::local(locals, "total").unwrap()["value"], "5", "0 + 1 + 4 before the fourth pass\n{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), LOOP_STDOUT);
    assert_loop_finished(&run);
}
on_backends!(condition_stops_once_on_the_matching_iteration);

// ----- 2. hit conditions -----

fn hit_condition_equal_stops_only_on_that_hit(backend: &str) {
    let run = loop_run(backend, &[&format!("break {} hits == 3", at("bp_loop.py", MAIN_BODY)), "print i"]);
    assert_eq!(breakpoint_of(&run, "break", 0)["hit_condition"], "== 3", "{run}");
    assert_eq!(run.stop_lines(), vec![(MAIN_BODY, "breakpoint".to_string())], "{run}");
    assert_eq!(printed(&run), ["2"], "the third pass is i == 2\n{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
on_backends!(hit_condition_equal_stops_only_on_that_hit);

fn hit_condition_at_least_stops_on_that_hit_and_every_later_one(backend: &str) {
    // `print i` starts the program and inspects the first stop; the rest are reported (and
    // continued) as the program runs to its end.
    let run = loop_run(backend, &[&format!("break {} hits >= 3", at("bp_loop.py", MAIN_BODY)), "print i"]);
    assert_eq!(breakpoint_of(&run, "break", 0)["hit_condition"], ">= 3", "{run}");
    assert_eq!(run.stop_lines(), reasons(LOOP_PASSES - 2, MAIN_BODY, "breakpoint"), "passes 3 to 6\n{run}");
    assert_eq!(stop_breakpoints(&run), vec![json!([1]); LOOP_PASSES - 2]);
    assert_eq!(printed(&run), ["2"], "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
on_backends!(hit_condition_at_least_stops_on_that_hit_and_every_later_one);

fn hit_condition_modulo_stops_on_every_nth_hit_and_counts_hits(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("break {} hits % 2", at("bp_loop.py", MAIN_BODY)),
            "print i",
            "continue",
            "print i",
            "continue",
            "print i",
            "disable 1",
        ],
    );
    assert_eq!(breakpoint_of(&run, "break", 0)["hit_condition"], "% 2", "{run}");
    assert_eq!(run.stop_lines(), reasons(3, MAIN_BODY, "breakpoint"), "{run}");
    assert_eq!(printed(&run), ["1", "3", "5"], "passes 2, 4 and 6\n{run}");
    assert_eq!(
        breakpoint_of(&run, "disable", 0),
        json!({
            "id": 1, "verified": false, "enabled": false, "temporary": false, "hits": 6,
            "file": path_of("bp_loop.py"), "line": MAIN_BODY, "hit_condition": "% 2",
        }),
        "hits counts every pass with the condition true (six), of which every second stopped\n{run}"
    );
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
on_backends!(hit_condition_modulo_stops_on_every_nth_hit_and_counts_hits);

/// `if COND hits OP N` stops when both hold, as with gdb's condition plus ignore count and VS
/// Code's own adapters. Passes are i = 0..=5: the condition holds for i = 4 and 5. Counting
/// every pass, `% 2` holds on passes 2, 4, 6 (i = 1, 3, 5); counting passes where the condition
/// holds, on the second of them (i = 5). Either way: one stop, at i == 5.
fn condition_and_hit_condition_must_both_hold(backend: &str) {
    let run = loop_run(backend, &[&format!("break {} if i >= 4 hits % 2", at("bp_loop.py", MAIN_BODY)), "print i"]);
    let b = breakpoint_of(&run, "break", 0);
    assert_eq!((&b["condition"], &b["hit_condition"]), (&json!("i >= 4"), &json!("% 2")), "{run}");
    assert_eq!(printed(&run), ["5"], "the first stop must satisfy the condition\n{run}");
    assert_eq!(run.stop_lines(), vec![(MAIN_BODY, "breakpoint".to_string())], "{run}");
    assert_loop_finished(&run);
}
on_backends!(condition_and_hit_condition_must_both_hold);

/// A hit condition counts passes over its own line; setting another breakpoint in the same file
/// must not start the count again. Passes 1 and 2 are i = 0 and 1; `hits == 2` must never stop
/// again after i == 1.
fn hit_count_survives_a_new_breakpoint_in_the_same_file(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("break {} hits == 2", at("bp_loop.py", MAIN_BODY)),
            "print i",
            &format!("break {}", at("bp_loop.py", MAIN_PRINT)),
            "continue",
            "print i",
        ],
    );
    assert_eq!(
        run.stop_lines(),
        vec![(MAIN_BODY, "breakpoint".to_string()), (MAIN_PRINT, "breakpoint".to_string())],
        "`hits == 2` stopped on a later pass after another breakpoint was added to the file\n{run}"
    );
    assert_eq!(printed(&run), ["1", "5"], "{run}");
    assert_loop_finished(&run);
}
on_backends!(hit_count_survives_a_new_breakpoint_in_the_same_file);

/// Same as above, with nothing typed mid-run: a temporary breakpoint in the same file goes away
/// when it is hit, and that must not restart the other breakpoint's count. Passes over the body
/// are i = 0, 1 (the 2nd: stop), 2 (then square(2) hits the tbreak), 3, 4, 5.
fn hit_count_survives_a_temporary_breakpoint_going_away(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("break {} hits == 2", at("bp_loop.py", MAIN_BODY)),
            &format!("tbreak {} if x == 2", at("bp_loop.py", SQUARE_RESULT)),
            "print i",
            "continue",
            "print x",
        ],
    );
    assert_eq!(
        run.stop_lines(),
        vec![(MAIN_BODY, "breakpoint".to_string()), (SQUARE_RESULT, "breakpoint".to_string())],
        "`hits == 2` stopped again after the temporary breakpoint was removed\n{run}"
    );
    assert_eq!(stop_breakpoints(&run), vec![json!([1]), json!([2])], "{run}");
    assert_eq!(printed(&run), ["1", "2"], "{run}");
    assert_loop_finished(&run);
}
on_backends!(hit_count_survives_a_temporary_breakpoint_going_away);

// ----- 3. logpoints -----

fn logpoint_prints_one_line_per_hit_and_never_stops(backend: &str) {
    let run = loop_run(
        backend,
        &[&format!("break {} log bp-log i={{i}} sq={{square(i)}} total={{total}}", at("bp_loop.py", MAIN_BODY))],
    );
    assert_eq!(breakpoint_of(&run, "break", 0)["log_message"], "bp-log i={i} sq={square(i)} total={total}", "{run}");
    assert!(run.stops().is_empty(), "a logpoint never stops\n{run}");
    // debugpy sends logpoint messages as DAP output events of category "stdout" (pydevd's
    // make_io_message), one event per message; loupe reports them as "console" because the
    // program's own stdout comes through loupe's pipe, and keeps the two apart.
    // The pdb bridge batches output, so compare what was logged, not how it was split into events.
    let expected = "bp-log i=0 sq=0 total=0\n\
                    bp-log i=1 sq=1 total=0\n\
                    bp-log i=2 sq=4 total=1\n\
                    bp-log i=3 sq=9 total=5\n\
                    bp-log i=4 sq=16 total=14\n\
                    bp-log i=5 sq=25 total=30\n";
    assert_eq!(run.output("console"), expected, "{run}");
    assert!(!run.output("stdout").contains("bp-log"), "logpoint messages are not the program's output\n{run}");
    assert_eq!(run.output("stdout"), LOOP_STDOUT, "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
on_backends!(logpoint_prints_one_line_per_hit_and_never_stops);

// ----- 4. tbreak -----

fn tbreak_stops_once_then_is_gone(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("tbreak {}", at("bp_loop.py", MAIN_BODY)),
            "print i",
            &format!("break {}", at("bp_loop.py", MAIN_PRINT)),
            "continue",
            "print i",
            "delete 1",
        ],
    );
    assert_eq!(
        breakpoint_of(&run, "tbreak", 0),
        json!({
            "id": 1, "verified": true, "enabled": true, "temporary": true, "hits": 0,
            "file": path_of("bp_loop.py"), "line": MAIN_BODY,
        }),
        "{run}"
    );
    assert_eq!(
        run.stop_lines(),
        vec![(MAIN_BODY, "breakpoint".to_string()), (MAIN_PRINT, "breakpoint".to_string())],
        "five more passes over the tbreak line do not stop\n{run}"
    );
    assert_eq!(stop_breakpoints(&run), vec![json!([1]), json!([2])]);
    assert_eq!(printed(&run), ["0", "5"], "{run}");
    assert_eq!(error_messages(&run), [("delete".to_string(), "no breakpoint number 1".to_string())], "{run}");
    assert_loop_finished(&run);
}
on_backends!(tbreak_stops_once_then_is_gone);

// ----- 5. disable / enable / delete -----

fn disable_enable_and_delete_change_what_stops(backend: &str) {
    let run = loop_run(
        backend,
        &[
            "delete 99", // before the program starts
            &format!("break {}", at("bp_loop.py", MAIN_BODY)),
            &format!("break {}", at("bp_loop.py", SQUARE_RESULT)),
            "print i", // stop 1: body, i = 0
            "disable 1",
            "continue", // stop 2: square(0)
            "print x",
            "enable 1",
            "continue", // stop 3: body, i = 1
            "print i",
            "delete 1",
            "continue", // stop 4: square(1)
            "print x",
            "disable 2",
            "delete 99",
            "disable 42",
            "enable 7",
            "continue", // nothing left to stop at
        ],
    );
    assert_eq!(
        run.stop_lines(),
        vec![
            (MAIN_BODY, "breakpoint".to_string()),
            (SQUARE_RESULT, "breakpoint".to_string()),
            (MAIN_BODY, "breakpoint".to_string()),
            (SQUARE_RESULT, "breakpoint".to_string()),
        ],
        "{run}"
    );
    assert_eq!(stop_breakpoints(&run), vec![json!([1]), json!([2]), json!([1]), json!([2])]);
    assert_eq!(printed(&run), ["0", "0", "1", "1"], "{run}");
    let file = path_of("bp_loop.py");
    assert_eq!(
        breakpoint_of(&run, "disable", 0),
        json!({"id": 1, "verified": false, "enabled": false, "temporary": false, "hits": 1, "file": file, "line": MAIN_BODY}),
        "{run}"
    );
    assert_eq!(
        breakpoint_of(&run, "enable", 0),
        json!({"id": 1, "verified": true, "enabled": true, "temporary": false, "hits": 1, "file": file, "line": MAIN_BODY}),
        "{run}"
    );
    assert_eq!(run.result("delete"), &json!({"type": "result", "command": "delete", "id": 1}));
    assert_eq!(
        breakpoint_of(&run, "disable", 1),
        json!({"id": 2, "verified": false, "enabled": false, "temporary": false, "hits": 2, "file": file, "line": SQUARE_RESULT}),
        "{run}"
    );
    let expected_errors: Vec<(String, String)> = [
        ("delete", "no breakpoint number 99"),
        ("delete", "no breakpoint number 99"),
        ("disable", "no breakpoint number 42"),
        ("enable", "no breakpoint number 7"),
    ]
    .iter()
    .map(|(c, m)| (c.to_string(), m.to_string()))
    .collect();
    assert_eq!(error_messages(&run), expected_errors, "{run}");
    assert_eq!(run.output("stdout"), LOOP_STDOUT);
    assert_loop_finished(&run);
}
on_backends!(disable_enable_and_delete_change_what_stops);

// ----- 6. function breakpoints -----

/// debugpy stops a function breakpoint on the call event, which Python reports on the `def` line
/// (`co_firstlineno`), not on the first line of the body. debugpy cannot check function names, so
/// every function breakpoint is verified, even one that never matches.
fn function_breakpoint_stops_at_the_def_line_on_each_call(backend: &str) {
    let run =
        loop_run(backend, &["break square", "break no_such_function", "print x", "continue", "print x", "delete 1"]);
    assert_eq!(
        breakpoint_of(&run, "break", 0),
        json!({"id": 1, "verified": true, "enabled": true, "temporary": false, "hits": 0, "function": "square"}),
        "{run}"
    );
    assert_eq!(
        breakpoint_of(&run, "break", 1),
        json!({"id": 2, "verified": true, "enabled": true, "temporary": false, "hits": 0, "function": "no_such_function"}),
        "{run}"
    );
    assert_eq!(run.stop_lines(), reasons(2, SQUARE_DEF, "function breakpoint"), "{run}");
    for stop in run.stops() {
        assert_eq!(stop["function"], "square");
        assert_eq!(stop["file"], path_of("bp_loop.py"));
        assert_eq!(stop["breakpoints"], json!([1]));
    }
    assert_eq!(printed(&run), ["0", "1"], "the arguments are bound at the stop\n{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
// debugpy's own behaviour; pdb's differs on purpose, see tests/pdb_backend.rs.
on_backends!(function_breakpoint_stops_at_the_def_line_on_each_call: debugpy);

// ----- 7. lines without code -----

/// A line with no code moves to the *next* line with code on every backend (debugpy alone would
/// move it to the previous one, pdb would refuse it), as CPython's compiler numbers the code, and
/// the result says so: `moved_from` and a message. The blank line after `square` lands on
/// `def main`, which runs once, as the module is executed.
fn breakpoints_on_lines_without_code_move_to_the_next_line_with_code(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("break {}", at("bp_loop.py", LOOP_BLANK_TOP)),
            &format!("break {}", at("bp_loop.py", LOOP_BLANK_MIDDLE)),
            &format!("break {}", at("bp_loop.py", MAIN_COMMENT)),
        ],
    );
    let placed: Vec<(Value, Value, Value, Value)> = run
        .results("break")
        .iter()
        .map(|r| {
            let b = &r["breakpoint"];
            (b["line"].clone(), b["moved_from"].clone(), b["verified"].clone(), b["message"].clone())
        })
        .collect();
    let moved = |from: i64, to: i64| {
        (json!(to), json!(from), json!(true), json!(format!("moved from {from} to {to} (no code on line {from})")))
    };
    assert_eq!(
        placed,
        vec![moved(LOOP_BLANK_TOP, SQUARE_DEF), moved(LOOP_BLANK_MIDDLE, MAIN_DEF), moved(MAIN_COMMENT, MAIN_BODY)],
        "{backend}: {run}"
    );
    let mut expected = vec![(SQUARE_DEF, 1), (MAIN_DEF, 2)];
    expected.extend(std::iter::repeat_n((MAIN_BODY, 3), LOOP_PASSES));
    let lines: Vec<(i64, String)> = expected.iter().map(|(l, _)| (*l, "breakpoint".to_string())).collect();
    assert_eq!(run.stop_lines(), lines, "{backend}: {run}");
    let ids: Vec<Value> = expected.iter().map(|(_, id)| json!([id])).collect();
    assert_eq!(stop_breakpoints(&run), ids, "{backend}: {run}");
    assert!(run.errors().is_empty(), "{backend}: {run}");
    assert_loop_finished(&run);
}
on_backends!(breakpoints_on_lines_without_code_move_to_the_next_line_with_code);

/// The blank line inside the loop moves to the loop body, not back to the `for` line.
fn blank_line_inside_a_loop_moves_to_the_next_statement(backend: &str) {
    let run = loop_run(backend, &[&format!("break {}", at("bp_loop.py", MAIN_BLANK)), "print i"]);
    assert_eq!(breakpoint_of(&run, "break", 0)["line"], MAIN_BODY, "{backend}: {run}");
    assert_eq!(breakpoint_of(&run, "break", 0)["moved_from"], MAIN_BLANK, "{backend}: {run}");
    assert_eq!(run.stop_lines(), reasons(LOOP_PASSES, MAIN_BODY, "breakpoint"), "{backend}: {run}");
    assert_eq!(printed(&run), ["0"], "{backend}: {run}");
    assert!(run.errors().is_empty(), "{backend}: {run}");
    assert_loop_finished(&run);
}
on_backends!(blank_line_inside_a_loop_moves_to_the_next_statement);

/// Past the end of the file, after its last line with code, or in a file that does not exist,
/// `break` is an error naming the reason, and nothing is set (no backend may pretend).
fn breakpoints_past_the_end_or_in_a_missing_file_are_errors(backend: &str) {
    let missing = program("bp_loop.py").with_file_name("no_such_file.py");
    let run =
        loop_run(backend, &[&format!("break {}", at("bp_loop.py", 40)), &format!("break {}:3", missing.display())]);
    assert_eq!(
        error_messages(&run),
        vec![
            (
                "break".to_string(),
                format!(
                    "cannot set a breakpoint at {}: line 40 is past the end of bp_loop.py (20 lines)",
                    at("bp_loop.py", 40)
                )
            ),
            (
                "break".to_string(),
                format!(
                    "no such file: {} (give a path relative to the working directory, or absolute)",
                    missing.display()
                )
            ),
        ],
        "{backend}: {run}"
    );
    assert!(run.stops().is_empty(), "{backend}: {run}");
    assert_loop_finished(&run);
}
on_backends!(breakpoints_past_the_end_or_in_a_missing_file_are_errors);

// ----- 8. conditions that raise -----

/// debugpy treats a condition that raises as false (pydevd's skip_suspend_on_breakpoint_exception
/// is BaseException in debugpy mode). It reports the error on the console once per failing
/// evaluation, except NameError, which it skips silently (skip_print_breakpoint_exception).
fn condition_that_raises_counts_as_false(backend: &str) {
    let run = loop_run(
        backend,
        &[
            &format!("break {} if undefined_name > 1", at("bp_loop.py", MAIN_BODY)),
            // x = 0, 1: false; x = 2: ZeroDivisionError; x = 3, 4, 5: true.
            &format!("break {} if 1 / (x - 2) > 0", at("bp_loop.py", SQUARE_RESULT)),
            "print x",
        ],
    );
    assert_eq!(run.stop_lines(), reasons(3, SQUARE_RESULT, "breakpoint"), "{run}");
    assert_eq!(stop_breakpoints(&run), vec![json!([2]); 3]);
    assert_eq!(printed(&run), ["3"], "{run}");
    let console: Vec<&str> =
        run.events("output").iter().filter(|e| e["category"] == "console").filter_map(|e| e["text"].as_str()).collect();
    assert_eq!(console.len(), 1, "{run}");
    assert!(
        console[0]
            .starts_with("pydevd: Error while evaluating expression in conditional breakpoint: 1 / (x - 2) > 0\n"),
        "{run}"
    );
    assert!(console[0].contains("ZeroDivisionError: division by zero"), "{run}");
    assert!(!run.output("console").contains("undefined_name"), "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), LOOP_STDOUT);
    assert_loop_finished(&run);
}
// debugpy's own behaviour; pdb's differs on purpose, see tests/pdb_backend.rs.
on_backends!(condition_that_raises_counts_as_false: debugpy);

// ----- 9. exception breakpoints -----

/// `catch raised` maps to pydevd's notify_on_handled_exceptions=1 (not "first raise only"): it
/// stops where the exception is raised and again in each user frame it passes through, here the
/// caller that catches it.
fn catch_raised_stops_where_a_caught_exception_is_raised(backend: &str) {
    let run = debug(backend, "bp_exceptions.py", &[], &[], &["catch raised", "print n", "continue"]);
    assert_eq!(run.result("catch"), &json!({"type": "result", "command": "catch", "filters": ["raised"]}));
    assert_eq!(
        run.stop_lines(),
        vec![(RISKY_RAISE, "exception".to_string()), (MAIN_CAUGHT_CALL, "exception".to_string())],
        "{run}"
    );
    let stops = run.stops();
    assert_eq!(stops[0]["function"], "risky");
    assert_eq!(stops[1]["function"], "main");
    for stop in &stops {
        assert_eq!(stop["text"], "ValueError", "{run}");
        assert_eq!(stop["description"], "too big: 5", "{run}");
        assert_eq!(stop["file"], path_of("bp_exceptions.py"));
        assert!(stop.get("breakpoints").is_none(), "{run}");
    }
    assert_eq!(printed(&run), ["5"], "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), "caught too big: 5\ndone\n");
    assert_eq!(run.exit_code(), Some(0));
    assert_eq!(run.code, Some(0));
}
// debugpy's own behaviour; pdb's differs on purpose, see tests/pdb_backend.rs.
on_backends!(catch_raised_stops_where_a_caught_exception_is_raised: debugpy);

fn catch_uncaught_stops_before_the_program_dies(backend: &str) {
    let run = debug(backend, "bp_exceptions.py", &["crash"], &[], &["catch uncaught", "print n", "stack", "continue"]);
    assert_eq!(
        run.stop_lines(),
        vec![(RISKY_RAISE, "exception".to_string())],
        "the caught ValueError does not stop\n{run}"
    );
    let stop = run.stops()[0];
    assert_eq!(stop["text"], "ValueError", "{run}");
    assert_eq!(stop["description"], "too big: 7", "{run}");
    assert_eq!(printed(&run), ["7"], "{run}");
    let frames = run.stack_functions_and_lines();
    assert_eq!(frames[..2], [(json!("risky"), json!(RISKY_RAISE)), (json!("main"), json!(MAIN_CRASH_CALL))], "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), "caught too big: 5\n");
    assert!(run.output("stderr").contains("ValueError: too big: 7"), "{run}");
    assert_eq!(run.exit_code(), Some(1), "{run}");
    assert_eq!(run.code, Some(1));
}
on_backends!(catch_uncaught_stops_before_the_program_dies);

// Without `catch`, post-mortem is the default (`uncaught`), and `catch none` turns it off: both in
// tests/post_mortem.rs.

// ----- 10. --break -----

fn break_flag_works_like_the_break_command(backend: &str) {
    let run = debug(
        backend,
        "bp_loop.py",
        &[],
        &["--break", &format!("{} if i > 3", at("bp_loop.py", MAIN_BODY)), "--break", &at("bp_loop.py", MAIN_PRINT)],
        &["print i"],
    );
    assert_eq!(
        run.lines[0],
        json!({
            "type": "result", "command": "break",
            "breakpoint": {
                "id": 1, "verified": true, "enabled": true, "temporary": false, "hits": 0,
                "file": path_of("bp_loop.py"), "line": MAIN_BODY, "condition": "i > 3",
            },
        }),
        "--break results come first\n{run}"
    );
    assert_eq!(breakpoint_of(&run, "break", 1)["line"], MAIN_PRINT);
    assert_eq!(
        run.stop_lines(),
        vec![
            (MAIN_BODY, "breakpoint".to_string()),
            (MAIN_BODY, "breakpoint".to_string()),
            (MAIN_PRINT, "breakpoint".to_string()),
        ],
        "{run}"
    );
    assert_eq!(stop_breakpoints(&run), vec![json!([1]), json!([1]), json!([2])]);
    assert_eq!(printed(&run), ["4"], "{run}");
    assert!(run.errors().is_empty(), "{run}");
    assert_loop_finished(&run);
}
on_backends!(break_flag_works_like_the_break_command);

#[test]
fn malformed_break_flag_fails_before_anything_starts() {
    let file = path_of("bp_loop.py");
    let cases = [
        (format!("{file}:abc"), "bad breakpoint location"),
        (format!("{file}:{MAIN_BODY} when i > 3"), "unexpected \"when i > 3\" after the location"),
        (format!("{file}:{MAIN_BODY} hits > 2"), "bad hit condition \"> 2\""),
        (format!("{file}:0"), "lines start at 1"),
        (String::new(), "`break` needs a location"),
    ];
    for (spec, message) in cases {
        let run = Loupe::batch(["--break", spec.as_str(), file.as_str()]).run();
        assert_eq!(run.code, Some(125), "loupe's own failure code for {spec:?}\n{run}");
        assert!(run.lines.is_empty(), "nothing started for {spec:?}\n{run}");
        let expected_start = format!("loupe: error: --break {spec:?}: ");
        assert!(run.stderr.starts_with(&expected_start), "{spec:?}\n{run}");
        assert!(run.stderr.contains(message), "{spec:?} should say {message:?}\n{run}");
    }
}

// ----- 11. launch.json -----

const LAUNCH_JSON: &str = r#"{
    // VS Code's launch file: comments and trailing commas are allowed.
    "version": "0.2.0",
    "configurations": [
        {
            "name": "Decoy",
            "type": "debugpy",
            "request": "launch",
            "program": "${workspaceFolder}/missing.py",
        },
        /* the configuration under test */
        {
            "name": "BP App",
            "type": "debugpy",
            "request": "launch",
            "program": "${workspaceFolder}/app.py",
            "args": ["--mode", "fast", "two words",],
            "env": {"BP_GREETING": "hello from launch.json",},
            "cwd": "${workspaceFolder}/rundir",
            "stopOnEntry": true,
        },
    ],
}
"#;

#[test]
fn launch_json_configuration_runs_with_its_settings() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path().canonicalize().expect("canonical temp dir");
    std::fs::create_dir_all(root.join(".vscode")).unwrap();
    std::fs::create_dir_all(root.join("rundir")).unwrap();
    std::fs::write(root.join(".vscode/launch.json"), LAUNCH_JSON).unwrap();
    std::fs::copy(program("bp_launch.py"), root.join("app.py")).unwrap();

    let run =
        Loupe::batch(["--config", "BP App", "-ex", &format!("until {LAUNCH_PRINT_ARGS}"), "-ex", "print greeting"])
            .cwd(&root)
            .run();
    let app = root.join("app.py").display().to_string();
    assert_eq!(
        run.stop_lines(),
        vec![(LAUNCH_FIRST, "entry".to_string()), (LAUNCH_PRINT_ARGS, "step".to_string())],
        "stopOnEntry stops before the first line\n{run}"
    );
    assert!(run.stops().iter().all(|s| s["file"] == app.as_str()), "{run}");
    assert_eq!(printed(&run), ["'hello from launch.json'"], "{run}");
    assert!(run.errors().is_empty(), "{run}");
    let rundir = root.join("rundir");
    assert_eq!(
        run.output("stdout"),
        format!("args ['--mode', 'fast', 'two words']\ngreeting hello from launch.json\ncwd {}\n", rundir.display()),
        "{run}"
    );
    assert_eq!(run.exit_code(), Some(0));
    assert_eq!(run.code, Some(0));
}

// ----- 12. breakpoints in an imported module -----

fn breakpoints_in_an_imported_module(backend: &str) {
    let run = debug(
        backend,
        "bp_uses_helper.py",
        &[],
        &["--break", &format!("{} if value == 2", at("bp_helper.py", HELPER_SCALED))],
        &[
            "print value",
            "stack",
            // A bare file name is looked up next to the program.
            &format!("break bp_helper.py:{HELPER_RETURN}"),
            "continue",
            "print scaled",
        ],
    );
    let helper = path_of("bp_helper.py");
    assert_eq!(breakpoint_of(&run, "break", 0)["file"], helper.as_str(), "{run}");
    assert_eq!(breakpoint_of(&run, "break", 0)["verified"], true, "{run}");
    assert_eq!(
        breakpoint_of(&run, "break", 1),
        json!({
            "id": 2, "verified": true, "enabled": true, "temporary": false, "hits": 0,
            "file": helper, "line": HELPER_RETURN,
        }),
        "{run}"
    );
    assert_eq!(
        run.stop_lines(),
        vec![
            (HELPER_SCALED, "breakpoint".to_string()),
            (HELPER_RETURN, "breakpoint".to_string()),
            (HELPER_RETURN, "breakpoint".to_string()),
        ],
        "{run}"
    );
    assert!(run.stops().iter().all(|s| s["file"] == helper.as_str() && s["function"] == "scale"), "{run}");
    assert_eq!(stop_breakpoints(&run), vec![json!([1]), json!([2]), json!([2])]);
    assert_eq!(printed(&run), ["2", "20"], "{run}");
    let frames = run.result("stack")["frames"].as_array().unwrap().clone();
    assert_eq!(frames[1]["file"], path_of("bp_uses_helper.py"));
    assert_eq!(frames[1]["line"], USES_CALL);
    assert!(run.errors().is_empty(), "{run}");
    assert_eq!(run.output("stdout"), "scaled 10\nscaled 20\nscaled 30\n");
    assert_eq!(run.exit_code(), Some(0));
    assert_eq!(run.code, Some(0));
}
on_backends!(breakpoints_in_an_imported_module);
