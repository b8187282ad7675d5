//! Return-value pseudo-rows in Locals (pydevd's `(return) NAME`, pdb's `__return__`) show at the
//! stop their step produced, and go at a later stop or in another frame instead of staying with
//! a stale value.

mod common;

use common::{program, Loupe, Run};

// bp_loop.py: main's loop body calls square(i).
const SQUARE_RETURN: i64 = 7; //   return result
const MAIN_FOR: i64 = 12; //       for i in range(n):
const MAIN_BODY: i64 = 15; //      total += square(i)

fn run(backend: &str, commands: &[&str]) -> Run {
    let file = program("bp_loop.py").display().to_string();
    let mut args = vec!["-ex".to_string(), format!("break {file}:{MAIN_BODY}")];
    for c in commands {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push("-ex".into());
    args.push("quit".into());
    args.push(file);
    Loupe::batch_on(backend, args).run()
}

/// The names in each `locals` result, in order.
fn locals_names(run: &Run) -> Vec<Vec<String>> {
    run.results("locals")
        .iter()
        .map(|r| r["variables"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()).collect())
        .collect()
}

#[test]
fn debugpy_return_rows_go_at_the_next_breakpoint_and_in_outer_frames() {
    // next over square(0): fresh; continue to the breakpoint: stale; step into square, up: stale.
    let run = run("debugpy", &["next", "locals", "continue", "locals", "step", "up", "locals"]);
    let stops = run.stop_lines();
    assert_eq!(stops[1], (MAIN_FOR, "step".to_string()), "{run}");
    let names = locals_names(&run);
    assert_eq!(names.len(), 3, "{run}");
    assert!(names[0].contains(&"(return) square".to_string()), "fresh after the step\n{run}");
    assert!(!names[1].iter().any(|n| n.starts_with("(return)")), "stale at a breakpoint\n{run}");
    assert!(!names[2].iter().any(|n| n.starts_with("(return)")), "stale in an outer frame\n{run}");
    assert!(names[2].contains(&"total".to_string()), "{run}");
    assert!(run.errors().is_empty(), "{run}");
}

#[test]
fn pdb_return_value_shows_at_the_return_stop() {
    let run = run("pdb", &["step", "step", "step", "step", "locals", "up", "locals"]);
    assert_eq!(run.stop_lines().last().unwrap(), &(SQUARE_RETURN, "step".to_string()), "{run}");
    let names = locals_names(&run);
    assert!(names[0].contains(&"__return__".to_string()), "{run}");
    assert!(!names[1].contains(&"__return__".to_string()), "{run}");
    assert!(run.errors().is_empty(), "{run}");
}

#[test]
fn debugpy_each_step_shows_only_what_it_returned() {
    // two_returns.py: main runs `a = f()` (13), `b = g()` (14), `c = a + b` (15).
    let file = program("two_returns.py").display().to_string();
    let mut args = vec!["-ex".to_string(), format!("break {file}:13")];
    for c in ["next", "locals", "next", "locals", "next", "locals", "quit"] {
        args.extend(["-ex".to_string(), c.to_string()]);
    }
    args.push(file);
    let run = Loupe::batch_on("debugpy", args).run();
    let returns: Vec<Vec<String>> = locals_names(&run)
        .into_iter()
        .map(|names| names.into_iter().filter(|n| n.starts_with("(return)")).collect())
        .collect();
    assert_eq!(
        returns,
        [vec!["(return) f".to_string()], vec!["(return) g".to_string()], vec![]],
        "a step shows the return values of its own calls only\n{run}"
    );
    assert!(run.errors().is_empty(), "{run}");
}
