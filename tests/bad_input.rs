//! Bad input and hostile conditions: missing or broken scripts, interpreters that are not Python,
//! no debugpy, attach targets that are absent or mute, adapters that die or speak garbage,
//! debuggees killed by signals, bad batch commands, and a program reading stdin.
//!
//! Every failure must be a clear message (loupe's own failures: `loupe: error: ...` and exit
//! 125), never a panic and never a hang. The hang guard in `common` turns a hang into a failure;
//! nothing here measures time.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{program, python, Loupe, Run};

/// loupe's exit status for its own failures.
const LOUPE_FAILED: i32 = 125;

/// No panic, no backtrace hint, whatever happened.
fn assert_no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"), "loupe panicked:\n{run}");
}

/// A failure of loupe itself: exit 125, `loupe: error: ` on stderr, and every fragment in it.
fn assert_loupe_error(run: &Run, fragments: &[&str]) {
    assert_no_panic(run);
    assert_eq!(run.code, Some(LOUPE_FAILED), "expected loupe's failure status 125:\n{run}");
    assert!(run.stderr.contains("loupe: error: "), "no `loupe: error:` line:\n{run}");
    for fragment in fragments {
        assert!(run.stderr.contains(fragment), "stderr does not mention {fragment:?}:\n{run}");
    }
}

/// The 1-based line of the first line of `file` containing `marker`.
fn line_of(file: &Path, marker: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    text.lines().position(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker:?} in {}", file.display())) + 1
}

/// `"message"` fields of the problem events.
fn problems(run: &Run) -> Vec<String> {
    run.events("problem").iter().filter_map(|e| e["message"].as_str()).map(str::to_string).collect()
}

fn error_for<'a>(run: &'a Run, command: &str) -> &'a serde_json::Value {
    run.errors()
        .into_iter()
        .find(|e| e["command"] == command)
        .unwrap_or_else(|| panic!("no error line for `{command}`:\n{run}"))
}

// ----- the script -----

#[test]
fn missing_script_is_named_and_nothing_starts() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("does_not_exist.py");
    let run = Loupe::batch([&missing]).run();
    assert_loupe_error(&run, &[missing.to_str().unwrap(), "not found"]);
    assert!(run.lines.is_empty(), "nothing should have run:\n{run}");

    // A directory is not a script either.
    let run = Loupe::batch([dir.path()]).run();
    assert_loupe_error(&run, &[dir.path().to_str().unwrap(), "directory"]);
    assert!(run.lines.is_empty(), "nothing should have run:\n{run}");
}

#[test]
fn syntax_error_is_reported_with_file_line_and_message_before_running() {
    let script = program("bad_syntax.py");
    let run = Loupe::batch([&script]).run();
    let location = format!("{}:5", script.display());
    assert_loupe_error(&run, &[&location, "SyntaxError", "invalid syntax"]);
    // The offending source line is quoted.
    assert!(run.stderr.contains("if x = 2:"), "the source line is not quoted:\n{run}");
    assert!(run.lines.is_empty(), "the program must not have started:\n{run}");
    assert!(!run.stdout.contains("never runs"), "{run}");
}

// ----- the interpreter -----

#[test]
fn nonexistent_interpreter_is_a_clear_error() {
    let run =
        Loupe::new(["run", "--batch", "--python", "/nonexistent/python", program("bad_exit.py").to_str().unwrap()])
            .run();
    assert_loupe_error(&run, &["/nonexistent/python", "does not exist"]);
    assert!(run.lines.is_empty(), "{run}");
}

#[test]
fn interpreter_that_is_not_python_is_a_clear_error() {
    let run = Loupe::new(["run", "--batch", "--python", "/bin/true", program("bad_exit.py").to_str().unwrap()]).run();
    assert_loupe_error(&run, &["/bin/true", "not a Python interpreter"]);
    assert!(run.lines.is_empty(), "{run}");
}

// ----- debugpy missing -----

/// A fresh virtual environment in `dir/venv` (made from the test interpreter, so the debugpy wheel
/// in LOUPE_TEST_WHEELS fits it); it cannot import debugpy.
fn fresh_venv(dir: &Path, with_pip: bool) -> PathBuf {
    let venv = dir.join("venv");
    let mut command = Command::new(python());
    command.args(["-m", "venv"]);
    if !with_pip {
        command.arg("--without-pip");
    }
    let output = command.arg(&venv).output().expect("run python -m venv");
    assert!(output.status.success(), "python -m venv failed: {output:?}");
    let interpreter = venv.join("bin/python");
    assert!(!imports_debugpy(&interpreter), "a fresh venv should not have debugpy");
    interpreter
}

