//! The sandbox for a normal user: CI runs as root, so these tests drop privileges themselves
//! (`setpriv`, see `sandbox_support::nobody`) and run the hostile programs, and a breakpoint
//! session on debugpy and pdb, as that user. Without CAP_SYS_ADMIN loupe gets its namespaces
//! from a user namespace of the run's own: the same confinement as root's runs, apart from the
//! cgroup limits where no cgroup is delegated (RLIMIT_AS and RLIMIT_NPROC instead). A test is
//! skipped only where the kernel refuses that user a user namespace, and says so.

mod sandbox_support;

use std::time::Duration;

use sandbox_support::nobody::{Unprivileged, NOBODY};
use serde_json::Value;

fn assert_contained(run: &sandbox_support::Run, json: &Value) {
    assert_eq!(run.leftover, 0, "processes outlived loupe:\n{}", run.describe());
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    for mechanism in ["network", "process_tree", "filesystem", "syscalls"] {
        assert_eq!(json["enforced"][mechanism]["enforced"], true, "{mechanism}:\n{}", run.describe());
    }
}

#[test]
fn the_report_lists_nothing_missing_but_cgroup_limits_each_with_its_fix() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let report = user.check();
    assert_eq!(report["capabilities"]["admin"], false, "{report:#}");
    let enforced = &report["enforced"];
    for mechanism in ["network", "process_tree", "filesystem", "syscalls", "environment"] {
        assert_eq!(enforced[mechanism]["enforced"], true, "{mechanism}: {report:#}");
    }
    assert!(enforced["process_tree"]["detail"].as_str().unwrap().contains("PID namespace"), "{report:#}");
    assert!(enforced["filesystem"]["detail"].as_str().unwrap().contains("/etc/shadow"), "{report:#}");
    for missing in enforced["not_enforced"].as_array().unwrap() {
        let missing = missing.as_str().unwrap();
        assert!(missing.contains("cgroup"), "only cgroup limits may be missing: {missing}");
        assert!(missing.contains("fix:"), "each with its fix: {missing}");
    }
}

#[test]
fn tcp_and_udp_do_not_reach_the_host() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let host = sandbox_support::HostListeners::new();
    let (tcp_port, udp_port) = host.ports();
    let program = user.program("hostile/net_connect.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap(), &tcp_port, &udp_port]);
    assert_contained(&run, &json);
    host.assert_untouched(&run, &json);
}

#[test]
fn proc_shows_only_the_run_and_a_double_fork_dies_with_it() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let (run, json) =
        user.exec_json(&["-c", "import os; print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))"]);
    assert_contained(&run, &json);
    assert_eq!(json["stdout"], "[1, 2]\n", "{}", run.describe());

    let heartbeat = user.work.join("heartbeat");
    let program = user.program("hostile/double_fork.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap(), heartbeat.to_str().unwrap()]);
    assert_contained(&run, &json);
    assert_eq!(json["stdout"], "daemon started\n", "{}", run.describe());
    let before = std::fs::read_to_string(&heartbeat).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(before, std::fs::read_to_string(&heartbeat).unwrap(), "the daemon is still writing its heartbeat");
}

/// kill(-1) and a signal to another process of the same user. That process runs as the same
/// uid outside the sandbox: without a PID namespace kill(-1) would reach it (and every other
/// process of that user), so the namespace is confirmed from loupe's report first.
#[test]
fn the_user_s_other_processes_cannot_be_signalled() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let report = user.check();
    if !report["enforced"]["process_tree"]["detail"].as_str().unwrap_or("").contains("PID namespace") {
        panic!("no PID namespace for the unprivileged user, kill(-1) NOT run: {report:#}");
    }
    let mut victim = user.command("sleep").arg("60").spawn().unwrap();
    let code = format!(
        "import os, signal, subprocess\n\
         try:\n    os.kill({pid}, signal.SIGKILL); print('VICTIM SIGNALLED')\n\
         except OSError as e: print('victim refused', type(e).__name__)\n\
         helper = subprocess.Popen(['sleep', '30'])\n\
         os.kill(-1, signal.SIGKILL)\n\
         helper.wait()\n\
         print('still alive; helper ended by signal', -helper.returncode, flush=True)\n",
        pid = victim.id()
    );
    let (run, json) = user.exec_json(&["-c", &code]);
    let alive = victim.try_wait().unwrap().is_none();
    let _ = victim.kill();
    let _ = victim.wait();
    assert_contained(&run, &json);
    assert_eq!(
        json["stdout"],
        "victim refused ProcessLookupError\nstill alive; helper ended by signal 9\n",
        "{}",
        run.describe()
    );
    assert!(alive, "the user's other process was killed");
}

