//! `loupe tool FILE.py --args JSON`: the envelope for a result, a ready envelope, an exception,
//! a missing `run`, args that are not JSON, a result that is not JSON, a timeout, a memory limit;
//! prints kept apart from the envelope. Through the real binary, guarded.

mod sandbox_support;

use sandbox_support::{loupe, python};
use serde_json::{json, Value};

/// Runs `source` as a tool with `args`; returns (envelope, exit code, loupe's stderr).
fn tool(source: &str, args: &str, extra: &[&str]) -> (Value, Option<i32>, String) {
    let dir = tempfile::Builder::new().prefix("loupe-tool-").tempdir().unwrap();
    let file = dir.path().join("my_tool.py");
    std::fs::write(&file, source).unwrap();
    let python = python();
    let mut all = vec!["tool", "--python", python.to_str().unwrap(), file.to_str().unwrap(), "--args", args];
    all.extend_from_slice(extra);
    let run = loupe(&all, dir.path(), &[], None, None);
    let envelope = run.json();
    (envelope, run.code, run.stderr)
}

#[test]
fn a_value_is_wrapped_and_prints_are_kept_apart() {
    let (envelope, code, stderr) = tool(
        "def run(args):\n    print('working on', args['n'])\n    return {'double': args['n'] * 2}\n",
        r#"{"n": 21}"#,
        &[],
    );
    assert_eq!(envelope, json!({"ok": true, "data": {"double": 42}}));
    assert_eq!(code, Some(0));
    assert!(stderr.contains("working on 21"), "the tool's print goes to stderr, not into the envelope: {stderr}");
}

#[test]
fn an_envelope_is_passed_on_as_it_is() {
    let source = "def run(args):\n    return {'ok': False, 'error': {'message': 'no such user', 'type': 'NotFound'}}\n";
    let (envelope, code, _) = tool(source, "null", &[]);
    assert_eq!(envelope, json!({"ok": false, "error": {"message": "no such user", "type": "NotFound"}}));
    assert_eq!(code, Some(1));
    let (envelope, code, _) = tool("def run(args):\n    return {'ok': True, 'data': [1, 2]}\n", "null", &[]);
    assert_eq!(envelope, json!({"ok": true, "data": [1, 2]}));
    assert_eq!(code, Some(0));
}

#[test]
fn every_failure_is_an_error_envelope_with_a_non_zero_exit() {
    let cases: &[(&str, &str, &[&str], &str, &str)] = &[
        ("def run(args):\n    raise KeyError('missing key')\n", "{}", &[], "KeyError", "missing key"),
        ("x = 1\n", "{}", &[], "MissingRun", "defines no run(args) function"),
        ("def run(args):\n    return object()\n", "{}", &[], "NotSerializable", "not JSON-serialisable"),
        ("def run(args):\n    return 1\n", "{not json", &[], "ArgsError", "--args is not JSON"),
        (
            "import time\ndef run(args):\n    time.sleep(60)\n",
            "{}",
            &["--timeout", "1"],
            "Timeout",
            "wall-clock limit (1 s, --timeout)",
        ),
        ("def run(args):\n    return bytearray(900 * 1024 * 1024)\n", "{}", &[], "MemoryLimit", "512 MB, --memory"),
        ("def run(args:\n", "{}", &[], "SyntaxError", "loading"),
        ("import os\ndef run(args):\n    os._exit(0)\n", "{}", &[], "NoResult", "without a result"),
    ];
    for (source, args, extra, kind, message) in cases {
        let (envelope, code, stderr) = tool(source, args, extra);
        assert_eq!(envelope["ok"], false, "{source}: {envelope}");
        assert_eq!(envelope["error"]["type"], *kind, "{source}: {envelope}\n{stderr}");
        let text = envelope["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{source}: {text:?} lacks {message:?}");
        assert!(matches!(code, Some(c) if c != 0), "{source}: exit {code:?}");
    }
}

#[test]
fn the_tool_runs_in_the_sandbox() {
    let source = "import socket\ndef run(args):\n    try:\n        socket.create_connection(('1.1.1.1', 53), timeout=2)\n        return 'connected'\n    except OSError as e:\n        return e.errno\n";
    let (envelope, _, _) = tool(source, "null", &[]);
    assert_eq!(envelope, json!({"ok": true, "data": 101}), "network unreachable inside the sandbox");
}