fn imports_debugpy(interpreter: &Path) -> bool {
    Command::new(interpreter)
        .args(["-c", "import debugpy"])
        .env_remove("PYTHONPATH")
        .stderr(Stdio::null())
        .status()
        .expect("run the venv's python")
        .success()
}

fn test_wheels() -> PathBuf {
    let wheels = std::env::var_os("LOUPE_TEST_WHEELS")
        .filter(|w| !w.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join(".venv-test/wheels"));
    let has_wheel = std::fs::read_dir(&wheels)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("debugpy-")))
        .unwrap_or(false);
    assert!(
        has_wheel,
        "no debugpy wheel in {}: run `scripts/setup-test-env.sh` or set LOUPE_TEST_WHEELS",
        wheels.display()
    );
    wheels
}

#[test]
fn debugpy_that_cannot_be_installed_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = fresh_venv(dir.path(), true);
    let no_wheels = dir.path().join("no-wheels");
    let cache = dir.path().join("cache");
    std::fs::create_dir_all(&no_wheels).unwrap();

    let run = Loupe::new([
        "run",
        "--batch",
        "--python",
        venv_python.to_str().unwrap(),
        program("bad_exit.py").to_str().unwrap(),
    ])
    .env("PIP_NO_INDEX", "1")
    .env("PIP_FIND_LINKS", &no_wheels)
    .env("XDG_CACHE_HOME", &cache)
    .run();
    assert_loupe_error(&run, &["debugpy", "pip install debugpy", venv_python.to_str().unwrap()]);
    assert!(run.lines.is_empty(), "nothing should have run:\n{run}");
    // The failed install leaves no half-made copy behind to be trusted next time.
    let leftovers: Vec<_> = std::fs::read_dir(cache.join("loupe/debugpy"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "the failed install left {leftovers:?} in the cache");
}

#[test]
fn interpreter_without_pip_says_how_to_get_debugpy() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = fresh_venv(dir.path(), false);
    let run = Loupe::new([
        "run",
        "--batch",
        "--python",
        venv_python.to_str().unwrap(),
        program("bad_exit.py").to_str().unwrap(),
    ])
    .env("PIP_NO_INDEX", "1")
    .env("XDG_CACHE_HOME", dir.path().join("cache"))
    .run();
    assert_loupe_error(&run, &["no pip", "ensurepip", "debugpy", venv_python.to_str().unwrap()]);
    assert!(run.lines.is_empty(), "{run}");
}

#[test]
fn debugpy_is_installed_into_the_cache_and_the_session_works() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = fresh_venv(dir.path(), true);
    let wheels = test_wheels();
    let cache = dir.path().join("cache");
    let script = program("bad_exit.py");
    let line = line_of(&script, "print(");
    let start = |commands: &[&str]| {
        let mut args: Vec<String> =
            vec!["run".into(), "--batch".into(), "--python".into(), venv_python.display().to_string()];
        args.push("--break".into());
        args.push(format!("{}:{line}", script.display()));
        for c in commands {
            args.push("-ex".into());
            args.push(c.to_string());
        }
        args.push(script.display().to_string());
        Loupe::new(args).env("PIP_NO_INDEX", "1").env("PIP_FIND_LINKS", &wheels).env("XDG_CACHE_HOME", &cache).run()
    };

    let run = start(&["print 6 * 7"]);
    assert_no_panic(&run);
    assert!(
        run.stderr.contains("loupe: debugpy is not installed") && run.stderr.contains("installing it into"),
        "no progress line saying what is being installed:\n{run}"
    );
    assert!(run.stderr.contains("Successfully installed debugpy"), "pip's own output is not shown:\n{run}");
    assert!(run.stderr.contains("is ready in"), "no line saying the install finished:\n{run}");
    assert_eq!(run.stop_lines(), vec![(line as i64, "breakpoint".to_string())], "{run}");
    assert_eq!(run.result("print")["value"], "42", "{run}");
    assert_eq!(run.exit_code(), Some(3), "{run}");
    assert_eq!(run.code, Some(3), "the debuggee's status passes through:\n{run}");
    // Into loupe's cache, not the user's environment.
    assert!(cache.join("loupe/debugpy").read_dir().map(|mut d| d.next().is_some()).unwrap_or(false), "{run}");
    assert!(!imports_debugpy(&venv_python), "loupe installed debugpy into the user's venv");

    // The second time, the cached copy is used without installing again.
    let run = start(&[]);
    assert_no_panic(&run);
    assert!(!run.stderr.contains("installing"), "installed again:\n{run}");
    assert_eq!(run.stop_lines().len(), 1, "{run}");
    assert_eq!(run.code, Some(3), "{run}");
}

