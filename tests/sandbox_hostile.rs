//! Hostile programs under the default sandbox policy, each through the real `loupe exec --json`
//! binary inside an outer guard (cgroup + timeout, see `sandbox_support`). Every test checks that
//! the program was contained, that loupe survived and reported why, and that nothing it started
//! is left. Where this machine lacks the mechanism a test relies on, it says so loudly on stderr
//! instead of passing silently.
//!
//! Only the wall-clock and CPU limits are lowered for the tests that would otherwise wait for the
//! default (60 s): the mechanism is the same.

mod sandbox_support;

use std::time::Duration;

use sandbox_support::{check, enforced, exec_json, hostile, loupe, missing};
use serde_json::Value;

fn workdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("loupe-hostile-").tempdir().unwrap()
}

fn assert_contained(run: &sandbox_support::Run, json: &Value) {
    assert_eq!(run.leftover, 0, "processes outlived loupe:\n{}", run.describe());
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    assert_eq!(json["enforced"]["level"], "standard", "{}", run.describe());
}

#[test]
fn fork_bomb_hits_the_process_limit() {
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("fork_bomb.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    if json["enforced"]["limits"]["max_procs"].is_null() {
        missing("process limit (no pids cgroup; RLIMIT_NPROC does nothing for root)");
        return;
    }
    assert_eq!(json["limit_hit"], "processes", "{}", run.describe());
    assert_eq!(json["exit_code"], 3, "{}", run.describe());
    assert!(json["stdout"].as_str().unwrap().contains("fork refused"), "{}", run.describe());
}