#[test]
fn memory_balloon_and_fork_bomb_are_stopped() {
    // Another uid than the other tests': RLIMIT_NPROC (the fallback without a pids cgroup)
    // counts every process of the user, and this one fills it.
    let Some(user) = Unprivileged::new(NOBODY - 1) else { return };
    let program = user.program("hostile/memory_balloon.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap()]);
    assert_contained(&run, &json);
    assert_eq!(json["limit_hit"], "memory", "{}", run.describe());

    let program = user.program("hostile/fork_bomb.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap()]);
    assert_contained(&run, &json);
    assert_eq!(json["exit_code"], 3, "{}", run.describe());
    assert!(json["stdout"].as_str().unwrap().contains("fork refused"), "{}", run.describe());
}

#[test]
fn secrets_in_the_home_directory_and_writes_outside_the_working_directory_are_refused() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let secret = user.home.join(".ssh/id_rsa");
    user.write(&secret, "TOP-SECRET-KEY");
    let program = user.program("hostile/read_secret.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap(), secret.to_str().unwrap()]);
    assert_contained(&run, &json);
    let stdout = json["stdout"].as_str().unwrap();
    assert!(!stdout.contains("TOP-SECRET-KEY"), "{}", run.describe());
    assert!(stdout.contains(&format!("refused {} PermissionError 13", secret.display())), "{}", run.describe());

    let target = user.outside.join("escaped.txt");
    let program = user.program("hostile/write_outside.py");
    let (run, json) = user.exec_json(&[program.to_str().unwrap(), target.to_str().unwrap()]);
    assert_contained(&run, &json);
    assert!(!target.exists(), "the file was written:\n{}", run.describe());
    assert!(json["stderr"].as_str().unwrap().contains("PermissionError: [Errno 13]"), "{}", run.describe());
}

/// A script directly in the normal user's home directory runs on its own (in the user-namespace
/// sandbox, as for root): it is readable, the secret beside it is not, and the report says why.
#[test]
fn a_script_directly_in_the_home_directory_runs_alone_as_a_normal_user() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let secret = user.home.join(".ssh/id_rsa");
    user.write(&secret, "TOP-SECRET-KEY");
    let script = user.home.join("try.py");
    user.write(
        &script,
        "import sys\ntry:\n    print(open(sys.argv[1]).read())\nexcept PermissionError:\n    print('refused')\n",
    );
    let (run, json) = user.exec_json(&[script.to_str().unwrap(), secret.to_str().unwrap()]);
    assert_contained(&run, &json);
    assert_eq!(json["exit_code"], 0, "{}", run.describe());
    assert_eq!(json["stdout"], "refused\n", "{}", run.describe());
    let notes = json["enforced"]["notes"].as_array().unwrap_or_else(|| panic!("no notes: {}", run.describe()));
    assert!(notes[0].as_str().unwrap().starts_with("try.py is directly in the home directory"), "{notes:?}");
}

#[test]
fn a_breakpoint_stops_on_debugpy_and_pdb_with_the_network_closed() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let script = user.program("hostile/debug_offline.py");
    let line = std::fs::read_to_string(&script).unwrap().lines().position(|l| l.contains("# STOP")).unwrap() + 1;
    for backend in ["debugpy", "pdb"] {
        let at = format!("{}:{line}", script.display());
        let command = user.loupe(&[
            "run",
            "--batch",
            "--backend",
            backend,
            "--python",
            user.python.to_str().unwrap(),
            "--break",
            &at,
            "-ex",
            "print network",
            "-ex",
            "continue",
            script.to_str().unwrap(),
        ]);
        let run = sandbox_support::guarded(command, None, None);
        let events: Vec<Value> = run.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let stop = events.iter().find(|e| e["event"] == "stopped");
        assert_eq!(
            stop.map(|e| (e["line"].as_u64(), e["reason"].clone())),
            Some((Some(line as u64), "breakpoint".into())),
            "{backend}:\n{}",
            run.describe()
        );
        let printed = events.iter().find(|e| e["command"] == "print").map(|e| e["value"].clone());
        assert_eq!(
            printed,
            Some(Value::from("'off errno 101'")),
            "{backend}: the debuggee's network:\n{}",
            run.describe()
        );
        if backend == "debugpy" {
            let child = events.iter().any(|e| e["event"] == "process" && e["child"] == true);
            assert!(child, "the child process was attached through the run's namespace:\n{}", run.describe());
        }
        // The program's output, however its writes were split into events ("done", " 42\n").
        let output: String = events
            .iter()
            .filter(|e| e["event"] == "output" && e["category"] == "stdout")
            .filter_map(|e| e["text"].as_str())
            .collect();
        assert!(output.contains("done 42"), "{backend}:\n{}", run.describe());
        assert!(output.contains("child ran"), "{backend}: the child process ran:\n{}", run.describe());
        assert_eq!(run.code, Some(0), "{backend}:\n{}", run.describe());
    }
}

