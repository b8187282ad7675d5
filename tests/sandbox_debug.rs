//! Debugging under the default sandbox, with the network off: a breakpoint session on each
//! backend (debugpy: adapter and program in one network namespace, a child process attached
//! through loupe's connection from inside that namespace; pdb and ipdb: the PTY and the bridge's
//! Unix socket).

mod common;

use common::{program, Loupe};

#[test]
fn a_breakpoint_session_works_on_every_backend_with_the_network_off() {
    let script = program("hostile/debug_offline.py");
    let line = std::fs::read_to_string(&script).unwrap().lines().position(|l| l.contains("# STOP")).unwrap() + 1;
    for backend in ["debugpy", "pdb", "ipdb"] {
        let run = Loupe::batch_on(
            backend,
            [
                "--break".to_string(),
                format!("{}:{line}", script.display()),
                "-ex".into(),
                "print network".into(),
                "-ex".into(),
                "continue".into(),
                script.display().to_string(),
            ],
        )
        .run();
        assert_eq!(run.stop_lines().first(), Some(&(line as i64, "breakpoint".to_string())), "{backend}:\n{run}");
        let printed = run.result("print");
        assert_eq!(printed["value"], "'off errno 101'", "{backend}: the network is off in the debuggee:\n{run}");
        let all_output = format!("{}{}", run.output("stdout"), run.stdout);
        assert!(all_output.contains("child ran"), "{backend}: the child process ran:\n{run}");
        assert!(all_output.contains("done 42"), "{backend}:\n{run}");
        assert_eq!(run.exit_code(), Some(0), "{backend}:\n{run}");
    }
}
