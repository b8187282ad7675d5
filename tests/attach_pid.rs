//! `loupe attach --pid N`: debugpy injected into a running Python process (with gdb), then the
//! same session as any attach: pause, the stack, and the program left running when loupe quits.
//! `.ci/run` installs gdb; the test needs ptrace of its own child, which root has.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{python, Loupe};

/// The process under test; killed (it alone, by its pid) when the test ends.
struct Target(Child);

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn attach_by_pid_pauses_a_running_program_and_leaves_it_running() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("loop.py");
    std::fs::write(&program, "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(0.01)\n").unwrap();
    let mut target =
        Target(Command::new(python()).arg(&program).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    // Let it reach its loop (gdb attaches to whatever it is doing; the loop is what we look for).
    std::thread::sleep(Duration::from_millis(500));
    let pid = target.0.id().to_string();
    let run = Loupe::new([
        "attach",
        "--batch",
        "--pid",
        &pid,
        "-ex",
        "pause",
        "-ex",
        "stack",
        "-ex",
        "print n > 0",
        "-ex",
        "quit",
    ])
    .run();
    assert_eq!(run.code, Some(0), "{run}");
    let stack = run.result("stack");
    let frames = stack["frames"].as_array().unwrap_or_else(|| panic!("no frames:\n{run}"));
    assert!(frames.iter().any(|f| f["file"].as_str().is_some_and(|p| p.ends_with("loop.py"))), "{run}");
    assert_eq!(run.result("print")["value"], "True", "{run}");
    // Quitting an attached session detaches: the program goes on.
    std::thread::sleep(Duration::from_millis(300));
    assert!(target.0.try_wait().unwrap().is_none(), "the program ended when loupe quit:\n{run}");
}

#[test]
fn attach_by_pid_to_a_missing_process_says_so() {
    let run = Loupe::new(["attach", "--batch", "--pid", "999999999"]).run();
    assert_ne!(run.code, Some(0), "{run}");
    assert!(run.stderr.contains("999999999"), "{run}");
}
