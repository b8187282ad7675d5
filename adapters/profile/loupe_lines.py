"""Line-level timing for `loupe profile --lines` (python -m loupe_lines OUT.json SPEC SCRIPT ARGS...).

The script runs as __main__ with its directory first on sys.path, as under loupe_profile.py, and
keeps its exit status. SPEC is JSON, {"names": [NAME...], "keys": [{"file", "line", "name"}...],
"callbacks": "python" (optional)}:
only the functions it names are measured ("targets"): by NAME as
the user wrote it (`func`, `Class.method`, `module:func`, `path.py:func`) or by cProfile's key
(file, first line, name) from loupe's first pass. Names are resolved when a code object is first
called, so functions defined at run time are found too, and the report lists the targets never
seen.

Measurement uses the interpreter's own machinery, like line_profiler: on 3.12+ sys.monitoring
(PY_START fires once per code object and returns DISABLE for everything that is not a target,
so other code runs at full speed; targets get LINE and return events through set_local_events
only); before 3.12 sys.settrace and threading.settrace, whose global tracer returns None for any
frame that is not a target. A line's time runs from its line event to the next line event (or
the frame's return, yield or unwind) in the same frame, callees included; frames are tracked
per thread, so recursion and threads are counted right. The callback's own cost is kept out of
the lines: each line's clock starts when the callback ends.

The per-event work runs in loupe's compiled callbacks (loupe_line_tracer.so beside this file,
built from crates/line_tracer: the C-level trace function before 3.12, sys.monitoring builtins
from 3.12), which do exactly the accounting of the Python callbacks below at a fraction of their
cost; deciding which code objects are targets stays here. Where the library cannot be used (3.8,
a free-threaded build, a failed load) or SPEC says "callbacks": "python", the Python callbacks
run, and the report's "callbacks" says which ran and why.

The report (JSON) is written at exit: normal, SystemExit, an exception, or SIGTERM (the handler
writes it and then dies by the same signal, so the exit status stays 128+N). SIGINT raises
KeyboardInterrupt as usual, which unwinds to the same `finally`. os._exit and SIGKILL leave none.
"""
import json
import os
import signal
import sys
import threading
import time

RUNNER_FILE = os.path.abspath(__file__)


class Targets:
    """Which code objects to measure: the specs, matched against each code object once."""

    def __init__(self, specs):
        self.specs = specs
        self.seen = [False] * len(specs)
        # Names of the functions that ran, for "did you mean" when a NAME matched nothing.
        self.names_seen = set()
        # The qualified name of each target (co_qualname is 3.11+).
        self.qualnames = {}

    def matches(self, code):
        """Whether `code` is a target (marking the specs it satisfies as seen)."""
        filename = code.co_filename
        if filename == RUNNER_FILE:
            return False
        name = code.co_name
        qualname = getattr(code, "co_qualname", None)
        if qualname is None:
            # Before 3.11 the qualified name costs a search of gc's objects: only for a code
            # object some `Class.method` spec could match.
            dotted = any("." in s.get("func", "") and s["func"].rsplit(".", 1)[-1] == name for s in self.specs)
            qualname = qualname_before_311(code, name) if dotted else name
        module_name = module_of(filename)
        self.names_seen.add((module_name, qualname.replace("<locals>.", "")))
        found = False
        for index, spec in enumerate(self.specs):
            if spec_matches(spec, filename, code.co_firstlineno, name, qualname):
                self.seen[index] = True
                found = True
        if found:
            self.qualnames[code] = qualname
        return found

    def unseen(self):
        out = []
        for spec, seen in zip(self.specs, self.seen):
            if seen:
                continue
            entry = {"spec": spec.get("text") or "%s:%s:%s" % (spec["file"], spec["line"], spec["name"])}
            if "text" in spec:
                entry["suggestions"] = self.suggestions(spec)
            out.append(entry)
        return out

    def suggestions(self, spec):
        import difflib

        wanted = spec["func"]
        plain = sorted({q for _, q in self.names_seen if not q.startswith("<")})
        close = difflib.get_close_matches(wanted, plain, n=5, cutoff=0.6)
        # A method's bare name is a fine suggestion for `Class.method` that got the class wrong.
        tail = wanted.rsplit(".", 1)[-1]
        close += [q for q in plain if q.rsplit(".", 1)[-1] == tail and q not in close]
        return close[:5]


