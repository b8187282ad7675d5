//! `loupe mcp` driven as an assistant's client drives it: the real binary, real JSON-RPC lines on
//! its stdin and stdout (initialize, tools/list, tools/call), real CPython in the real sandbox,
//! real pdb and debugpy for `debug_script`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{python, HANG_GUARD};

/// One server and the client end of its stdio.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
    /// Responses read while waiting for another id.
    early: Vec<Value>,
    next_id: u64,
    _home: tempfile::TempDir,
}

impl Client {
    /// Starts `loupe mcp` in `cwd` and completes the MCP handshake.
    fn start(cwd: &Path) -> Client {
        let home = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .arg("mcp")
            .current_dir(cwd)
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("XDG_CACHE_HOME", common::repo().join("target/test-cache"))
            .env("PATH", path_with_test_python())
            .env_remove("LOUPE_LOG")
            .env_remove("VIRTUAL_ENV")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start loupe mcp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON-RPC ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client { child, stdin, lines: rx, early: Vec::new(), next_id: 1, _home: home };
        let init = client.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "loupe-test", "version": "1"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "loupe", "{init}");
        assert_eq!(init["result"]["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(init["result"]["capabilities"]["tools"].is_object(), "{init}");
        client.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        client
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{message}").expect("write to loupe mcp");
        stdin.flush().expect("flush");
    }

    /// Sends a request and returns its id (the response is read with [`Client::response`]).
    fn send_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The response to request `id` (notifications and other responses are kept or skipped).
    fn response(&mut self, id: u64) -> Value {
        if let Some(i) = self.early.iter().position(|r| r["id"] == id) {
            return self.early.remove(i);
        }
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.lines.recv_timeout(left).unwrap_or_else(|_| panic!("no response to request {id}"));
            if message["id"] == id {
                return message;
            }
            if message.get("id").is_some() {
                self.early.push(message);
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// A tools/call's result object (content, structuredContent, isError).
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let response = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        assert!(response.get("error").is_none(), "JSON-RPC error from {tool}: {response}");
        response["result"].clone()
    }

    /// A successful call's structured result.
    fn call_ok(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments);
        assert_eq!(result["isError"], false, "{tool} failed: {result}");
        result["structuredContent"].clone()
    }

    /// Closes the server's stdin (the client goes away) and waits for loupe to exit.
    fn disconnect(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "loupe mcp did not exit after its client left");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// PATH with the test interpreter's directory first, so the server's default Python is it.
fn path_with_test_python() -> std::ffi::OsString {
    let bin = python().parent().expect("bin").to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).expect("PATH")
}

fn text_of(result: &Value) -> String {
    result["content"][0]["text"].as_str().unwrap_or_default().to_string()
}

#[test]
fn tools_list_gives_every_tool_with_its_schemas() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let listed = client.request("tools/list", json!({}));
    let tools = listed["result"]["tools"].as_array().unwrap_or_else(|| panic!("{listed}"));
    let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["analyze", "debug_script", "env_check", "env_list", "profile_script", "run_python"]);
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool}");
        assert!(tool["description"].as_str().is_some_and(|d| d.len() > 20), "{tool}");
    }
    let run = tools.iter().find(|t| t["name"] == "run_python").expect("run_python");
    for field in ["code", "script", "args", "stdin", "timeout", "memory_mb", "network"] {
        assert!(run["inputSchema"]["properties"][field].is_object(), "run_python lacks {field}: {run}");
    }
    for field in ["stdout", "stderr", "exit_code", "limit_hit", "wall_ms"] {
        assert!(run["outputSchema"]["properties"][field].is_object(), "run_python's result lacks {field}: {run}");
    }
}

