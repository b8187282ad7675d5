"""loupe's tool runner: loads a Python file, calls its run(args), and writes the envelope.

Run by `loupe tool FILE.py --args JSON` inside the sandbox as `python -c <this file> FILE`.
The arguments arrive as JSON on stdin (then stdin is empty for the tool). The envelope goes to the
descriptor named by LOUPE_TOOL_RESULT_FD, never to stdout, so whatever the tool prints is kept
apart from its result:

    {"ok": true, "data": ...}
    {"ok": false, "error": {"message": ..., "type": ..., "traceback": ...}}

A return value that already is an envelope is passed on; any other value is wrapped as data.
"""

import importlib.util
import json
import os
import sys
import traceback


def _envelope_error(kind, message, tb=None):
    error = {"message": message, "type": kind}
    if tb:
        error["traceback"] = tb
    return {"ok": False, "error": error}


def _is_envelope(value):
    if not isinstance(value, dict) or not isinstance(value.get("ok"), bool):
        return False
    if value["ok"]:
        return "data" in value and set(value) <= {"ok", "data"}
    error = value.get("error")
    return isinstance(error, dict) and isinstance(error.get("message"), str) and set(value) <= {"ok", "error"}


def _call(path, args):
    directory = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location("loupe_tool", path)
    if spec is None or spec.loader is None:
        return _envelope_error("LoadError", "cannot load %s as a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["loupe_tool"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # noqa: BLE001 - everything the tool raises is its result
        return _envelope_error(type(e).__name__, "loading %s failed: %s" % (path, e), traceback.format_exc())
    run = getattr(module, "run", None)
    if not callable(run):
        return _envelope_error("MissingRun", "%s defines no run(args) function" % path)
    try:
        value = run(args)
    except BaseException as e:  # noqa: BLE001
        return _envelope_error(type(e).__name__, str(e) or type(e).__name__, traceback.format_exc())
    return value if _is_envelope(value) else {"ok": True, "data": value}


def main():
    result = os.fdopen(int(os.environ.pop("LOUPE_TOOL_RESULT_FD")), "w", encoding="utf-8")
    path = sys.argv[1]
    raw = sys.stdin.read()
    sys.stdin = open(os.devnull, encoding="utf-8")
    args = json.loads(raw)
    sys.argv = [path]
    envelope = _call(path, args)
    try:
        text = json.dumps(envelope, allow_nan=False)
    except (TypeError, ValueError) as e:
        text = json.dumps(_envelope_error(
            "NotSerializable", "run() returned a value that is not JSON-serialisable: %s" % e))
    sys.stdout.flush()
    sys.stderr.flush()
    result.write(text)
    result.close()
    sys.exit(0 if json.loads(text)["ok"] else 1)


main()