#[test]
fn memory_balloon_hits_the_memory_limit() {
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("memory_balloon.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    assert_eq!(json["limit_hit"], "memory", "{}", run.describe());
    let how = json["enforced"]["limits"]["how"].to_string();
    if how.contains("cgroup v") {
        // The memory cgroup's OOM killer ends the run.
        assert_eq!(json["signal"], "SIGKILL", "{}", run.describe());
    } else {
        missing("memory cgroup: only RLIMIT_AS (per process) limits memory here");
        assert!(json["stderr"].as_str().unwrap().contains("MemoryError"), "{}", run.describe());
    }
    // 512 MB by default: the balloon never got much past it.
    assert!(json["max_rss_kb"].as_u64().unwrap() < 600 * 1024, "{}", run.describe());
}

#[test]
fn cpu_spin_hits_the_cpu_limit() {
    let dir = workdir();
    let (run, json) = exec_json(&["--cpu", "1", hostile("cpu_spin.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    assert_eq!(json["limit_hit"], "cpu", "{}", run.describe());
    assert_eq!(json["signal"], "SIGXCPU", "{}", run.describe());
    assert_eq!(json["exit_code"], Value::Null);
    assert_eq!(run.code, Some(128 + 24), "loupe mirrors a signal death as 128 + signal:\n{}", run.describe());
}

#[test]
fn sleeping_forever_hits_the_wall_clock_limit() {
    let dir = workdir();
    let (run, json) = exec_json(&["--timeout", "1", hostile("sleep_forever.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    assert_eq!(json["limit_hit"], "timeout", "{}", run.describe());
    assert_eq!(json["signal"], "SIGKILL", "{}", run.describe());
    assert_eq!(json["stdout"], "sleeping\n");
}

#[test]
fn a_gigabyte_of_output_is_cut_at_the_output_limit() {
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("output_flood.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    assert_eq!(json["limit_hit"], "output", "{}", run.describe());
    assert_eq!(json["stdout"].as_str().unwrap().len(), 16 * 1024 * 1024, "exactly --max-output (16 MB) is kept");
    assert!(json["stderr"].as_str().unwrap().contains("output cut at 16 MB"), "the cut is said");
    assert!(!json["stderr"].as_str().unwrap().contains("wrote 1 GB"), "the program was stopped");
}

#[test]
fn writing_outside_the_working_directory_is_refused() {
    let dir = workdir();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped.txt");
    let (run, json) =
        exec_json(&[hostile("write_outside.py").to_str().unwrap(), target.to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    if !enforced(&json["enforced"], "filesystem") {
        return;
    }
    assert!(!target.exists(), "the file was written:\n{}", run.describe());
    assert_eq!(json["exit_code"], 1);
    assert!(
        json["stderr"].as_str().unwrap().contains("PermissionError: [Errno 13] Permission denied"),
        "{}",
        run.describe()
    );
    // The working directory itself is writable.
    let inside = dir.path().join("inside.txt");
    let (run, json) =
        exec_json(&[hostile("write_outside.py").to_str().unwrap(), inside.to_str().unwrap()], dir.path(), &[]);
    assert_eq!(json["exit_code"], 0, "{}", run.describe());
    assert_eq!(std::fs::read_to_string(inside).unwrap(), "escaped");
}

/// A home directory with a secret, like `~/.ssh/id_rsa`.
fn home_with_secret() -> (tempfile::TempDir, std::path::PathBuf) {
    let home = tempfile::Builder::new().prefix("loupe-test-home-").tempdir().unwrap();
    std::fs::create_dir(home.path().join(".ssh")).unwrap();
    let secret = home.path().join(".ssh/id_rsa");
    std::fs::write(&secret, "TOP-SECRET-KEY").unwrap();
    (home, secret)
}

#[test]
fn a_secret_in_the_home_directory_cannot_be_read() {
    let dir = workdir();
    let (home, secret) = home_with_secret();
    let home_str = home.path().to_str().unwrap();
    let (run, json) = exec_json(
        &[hostile("read_secret.py").to_str().unwrap(), secret.to_str().unwrap()],
        dir.path(),
        &[("HOME", home_str), ("AWS_SECRET_ACCESS_KEY", "leaked-token")],
    );
    assert_contained(&run, &json);
    let stdout = json["stdout"].as_str().unwrap();
    assert!(!stdout.contains("TOP-SECRET-KEY"), "{}", run.describe());
    // $HOME is private to the run, not the user's.
    assert!(!stdout.contains(&format!("HOME is {home_str}")), "{}", run.describe());
    if enforced(&json["enforced"], "filesystem") {
        assert!(stdout.contains(&format!("refused {} PermissionError 13", secret.display())), "{}", run.describe());
    }
    // Environment variables outside the allowlist do not reach the program.
    let (run, json) = exec_json(
        &["-c", "import os; print(os.environ.get('AWS_SECRET_ACCESS_KEY'))"],
        dir.path(),
        &[("AWS_SECRET_ACCESS_KEY", "leaked-token")],
    );
    assert_eq!(json["stdout"], "None\n", "{}", run.describe());
}

/// A script directly in the home directory (`~/try.py`): the home is never granted, so the
/// script alone is made readable. It runs; what is beside it (a module, the secret) stays hidden,
/// and loupe says so, with what to do, before the program fails on it.
#[test]
fn a_script_directly_in_the_home_directory_runs_alone_and_loupe_says_why() {
    let dir = workdir();
    let (home, secret) = home_with_secret();
    let script = home.path().join("try.py");
    std::fs::write(
        &script,
        "import sys\nprint('running', __file__)\nfor path in sys.argv[1:]:\n    try:\n        open(path).read()\n        \
         print('read', path)\n    except PermissionError:\n        print('refused', path)\n",
    )
    .unwrap();
    let neighbour = home.path().join("helper.py");
    std::fs::write(&neighbour, "X = 1\n").unwrap();
    let env = [("HOME", home.path().to_str().unwrap())];
    let args = [script.to_str().unwrap(), neighbour.to_str().unwrap(), secret.to_str().unwrap()];
    let (run, json) = exec_json(&args, dir.path(), &env);
    assert_contained(&run, &json);
    assert_eq!(json["exit_code"], 0, "{}", run.describe());
    let stdout = json["stdout"].as_str().unwrap();
    assert!(stdout.starts_with(&format!("running {}\n", script.display())), "{}", run.describe());
    if !enforced(&json["enforced"], "filesystem") {
        return;
    }
    for hidden in [&neighbour, &secret] {
        assert!(stdout.contains(&format!("refused {}\n", hidden.display())), "{}", run.describe());
    }
    let notes = json["enforced"]["notes"].as_array().unwrap_or_else(|| panic!("no notes: {}", run.describe()));
    assert_eq!(notes.len(), 1, "{}", run.describe());
    let note = notes[0].as_str().unwrap();
    assert!(note.starts_with("try.py is directly in the home directory") && note.contains("--allow-read"), "{note}");
    assert!(json["enforced"]["filesystem"]["detail"].as_str().unwrap().contains("try.py alone"), "{json}");

    // Without --json the note is on stderr, before the program's own output.
    let run = loupe(&["exec", script.to_str().unwrap()], dir.path(), &env, None, None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stderr.starts_with("loupe: note: try.py is directly in the home directory"), "{}", run.describe());

    // A script in a project directory under the home gets no such note.
    let project = home.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(&script, project.join("try.py")).unwrap();
    let (run, json) = exec_json(&[project.join("try.py").to_str().unwrap()], dir.path(), &env);
    assert_eq!(json["exit_code"], 0, "{}", run.describe());
    assert!(json["enforced"].get("notes").is_none(), "{}", run.describe());
}

#[test]
fn tcp_and_udp_do_not_leave_the_sandbox() {
    let dir = workdir();
    let host = sandbox_support::HostListeners::new();
    let (tcp_port, udp_port) = host.ports();
    let (run, json) = exec_json(&[hostile("net_connect.py").to_str().unwrap(), &tcp_port, &udp_port], dir.path(), &[]);
    assert_contained(&run, &json);
    if !enforced(&json["enforced"], "network") {
        return;
    }
    host.assert_untouched(&run, &json);
}

#[test]
fn a_shell_started_by_the_program_is_confined_too() {
    let dir = workdir();
    let (_home, secret) = home_with_secret();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped.txt");
    let (run, json) = exec_json(
        &[hostile("spawn_shell.py").to_str().unwrap(), secret.to_str().unwrap(), target.to_str().unwrap()],
        dir.path(),
        &[],
    );
    assert_contained(&run, &json);
    let stdout = json["stdout"].as_str().unwrap();
    assert!(stdout.contains("shell-ran"), "the shell itself may run: {}", run.describe());
    if !enforced(&json["enforced"], "filesystem") {
        return;
    }
    assert!(!stdout.contains("TOP-SECRET") && !stdout.contains("SHELL-READ"), "{}", run.describe());
    assert!(!stdout.contains("SHELL-WROTE") && !target.exists(), "{}", run.describe());
    assert!(json["stderr"].as_str().unwrap().contains("Permission denied"), "{}", run.describe());
}

#[test]
fn kill_minus_one_only_reaches_the_sandbox() {
    // WE MAY BE ROOT: kill(-1) outside a PID namespace would end the whole session. Confirm the
    // namespace first, from loupe's own report.
    let report = check();
    if report["enforced"]["process_tree"]["enforced"] != Value::Bool(true)
        || !report["enforced"]["process_tree"]["detail"].as_str().unwrap_or("").contains("PID namespace")
    {
        missing("PID namespace: the kill(-1) program is NOT run (it would signal every process of this user)");
        return;
    }
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("kill_everything.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    assert!(json["enforced"]["process_tree"]["detail"].as_str().unwrap().contains("PID namespace"));
    // The program's own helper died; the program, loupe and this test did not.
    assert_eq!(json["stdout"], "still alive; helper ended by signal 9\n", "{}", run.describe());
    assert_eq!(json["exit_code"], 0);
}

#[test]
fn setsid_and_a_double_fork_do_not_escape() {
    let dir = workdir();
    let heartbeat = dir.path().join("heartbeat");
    let (run, json) =
        exec_json(&[hostile("double_fork.py").to_str().unwrap(), heartbeat.to_str().unwrap()], dir.path(), &[]);
    assert_eq!(json["stdout"], "daemon started\n", "{}", run.describe());
    assert_eq!(run.leftover, 0, "the daemon outlived loupe:\n{}", run.describe());
    if json["enforced"]["process_tree"]["enforced"] != Value::Bool(true) {
        missing("process tree: no PID namespace or cgroup");
        return;
    }
    let before = std::fs::read_to_string(&heartbeat).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let after = std::fs::read_to_string(&heartbeat).unwrap();
    assert_eq!(before, after, "the daemon is still writing its heartbeat");
}

#[test]
fn ptrace_of_the_parent_is_denied() {
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("ptrace_parent.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    if !enforced(&json["enforced"], "syscalls") {
        return;
    }
    assert!(json["enforced"]["syscalls"]["detail"].as_str().unwrap().contains("ptrace"));
    assert_eq!(json["stdout"], "ptrace -1 errno 1\nprocess_vm_readv -1 errno 1\n", "{}", run.describe());
}

#[test]
fn tiocsti_into_the_terminal_is_denied() {
    // A real terminal on the program's stdin: the test's own pseudo-terminal.
    let mut master = 0;
    let mut slave = 0;
    let opened =
        unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(opened, 0, "openpty failed");
    let slave = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(slave) };
    let _master = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(master) };
    let dir = workdir();
    let python = sandbox_support::python();
    let run = sandbox_support::loupe(
        &["exec", "--json", "--python", python.to_str().unwrap(), hostile("tiocsti.py").to_str().unwrap()],
        dir.path(),
        &[],
        Some(std::process::Stdio::from(slave)),
        None,
    );
    let json = run.json();
    assert_contained(&run, &json);
    assert!(json["stdout"].as_str().unwrap().contains("stdin is a tty: True"), "{}", run.describe());
    if !enforced(&json["enforced"], "syscalls") {
        return;
    }
    assert!(json["stdout"].as_str().unwrap().contains("tiocsti refused PermissionError 1"), "{}", run.describe());
    assert!(!json["stdout"].as_str().unwrap().contains("INJECTED\n"), "{}", run.describe());
}

#[test]
fn setuid_and_friends_are_denied() {
    let dir = workdir();
    let (run, json) = exec_json(&[hostile("setuid.py").to_str().unwrap()], dir.path(), &[]);
    assert_contained(&run, &json);
    if !enforced(&json["enforced"], "syscalls") {
        return;
    }
    assert_eq!(
        json["stdout"],
        "setuid refused 1\nsetgid refused 1\nsetgroups refused 1\nsetresuid refused 1\n",
        "{}",
        run.describe()
    );
}

/// An interpreter reached through the user's own `~/bin/python` (a symlink or wrapper there):
/// the sandbox grants its installation, which must not become the whole home directory.
#[test]
fn an_interpreter_in_home_bin_does_not_open_the_home_directory() {
    let dir = workdir();
    let (home, secret) = home_with_secret();
    std::fs::create_dir(home.path().join("bin")).unwrap();
    let link = home.path().join("bin/python");
    std::os::unix::fs::symlink(sandbox_support::python(), &link).unwrap();
    let run = sandbox_support::loupe(
        &[
            "exec",
            "--json",
            "--python",
            link.to_str().unwrap(),
            hostile("read_secret.py").to_str().unwrap(),
            secret.to_str().unwrap(),
        ],
        dir.path(),
        &[("HOME", home.path().to_str().unwrap())],
        None,
        None,
    );
    let json = run.json();
    assert_contained(&run, &json);
    let stdout = json["stdout"].as_str().unwrap();
    assert!(!stdout.contains("TOP-SECRET-KEY"), "{}", run.describe());
    if enforced(&json["enforced"], "filesystem") {
        assert!(stdout.contains(&format!("refused {} PermissionError 13", secret.display())), "{}", run.describe());
    }
}

/// Run from a directory that holds the home directory (`/home`, say): the working directory is
/// normally readable and writable, but granting this one would open the home directory with it.
#[test]
fn a_working_directory_that_holds_the_home_directory_does_not_open_it() {
    let dir = workdir();
    let home = dir.path().join("alice");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    let secret = home.join(".ssh/id_rsa");
    std::fs::write(&secret, "TOP-SECRET-KEY").unwrap();
    let (run, json) = exec_json(
        &[hostile("read_secret.py").to_str().unwrap(), secret.to_str().unwrap()],
        dir.path(),
        &[("HOME", home.to_str().unwrap())],
    );
    assert_contained(&run, &json);
    let stdout = json["stdout"].as_str().unwrap();
    assert!(!stdout.contains("TOP-SECRET-KEY"), "{}", run.describe());
    if enforced(&json["enforced"], "filesystem") {
        assert!(stdout.contains(&format!("refused {} PermissionError 13", secret.display())), "{}", run.describe());
        // Nor is the directory itself writable.
        let (run, json) = exec_json(
            &[hostile("write_outside.py").to_str().unwrap(), dir.path().join("dropped.txt").to_str().unwrap()],
            dir.path(),
            &[("HOME", home.to_str().unwrap())],
        );
        assert_eq!(json["exit_code"], 1, "{}", run.describe());
        assert!(!dir.path().join("dropped.txt").exists(), "{}", run.describe());
    }
}
