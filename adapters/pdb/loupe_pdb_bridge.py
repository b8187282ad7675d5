"""The bridge's state for one debugger and the requests loupe sends it (scopes, variables, evaluate,
set_variable, completions, exception_info; breakpoints come from loupe_pdb_breakpoints)."""

import _thread
import atexit
import bdb
import builtins
import json
import linecache
import os
import pdb
import re
import signal
import sys
import time
import traceback

from loupe_pdb_channel import *  # noqa: F401,F403
from loupe_pdb_values import *  # noqa: F401,F403
from loupe_pdb_breakpoints import *  # noqa: F401,F403

BRIDGE_FILES.add(__file__)

class Bridge(BreakpointRequests):
    """The bridge's state for one debugger: the stop loupe may inspect, and request handling."""

    def __init__(self, channel, debugger):
        self.channel = channel
        self.debugger = debugger
        self.lock = _thread.RLock()
        self.stopped = False
        self.stop_seq = 0
        self.refs = {}
        self.frame_refs = {}
        self.scope_refs = {}
        self.locals_cache = {}
        self.next_ref = 0
        self.exception = None
        self.filters = set()
        self.line_bps = {}  # bdb breakpoint number -> LineBreakpoint
        # What loupe last heard about each breakpoint in line_bps: (condition, enabled). A
        # difference is an edit typed at the prompt (`disable 3`, `condition 3 x > 1`).
        self.reported = {}
        self.function_bps = []
        self.code_lines = {}  # file -> (linecache lines, set of lines with code)
        self.hidden_codes = {}
        self.qualnames = {}
        self.main_ident = _thread.get_ident()
        self.reader_ident = None
        self.internal_files = set()
        self.library_dirs = None
        self.terminal = None  # the program's terminal, given back while stopped (Terminal)

    # --- start-up ---

    def start(self):
        self.internal_files.update(
            f.__code__.co_filename for f in (bdb.Bdb.run, pdb.Pdb.interaction)
        )
        self.internal_files.update(BRIDGE_FILES)
        for cls in type(self.debugger).__mro__:
            for attr in vars(cls).values():
                code = getattr(attr, "__code__", None)
                if code is not None and code.co_filename not in BRIDGE_FILES:
                    if "IPython" in code.co_filename or code.co_filename.endswith(("bdb.py", "pdb.py", "cmd.py")):
                        self.internal_files.add(code.co_filename)
        runpy = sys.modules.get("runpy")
        if runpy is not None:
            self.internal_files.add(runpy._run_module_as_main.__code__.co_filename)
        # pdb's own messages: the terminal only, never `output`.
        self.debugger.stdout = CommandOutput(sys.stdout)
        sys.stdout = Tee(sys.stdout, "stdout", self.channel)
        sys.stderr = Tee(sys.stderr, "stderr", self.channel)
        self.terminal = self.debugger.terminal_now()
        try:
            signal.signal(signal.SIGINT, self.debugger.sigint_handler)
        except ValueError:  # not the main thread (breakpoint() in a thread): no pause
            pass
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self.forget_in_child)
        without_signals(_thread.start_new_thread, self.read_requests, ())
        without_signals(_thread.start_new_thread, self.channel.flusher, ())
        atexit.register(self.channel.flush)  # what atexit handlers print after `exited`
        executor = getattr(self.debugger, "thread_executor", None)
        if executor is not None:
            # IPython reads ipdb's prompt on a worker thread it starts on first use: start it
            # now, deaf to signals too.
            without_signals(lambda: executor.submit(int).result())

    def forget_in_child(self):
        """A forked child runs on without loupe: it must not report stops or read the terminal."""
        self.channel.forget()
        self.debugger.quitting = True
        sys.settrace(None)
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        except ValueError:
            pass

    def failed(self, what):
        """A bug in the bridge must not end the program: say so (loupe shows `error` events, and
        the terminal gets the traceback) and carry on as plain pdb would."""
        message = "loupe_pdb: %s failed:\n%s" % (what, traceback.format_exc())
        self.channel.send({"event": "error", "message": message})
        try:
            sys.__stderr__.write(message)
        except (AttributeError, OSError, ValueError):
            pass

    # --- stops ---

    def announce_stop(self, why):
        dbg = self.debugger
        reason, hit, exception = why
        self.report_typed_breakpoints(hit)  # a .pdbrc's, changes typed in a `commands` list
        if self.stop_seq == 0:
            # The program waits at its first prompt: a good time for work that is not urgent.
            without_signals(_thread.start_new_thread, cache_bytecode, ())
        with self.lock:
            self.stop_seq += 1
            self.forget_refs()
            self.stopped = True
            self.exception = exception
            dbg._lp_idle = False  # a stop happens in the trace function
            dbg._lp_rearm = False  # a re-arming SIGINT that never came is moot now
            for frame, _ in dbg.stack:
                # Frames traced only for exceptions (the `raised` filter) need their lines back.
                frame.f_trace_lines = True
            if dbg.curframe is not None:
                # pdb's copy of the selected frame's locals is the one assignments must go to.
                self.locals_cache[dbg.curframe] = dbg.curframe_locals
            frames, current = self.frames()
            self.channel.send(
                {
                    "event": "stopped",
                    "reason": reason,
                    "hit": hit,
                    "thread": _thread.get_ident(),
                    "frames": frames,
                    "current": current,
                    "exception": exception,
                    "hits": self.hit_counts(),
                }
            )

    def announce_prompt(self, output=""):
        with self.lock:
            if self.stopped:
                frames, current = self.frames()
                self.channel.send({"event": "prompt", "current": current, "frames": frames, "output": output})

    def announce_running(self, output=""):
        # Wait for a request in progress (it reads the frames the program is about to change),
        # but not forever: user code it runs may be waiting for this thread.
        locked = self.lock.acquire(timeout=10)
        try:
            self.stopped = False
            self.exception = None
            self.forget_refs()
            self.channel.send({"event": "running", "output": output})
            dbg = self.debugger
            if dbg._lp_idle and dbg._lp_needs_tracing() and dbg.stack:
                # loupe set a breakpoint after `continue` dropped tracing, before `running`.
                dbg._lp_trace_from(dbg.stack[-1][0])
        finally:
            if locked:
                self.lock.release()

    def forget_refs(self):
        self.refs.clear()
        self.frame_refs.clear()
        self.scope_refs.clear()
        self.locals_cache.clear()
        self.next_ref = 0

    def frames(self):
        """The stack for loupe, innermost first, without the debugger's frames; and the index of
        the selected frame."""
        dbg = self.debugger
        stack, selected = dbg.stack, dbg.curindex
        frames, current = [], 0
        for i in range(len(stack) - 1, -1, -1):
            frame, line = stack[i]
            if i != selected and i != len(stack) - 1 and self.hidden(frame):
                continue
            if i == selected:
                current = len(frames)
            frames.append(
                {
                    "id": self.frame_ref(frame),
                    "name": frame.f_code.co_name,
                    "file": self.file_of(frame.f_code.co_filename),
                    "line": line or 0,
                }
            )
        return frames, current

    def hidden(self, frame):
        code = frame.f_code
        hidden = self.hidden_codes.get(code)
        if hidden is None:
            name = code.co_filename
            hidden = name in self.internal_files or name.startswith("<frozen")
            if len(self.hidden_codes) < 10000:
                self.hidden_codes[code] = hidden
        if not hidden and code.co_filename == "<string>" and frame.f_back is not None:
            # The statement bdb.run() executes to start the program.
            hidden = frame.f_back.f_code.co_filename in self.internal_files
        return hidden

    def file_of(self, filename):
        if filename.startswith("<") and filename.endswith(">"):
            return None
        return self.debugger.canonic(filename)

    def is_user_code(self, code):
        """Not the standard library, site-packages or the debugger: where `raised` stops."""
        name = code.co_filename
        if name.startswith("<") or name in self.internal_files:
            return False
        if self.library_dirs is None:
            dirs = {os.path.dirname(os.__file__)}
            dirs.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
            self.library_dirs = tuple(os.path.join(d, "") for d in dirs)
        return not name.startswith(self.library_dirs)

    def exception_report(self, exc_type, exc, tb):
        while tb is not None and self.hidden(tb.tb_frame):
            tb = tb.tb_next
        try:
            text = "".join(traceback.format_exception(exc_type, exc, tb))[-100000:]
        except Exception as failure:  # an exception too odd to format
            text = "(no traceback: %s)" % describe_exception(failure)
        return {
            "type": qualified_type_name(exc_type),
            "message": capped_str(exc) if exc is not None else "",
            "traceback": text,
        }

    # --- references ---

    def new_ref(self, ref):
        self.next_ref += 1
        if self.next_ref >= 1 << 20:
            return 0  # a million references in one stop: the rest show no children
        number = (self.stop_seq << 20) | self.next_ref
        self.refs[number] = ref
        return number

    def frame_ref(self, frame):
        number = self.frame_refs.get(frame)
        if number is None:
            number = self.frame_refs[frame] = self.new_ref(Ref("frame", frame))
        return number

    def ref(self, number, kinds=None):
        try:
            ref = self.refs[int(number)]
        except (KeyError, TypeError, ValueError):
            raise BridgeError("unknown reference %r (it may be from an earlier stop)" % (number,)) from None
        if kinds is not None and ref.kind not in kinds:
            raise BridgeError("reference %r is not a %s" % (number, " or ".join(kinds)))
        return ref

    def frame_of(self, number):
        if number is None:
            return self.debugger.curframe
        return self.ref(number, ("frame",)).frame

    def locals_of(self, frame):
        mapping = self.locals_cache.get(frame)
        if mapping is None:
            dbg = self.debugger
            mapping = dbg.curframe_locals if frame is dbg.curframe else frame.f_locals
            self.locals_cache[frame] = mapping
        return mapping

    def mapping_of(self, ref):
        return self.locals_of(ref.frame) if ref.kind == "locals" else ref.frame.f_globals

    @staticmethod
    def write_back(frame):
        """Make assignments to a frame's f_locals dict stick (CPython 3.12 and older copy fast
        locals into that dict and back only around trace calls; 3.13 writes through)."""
        if sys.version_info < (3, 13) and frame.f_code.co_flags & 0x1:  # CO_OPTIMIZED
            import ctypes

            ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
            # 3.11 and 3.12 write back only once per copy: copy again (the same values now) so
            # the next assignment, and the one around the trace call, are written back too.
            _ = frame.f_locals

    def describe(self, value, evaluate_name, frame, limit=VALUE_LIMIT):
        """The value as loupe shows it, and its number of children (None for leaves)."""
        text, truncated = value_repr(value, limit)
        kind = children_kind(value)
        count = child_count(value, kind) if kind else None
        ref = self.new_ref(Ref("value", frame, value, evaluate_name)) if count != 0 and kind else 0
        return {"value": text, "truncated": truncated, "type": type_name(value), "ref": ref}, count

    # --- the reader thread ---

    def read_requests(self):
        self.reader_ident = _thread.get_ident()
        for line in self.channel.lines():
            self.channel.send(self.answer(line))

    def answer(self, line):
        try:
            request = json.loads(line)
        except ValueError as exc:
            return {"id": None, "error": {"message": "not JSON: %s" % exc}}
        if not isinstance(request, dict):
            return {"id": None, "error": {"message": "a request is a JSON object, not %s" % line[:100]}}
        rid = request.get("id")
        handler = REQUESTS.get(request.get("method"))
        if handler is None:
            return {"id": rid, "error": {"message": "unknown method %r" % request.get("method")}}
        try:
            return {"id": rid, "result": handler(self, request.get("params") or {})}
        except BridgeError as exc:
            return {"id": rid, "error": {"message": str(exc)}}
        except BaseException as exc:
            # User code run for a request (a repr, an expression, a property) failed or exited;
            # anything else is a bug here, and saying so beats a silent reader thread.
            return {"id": rid, "error": {"message": describe_exception(exc)}}

    def inspecting(self):
        return Inspection(self)

    # --- inspection ---

    def scopes(self, params):
        with self.inspecting():
            frame = self.frame_of(params.get("frame"))
            result = []
            for kind, name in (("locals", "Locals"), ("globals", "Globals")):
                number = self.scope_refs.get((frame, kind))
                if number is None:
                    number = self.scope_refs[(frame, kind)] = self.new_ref(Ref(kind, frame))
                result.append({"name": name, "kind": kind, "ref": number})
            return result

    def variables(self, params):
        with self.inspecting():
            ref = self.ref(params.get("ref"))
            if ref.kind == "frame":
                raise BridgeError("reference %r is a frame: ask for its scopes" % params.get("ref"))
            start = max(0, int(params.get("start") or 0))
            wanted = params.get("count")
            wanted = MAX_CHILDREN if wanted is None else max(0, min(int(wanted), MAX_CHILDREN))
            total, children = self.children(ref, start, wanted)
            variables = []
            for name, value, evaluate_name in children:
                described, count = self.describe(value, evaluate_name, ref.frame)
                described.update(name=name, count=count, evaluate_name=evaluate_name)
                variables.append(described)
            return {"variables": variables, "total": total}

    def children(self, ref, start, count):
        """(total, [(name, value, evaluate_name)]) for children start .. start+count."""
        import itertools

        end = start + count
        if ref.kind in ("locals", "globals"):
            items = list(self.mapping_of(ref).items())
            chosen = []
            for key, value in items[start:end]:
                if isinstance(key, str):
                    chosen.append((key, value, key if key.isidentifier() else None))
                else:  # globals()[1] = ... is possible
                    chosen.append((repr(key), value, None))
            return len(items), chosen
        value, parent = ref.value, ref.name
        kind = children_kind(value)
        if kind == "seq":
            # Lists and tuples slice in O(count); a deque is walked.
            items = value[start:end] if isinstance(value, (list, tuple)) else itertools.islice(value, start, end)
            return len(value), [("[%d]" % i, v, parent and "%s[%d]" % (parent, i)) for i, v in enumerate(items, start)]
        if kind == "set":
            items = itertools.islice(value, start, end)
            return len(value), [("[%d]" % i, v, None) for i, v in enumerate(items, start)]
        if kind == "map":
            ref.keys = ref.keys or {}
            chosen = []
            for key, item in itertools.islice(value.items(), start, end):
                key_text, cut = value_repr(key, 100)
                name = "[%s]" % key_text
                ref.keys[name] = key
                literal = parent and key_is_literal(key) and not cut
                chosen.append((name, item, "%s[%s]" % (parent, key_text) if literal else None))
            return len(value), chosen
        if kind == "attrs":
            names = attribute_names(value)
            chosen = []
            for name in names[start:end]:
                try:
                    item = getattr(value, name)
                except Exception as exc:
                    item = _Unreadable(exc)
                chosen.append((name, item, parent and "%s.%s" % (parent, name)))
            return len(names), chosen
        return 0, []

    def evaluate(self, params):
        with self.inspecting():
            frame = self.frame_of(params.get("frame"))
            source = params.get("expression") or ""
            context = params.get("context") or "repl"
            mapping = self.locals_of(frame)
            try:
                code = compile(source, "<loupe>", "eval")
            except SyntaxError:
                if context != "repl":
                    raise
                # A statement: run it where the program stopped, then make assignments stick.
                exec(compile(source, "<loupe>", "exec"), frame.f_globals, mapping)
                self.write_back(frame)
                return {"value": "", "truncated": False, "type": None, "ref": 0}
            value = self.eval_code(code, frame, mapping)
            if context == "repl":
                self.write_back(frame)  # `(n := 5)` assigns too
            limit = CLIPBOARD_LIMIT if context == "clipboard" else VALUE_LIMIT
            return self.describe(value, as_operand(source), frame, limit)[0]

    @staticmethod
    def eval_code(code, frame, mapping):
        nested = any(hasattr(c, "co_code") for c in code.co_consts)
        if nested:
            # Lambdas and generator expressions cannot see a frame's locals passed separately;
            # give them one namespace (expressions only: nothing is assigned back).
            namespace = dict(frame.f_globals)
            namespace.update(mapping)
            return eval(code, namespace)
        return eval(code, frame.f_globals, mapping)

    def set_variable(self, params):
        with self.inspecting():
            ref = self.ref(params.get("ref"), ("locals", "globals", "value"))
            name = params.get("name") or ""
            mapping = self.locals_of(ref.frame)
            value = self.eval_code(compile(params.get("value") or "", "<loupe>", "eval"), ref.frame, mapping)
            if ref.kind in ("locals", "globals"):
                self.mapping_of(ref)[name] = value
                if ref.kind == "locals":
                    self.write_back(ref.frame)
                new = self.mapping_of(ref)[name]
                evaluate_name = name
            else:
                new, evaluate_name = self.assign_child(ref, name, value)
            return self.describe(new, evaluate_name, ref.frame)[0]

    def assign_child(self, ref, name, value):
        target, parent = ref.value, ref.name
        kind = children_kind(target)
        if kind == "seq" and name.startswith("[") and name.endswith("]"):
            index = int(name[1:-1])
            target[index] = value
            return target[index], parent and "%s[%d]" % (parent, index)
        if kind == "map":
            if ref.keys is None or name not in ref.keys:
                ref.keys = {"[%s]" % value_repr(k, 100)[0]: k for k in target}
            if name not in ref.keys:
                raise BridgeError("no key %s in this dict" % name)
            key = ref.keys[name]
            target[key] = value
            return target[key], None
        if kind == "attrs":
            setattr(target, name, value)
            return getattr(target, name), parent and "%s.%s" % (parent, name)
        raise BridgeError("cannot set %s of a %s" % (name, type_name(target)))

    def completions(self, params):
        with self.inspecting():
            frame = self.frame_of(params.get("frame"))
            text = params.get("text") or ""
            column = params.get("column")
            before = text if column is None else text[: max(0, int(column) - 1)]
            match = re.search(r"[A-Za-z_][\w.]*$", before)
            if match is None:
                return []
            namespace = dict(frame.f_globals)
            namespace.update(self.locals_of(frame))
            return complete(match.group(0), namespace)

    def exception_info(self, params):
        with self.inspecting():
            if self.exception is None:
                raise BridgeError("the program is not stopped on an exception")
            return self.exception