def qualname_before_311(code, name):
    """co_qualname is 3.11+; before, the function object holding the code knows its qualname."""
    import gc

    for referrer in gc.get_referrers(code):
        if getattr(referrer, "__code__", None) is code:
            return getattr(referrer, "__qualname__", name)
    return name


def module_of(filename):
    """The dotted module name a file is imported as, judged from sys.path (or its stem)."""
    if filename.startswith("<"):
        return filename
    path = os.path.abspath(filename)
    stem = os.path.splitext(path)[0]
    best = None
    for entry in sys.path:
        entry = os.path.abspath(entry or ".")
        if stem.startswith(entry + os.sep):
            relative = stem[len(entry) + 1:]
            if best is None or len(relative) < len(best):
                best = relative
    relative = best or os.path.basename(stem)
    dotted = relative.replace(os.sep, ".")
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    return dotted


def spec_matches(spec, filename, first_line, name, qualname):
    if "file" in spec:
        return spec["line"] == first_line and spec["name"] == name and spec["file"] == filename
    func = spec["func"]
    if "." in func:
        # Class.method (or outer.inner): the end of the qualified name, <locals> left out.
        plain = qualname.replace("<locals>.", "")
        if plain != func and not plain.endswith("." + func):
            return False
    elif name != func:
        return False
    where = spec.get("where")
    if where is None:
        return True
    if spec.get("where_is_path"):
        want = os.path.normpath(where)
        got = os.path.normpath(os.path.abspath(filename))
        return got == os.path.abspath(want) or got.endswith(os.sep + want.lstrip(os.sep))
    module_name = module_of(filename)
    if where == "__main__":
        return os.path.abspath(filename) == MAIN_SCRIPT[0]
    return module_name == where or module_name.endswith("." + where)


MAIN_SCRIPT = [""]


def parse_name(text):
    """`func`, `Class.method`, `module:func`, `path.py:func` (the last ':' separates)."""
    where, sep, func = text.rpartition(":")
    spec = {"text": text, "func": func}
    if sep:
        spec["where"] = where
        spec["where_is_path"] = where.endswith(".py") or os.sep in where
    return spec


class Recorder:
    """Per-line hits and nanoseconds: {code: {line: [hits, ns]}}."""

    def __init__(self, targets):
        self.targets = targets
        self.lines = {}
        self.mechanism = None
        # "compiled" (loupe_line_tracer.so), or "python (why the compiled ones did not load)".
        self.callbacks = None

    def report(self, out, ending):
        functions = []
        for code, lines in list(self.lines.items()):
            rows = sorted((line, hits, ns) for line, (hits, ns) in list(lines.items()))
            functions.append(
                {
                    "file": code.co_filename,
                    "name": code.co_name,
                    "qualname": self.targets.qualnames.get(code, code.co_name),
                    "first_line": code.co_firstlineno,
                    "last_line": last_line(code, rows),
                    "total_ns": sum(ns for _, _, ns in rows),
                    "lines": [{"line": l, "hits": h, "time_ns": ns} for l, h, ns in rows],
                }
            )
        document = {
            "format": "loupe-lines/1",
            "unit": 1e-9,
            "python": "%d.%d.%d" % sys.version_info[:3],
            "mechanism": self.mechanism,
            "callbacks": self.callbacks,
            "ending": ending,
            "functions": functions,
            "unseen": self.targets.unseen(),
        }
        temp = out + ".tmp"
        with open(temp, "w") as f:
            json.dump(document, f)
        os.replace(temp, out)


def last_line(code, rows):
    """The function's last source line, found as line_profiler finds it (inspect.getblock)."""
    last = max([code.co_firstlineno] + [row[0] for row in rows])
    try:
        import inspect
        import linecache

        source = linecache.getlines(code.co_filename)
        if code.co_name == "<module>":
            return max(last, len(source))
        block = inspect.getblock(source[code.co_firstlineno - 1:])
        return max(last, code.co_firstlineno + len(block) - 1)
    except Exception:
        return last


