//! `loupe exec`: the JSON result's shape, stdin passed through, output streamed, the exit code
//! mirrored, each `limit_hit` value, `-` and `-c`, bad input. Through the real binary, guarded
//! like the hostile tests.

mod sandbox_support;

use sandbox_support::{exec_json, loupe, python};
use serde_json::Value;

fn workdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("loupe-exec-").tempdir().unwrap()
}

#[test]
fn the_json_result_has_exactly_the_documented_fields() {
    let dir = workdir();
    let (run, json) =
        exec_json(&["-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(7)"], dir.path(), &[]);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["exit_code", "signal", "stdout", "stderr", "duration_ms", "cpu_ms", "max_rss_kb", "limit_hit", "enforced"],
        "{}",
        run.describe()
    );
    assert_eq!(json["exit_code"], 7);
    assert_eq!(json["signal"], Value::Null);
    assert_eq!(json["stdout"], "out\n");
    assert_eq!(json["stderr"], "err\n");
    assert_eq!(json["limit_hit"], Value::Null);
    assert!(json["duration_ms"].as_u64().unwrap() > 0);
    assert!(json["max_rss_kb"].as_u64().unwrap() > 1000, "a Python process uses megabytes: {json}");
    assert_eq!(run.code, Some(7), "loupe's exit code mirrors the program's");
    let enforced = &json["enforced"];
    for key in ["session", "process_tree", "network", "filesystem", "syscalls", "environment"] {
        assert!(enforced[key]["enforced"].is_boolean() && enforced[key]["detail"].is_string(), "{key}: {enforced}");
    }
    assert_eq!(enforced["limits"]["memory_mb"], 512);
    assert!(enforced["not_enforced"].is_array());
}

#[test]
fn stdin_is_passed_through_and_output_is_streamed() {
    let dir = workdir();
    let python = python();
    let run = loupe(
        &[
            "exec",
            "--python",
            python.to_str().unwrap(),
            "-c",
            "import sys; data = sys.stdin.read(); print(data.upper(), end=''); sys.exit(len(data))",
        ],
        dir.path(),
        &[],
        None,
        Some(b"hello sandbox"),
    );
    assert_eq!(run.stdout, "HELLO SANDBOX", "{}", run.describe());
    assert_eq!(run.code, Some(13));
    // A program read from stdin (`-`), with arguments.
    let run = loupe(
        &["exec", "--python", python.to_str().unwrap(), "-", "a1", "a2"],
        dir.path(),
        &[],
        None,
        Some(b"import sys\nprint(sys.argv[1:])\n"),
    );
    assert_eq!(run.stdout, "['a1', 'a2']\n", "{}", run.describe());
    assert_eq!(run.code, Some(0));
}

#[test]
fn a_script_gets_its_arguments_and_its_directory_on_the_path() {
    let dir = workdir();
    std::fs::write(dir.path().join("helper.py"), "VALUE = 42\n").unwrap();
    std::fs::write(dir.path().join("main.py"), "import sys, helper\nprint(helper.VALUE, sys.argv[1:])\n").unwrap();
    let main = dir.path().join("main.py");
    let (run, json) = exec_json(&[main.to_str().unwrap(), "--flag", "x"], dir.path(), &[]);
    assert_eq!(json["stdout"], "42 ['--flag', 'x']\n", "{}", run.describe());
}

#[test]
fn each_limit_is_named_when_hit() {
    let dir = workdir();
    let cases: &[(&[&str], &str)] = &[
        (&["--timeout", "0.5", "-c", "import time; time.sleep(30)"], "timeout"),
        (&["--cpu", "1", "-c", "while True: pass"], "cpu"),
        (&["--memory", "100", "-c", "b = bytearray(300 * 1024 * 1024)"], "memory"),
        (
            &["--max-procs", "5", "-c", "import subprocess; [subprocess.Popen(['sleep', '5']) for _ in range(10)]"],
            "processes",
        ),
        (&["--max-output", "1", "-c", "import sys\nwhile True: sys.stdout.write('y' * 4096)"], "output"),
        (&["--max-file-size", "1", "-c", "open('big.bin', 'wb').write(b'z' * (3 * 1024 * 1024))"], "file_size"),
    ];
    for (args, limit) in cases {
        let (run, json) = exec_json(args, dir.path(), &[]);
        if *limit == "processes" && json["enforced"]["limits"]["max_procs"].is_null() {
            sandbox_support::missing("process limit (no pids cgroup here)");
            continue;
        }
        assert_eq!(json["limit_hit"], *limit, "{args:?}:\n{}", run.describe());
        assert_ne!(run.code, Some(0), "{args:?}: a stopped program is a failure:\n{}", run.describe());
    }
}

