//! The debugger core against real debugpy (and, for what every backend shares, real pdb and ipdb:
//! each such scenario is one test per backend, `NAME::debugpy`, `NAME::pdb`, `NAME::ipdb`), through
//! batch mode: stepping, run to line, jump,
//! evaluation, setting variables, watches, threads, child processes, huge values, restart,
//! stop on entry, modules, stdin, and attaching with path mappings.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{program, python, Loupe, Run};

// step_demo.py
const ADD_DEF: i64 = 1; //       def add(a, b):
const ADD_TOTAL: i64 = 2; //     total = a + b
const ADD_RETURN: i64 = 3; //    return total
const MAIN_X: i64 = 7; //        x = 1
const MAIN_Y: i64 = 8; //        y = add(x, 2)
const MAIN_Z: i64 = 9; //        z = y * 10
const MAIN_PRINT: i64 = 10; //   print("z", z)

fn step_demo(backend: &str, commands: &[&str], extra: &[&str]) -> Run {
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    for c in commands {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push(program("step_demo.py").display().to_string());
    Loupe::batch_on(backend, args).run()
}

fn value_of<'a>(run: &'a Run, command: &str, index: usize) -> &'a str {
    run.results(command)[index]["value"].as_str().unwrap_or_else(|| panic!("no value in {command} result\n{run}"))
}

fn steps_into_over_and_out(backend: &str) {
    let bp = format!("step_demo.py:{MAIN_Y}");
    let run =
        step_demo(backend, &["step", "next", "finish", "next"], &["--break", &program(&bp).display().to_string()]);
    let expected: Vec<(i64, String)> = if backend == "debugpy" {
        vec![
            (MAIN_Y, "breakpoint".into()),
            (ADD_TOTAL, "step".into()),
            (ADD_RETURN, "step".into()),
            (MAIN_Y, "step".into()),
            (MAIN_Z, "step".into()),
        ]
    } else {
        // pdb's own stepping, which its users know: `step` stops at the call (the `def` line,
        // pdb's --Call--), `return` at the function's return (--Return--), and the next line in
        // the caller is the one after the call.
        vec![
            (MAIN_Y, "breakpoint".into()),
            (ADD_DEF, "step".into()),
            (ADD_TOTAL, "step".into()),
            (ADD_RETURN, "step".into()),
            (MAIN_Z, "step".into()),
        ]
    };
    assert_eq!(run.stop_lines(), expected, "{run}");
    let functions: Vec<&str> = run.stops().iter().map(|s| s["function"].as_str().unwrap()).collect();
    let expected = if backend == "debugpy" {
        ["main", "add", "add", "main", "main"]
    } else {
        ["main", "add", "add", "add", "main"]
    };
    assert_eq!(functions, expected);
    assert!(run.stops().iter().all(|s| s["file"] == program("step_demo.py").display().to_string()));
    assert_eq!(run.output("stdout"), "z 30\n");
    assert_eq!(run.exit_code(), Some(0));
    assert_eq!(run.code, Some(0));
}
on_backends!(steps_into_over_and_out);

fn until_runs_to_a_line_and_jump_sets_the_next_statement(backend: &str) {
    let run = step_demo(
        backend,
        &[&format!("until {MAIN_PRINT}"), "print z", &format!("jump {MAIN_Z}"), "set y = 5", "next", "print z"],
        &["--break", &format!("{}:{MAIN_X}", program("step_demo.py").display())],
    );
    assert_eq!(
        run.stop_lines(),
        vec![
            (MAIN_X, "breakpoint".into()),
            (MAIN_PRINT, "step".into()),
            (MAIN_Z, "goto".into()),
            (MAIN_PRINT, "step".into()),
        ],
        "{run}"
    );
    assert_eq!(value_of(&run, "print", 0), "30");
    assert_eq!(run.result("set")["value"], "5");
    assert_eq!(value_of(&run, "print", 1), "50");
    assert_eq!(run.output("stdout"), "z 50\n");
    assert!(run.errors().is_empty(), "{run}");
}
on_backends!(until_runs_to_a_line_and_jump_sets_the_next_statement);