def load_compiled():
    """loupe's compiled callbacks (loupe_line_tracer.so beside this file, crates/line_tracer in
    loupe's source), or (None, why not): then the Python callbacks below do the same work, at a
    higher cost per line."""
    if sys.version_info < (3, 9):
        return None, "Python 3.8: they need 3.9's PyFrame_GetCode"
    import sysconfig

    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return None, "a free-threaded build (the compiled callbacks count on the GIL)"
    path = os.path.join(os.path.dirname(RUNNER_FILE), "loupe_line_tracer.so")
    try:
        import ctypes

        # PyDLL: the GIL stays held during calls, which the library counts on.
        lib = ctypes.PyDLL(path)
        obj, c_int = ctypes.py_object, ctypes.c_int
        lib.loupe_lines_start.argtypes = [obj, obj]
        lib.loupe_lines_start.restype = c_int
        lib.loupe_lines_callback.argtypes = [c_int]
        lib.loupe_lines_callback.restype = obj
        lib.loupe_lines_trace.argtypes = [obj, obj, c_int, obj]
        lib.loupe_lines_trace.restype = c_int
        lib.loupe_lines_stop.argtypes = []
        lib.loupe_lines_stop.restype = None
        lib.loupe_lines_target_count.argtypes = []
        lib.loupe_lines_target_count.restype = c_int
        lib.loupe_lines_target_code.argtypes = [c_int]
        lib.loupe_lines_target_code.restype = obj
        lib.loupe_lines_rows.argtypes = [c_int, ctypes.POINTER(ctypes.c_uint64), ctypes.c_size_t]
        lib.loupe_lines_rows.restype = ctypes.c_size_t
    except (OSError, AttributeError, ImportError) as e:
        # dlopen's messages name the file already; the others do not.
        why = str(e)
        return None, why if path in why else "%s: %s" % (path, why)
    return lib, None


def collect_compiled(lib, recorder):
    """Copies the compiled tracer's counts into recorder.lines, {code: {line: [hits, ns]}}."""
    import ctypes

    for index in range(lib.loupe_lines_target_count()):
        code = lib.loupe_lines_target_code(index)
        capacity = 64
        while True:
            buffer = (ctypes.c_uint64 * (3 * capacity))()
            count = lib.loupe_lines_rows(index, buffer, capacity)
            if count <= capacity:
                break
            capacity = count
        recorder.lines[code] = {buffer[3 * i]: [buffer[3 * i + 1], buffer[3 * i + 2]] for i in range(count)}


def claim_monitoring_tool():
    monitoring = sys.monitoring
    tool = next((t for t in (monitoring.PROFILER_ID, 5, 4, 3) if monitoring.get_tool(t) is None), None)
    if tool is None:
        raise RuntimeError("every sys.monitoring tool id is taken")
    monitoring.use_tool_id(tool, "loupe-lines")
    return tool


def register_monitoring(tool, on_start, on_line, on_leave, on_unwind, on_throw):
    """Registers the five handlers of either kind and turns on the global events. PY_START is
    global so every new code object is seen once (its handler returns DISABLE for the rest);
    PY_UNWIND and PY_THROW cannot be local and cost only when an exception passes."""
    monitoring = sys.monitoring
    events = monitoring.events
    register = monitoring.register_callback
    register(tool, events.PY_START, on_start)
    register(tool, events.PY_RESUME, on_start)
    register(tool, events.LINE, on_line)
    register(tool, events.PY_RETURN, on_leave)
    register(tool, events.PY_YIELD, on_leave)
    register(tool, events.PY_UNWIND, on_unwind)
    register(tool, events.PY_THROW, on_throw)
    monitoring.set_events(tool, events.PY_START | events.PY_UNWIND | events.PY_THROW)