/// A kernel that refuses user namespaces, made for real: inside a user namespace of its own the
/// user sets that namespace's `user.max_user_namespaces` to 0 and drops every capability, then
/// runs loupe, which can create no user namespace below it.
#[test]
fn where_user_namespaces_are_refused_check_names_the_setting_and_strict_refuses() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let refused = |loupe_args: &str| {
        let loupe = user.loupe_path().display().to_string();
        let script = format!(
            "echo 0 > /proc/sys/user/max_user_namespaces && \
             exec setpriv --bounding-set=-all --inh-caps=-all {loupe} {loupe_args}"
        );
        let mut command = user.command("unshare");
        command.args(["-r", "sh", "-c", &script]);
        sandbox_support::guarded(command, None, None)
    };
    let run = refused("sandbox check --json");
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let report = run.json();
    assert_eq!(report["enforced"]["network"]["enforced"], false, "{report:#}");
    let detail = report["enforced"]["network"]["detail"].as_str().unwrap();
    assert!(detail.contains("user.max_user_namespaces is 0"), "{detail}");
    assert!(detail.contains("sysctl -w user.max_user_namespaces="), "{detail}");

    let python = user.python.display().to_string();
    let run = refused(&format!("exec --sandbox strict --python {python} -c 'print(1)'"));
    assert_eq!(run.code, Some(125), "strict refuses to start:\n{}", run.describe());
    assert!(
        run.stderr.contains("--sandbox strict") && run.stderr.contains("max_user_namespaces"),
        "{}",
        run.describe()
    );
    assert!(!run.stdout.contains('1'), "the program ran:\n{}", run.describe());

    let run = refused(&format!("exec --json --python {python} -c 'print(1)'"));
    let json = run.json();
    assert_eq!(json["stdout"], "1\n", "standard runs:\n{}", run.describe());
    let missing = json["enforced"]["not_enforced"].to_string();
    assert!(missing.contains("PID namespace") && missing.contains("max_user_namespaces"), "{missing}");
}

/// The install policy as a normal user, with uv as the installer: uv makes the environment (no
/// pip), installs into it and uninstalls, through the same sandbox (a user namespace with the
/// network on for the index).
#[test]
fn uv_installs_and_uninstalls_as_a_normal_user() {
    use std::os::unix::fs::PermissionsExt;
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    // The test environment's uv, copied where the user may run it.
    let uv_source = sandbox_support::repo().join(".venv-test/bin/uv");
    assert!(uv_source.exists(), "uv is missing from .venv-test: run scripts/setup-test-env.sh");
    let bin = user.outside.join("bin");
    std::fs::create_dir(&bin).unwrap();
    sandbox_support::nobody::copy_executable(&uv_source, &bin.join("uv"));
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let loupe = |args: &[&str]| {
        let output = user.loupe(args).env("PATH", &path).output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.code(), text(&output.stdout), text(&output.stderr))
    };
    let (code, stdout, stderr) = loupe(&["env", "create", "v", "--python", "/usr/bin/python3"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("with uv"), "{stdout}");
    let python = user.work.join("v/bin/python");
    let python = python.to_str().unwrap();
    let (code, stdout, stderr) = loupe(&["env", "install", "--python", python, "six==1.16.0"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "installed six 1.16.0", "{stderr}");
    let (code, stdout, stderr) = loupe(&["env", "uninstall", "--python", python, "six"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "removed six 1.16.0");
}

/// The profiling modes (issue 23) as a normal user: the line table (with the compiled line
/// callbacks), the memory peak and its line, and the sampled true stacks, each run in the user-namespace sandbox like any other run.
#[test]
fn line_memory_and_sampled_profiles_work_as_a_normal_user() {
    let Some(user) = Unprivileged::new(NOBODY) else { return };
    let python = user.python.to_str().unwrap().to_string();
    let workload = user.program("profile/lines_workload.py");
    let args = ["profile", "--python", &python, "--no-tui", "--lines", "--function", "crunch"];
    let run = sandbox_support::guarded(user.loupe(&[&args[..], &[workload.to_str().unwrap()]].concat()), None, None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let row = run.stdout.lines().find(|l| l.contains("# HOT")).unwrap_or_else(|| panic!("{}", run.describe()));
    assert!(row.trim_start().starts_with("21 ") && row.contains("800000"), "{row}");
    // The compiled callbacks loaded from the user's cache, inside the sandbox (no fallback note).
    assert!(!run.stderr.contains("Python callbacks"), "{}", run.describe());

    let peak = user.program("profile/alloc_peak.py");
    let args = ["profile", "--python", &python, "--no-tui", "--alloc", peak.to_str().unwrap()];
    let run = sandbox_support::guarded(user.loupe(&args), None, None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let mut lines = run.stdout.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("peak ") && l.ends_with("MiB")), "{}", run.describe());
    assert!(lines.next().is_some_and(|l| l.starts_with("alloc_peak.py:8  ")), "{}", run.describe());

    let dispatch = user.program("profile/dispatch.py");
    let folded = dispatch.with_file_name("dispatch.folded");
    let args =
        ["profile", "--python", &python, "--no-tui", "--folded", folded.to_str().unwrap(), dispatch.to_str().unwrap()];
    let run = sandbox_support::guarded(user.loupe(&args), None, None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let text = std::fs::read_to_string(&folded).unwrap();
    let has = |caller: &str, callee: &str| {
        text.lines().any(|l| l.contains(&format!("{caller} (")) && l.contains(&format!(";{callee} (")))
    };
    assert!(has("a_caller", "a") && has("b_caller", "b"), "the true stacks:\n{text}");
    assert!(!text.lines().any(|l| l.contains("a_caller (") && l.contains(";b (")), "an impossible stack:\n{text}");
}