fn evaluates_expressions_and_reports_failures_as_errors(backend: &str) {
    let run = step_demo(
        backend,
        &["print x + 41", "print {'a': [1, 2]}", "print undefined_name", "print 1/0", "print x"],
        &["--break", &format!("{}:{MAIN_Z}", program("step_demo.py").display())],
    );
    let prints = run.results("print");
    assert_eq!(prints[0]["value"], "42");
    assert_eq!(prints[0]["value_type"], "int");
    assert_eq!(prints[1]["value"], "{'a': [1, 2]}");
    assert_eq!(prints[1]["value_type"], "dict");
    assert_eq!(prints[2]["value"], "1", "evaluation goes on after errors\n{run}");
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{run}");
    assert!(errors[0]["message"].as_str().unwrap().contains("NameError"), "{run}");
    assert!(errors[1]["message"].as_str().unwrap().contains("ZeroDivisionError"), "{run}");
    assert!(errors.iter().all(|e| e["command"] == "print"));
    assert_eq!(run.exit_code(), Some(0));
}
on_backends!(evaluates_expressions_and_reports_failures_as_errors);

fn locals_globals_frames_and_watches(backend: &str) {
    let run = step_demo(
        backend,
        &["watch total * 2", "locals", "up", "locals", "globals", "down", "stack", "next"],
        &["--break", &format!("{}:{ADD_RETURN}", program("step_demo.py").display())],
    );
    let locals = run.results("locals");
    assert_eq!(Run::local(locals[0], "a").unwrap()["value"], "1");
    assert_eq!(Run::local(locals[0], "total").unwrap()["value"], "3");
    assert_eq!(Run::local(locals[0], "total").unwrap()["type"], "int");
    assert_eq!(Run::local(locals[1], "x").unwrap()["value"], "1", "`up` selects main's frame\n{run}");
    assert!(Run::local(locals[1], "total").is_none());
    let globals = run.result("globals");
    assert!(Run::local(globals, "add").is_some() && Run::local(globals, "main").is_some(), "{run}");
    assert!(
        globals["variables"].as_array().unwrap().iter().all(|v| !v["name"].as_str().unwrap().ends_with(" variables")),
        "debugpy's grouping nodes are not listed\n{run}"
    );
    assert_eq!(run.result("up")["frame"]["function"], "main");
    assert_eq!(run.result("down")["frame"]["function"], "add");
    let frames = run.result("stack")["frames"].as_array().unwrap().clone();
    let names: Vec<&str> = frames.iter().map(|f| f["function"].as_str().unwrap()).collect();
    assert_eq!(names, ["add", "main", "<module>"]);
    let watches = run.results("watch");
    assert_eq!(watches[0]["value"], "6");
    // After `next` the watch is evaluated again at the new stop (back in main: `total` is gone).
    assert!(watches.len() + run.errors().len() >= 2, "{run}");
}
on_backends!(locals_globals_frames_and_watches);

fn stop_on_entry_then_restart_runs_the_program_again(backend: &str) {
    // The first `continue` starts the held program, which stops on entry.
    let run = step_demo(
        backend,
        &["continue", "continue", "restart", "continue"],
        &["--stop-on-entry", "--break", &format!("{}:{MAIN_Z}", program("step_demo.py").display())],
    );
    let stops = run.stop_lines();
    assert_eq!(stops[0].1, "entry", "{run}");
    assert_eq!(stops[1], (MAIN_Z, "breakpoint".into()), "{run}");
    // After restart: entry again, then the breakpoint again (breakpoints survive a restart).
    assert_eq!(stops[2].1, "entry", "{run}");
    assert_eq!(stops[3], (MAIN_Z, "breakpoint".into()), "{run}");
    assert_eq!(stops.len(), 4, "{run}");
    assert_eq!(run.output("stdout"), "z 30\n", "the first run was ended by the restart\n{run}");
    assert_eq!(run.code, Some(0));
}
on_backends!(stop_on_entry_then_restart_runs_the_program_again);

#[test]
fn threads_are_listed_and_selectable() {
    // threads_demo.py line 14: results[name] = total  (in the worker)
    let file = program("threads_demo.py");
    let run = Loupe::batch([
        "--break".to_string(),
        format!("{}:14", file.display()),
        "-ex".into(),
        "threads".into(),
        "-ex".into(),
        "print name".into(),
        file.display().to_string(),
    ])
    .run();
    let threads = run.result("threads")["threads"].as_array().unwrap().clone();
    let names: Vec<&str> = threads.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"MainThread"), "{run}");
    assert!(names.iter().any(|n| n.starts_with("worker-")), "{run}");
    let stops = run.stops();
    // A known pydevd race (debugpy 1.8.22), rare and only under heavy load: a thread still
    // starting when pydevd updates its thread table is dropped from it, and its breakpoints are
    // never reported; pydevd says so on stderr. The program's barrier makes it unlikely; when it
    // happens anyway the one stop is still checked, and the test says what it saw.
    let pydevd_dropped_a_thread = run.output("stderr").contains("thread._ident is None in _get_related_thread");
    if pydevd_dropped_a_thread && stops.len() == 1 {
        eprintln!("NOTE: pydevd dropped a starting thread (its own log says so): one worker stopped, not two\n{run}");
    } else {
        assert_eq!(stops.len(), 2, "each worker stops once\n{run}");
        assert_ne!(stops[0]["thread"], stops[1]["thread"]);
    }
    assert!(run.result("print")["value"].as_str().unwrap().starts_with("'w"), "{run}");
    assert_eq!(run.output("stdout"), "[('w0', 45), ('w1', 55)]\n");
}