def start_monitoring_compiled(recorder, lib):
    """3.12+: sys.monitoring with the compiled callbacks; the events are start_monitoring's."""
    monitoring = sys.monitoring
    events = monitoring.events
    tool = claim_monitoring_tool()
    local = events.LINE | events.PY_RETURN | events.PY_YIELD | events.PY_RESUME
    measured = []

    def decide(code):
        # Called once per code object, by the library's PY_START callback.
        if not recorder.targets.matches(code):
            return False
        measured.append(code)
        monitoring.set_local_events(tool, code, local)
        return True

    if lib.loupe_lines_start(decide, monitoring.DISABLE) != 0:
        raise RuntimeError("the compiled line tracer was already started")
    on_start, on_line, on_leave, on_throw = (lib.loupe_lines_callback(i) for i in range(4))
    # The library's leave callback checks the frame itself, so it serves PY_UNWIND too.
    register_monitoring(tool, on_start, on_line, on_leave, on_leave, on_throw)
    recorder.mechanism = "sys.monitoring"

    def stop():
        monitoring.set_events(tool, 0)
        lib.loupe_lines_stop()
        for code in measured:
            monitoring.set_local_events(tool, code, 0)
        monitoring.free_tool_id(tool)
        collect_compiled(lib, recorder)

    return stop


def start_settrace_compiled(recorder, lib):
    """Before 3.12: the compiled function as the C-level trace function of every thread."""
    import ctypes

    if lib.loupe_lines_start(recorder.targets.matches, None) != 0:
        raise RuntimeError("the compiled line tracer was already started")
    trace = ctypes.cast(lib.loupe_lines_trace, ctypes.c_void_p)
    set_trace = ctypes.pythonapi.PyEval_SetTrace
    set_trace.argtypes = [ctypes.c_void_p, ctypes.py_object]
    set_trace.restype = None

    def thread_hook(frame, event, arg):
        # threading.settrace's hook runs at a new thread's first call: it installs the compiled
        # function for the thread and hands it that first call.
        set_trace(trace, None)
        lib.loupe_lines_trace(None, frame, 0, None)
        return None

    threading.settrace(thread_hook)
    set_trace(trace, None)
    recorder.mechanism = "sys.settrace"

    def stop():
        set_trace(None, None)
        threading.settrace(None)
        lib.loupe_lines_stop()
        collect_compiled(lib, recorder)

    return stop


def start_monitoring(recorder):
    """3.12+: sys.monitoring, with line events on the targets' code objects only."""
    monitoring = sys.monitoring
    events = monitoring.events
    tool = claim_monitoring_tool()
    DISABLE = monitoring.DISABLE
    now = time.perf_counter_ns
    get_ident = threading.get_ident
    stacks = {}
    all_lines = recorder.lines
    targets = recorder.targets
    local = events.LINE | events.PY_RETURN | events.PY_YIELD | events.PY_RESUME

    def stack_of_thread():
        stack = stacks.get(get_ident())
        if stack is None:
            stack = stacks[get_ident()] = []
        return stack

    def on_start(code, offset):
        lines = all_lines.get(code)
        if lines is None:
            if not targets.matches(code):
                return DISABLE
            lines = all_lines[code] = {}
            monitoring.set_local_events(tool, code, local)
        # A frame: its code's lines, the running line's [hits, ns] and when that line started.
        stack_of_thread().append([lines, None, 0])

    def on_line(code, line):
        t = now()
        try:
            frame = stacks[get_ident()][-1]
        except (KeyError, IndexError):
            # A target already running when measuring started: nothing to attribute to.
            return
        running = frame[1]
        if running is not None:
            running[1] += t - frame[2]
        lines = frame[0]
        record = lines.get(line)
        if record is None:
            record = lines[line] = [0, 0]
        record[0] += 1
        frame[1] = record
        frame[2] = now()

    def on_leave(code, offset, value=None):
        t = now()
        stack = stacks.get(get_ident())
        if not stack or code not in all_lines:
            return
        frame = stack.pop()
        running = frame[1]
        if running is not None:
            running[1] += t - frame[2]

    def on_unwind(code, offset, exception):
        if code in all_lines:
            on_leave(code, offset)

    def on_throw(code, offset, exception):
        if code in all_lines:
            stack_of_thread().append([all_lines[code], None, 0])

    register_monitoring(tool, on_start, on_line, on_leave, on_unwind, on_throw)
    recorder.mechanism = "sys.monitoring"

    def stop():
        monitoring.set_events(tool, 0)
        # Frames still running (stopped by a signal, or in threads still going at exit): their
        # running lines get their time so far, callers' lines included (their callees' time).
        t = now()
        for stack in list(stacks.values()):
            for frame in list(stack):
                if frame[1] is not None:
                    frame[1][1] += t - frame[2]
                    frame[1] = None
        for code in list(all_lines):
            monitoring.set_local_events(tool, code, 0)
        monitoring.free_tool_id(tool)

    return stop