#[test]
fn run_python_returns_output_and_a_timeout_ends_an_endless_loop() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let result = client.call_ok("run_python", json!({"code": "print(6*7)"}));
    assert_eq!((result["stdout"].as_str(), result["exit_code"].as_i64()), (Some("42\n"), Some(0)), "{result}");
    assert!(result["limit_hit"].is_null(), "{result}");

    // stdin, arguments and the exit code come through.
    let code = "import sys; print(sys.stdin.read().upper(), sys.argv[1:]); sys.exit(3)";
    let result = client.call_ok("run_python", json!({"code": code, "stdin": "hello", "args": ["a", "b"]}));
    assert_eq!(result["stdout"], "HELLO ['a', 'b']\n", "{result}");
    assert_eq!(result["exit_code"], 3, "{result}");

    let started = Instant::now();
    let result = client.call_ok("run_python", json!({"code": "while True: pass", "timeout": 1}));
    let latency = started.elapsed();
    assert_eq!(result["limit_hit"], "timeout", "{result}");
    assert!(result["exit_code"].is_null(), "{result}");
    eprintln!("run_python with an endless loop and timeout 1 s answered in {latency:.2?}");
}

#[test]
fn run_python_confines_the_program() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let code = "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    print('connected')\nexcept OSError as e:\n    print('no network', e.errno)";
    let result = client.call_ok("run_python", json!({"code": code}));
    assert!(result["stdout"].as_str().is_some_and(|s| s.starts_with("no network")), "{result}");
    // A memory limit ends a program that exceeds it.
    let result = client.call_ok("run_python", json!({"code": "x = bytearray(400 * 2**20)", "memory_mb": 100}));
    assert_eq!(result["limit_hit"], "memory", "{result}");
}

#[test]
fn a_flood_of_output_is_truncated_with_a_note() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let result = client.call_ok("run_python", json!({"code": "print('x' * 1_000_000)"}));
    assert_eq!(result["output_truncated"], true);
    let stdout = result["stdout"].as_str().expect("stdout");
    assert!(stdout.len() < 100_000, "{} bytes came back", stdout.len());
    assert!(stdout.contains("[loupe: output truncated: 1000001 bytes in all"), "{}", &stdout[stdout.len() - 200..]);
}

#[test]
fn bad_requests_are_tool_errors_and_the_server_carries_on() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let cases = [
        ("run_python", json!({}), "nothing to run"),
        ("run_python", json!({"code": "1", "script": "a.py"}), "not both"),
        ("run_python", json!({"script": "missing.py"}), "script not found: missing.py"),
        ("run_python", json!({"code": "1", "timeout": -1}), "timeout must be a positive number"),
        ("run_python", json!({"code": "1", "python": "/nonexistent/python"}), "/nonexistent/python"),
        ("profile_script", json!({"script": "missing.py"}), "script not found"),
        ("debug_script", json!({"script": "missing.py"}), "script not found"),
        ("analyze", json!({"paths": []}), "nothing to analyse"),
        ("env_check", json!({"python": "/nonexistent/python"}), "/nonexistent/python"),
    ];
    for (tool, arguments, expected) in cases {
        let result = client.call(tool, arguments.clone());
        assert_eq!(result["isError"], true, "{tool} {arguments}: {result}");
        assert!(text_of(&result).contains(expected), "{tool} {arguments}: expected {expected:?} in {result}");
    }
    // Arguments of the wrong shape are the protocol's invalid-params error, not a crash.
    let response = client.request("tools/call", json!({"name": "run_python", "arguments": {"timeout": "soon"}}));
    assert!(response["error"]["message"].is_string() || response["result"]["isError"] == true, "{response}");
    let response = client.request("tools/call", json!({"name": "no_such_tool", "arguments": {}}));
    assert!(response["error"].is_object(), "{response}");
    // Still serving.
    let result = client.call_ok("run_python", json!({"code": "print('still here')"}));
    assert_eq!(result["stdout"], "still here\n");
}