#[test]
fn child_processes_get_their_own_session() {
    // child_demo.py line 4: square = n * n
    let run = Loupe::batch([
        "--break".to_string(),
        format!("{}:4", program("child_demo.py").display()),
        "-ex".into(),
        "print n".into(),
        "-ex".into(),
        "threads".into(),
        program("parent_demo.py").display().to_string(),
    ])
    .run();
    let stop = run.stops()[0];
    assert_eq!(stop["file"], program("child_demo.py").display().to_string(), "{run}");
    assert_eq!(stop["line"], 4);
    assert_eq!(run.result("print")["value"], "7");
    let children: Vec<_> = run.events("process").into_iter().filter(|p| p["child"] == true).collect();
    assert_eq!(children.len(), 1, "{run}");
    let threads = run.result("threads")["threads"].as_array().unwrap().clone();
    assert!(threads.iter().any(|t| t["name"].as_str().unwrap().contains("child process")), "{run}");
    assert!(run.output("stdout").contains("child computed 49\n"));
    assert!(run.output("stdout").contains("child said 7\n"));
    assert_eq!(run.exit_code(), Some(0));
}

fn huge_values_are_capped(backend: &str) {
    // huge_demo.py line 5: print(len(big_string), len(big_list))
    let file = program("huge_demo.py");
    let run = Loupe::batch_on(
        backend,
        [
            "--break".to_string(),
            format!("{}:5", file.display()),
            "-ex".into(),
            "locals".into(),
            "-ex".into(),
            "print big_string".into(),
            "-ex".into(),
            "print small".into(),
            file.display().to_string(),
        ],
    )
    .run();
    let locals = run.result("locals");
    for name in ["big_string", "big_list"] {
        let v = Run::local(locals, name).unwrap_or_else(|| panic!("{name} missing\n{run}"));
        assert!(v["value"].as_str().unwrap().chars().count() <= 1000, "{name} is capped");
    }
    // debugpy shortens container reprs itself; the 5 MB string arrives long and loupe cuts it.
    assert_eq!(Run::local(locals, "big_string").unwrap()["truncated"], true, "the cut is reported");
    assert_eq!(Run::local(locals, "small").unwrap()["value"], "42");
    let printed = run.results("print");
    assert!(printed[0]["value"].as_str().unwrap().starts_with("'xxxx"));
    assert!(printed[0]["value"].as_str().unwrap().chars().count() <= 1000);
    assert_eq!(printed[0]["truncated"], true);
    assert_eq!(printed[1]["value"], "42");
    assert_eq!(run.output("stdout"), "5000000 1000000\n");
}
on_backends!(huge_values_are_capped);

fn runs_a_module_with_arguments(backend: &str) {
    // pkg_demo/util.py line 2: result = n * 2
    let run = Loupe::batch_on(
        backend,
        [
            "--break".to_string(),
            format!("{}:2", program("pkg_demo/util.py").display()),
            "-ex".into(),
            "print n".into(),
            "-m".into(),
            "pkg_demo".into(),
            "21".into(),
        ],
    )
    .cwd(&program(""))
    .run();
    assert_eq!(run.result("print")["value"], "21", "{run}");
    assert_eq!(run.output("stdout"), "doubled 42\n");
    assert_eq!(run.code, Some(0));
}
on_backends!(runs_a_module_with_arguments);

/// input_demo.py: 1 name = input("name? "), 2 print("hello", name).
fn the_program_reads_loupes_stdin(backend: &str) {
    let program = program("input_demo.py").display().to_string();
    // As the program runs; then typed at once while the program is stopped at a breakpoint before
    // input() (the pdb backend must hold it back from pdb's prompt until the program reads).
    let breakpoint = format!("{program}:1");
    for extra in [vec![], vec!["--break", breakpoint.as_str(), "-ex", "continue"]] {
        let mut args = extra.clone();
        args.push(&program);
        let run = Loupe::batch_on(backend, args).stdin(b"ada\n").run();
        // debugpy reports each write the program makes as its own output event: `output` joins them.
        assert!(run.output("stdout").contains("hello ada"), "{run}");
        assert_eq!(run.code, Some(0), "{run}");
    }
}
on_backends!(the_program_reads_loupes_stdin);