def start_settrace(recorder):
    """Before 3.12: sys.settrace; the global tracer returns None for frames that are not targets."""
    now = time.perf_counter_ns
    all_lines = recorder.lines
    targets = recorder.targets
    decided = {}
    # The states of the target frames running now, so a report written mid-run (SIGTERM) can
    # give their running lines the time so far.
    live = {}

    def global_trace(frame, event, arg):
        code = frame.f_code
        lines = all_lines.get(code)
        if lines is None:
            if code in decided:
                return None
            if not targets.matches(code):
                decided[code] = False
                return None
            lines = all_lines[code] = {}
        # Per frame (and per generator resumption): the running line's [hits, ns] and its start.
        state = [None, 0]
        live[id(frame)] = state

        def local_trace(frame, event, arg):
            t = now()
            running = state[0]
            if running is not None:
                running[1] += t - state[1]
            if event == "line":
                record = lines.get(frame.f_lineno)
                if record is None:
                    record = lines[frame.f_lineno] = [0, 0]
                record[0] += 1
                state[0] = record
                state[1] = now()
            elif event == "return":
                state[0] = None
                live.pop(id(frame), None)
            elif running is not None:
                # "exception": the line goes on (it may be handled here); its clock restarts
                # after this callback, as for a line.
                state[1] = now()
            return local_trace

        return local_trace

    threading.settrace(global_trace)
    sys.settrace(global_trace)
    recorder.mechanism = "sys.settrace"

    def stop():
        sys.settrace(None)
        threading.settrace(None)
        t = now()
        for state in list(live.values()):
            if state[0] is not None:
                state[0][1] += t - state[1]
                state[0] = None

    return stop


def start(recorder, callbacks):
    """Starts measuring, with the compiled callbacks when they load (SPEC's "callbacks": "python"
    keeps the Python ones); returns the function that stops it."""
    monitoring = sys.version_info >= (3, 12)
    lib, why_not = (None, "asked for") if callbacks == "python" else load_compiled()
    if lib is None:
        recorder.callbacks = "python (%s)" % why_not
        return start_monitoring(recorder) if monitoring else start_settrace(recorder)
    recorder.callbacks = "compiled"
    return start_monitoring_compiled(recorder, lib) if monitoring else start_settrace_compiled(recorder, lib)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write("usage: python -m loupe_lines OUT.json SPEC SCRIPT [ARGS...]\n")
        sys.exit(2)
    out, spec, script = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    specs = [parse_name(name) for name in spec.get("names", [])] + list(spec.get("keys", []))
    sys.argv[:] = sys.argv[3:]
    sys.path.insert(0, os.path.dirname(script))
    MAIN_SCRIPT[0] = os.path.abspath(script)
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    namespace = {"__file__": script, "__name__": "__main__", "__package__": None, "__cached__": None}
    recorder = Recorder(Targets(specs))
    written = []

    def finish(ending):
        if written:
            return
        written.append(ending)
        stop()
        recorder.report(out, ending)

    def on_sigterm(signum, frame):
        finish("signal %d" % signum)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, on_sigterm)
    stop = start(recorder, spec.get("callbacks"))
    ending = "exception"
    try:
        exec(code, namespace)
        ending = "normal"
    except SystemExit as e:
        ending = "exit %s" % (e.code,)
        raise
    except KeyboardInterrupt:
        # SIGINT: Python exits by the same signal once this propagates (status 130).
        ending = "interrupted"
        raise
    finally:
        finish(ending)


if __name__ == "__main__":
    main()