#[test]
fn a_program_killed_by_a_signal_is_told_apart_from_one_exiting_with_its_number() {
    // Under a PID namespace loupe's child is init, which cannot die of a signal itself: the
    // program's real status comes back through init's pipe.
    let dir = workdir();
    let (run, json) = exec_json(&["-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], dir.path(), &[]);
    assert_eq!(json["signal"], "SIGTERM", "{}", run.describe());
    assert_eq!(json["exit_code"], Value::Null, "{}", run.describe());
    assert_eq!(json["limit_hit"], Value::Null, "{}", run.describe());
    assert_eq!(run.code, Some(128 + 15), "loupe exits as a shell reports a signal");

    let (run, json) = exec_json(&["-c", "import sys; sys.exit(143)"], dir.path(), &[]);
    assert_eq!(json["exit_code"], 143, "{}", run.describe());
    assert_eq!(json["signal"], Value::Null, "{}", run.describe());
}

#[test]
fn without_json_a_stopped_program_is_explained_on_stderr() {
    let dir = workdir();
    let python = python();
    let run = loupe(
        &[
            "exec",
            "--python",
            python.to_str().unwrap(),
            "--timeout",
            "0.5",
            "-c",
            "import time; print('before', flush=True); time.sleep(30)",
        ],
        dir.path(),
        &[],
        None,
        None,
    );
    assert_eq!(run.stdout, "before\n");
    assert!(
        run.stderr.contains("loupe: the program was stopped: wall-clock limit (0.5 s, --timeout)"),
        "{}",
        run.describe()
    );
    assert_eq!(run.code, Some(128 + 9));
}

#[test]
fn env_names_pass_through_and_values_are_set() {
    let dir = workdir();
    let (run, json) = exec_json(
        &[
            "--env",
            "MY_TOKEN",
            "--env",
            "MODE=fast",
            "-c",
            "import os; print(os.environ.get('MY_TOKEN'), os.environ.get('MODE'), os.environ.get('OTHER'))",
        ],
        dir.path(),
        &[("MY_TOKEN", "abc"), ("OTHER", "hidden")],
    );
    assert_eq!(json["stdout"], "abc fast None\n", "{}", run.describe());
}

#[test]
fn sandbox_off_reports_nothing_enforced() {
    let dir = workdir();
    let (run, json) = exec_json(
        &["--sandbox", "off", "-c", "import os; print(os.environ.get('OTHER'))"],
        dir.path(),
        &[("OTHER", "seen")],
    );
    assert_eq!(json["stdout"], "seen\n", "{}", run.describe());
    assert_eq!(json["enforced"]["level"], "off");
    for key in ["network", "filesystem", "syscalls", "process_tree"] {
        assert_eq!(json["enforced"][key]["enforced"], false, "{key}");
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = workdir();
    let python = python();
    let py = python.to_str().unwrap();
    let run = loupe(&["exec", "--python", py, "missing.py"], dir.path(), &[], None, None);
    assert_eq!(run.code, Some(125));
    assert!(run.stderr.contains("script not found: missing.py"), "{}", run.describe());
    let run = loupe(&["exec", "--python", py], dir.path(), &[], None, None);
    assert!(run.stderr.contains("nothing to run"), "{}", run.describe());
    let run =
        loupe(&["exec", "--python", py, "--allow-read", "/nonexistent/dir", "-c", "pass"], dir.path(), &[], None, None);
    assert!(run.stderr.contains("--allow-read /nonexistent/dir: no such file or directory"), "{}", run.describe());
    let run = loupe(&["exec", "--python", py, "--sandbox", "loose", "-c", "pass"], dir.path(), &[], None, None);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("invalid value 'loose'"), "{}", run.describe());
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir(config.path().join("loupe")).unwrap();
    std::fs::write(config.path().join("loupe/config.toml"), "[sandbox]\nmemroy = 5\n").unwrap();
    let run = loupe(
        &["exec", "--python", py, "-c", "pass"],
        dir.path(),
        &[("XDG_CONFIG_HOME", config.path().to_str().unwrap())],
        None,
        None,
    );
    assert_eq!(run.code, Some(125));
    assert!(run.stderr.contains("config.toml: [sandbox]") && run.stderr.contains("memroy"), "{}", run.describe());
}

#[test]
fn the_config_file_sets_the_policy_and_flags_win() {
    let dir = workdir();
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir(config.path().join("loupe")).unwrap();
    std::fs::write(config.path().join("loupe/config.toml"), "[sandbox]\nlevel = 'strict'\nmemory = 200\n").unwrap();
    let xdg = [("XDG_CONFIG_HOME", config.path().to_str().unwrap())];
    let (_, json) = exec_json(&["-c", "pass"], dir.path(), &xdg);
    assert_eq!(json["enforced"]["level"], "strict");
    assert_eq!(json["enforced"]["limits"]["memory_mb"], 200);
    let (_, json) = exec_json(&["--memory", "300", "-c", "pass"], dir.path(), &xdg);
    assert_eq!(json["enforced"]["limits"]["memory_mb"], 300);
    // Strict: the working directory is read-only.
    let (run, json) = exec_json(&["-c", "open('x.txt', 'w')"], dir.path(), &xdg);
    if json["enforced"]["filesystem"]["enforced"] == true {
        assert!(json["stderr"].as_str().unwrap().contains("Permission denied"), "{}", run.describe());
    }
}

#[test]
fn sandbox_check_reports_in_text_and_json() {
    let dir = workdir();
    let run = loupe(&["sandbox", "check"], dir.path(), &[], None, None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    for line in ["sandbox level: standard", "network", "file system", "system calls", "machine: kernel"] {
        assert!(run.stdout.contains(line), "{line}:\n{}", run.describe());
    }
    let run = loupe(&["sandbox", "check", "--json", "--sandbox", "strict"], dir.path(), &[], None, None);
    let json = run.json();
    assert_eq!(json["enforced"]["level"], "strict");
    assert!(json["capabilities"]["landlock_abi"].is_number());
    assert!(json["capabilities"]["cgroups"]["layout"].is_string());
}

#[test]
fn root_secrets_in_etc_are_masked_and_dev_shm_is_the_programs_own() {
    let dir = workdir();
    let marker = format!("loupe-test-shm-{}", std::process::id());
    let code = format!(
        "import json, multiprocessing, os\n\
         shadow = open('/etc/shadow').read() if os.path.exists('/etc/shadow') else None\n\
         open('/dev/shm/{marker}', 'w').write('x')\n\
         lock = multiprocessing.Lock(); lock.acquire(); lock.release()\n\
         tmp = os.environ['TMPDIR']; open(os.path.join(tmp, 'scratch'), 'w').write('y')\n\
         print(json.dumps({{'shadow': shadow, 'shm': sorted(os.listdir('/dev/shm')), 'hosts': os.path.getsize('/etc/hosts'), 'tmp': tmp}}))"
    );
    let (run, json) = exec_json(&["-c", &code], dir.path(), &[]);
    assert_eq!(json["exit_code"], 0, "{}", run.describe());
    let seen: Value = serde_json::from_str(json["stdout"].as_str().unwrap().trim()).unwrap();
    if !sandbox_support::enforced(&json["enforced"], "process_tree") {
        return; // no PID (and so no mount) namespace here: said loudly above
    }
    assert!(json["enforced"]["filesystem"]["detail"].as_str().unwrap().contains("masked"), "{json}");
    // The program sees an empty /etc/shadow (the machine's is not empty), its own /dev/shm with
    // only its file, and the rest of /etc as it is.
    if std::fs::metadata("/etc/shadow").is_ok_and(|m| m.len() > 0) {
        assert_eq!(seen["shadow"], "", "{seen}");
    }
    // Its private directory (TMPDIR, HOME) is in its /dev/shm too when loupe made it in the
    // machine's (no $TMPDIR set): bound back into the program's own, and removed after the run.
    let tmp = std::path::PathBuf::from(seen["tmp"].as_str().unwrap());
    let mut expected = vec![marker.clone()];
    if tmp.parent() == Some(std::path::Path::new("/dev/shm")) {
        expected.push(tmp.file_name().unwrap().to_str().unwrap().to_string());
    }
    expected.sort();
    assert_eq!(seen["shm"], serde_json::json!(expected), "{seen}");
    assert!(!std::path::Path::new("/dev/shm").join(&marker).exists(), "the program's /dev/shm leaked onto the machine");
    assert!(!tmp.exists(), "the private directory {} was left behind", tmp.display());
    assert!(seen["hosts"].as_u64().unwrap() > 0, "{seen}");
}

#[test]
fn each_run_gets_a_network_namespace_no_run_has_touched() {
    // Runs take namespaces made ahead of time by earlier runs (`/run/loupe/netns`). Each run
    // changes its loopback's MTU as root may inside its own namespace; none may see another's
    // change, and none may see the namespaces waiting for the next runs.
    let dir = workdir();
    let code = "import fcntl, json, os, socket, struct, sys\n\
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
                mtu = struct.unpack('16si', fcntl.ioctl(s, 0x8921, struct.pack('16si', b'lo', 0)))[1]\n\
                fcntl.ioctl(s, 0x8922, struct.pack('16si', b'lo', 1200 + int(sys.argv[1])))\n\
                try:\n    pool = os.listdir('/run/loupe')\nexcept OSError as e:\n    pool = e.strerror\n\
                print(json.dumps({'mtu': mtu, 'pool': pool}))";
    for run in 0..4 {
        let (out, json) = exec_json(&["-c", code, &run.to_string()], dir.path(), &[]);
        if !sandbox_support::enforced(&json["enforced"], "network") {
            return; // no network namespace here: said loudly above
        }
        assert_eq!(json["exit_code"], 0, "{}", out.describe());
        let seen: Value = serde_json::from_str(json["stdout"].as_str().unwrap().trim()).unwrap();
        assert_eq!(seen["mtu"], 65536, "run {run} saw a loopback an earlier run changed: {seen}");
        let pool = &seen["pool"];
        assert!(
            pool.as_array().is_some_and(|entries| entries.is_empty()) || pool.is_string(),
            "run {run} could see the pool: {seen}"
        );
    }
}

#[test]
fn an_interpreter_the_sandbox_cannot_execute_is_explained() {
    // A wrapper `ENV/bin/python` whose `#!` interpreter lives outside everything the sandbox
    // lets a program execute (ENV is the interpreter's installation; the other directory is not):
    // the kernel refuses the program's exec, init reports it, and loupe says what to do.
    let dir = workdir();
    let hidden = tempfile::tempdir().unwrap();
    let inner = hidden.path().join("inner");
    // Outside the sandbox (loupe's interpreter probe) the chain works: inner drops the wrapper's
    // path and runs the real interpreter.
    std::fs::write(&inner, format!("#!/bin/sh\nshift\nexec {} \"$@\"\n", python().display())).unwrap();
    let env = tempfile::tempdir().unwrap();
    std::fs::create_dir(env.path().join("bin")).unwrap();
    let wrapper = env.path().join("bin/python");
    std::fs::write(&wrapper, format!("#!{}\n", inner.display())).unwrap();
    for file in [&inner, &wrapper] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = loupe(&["exec", "--python", wrapper.to_str().unwrap(), "-c", "print(1)"], dir.path(), &[], None, None);
    if !sandbox_support::enforced(&sandbox_support::check()["enforced"], "filesystem") {
        return; // no Landlock here: said loudly above
    }
    assert_eq!(run.code, Some(125), "{}", run.describe());
    assert!(run.stderr.contains("Permission denied") && run.stderr.contains("--allow-read"), "{}", run.describe());
    assert!(run.stdout.is_empty(), "{}", run.describe());
}

/// The seccomp filter must not switch on the Speculative Store Bypass and indirect-branch
/// mitigations (kernels before 5.16 do that for every filtered process unless told not to):
/// CPU-bound Python would run up to twice as slow, and every profile taken in the sandbox would
/// be distorted. On a machine whose CPU or kernel has no such control both reads are the same
/// anyway; the test then guards only that the filter still installs.
#[test]
fn the_seccomp_filter_leaves_speculation_control_as_it_is_outside() {
    let dir = workdir();
    // prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS and PR_SPEC_INDIRECT_BRANCH): PR_SPEC_*
    // bits, or -1 on a kernel without the call.
    let read = "import ctypes; c = ctypes.CDLL(None); print(c.prctl(52, 0, 0, 0, 0), c.prctl(52, 1, 0, 0, 0))";
    let (inside_run, inside) = exec_json(&["-c", read], dir.path(), &[]);
    let (outside_run, outside) = exec_json(&["--sandbox", "off", "-c", read], dir.path(), &[]);
    if !sandbox_support::enforced(&inside["enforced"], "syscalls") {
        return;
    }
    assert_eq!(inside["exit_code"], 0, "{}", inside_run.describe());
    assert_eq!(outside["exit_code"], 0, "{}", outside_run.describe());
    assert_eq!(
        inside["stdout"], outside["stdout"],
        "speculation control (PR_SPEC_* bits) differs inside the sandbox: {} vs {} outside",
        inside["stdout"], outside["stdout"]
    );
}