class Inspection:
    """Holds the bridge's lock for a request that reads the stopped program (the program must not
    resume under it); refused while the program runs."""

    def __init__(self, bridge):
        self.bridge = bridge

    def __enter__(self):
        self.bridge.lock.acquire()
        if not self.bridge.stopped:
            self.bridge.lock.release()
            raise BridgeError("the program is running")

    def __exit__(self, *exc_info):
        self.bridge.lock.release()


class _Unreadable:
    """An attribute whose getter raised: shown as the error."""

    def __init__(self, exc):
        self.exc = exc

    def __repr__(self):
        return "<cannot read: %s>" % describe_exception(self.exc)


def complete(token, namespace):
    """Completions of `name` or `a.b.name` in namespace: [{label, text, type}] (text replaces the
    part after the last dot)."""
    import keyword

    *path, prefix = token.split(".")
    found = {}
    if path:
        try:
            obj = namespace[path[0]] if path[0] in namespace else getattr(builtins, path[0])
            for part in path[1:]:
                obj = getattr(obj, part)
        except Exception:
            return []
        for name in dir(obj):
            if name.startswith(prefix) and (prefix.startswith("_") or not name.startswith("_")):
                try:
                    found[name] = completion_type(getattr(obj, name))
                except Exception:
                    found[name] = "variable"
    else:
        for name in keyword.kwlist:
            if name.startswith(prefix):
                found[name] = "keyword"
        for source in (namespace, vars(builtins)):
            for name, value in source.items():
                if isinstance(name, str) and name.startswith(prefix) and name not in found:
                    if prefix.startswith("_") or not name.startswith("_"):
                        found[name] = completion_type(value)
    return [{"label": n, "text": n, "type": t} for n, t in sorted(found.items())[:500]]