// ----- attach -----

#[test]
fn attach_with_nothing_listening_says_how_to_start_debugpy() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let address = format!("127.0.0.1:{port}");
    let run = Loupe::new(["attach", "--batch", &address]).run();
    assert_loupe_error(&run, &["nothing is listening", &address, "python -m debugpy --listen"]);
    assert!(run.lines.is_empty(), "{run}");
}

#[test]
fn attach_to_a_malformed_address_is_a_clear_error() {
    for address in ["nonsense:port", "127.0.0.1:99999", "127.0.0.1:0", ":5678"] {
        let run = Loupe::new(["attach", "--batch", address]).run();
        assert_loupe_error(&run, &["bad address", address, "HOST:PORT"]);
        assert!(run.lines.is_empty(), "{address}: {run}");
    }
}

/// A port that accepts connections (the kernel completes them) but never reads or answers:
/// loupe's `initialize` gets no answer, and loupe must give up (after its 30 s request timeout)
/// rather than wait forever.
#[test]
fn attach_to_a_mute_listener_gives_up_with_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let run = Loupe::new(["attach", "--batch", &address]).run();
    drop(listener);
    assert_loupe_error(&run, &[&address, "initialize", "no answer"]);
    assert!(run.lines.is_empty(), "{run}");
}

/// `bad_fake_adapter.py MODE`, listening on a free port; killed when dropped.
struct FakeAdapter {
    child: Child,
    address: String,
}

impl FakeAdapter {
    fn start(mode: &str) -> FakeAdapter {
        let mut child = Command::new(python())
            .arg(program("bad_fake_adapter.py"))
            .arg(mode)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the fake adapter");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("read the fake adapter's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| panic!("the fake adapter printed {line:?}, not a port"));
        FakeAdapter { child, address: format!("127.0.0.1:{port}") }
    }

    fn attach(&self) -> Run {
        Loupe::new(["attach", "--batch", &self.address]).run()
    }
}