/// A debugpy server that stands for a container: the program lives in another directory.
struct RemoteProgram {
    child: std::process::Child,
    stdout: BufReader<std::process::ChildStdout>,
    port: u16,
    _dir: tempfile::TempDir,
    remote_root: std::path::PathBuf,
}

impl RemoteProgram {
    fn start(script: &str) -> RemoteProgram {
        let dir = tempfile::tempdir().unwrap();
        let remote_root = dir.path().join("app");
        std::fs::create_dir(&remote_root).unwrap();
        std::fs::copy(program(script), remote_root.join(script)).unwrap();
        let mut child = Command::new(python())
            .arg(program("attach_server.py"))
            .arg(remote_root.join(script))
            .env("PYDEVD_DISABLE_FILE_VALIDATION", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| panic!("attach server printed {line:?}"));
        RemoteProgram { child, stdout, port, _dir: dir, remote_root }
    }

    /// Waits for the program to end on its own; returns its exit code and the rest of its stdout.
    fn finish(mut self) -> (Option<i32>, String) {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), rest)
    }
}

impl Drop for RemoteProgram {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn attach_with_path_mappings_maps_both_ways() {
    let remote = RemoteProgram::start("step_demo.py");
    let local_root = program("");
    let run = Loupe::new([
        "attach".to_string(),
        "--batch".into(),
        format!("127.0.0.1:{}", remote.port),
        "--path-map".into(),
        format!("{}={}", local_root.display(), remote.remote_root.display()),
        "--break".into(),
        format!("{}:{MAIN_Z}", program("step_demo.py").display()),
        "-ex".into(),
        "print y".into(),
        "-ex".into(),
        "stack".into(),
    ])
    .run();
    let stop = run.stops()[0];
    assert_eq!(stop["file"], program("step_demo.py").display().to_string(), "frames come back as local paths\n{run}");
    assert_eq!(stop["line"], MAIN_Z);
    assert_eq!(run.result("print")["value"], "3");
    let frames = run.result("stack")["frames"].as_array().unwrap().clone();
    assert_eq!(frames[1]["file"], program("step_demo.py").display().to_string());
    assert_eq!(run.code, Some(0), "{run}");
    assert!(!run.stderr.contains("warning"), "no warning for loopback\n{run}");
}

#[test]
fn attach_without_path_mappings_never_hits() {
    // The debugpy behaviour the mappings exist for: a local path the remote never runs.
    let remote = RemoteProgram::start("step_demo.py");
    let run = Loupe::new([
        "attach".to_string(),
        "--batch".into(),
        format!("127.0.0.1:{}", remote.port),
        "--break".into(),
        format!("{}:{MAIN_Z}", program("step_demo.py").display()),
    ])
    .run();
    assert!(run.stops().is_empty(), "{run}");
    assert_eq!(run.code, Some(0), "{run}");
}

fn pause_interrupts_a_busy_program_and_set_lets_it_finish(backend: &str) {
    // busy_demo.py spins in `while keep_going:` (lines 5-6) until keep_going is false.
    let file = program("busy_demo.py");
    let file = file.display().to_string();
    let tbreak = format!("tbreak {file}:6");
    let run = Loupe::batch_on(
        backend,
        [
            "-ex",
            &tbreak,
            "-ex",
            "continue",
            "-ex",
            "pause",
            "-ex",
            "set keep_going = False",
            "-ex",
            "print spins > 0",
            &file,
        ],
    )
    .run();
    let stops = run.stops();
    assert_eq!(stops.len(), 2, "{run}");
    assert_eq!(stops[0]["reason"], "breakpoint");
    assert_eq!(stops[1]["reason"], "pause");
    assert!([5, 6].contains(&stops[1]["line"].as_i64().unwrap()), "{run}");
    assert_eq!(run.result("set")["value"], "False");
    assert_eq!(run.result("print")["value"], "True");
    assert_eq!(run.output("stdout"), "stopped after spinning\n");
    assert_eq!(run.code, Some(4), "loupe exits with the program's code\n{run}");
}
on_backends!(pause_interrupts_a_busy_program_and_set_lets_it_finish);

fn a_step_onto_a_breakpoint_waiting_for_a_later_hit_is_still_a_step(backend: &str) {
    let file = program("step_demo.py").display().to_string();
    let run = step_demo(
        backend,
        &[&format!("break {file}:{MAIN_Z} hits == 2"), "next", "print y"],
        &["--break", &format!("{file}:{MAIN_Y}")],
    );
    assert_eq!(run.stop_lines(), vec![(MAIN_Y, "breakpoint".into()), (MAIN_Z, "step".into())], "{run}");
    assert_eq!(run.result("print")["value"], "3");
    assert_eq!(run.output("stdout"), "z 30\n");
}
on_backends!(a_step_onto_a_breakpoint_waiting_for_a_later_hit_is_still_a_step);

#[test]
fn quit_detaches_from_an_attached_program_which_runs_on() {
    let remote = RemoteProgram::start("step_demo.py");
    let run = Loupe::new([
        "attach".to_string(),
        "--batch".into(),
        format!("127.0.0.1:{}", remote.port),
        "--path-map".into(),
        format!("{}={}", program("").display(), remote.remote_root.display()),
        "--break".into(),
        format!("{}:{MAIN_Y}", program("step_demo.py").display()),
        "-ex".into(),
        "continue".into(),
        "-ex".into(),
        "quit".into(),
    ])
    .run();
    assert_eq!(run.stop_lines(), vec![(MAIN_Y, "breakpoint".into())], "{run}");
    assert_eq!(run.code, Some(0), "{run}");
    // The program was left running, without breakpoints, and finished by itself.
    let (code, stdout) = remote.finish();
    assert_eq!(code, Some(0));
    assert_eq!(stdout, "z 30\n");
}

#[test]
fn attach_stops_post_mortem_by_default_and_continue_lets_the_program_die() {
    // pm_keyerror.py: lookup(table, "b") raises KeyError: 'B' at line 3, uncaught.
    let remote = RemoteProgram::start("pm_keyerror.py");
    let run = Loupe::new([
        "attach".to_string(),
        "--batch".into(),
        format!("127.0.0.1:{}", remote.port),
        "-ex".into(),
        "print wanted".into(),
        "-ex".into(),
        "continue".into(),
    ])
    .run();
    let stops = run.stops();
    assert_eq!(stops.len(), 1, "{run}");
    assert_eq!(stops[0]["reason"], "exception", "{run}");
    assert_eq!(stops[0]["function"], "lookup", "{run}");
    assert_eq!(stops[0]["line"], 3, "{run}");
    assert_eq!(run.result("print")["value"], "'B'", "the raising frame's locals\n{run}");
    let (code, stdout) = remote.finish();
    assert_eq!(code, Some(1), "continuing lets the exception end the program");
    assert_eq!(stdout, "found 1\n");
}

/// `json.dumps`'s file and the line of its first statement, from the test interpreter itself.
fn json_dumps_location() -> (String, i64) {
    let out = Command::new(python())
        .args([
            "-c",
            "import inspect, json; lines, start = inspect.getsourcelines(json.dumps); \
             body = next(i for i, l in enumerate(lines) if l.strip().startswith('if ')); \
             print(json.__file__); print(start + body)",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    (lines.next().unwrap().to_string(), lines.next().unwrap().parse().unwrap())
}

#[test]
fn library_code_is_skipped_unless_all_code_is_asked_for() {
    let (file, line) = json_dumps_location();
    let spec = format!("{file}:{line}");
    let program_path = program("library_demo.py").display().to_string();
    let just_my_code = Loupe::batch(["--break", &spec, &program_path]).run();
    assert!(just_my_code.stops().is_empty(), "library breakpoints are ignored by default\n{just_my_code}");
    // debugpy's notice says why, and loupe's way out (not launch.json's).
    let message = just_my_code.result("break")["breakpoint"]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains("excluded") && message.contains("--all-code"), "{message:?}\n{just_my_code}");
    assert!(!message.contains("Try setting"), "{message:?}");
    assert_eq!(just_my_code.output("stdout"), "{\"a\": 1}\n");

    let all_code = Loupe::batch(["--all-code", "--break", &spec, "-ex", "print obj", &program_path]).run();
    // The program's call stops first (debugpy's own later calls of json.dumps may stop too).
    assert_eq!(all_code.stop_lines()[0], (line, "breakpoint".into()), "{all_code}");
    assert_eq!(all_code.stops()[0]["function"], "dumps");
    assert_eq!(all_code.result("print")["value"], "{'a': 1}");
}