def completion_type(value):
    if isinstance(value, type):
        return "class"
    if type(value).__name__ == "module":
        return "module"
    return "function" if callable(value) else "variable"


def without_signals(function, *args):
    """Calls function (which starts a thread) with asynchronous signals blocked, so the thread
    never takes them. A signal sent to the process goes to any thread that does not block it;
    it must go to the program's main thread, or Ctrl-C cannot interrupt a read there (pdb's
    prompt, the program's input()) and a pause waits for the program's next bytecode."""
    synchronous = {signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL}
    blocked = set(signal.valid_signals()) - synchronous if hasattr(signal, "valid_signals") else set()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        return function(*args)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def cache_bytecode():
    """Keep the bridge's bytecode cached even when PYTHONDONTWRITEBYTECODE is set (Python caches
    it otherwise): the directory is loupe's own, and compiling the files at every start would
    make the first stop noticeably later than pdb's."""
    if not sys.dont_write_bytecode:
        return
    try:
        import importlib.util
        import py_compile
    except Exception:
        return
    for source in BRIDGE_FILES:
        try:
            cached = importlib.util.cache_from_source(source)
            if os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(source):
                continue
            py_compile.compile(source, cfile=cached, doraise=True)
        except Exception:
            pass  # a read-only directory, say: the bridge works the same, it starts a little later


REQUESTS = {
    "set_breakpoints": Bridge.set_breakpoints,
    "set_function_breakpoints": Bridge.set_function_breakpoints,
    "set_exception_filters": Bridge.set_exception_filters,
    "scopes": Bridge.scopes,
    "variables": Bridge.variables,
    "evaluate": Bridge.evaluate,
    "set_variable": Bridge.set_variable,
    "completions": Bridge.completions,
    "exception_info": Bridge.exception_info,
}