impl Drop for FakeAdapter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message loupe cannot use (not JSON, JSON that is not DAP, over the 64 MiB limit) is dropped
/// and reported as a problem; the session goes on until the fake adapter hangs up, which is
/// reported too, and loupe exits 125.
#[test]
fn unusable_dap_messages_are_reported_and_skipped() {
    let cases: [(&str, &[&str]); 3] = [
        ("not-json", &["not valid JSON", "this is {not JSON"]),
        ("not-dap", &["dropped a DAP message", r#"{"hello": "world"}"#]),
        ("oversized", &["dropped a 67108865-byte DAP message", "limit"]),
    ];
    for (mode, fragments) in cases {
        let fake = FakeAdapter::start(mode);
        let run = fake.attach();
        assert_loupe_error(&run, &["ended unexpectedly"]);
        let problems = problems(&run);
        assert!(
            problems.iter().any(|p| fragments.iter().all(|f| p.contains(f))),
            "{mode}: no problem event mentioning {fragments:?}:\n{run}"
        );
        assert!(
            problems.iter().any(|p| p.contains("ended unexpectedly")),
            "{mode}: the lost connection is not reported as a problem:\n{run}"
        );
    }
}

/// A stream that cannot be framed as DAP any more ends the connection with the reason.
#[test]
fn garbage_dap_headers_end_the_session_with_the_reason() {
    let cases = [
        ("http", "malformed DAP header"),
        ("no-length", "without Content-Length"),
        ("bad-length", "Content-Length is not a number"),
        ("long-header", "header line too long"),
        ("binary", "not UTF-8"),
        ("oversized-eof", "oversized DAP message"),
    ];
    for (mode, fragment) in cases {
        let fake = FakeAdapter::start(mode);
        let run = fake.attach();
        assert_loupe_error(&run, &[fragment, &fake.address]);
        assert!(run.lines.iter().all(|l| l["type"] != "result"), "{mode}: {run}");
    }
}

/// An adapter that answers `initialize` and then neither sends `initialized` nor answers
/// `attach` must not keep loupe waiting forever.
#[test]
fn adapter_silent_after_initialize_does_not_hang_loupe() {
    let fake = FakeAdapter::start("silent-after-initialize");
    let run = fake.attach();
    assert_loupe_error(&run, &["attach", &fake.address]);
}

// ----- the adapter dies -----

fn kill_adapter_run(extra: &[&str], program_args: &[&str]) -> Run {
    let script = program("bad_kill_adapter.py");
    let line = line_of(&script, "# STOP");
    // The program kills loupe's adapter to simulate its death: the sandbox exists to prevent
    // exactly that (the adapter is outside the program's PID namespace), so it is off here.
    let mut args: Vec<String> =
        vec!["--sandbox".into(), "off".into(), "--break".into(), format!("{}:{line}", script.display())];
    for c in extra {
        args.push("-ex".into());
        args.push(c.to_string());
    }
    args.push(script.display().to_string());
    args.extend(program_args.iter().map(|a| a.to_string()));
    let run = Loupe::batch(args).run();
    assert_eq!(
        run.stop_lines().first(),
        Some(&(line as i64, "breakpoint".to_string())),
        "the program did not stop at its breakpoint first:\n{run}"
    );
    run
}

fn assert_adapter_death_reported(run: &Run) {
    assert_loupe_error(run, &["debug adapter"]);
    assert!(
        problems(run).iter().any(|p| p.contains("debug adapter")),
        "no problem event says the debug adapter went away:\n{run}"
    );
}

#[test]
fn adapter_killed_while_the_program_runs_is_reported() {
    let run = kill_adapter_run(&[], &["kill-while-running"]);
    assert_adapter_death_reported(&run);
}

#[test]
fn adapter_killed_during_a_command_is_reported() {
    let run = kill_adapter_run(&["print kill_adapter()"], &[]);
    // The command that was in flight fails and says why.
    let print = error_for(&run, "print");
    assert!(print["message"].as_str().unwrap_or("").contains("debug adapter"), "{run}");
    assert_adapter_death_reported(&run);
}

// ----- the debuggee's end -----

#[test]
fn debuggee_killed_by_a_signal_reports_the_signal() {
    for (signal, code) in [("KILL", 137), ("TERM", 143)] {
        let run = Loupe::batch([program("bad_signal.py").to_str().unwrap(), signal]).run();
        assert_no_panic(&run);
        let exited = run.events("exited");
        assert_eq!(exited.len(), 1, "{run}");
        assert_eq!(exited[0]["exit_code"], code, "{run}");
        assert_eq!(exited[0]["signal"], format!("SIG{signal}"), "{run}");
        assert_eq!(run.code, Some(code), "{run}");
    }
}

#[test]
fn nonzero_exit_status_passes_through() {
    let run = Loupe::batch([program("bad_exit.py")]).run();
    assert_no_panic(&run);
    assert_eq!(run.exit_code(), Some(3), "{run}");
    assert!(run.events("exited")[0].get("signal").is_none(), "exit 3 is not a signal:\n{run}");
    assert_eq!(run.code, Some(3), "{run}");
    assert!(run.errors().is_empty(), "{run}");
}

// ----- bad commands -----

#[test]
fn bad_commands_are_reported_and_the_program_still_runs_to_its_end() {
    let script = program("bad_commands.py");
    let line = line_of(&script, "result = n * 2") as i64;
    let run = Loupe::batch([
        "--break",
        &format!("{}:{line}", script.display()),
        "-ex",
        "frobnicate",
        "-ex",
        "break nofile.py:3",
        "-ex",
        "break nofile",
        "-ex",
        "until 0",
        "-ex",
        "frame 99",
        "-ex",
        "print 1/0",
        "-ex",
        "print n",
        script.to_str().unwrap(),
    ])
    .run();
    assert_no_panic(&run);

    let m = |command: &str| error_for(&run, command)["message"].as_str().unwrap_or("").to_string();
    assert!(m("frobnicate").contains("unknown command `frobnicate`"), "{run}");
    assert!(m("until").contains("line number"), "{run}");
    assert!(m("frame").contains("no frame 99"), "{run}");
    assert!(m("print").contains("ZeroDivisionError"), "{run}");
    // A breakpoint in a file that does not exist is refused with the reason, not kept unverified.
    let missing = run
        .errors()
        .into_iter()
        .find(|e| e["command"] == "break")
        .unwrap_or_else(|| panic!("no error for `break nofile.py:3`:\n{run}"));
    assert!(missing["message"].as_str().unwrap_or("").contains("no such file"), "{run}");
    assert_eq!(run.errors().len(), 5, "unexpected error lines:\n{run}");
    let breaks = run.results("break");
    assert!(
        !breaks.iter().any(|b| b["breakpoint"]["file"].as_str().is_some_and(|f| f.ends_with("nofile.py"))),
        "{run}"
    );
    // `break nofile` (no colon) is a function breakpoint; no such function ever runs.
    assert!(breaks.iter().any(|b| b["breakpoint"]["function"] == "nofile"), "{run}");

    // The session survived every bad command: a good one works, and the program runs to its end.
    assert_eq!(run.result("print")["value"], "1", "{run}");
    assert_eq!(run.stop_lines(), vec![(line, "breakpoint".into()), (line, "breakpoint".into())], "{run}");
    assert_eq!(run.exit_code(), Some(5), "{run}");
    assert_eq!(run.code, Some(5), "{run}");
}

#[test]
fn commands_after_the_program_ended_are_refused() {
    let run = Loupe::batch(["-ex", "continue", "-ex", "print 1", program("bad_exit.py").to_str().unwrap()]).run();
    assert_no_panic(&run);
    assert!(error_for(&run, "print")["message"].as_str().unwrap_or("").contains("ended"), "{run}");
    assert_eq!(run.code, Some(3), "{run}");
}

// ----- stdin -----

#[test]
fn program_reads_a_line_from_loupes_stdin_pipe() {
    let state = tempfile::tempdir().unwrap();
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    writer.write_all(b"hello from the pipe\n").unwrap();
    drop(writer);
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command
        .args(["run", "--batch", "--python"])
        .arg(python())
        .arg(program("bad_stdin.py"))
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", common::repo().join("target/test-cache"))
        .env_remove("LOUPE_LOG")
        .stdin(reader)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let run = common::run_guarded(&mut command);
    assert_no_panic(&run);
    assert_eq!(run.exit_code(), Some(7), "the program did not get the line:\n{run}");
    assert_eq!(run.code, Some(7), "{run}");
    assert!(run.output("stdout").contains("got 'hello from the pipe'"), "{run}");
}

/// `loupe exec --json ... | head -c 20`: the reader closes the pipe before loupe prints its
/// result. loupe ends quietly with the status a shell shows for SIGPIPE (as `cat` would), after
/// its clean-up, instead of a panic and a backtrace.
#[test]
fn a_reader_that_closes_stdout_early_ends_loupe_quietly() {
    let python = python();
    let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["exec", "--json", "--python", python.to_str().unwrap(), "-c", "print('x' * 100000)"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting loupe");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waiting for loupe");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "loupe panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(128 + libc::SIGPIPE), "stderr:\n{stderr}");
    assert!(stderr.is_empty(), "nothing to say about a reader that left:\n{stderr}");
}

/// `loupe exec prog.py | head -1`: once the reader has gone, the program finds its own output
/// closed, as it would without loupe, instead of running on (its output thrown away) until the
/// output limit or the timeout stops it; loupe ends with the program's exit code.
#[test]
fn a_program_whose_reader_left_ends_as_it_would_without_loupe() {
    use std::io::Read;
    let python = python();
    let python = python.to_str().unwrap();
    let program = "while True: print('x')";
    let bare = [python, "-c", program];
    let loupe = [env!("CARGO_BIN_EXE_loupe"), "exec", "--timeout", "120", "--python", python, "-c", program];
    let mut codes = Vec::new();
    for argv in [&bare[..], &loupe[..]] {
        let mut child = Command::new(argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", argv[0]));
        let mut first = [0u8; 2];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        assert_eq!(&first, b"x\n");
        // The read end is dropped here: the reader has gone.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("still running a minute after its reader left");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(stderr.contains("BrokenPipeError"), "stderr:\n{stderr}");
        assert!(!stderr.contains("output cut"), "the output limit stopped it:\n{stderr}");
        codes.push(status.code());
    }
    assert_eq!(codes[1], codes[0], "loupe's exit code is not the program's (bare Python's first)");
}

/// `loupe exec … 2>&1 | head -1` and then a limit: loupe's own message about it goes to the
/// closed pipe. It is lost; loupe must not panic over it (exit 101) but end as the program did.
#[test]
fn a_closed_standard_error_loses_loupes_notes_without_a_panic() {
    use std::io::Read;
    let python = python();
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("a pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["exec", "--timeout", "2", "--python", python.to_str().unwrap(), "-c"])
        .arg("import time; print('x', flush=True); time.sleep(60)")
        .stdin(Stdio::null())
        .stdout(Stdio::from(write.try_clone().unwrap()))
        .stderr(Stdio::from(write))
        .spawn()
        .expect("starting loupe");
    let mut reader = std::fs::File::from(read);
    let mut first = [0u8; 2];
    reader.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"x\n");
    drop(reader);
    let status = child.wait().expect("waiting for loupe");
    assert_ne!(status.code(), Some(101), "loupe panicked");
    assert_eq!(status.code(), Some(128 + libc::SIGKILL), "the timeout ends the program with SIGKILL: {status:?}");
}