#[test]
fn concurrent_calls_are_independent() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let slow = client.send_request(
        "tools/call",
        json!({"name": "run_python", "arguments": {"code": "import time; time.sleep(3); print('slow')"}}),
    );
    let quick =
        client.send_request("tools/call", json!({"name": "run_python", "arguments": {"code": "print('quick')"}}));
    // The quick call's answer arrives while the slow one still runs.
    let first = loop {
        let message = client.lines.recv_timeout(HANG_GUARD).expect("a response");
        if message.get("id").is_some() {
            break message;
        }
    };
    assert_eq!(first["id"], quick, "{first}");
    assert_eq!(first["result"]["structuredContent"]["stdout"], "quick\n", "{first}");
    let slow = client.response(slow);
    assert_eq!(slow["result"]["structuredContent"]["stdout"], "slow\n", "{slow}");
}

#[test]
fn a_client_that_leaves_ends_the_programs_it_started() {
    let dir = tempfile::tempdir().expect("dir");
    let beat = dir.path().join("beat");
    let mut client = Client::start(dir.path());
    // A program that writes a heartbeat every 50 ms for a minute.
    let code = "import time\nfor i in range(1200):\n    open('beat', 'w').write(str(i))\n    time.sleep(0.05)";
    client.send_request("tools/call", json!({"name": "run_python", "arguments": {"code": code, "timeout": 60}}));
    let deadline = Instant::now() + HANG_GUARD;
    while !beat.exists() {
        assert!(Instant::now() < deadline, "the program never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = client.disconnect();
    assert!(status.success(), "loupe mcp exited with {status}");
    let read = || std::fs::read_to_string(&beat).unwrap_or_default();
    std::thread::sleep(Duration::from_millis(300));
    let after_exit = read();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(read(), after_exit, "the program kept running after its client left");
}

#[test]
fn debug_script_stops_at_conditional_breakpoints_under_pdb_and_debugpy() {
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("loop.py");
    std::fs::write(&script, "total = 0\nfor i in range(6):\n    total += i\nprint('total', total)\n").expect("script");
    let mut client = Client::start(dir.path());
    for backend in ["pdb", "debugpy"] {
        let result = client.call_ok(
            "debug_script",
            json!({
                "script": script,
                "backend": backend,
                "breakpoints": [{"file": "loop.py", "line": 3, "condition": "i >= 2", "hits": "2"}],
                "commands": ["locals", "print total * 10", "stack"],
            }),
        );
        assert_eq!(result["exit_code"], 0, "{backend}: {result}");
        let transcript = result["transcript"].as_array().expect("transcript");
        let stop = transcript.iter().find(|e| e["event"] == "stopped").unwrap_or_else(|| panic!("no stop: {result}"));
        assert_eq!(stop["line"], 3, "{backend}: {stop}");
        let locals = transcript.iter().find(|e| e["command"] == "locals").expect("locals result");
        let value = |name: &str| {
            locals["variables"]
                .as_array()
                .and_then(|v| v.iter().find(|v| v["name"] == name))
                .map(|v| v["value"].clone())
        };
        // Second hit of `i >= 2`: i is 3, total is 0+1+2.
        assert_eq!((value("i"), value("total")), (Some(json!("3")), Some(json!("3"))), "{backend}: {locals}");
        let printed = transcript.iter().find(|e| e["command"] == "print").expect("print result");
        assert_eq!(printed["value"], "30", "{backend}: {printed}");
        assert!(transcript.iter().any(|e| e["command"] == "stack"), "{backend}: {result}");
        let output: String =
            transcript.iter().filter(|e| e["event"] == "output").filter_map(|e| e["text"].as_str()).collect();
        assert!(output.contains("total 15"), "{backend}: {result}");
    }
}

#[test]
fn debug_script_ends_a_session_past_its_timeout() {
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("forever.py");
    std::fs::write(&script, "import time\nwhile True:\n    time.sleep(0.1)\n").expect("script");
    let mut client = Client::start(dir.path());
    let result = client.call_ok("debug_script", json!({"script": script, "timeout": 3}));
    assert!(result["ended"].as_str().is_some_and(|e| e.starts_with("timeout")), "{result}");
    assert!(result["exit_code"].is_null(), "{result}");
}

#[test]
fn profile_script_returns_top_functions_and_writes_the_flamegraph() {
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("work.py");
    std::fs::write(
        &script,
        "def busy(n):\n    return sum(i * i for i in range(n))\n\ndef main():\n    for _ in range(30):\n        busy(20000)\n\nmain()\nprint('done')\n",
    )
    .expect("script");
    let svg = dir.path().join("out.svg");
    let folded = dir.path().join("out.folded");
    let mut client = Client::start(dir.path());
    let result = client.call_ok(
        "profile_script",
        json!({"script": script, "sort": "cumulative", "top": 10, "svg": svg, "folded": folded}),
    );
    assert_eq!(result["run"]["exit_code"], 0, "{result}");
    assert_eq!(result["run"]["stdout"], "done\n", "{result}");
    let functions = result["functions"].as_array().expect("functions");
    assert!(functions.len() <= 10 && !functions.is_empty(), "{result}");
    let busy = functions.iter().find(|f| f["function"] == "busy").unwrap_or_else(|| panic!("no busy: {result}"));
    assert_eq!(busy["calls"], 30, "{busy}");
    assert!(busy["cumulative_seconds"].as_f64().is_some_and(|t| t > 0.0), "{busy}");
    let cumulative: Vec<f64> = functions.iter().filter_map(|f| f["cumulative_seconds"].as_f64()).collect();
    assert!(cumulative.windows(2).all(|w| w[0] >= w[1]), "not sorted by cumulative time: {cumulative:?}");
    assert!(std::fs::read_to_string(&svg).expect("svg").contains("<svg"), "no SVG written");
    assert!(std::fs::read_to_string(&folded).expect("folded").contains("busy"), "no folded stacks written");
}

#[test]
fn analyze_reports_complexity_and_security_findings() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("risky.py"),
        "import subprocess\n\ndef run(cmd, n):\n    if n > 1:\n        return eval(cmd)\n    subprocess.call(cmd, shell=True)\n",
    )
    .expect("file");
    let mut client = Client::start(dir.path());
    let result = client.call_ok("analyze", json!({"paths": [dir.path()]}));
    assert_eq!(result["has_findings"], true, "{result}");
    let files = result["report"]["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{result}");
    let ids: Vec<&str> =
        files[0]["findings"].as_array().expect("findings").iter().filter_map(|f| f["test_id"].as_str()).collect();
    assert!(ids.contains(&"B307") && ids.contains(&"B602"), "{ids:?}");
    assert_eq!(files[0]["functions"][0]["cyclomatic"], 2, "{result}");
    assert!(files[0]["mi"].as_f64().is_some_and(|mi| mi > 0.0), "no maintainability index: {result}");
    // The same figures `loupe analyze --format json` prints.
    let cli = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .env("PATH", path_with_test_python())
        .output()
        .expect("loupe analyze");
    let cli: Value = serde_json::from_slice(&cli.stdout).expect("analyze JSON");
    assert_eq!(cli["files"][0]["findings"], files[0]["findings"]);
}

#[test]
fn env_list_and_env_check_describe_the_interpreters() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(dir.path());
    let listed = client.call_ok("env_list", json!({}));
    let interpreters = listed["interpreters"].as_array().expect("interpreters");
    assert!(!interpreters.is_empty(), "{listed}");
    assert!(interpreters.iter().all(|i| i["path"].is_string()), "{listed}");
    assert!(interpreters.iter().any(|i| i["version"].as_str().is_some_and(|v| v.starts_with('3'))), "{listed}");

    let checked = client.call_ok("env_check", json!({"python": python()}));
    assert!(checked["problems"].is_array(), "{checked}");
    assert!(checked["interpreter"].as_str().is_some_and(|p| p.contains("python")), "{checked}");
}
