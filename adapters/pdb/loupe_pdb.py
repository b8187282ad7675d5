"""loupe's bridge to pdb and ipdb.

loupe starts ``python -m loupe_pdb [--ipdb] (SCRIPT | -m MODULE) [ARGS...]`` in a pseudo-terminal,
with ``LOUPE_PDB_SOCKET`` naming a Unix socket that loupe listens on. Two channels result:

- The terminal is the real pdb (or ipdb). Whatever is typed there, by the user or by loupe, is an
  ordinary pdb command, so the transcript is the truth. This module never reads the terminal.
- The socket carries structured state, one JSON object per line (docs/PDB_BRIDGE.md): events from
  here (``hello``, ``stopped``, ``prompt``, ``running``, ``output``, ``exited``, ``error``) and
  requests from loupe (breakpoints, exception filters, scopes, variables, evaluate, set_variable,
  completions, exception_info), answered in order on a reader thread. User code cannot write to
  the socket, so nothing the program prints can pass for a stop.

The debugger is ``pdb.Pdb``, or the IPython class ipdb uses, with ``BridgeMixin`` in front. It
lives in this imported module rather than in ``__main__`` because pdb clears ``__main__`` for the
program. Only the standard library is imported (plus ipdb for ``--ipdb``), and little of it: the
first stop must come nearly as fast as ``python -m pdb``'s first prompt.
"""

if __name__ == "__main__":
    # `python -m loupe_pdb` executes this file as __main__, whose namespace pdb hands over to the
    # program: nothing may live there. Run this same code object again as the module loupe_pdb
    # (an import would compile the file a second time when there is no bytecode cache), then its
    # main(), which never returns.
    import sys
    import types

    _module = sys.modules["loupe_pdb"] = types.ModuleType("loupe_pdb")
    _module.__file__ = __file__
    exec(sys._getframe().f_code, _module.__dict__)
    _module.main()

import _socket
import _thread
import atexit
import bdb
import builtins
import dis
import json
import linecache
import os
import pdb
import re
import signal
import sys
import time
import traceback

PROTOCOL = 1
VALUE_LIMIT = 1000
CLIPBOARD_LIMIT = 1000000
MAX_CHILDREN = 10000
OUTPUT_CHUNK = 32768
COMMAND_OUTPUT_LIMIT = 1000000
# Nesting deeper than this is shown as `...` in values (like reprlib).
MAX_DEPTH = 16
# Code flags of generators and coroutines: their call event also fires on every resumption.
RESUMABLE = 0x20 | 0x80 | 0x200
THIS_FILE = __file__
# Set when this process runs under the bridge (main) or attached from breakpoint().
_BRIDGE = None


class BridgeError(Exception):
    """A request that cannot be answered; the message goes back to loupe as is."""


def describe_exception(exc):
    """`ValueError: message`, as the last line of a traceback says it."""
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


# ----- the socket -----


class Channel:
    """The socket to loupe: JSON lines out from any thread, request lines in on the reader thread.

    Output is batched: a program printing line by line would otherwise cost an event per write.
    Writers only append to the batch (no encoding on the program's thread, where the debugger
    might step into the encoder); the flusher thread sends it shortly after it starts, and any
    other message sends it first, so what the program printed before a stop arrives before it."""

    def __init__(self, path):
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.connect(path)
        self.sock = sock
        self.lock = _thread.allocate_lock()  # held while sending (and taking the batch)
        self.alive = True
        self.batch = []  # (category, text) not sent yet
        self.batch_lock = _thread.allocate_lock()
        self.flush_wanted = _thread.allocate_lock()  # released to wake the flusher
        self.flush_wanted.acquire()

    def send(self, message):
        if not self.alive:
            return
        with self.lock:
            self.send_batch()
            self.write(message)

    def write(self, message):
        text = json.dumps(message, ensure_ascii=False)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (undecodable bytes in a path or in output): loupe wants valid UTF-8.
            data = text.encode("utf-8", "replace")
        try:
            self.sock.sendall(data + b"\n")
        except OSError:
            self.alive = False  # loupe is gone; the program carries on without it

    def output(self, category, text):
        if not self.alive:
            return
        with self.batch_lock:
            self.batch.append((category, text))
            first = len(self.batch) == 1
        if first:
            try:
                self.flush_wanted.release()
            except RuntimeError:
                pass  # the flusher is awake already

    def flush(self):
        if not self.alive:
            return  # (in a forked child, the lock may have been copied held)
        with self.lock:
            self.send_batch()

    def send_batch(self):
        with self.batch_lock:
            batch, self.batch = self.batch, []
        texts, category = [], None
        for kind, text in batch + [(None, "")]:
            if kind != category and texts:
                joined = "".join(texts)
                for start in range(0, len(joined), OUTPUT_CHUNK):
                    self.write({"event": "output", "category": category, "text": joined[start : start + OUTPUT_CHUNK]})
                texts = []
            category = kind
            texts.append(text)

    def flusher(self):
        while True:
            self.flush_wanted.acquire()
            time.sleep(0.01)  # what is printed together goes together (at most 10 ms late)
            self.flush()

    def lines(self):
        pending = bytearray()
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            while True:
                end = pending.find(b"\n")
                if end < 0:
                    break
                line = bytes(pending[:end])
                del pending[: end + 1]
                if line.strip():
                    yield line

    def forget(self):
        """In a forked child: the socket belongs to the parent's session."""
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass


class Tee:
    """The program's sys.stdout or sys.stderr: writes still go to the terminal, and to loupe as
    `output` events. Everything else (fileno, isatty, encoding, buffer, ...) is the real stream's."""

    def __init__(self, stream, category, channel):
        self._stream = stream
        self._category = category
        self._channel = channel

    def write(self, text):
        written = self._stream.write(text)
        if text:
            self._channel.output(self._category, text)
        return written

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class CommandOutput:
    """pdb's own output stream: everything goes to the terminal, and what a command typed at the
    prompt prints is also kept (up to COMMAND_OUTPUT_LIMIT characters) for loupe, which sends
    commands of the user's on their behalf (`debugger_command`) and shows the answer."""

    def __init__(self, stream):
        self._stream = stream
        self._kept = None
        self._size = 0

    def begin(self):
        self._kept, self._size = [], 0

    def take(self):
        text = "".join(self._kept or ())
        self._kept = None
        return text

    def write(self, text):
        kept = self._kept
        if kept is not None and text and self._size < COMMAND_OUTPUT_LIMIT:
            kept.append(text[: COMMAND_OUTPUT_LIMIT - self._size])
            self._size += len(kept[-1])
        return self._stream.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


# ----- values -----


class Repr:
    """repr() cut at `limit` characters without building more than that: containers are walked
    item by item and the walk stops once the text is long enough; long strings and bytes are
    sliced before repr. Other objects get their own repr, cut afterwards."""

    def __init__(self, limit):
        self.limit = limit
        self.cut = False

    def __call__(self, value):
        parts = []
        size = 0
        try:
            for piece in self.pieces(value, 0, set()):
                parts.append(piece)
                size += len(piece)
                if size > self.limit:
                    break
        except Exception as exc:  # iterating a container failed (e.g. it changed size)
            return "<repr failed: %s>" % describe_exception(exc), False
        text = "".join(parts)
        if size > self.limit:
            return text[: self.limit], True
        return text, self.cut

    def pieces(self, value, depth, seen):
        kind = type(value)
        if isinstance(value, str) and kind.__repr__ is str.__repr__:
            yield repr(value[: self.limit + 1]) if len(value) > self.limit else repr(value)
        elif isinstance(value, (bytes, bytearray)) and kind.__repr__ in (bytes.__repr__, bytearray.__repr__):
            yield repr(value[: self.limit + 1]) if len(value) > self.limit else repr(value)
        elif kind is int and value.bit_length() > 12000:
            # Decimal conversion is quadratic (and refused past 4300 digits on 3.11+).
            yield "<int of %d bits: %s>" % (value.bit_length(), hex(value)[: self.limit])
        elif kind in (int, float, bool, complex, type(None)):
            yield repr(value)
        else:
            container = self.container(value, kind)
            if container is None:
                yield self.generic(value)
            elif id(value) in seen or depth >= MAX_DEPTH:
                if depth >= MAX_DEPTH:
                    self.cut = True
                yield container[0] + "..." + container[2]
            else:
                seen.add(id(value))
                try:
                    yield from self.items(value, container, depth, seen)
                finally:
                    seen.discard(id(value))

    @staticmethod
    def container(value, kind):
        """(open, items kind, close) for the containers walked item by item, else None."""
        rep = kind.__repr__
        if rep is list.__repr__:
            return ("[", "seq", "]")
        if rep is tuple.__repr__:
            return ("(", "tuple", ")")
        if rep is dict.__repr__:
            return ("{", "map", "}")
        if rep in (set.__repr__, frozenset.__repr__):
            if not value:
                return ("%s(" % kind.__name__, "seq", ")")
            if kind is set:
                return ("{", "seq", "}")
            return ("%s({" % kind.__name__, "seq", "})")
        collections = sys.modules.get("collections")
        if collections is None:
            return None
        if rep is collections.deque.__repr__:
            close = "])" if value.maxlen is None else "], maxlen=%d)" % value.maxlen
            return ("%s([" % kind.__name__, "seq", close)
        if rep is collections.defaultdict.__repr__:
            return ("%s(%s, {" % (kind.__name__, Repr.generic(value.default_factory)), "map", "})")
        if rep is collections.OrderedDict.__repr__:
            if not value:
                return ("%s(" % kind.__name__, "seq", ")")
            if sys.version_info >= (3, 12):
                return ("%s({" % kind.__name__, "map", "})")
            return ("%s([" % kind.__name__, "pairs", "])")
        return None

    def items(self, value, container, depth, seen):
        opening, how, closing = container
        yield opening
        count = 0
        if how in ("map", "pairs"):
            for key, item in value.items():
                if count:
                    yield ", "
                yield "(" if how == "pairs" else ""
                yield from self.pieces(key, depth + 1, seen)
                yield ", " if how == "pairs" else ": "
                yield from self.pieces(item, depth + 1, seen)
                yield ")" if how == "pairs" else ""
                count += 1
        else:
            for item in value:
                if count:
                    yield ", "
                yield from self.pieces(item, depth + 1, seen)
                count += 1
        if how == "tuple" and count == 1:
            yield ","
        yield closing

    @staticmethod
    def generic(value):
        try:
            return repr(value)
        except Exception as exc:
            return "<repr failed: %s>" % describe_exception(exc)


def value_repr(value, limit=VALUE_LIMIT):
    """(text, truncated)."""
    return Repr(limit)(value)


def capped_str(value, limit=VALUE_LIMIT):
    """str(value) cut at limit characters, for log points and exception messages."""
    try:
        if isinstance(value, str):
            text = value[: limit + 1]
        elif type(value).__str__ is object.__str__:
            return value_repr(value, limit)[0]  # str is repr: use the bounded one
        else:
            text = str(value)
    except Exception as exc:
        return "<str failed: %s>" % describe_exception(exc)
    return text if len(text) <= limit else text[:limit] + "..."


def type_name(value):
    try:
        return type(value).__qualname__
    except Exception:
        return type(value).__name__


def qualified_type_name(kind):
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def attribute_names(value):
    """Names of the instance attributes shown as children: __dict__, then __slots__."""
    names = []
    try:
        attrs = getattr(value, "__dict__", None)
    except Exception:
        attrs = None
    if attrs is not None and hasattr(attrs, "keys"):
        names.extend(k for k in list(attrs.keys()) if isinstance(k, str))
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            if slot.startswith("__") and not slot.endswith("__"):
                slot = "_%s%s" % (cls.__name__.lstrip("_"), slot)  # name mangling
            if slot not in names:
                names.append(slot)
    return names


def children_kind(value):
    """How a value's children are listed ('seq', 'map', 'set', 'attrs'), or None for leaves."""
    if isinstance(value, (str, bytes, bytearray, int, float, complex, type(None))):
        return None
    if isinstance(value, (list, tuple)):
        return "seq"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, (set, frozenset)):
        return "set"
    collections = sys.modules.get("collections")
    if collections is not None and isinstance(value, collections.deque):
        return "seq"
    return "attrs" if attribute_names(value) else None


def child_count(value, kind):
    try:
        return len(attribute_names(value)) if kind == "attrs" else len(value)
    except Exception:
        return None


def as_operand(expression):
    """The expression, parenthesized unless it is a name, attribute or subscript chain, so that
    `[i]` or `.attr` can follow it in a child's evaluate_name."""
    expression = expression.strip()
    if re.fullmatch(r"[A-Za-z_][\w.]*(\[[^\[\]]*\])*", expression):
        return expression
    return "(%s)" % expression


def key_is_literal(key):
    """Whether repr(key) is an expression that gives the key back."""
    return type(key) in (str, int, bytes, bool, type(None))


# ----- requests -----


class Ref:
    """Something loupe can refer to by number during one stop: a frame, a scope or a value."""

    __slots__ = ("kind", "frame", "value", "name", "keys")

    def __init__(self, kind, frame, value=None, name=None):
        self.kind = kind  # 'frame', 'locals', 'globals' or 'value'
        self.frame = frame
        self.value = value
        self.name = name  # the value's evaluate_name
        self.keys = None  # for dicts: child name -> key


class LineBreakpoint:
    """A breakpoint loupe set: a bdb breakpoint plus what bdb lacks (hit condition, log message)."""

    def __init__(self, bp, key, hit_test, log_parts):
        self.bp = bp
        self.key = key
        self.hit_test = hit_test
        self.log_parts = log_parts
        self.hits = 0  # times reached with its condition true

    def result(self):
        return {"number": self.bp.number, "verified": True, "line": self.bp.line, "message": None}


class FunctionBreakpoint:
    def __init__(self, number, name, key, condition, hit_test):
        self.number = number
        self.name = name
        self.key = key
        self.condition = condition
        self.hit_test = hit_test
        self.hits = 0


def parse_hit_condition(text):
    """`==N`, `>=N`, `>N`, `<=N`, `<N`, `%N` or a bare `N` (meaning ==N) -> a test of the hit count."""
    if not text or not text.strip():
        return None
    match = re.fullmatch(r"\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*", text)
    if match is None or (match.group(1) == "%" and int(match.group(2)) == 0):
        raise BridgeError("hit condition %r: use ==N, >=N or %%N" % text)
    op, n = match.group(1) or "==", int(match.group(2))
    tests = {
        "==": lambda hits: hits == n,
        ">=": lambda hits: hits >= n,
        ">": lambda hits: hits > n,
        "<=": lambda hits: hits <= n,
        "<": lambda hits: hits < n,
        "%": lambda hits: hits % n == 0,
    }
    return tests[op]


def parse_log_message(message):
    """The parts of a log message: text, and compiled `{expression}`s ({{ and }} are braces)."""
    parts, text, i = [], [], 0
    while i < len(message):
        char = message[i]
        if message.startswith("{{", i) or message.startswith("}}", i):
            text.append(char)
            i += 2
        elif char == "{":
            depth, j = 1, i + 1
            while j < len(message) and depth:
                depth += {"{": 1, "}": -1}.get(message[j], 0)
                j += 1
            if depth:
                raise BridgeError("log message: unbalanced { in %r" % message)
            expression = message[i + 1 : j - 1].strip()
            try:
                code = compile(expression, "<log message>", "eval")
            except SyntaxError as exc:
                raise BridgeError("log message: {%s}: %s" % (expression, exc.msg)) from None
            if text:
                parts.append("".join(text))
                text = []
            parts.append(code)
            i = j
        else:
            text.append(char)
            i += 1
    if text:
        parts.append("".join(text))
    return parts


def check_condition(condition):
    try:
        compile(condition, "<condition>", "eval")
    except SyntaxError as exc:
        raise BridgeError("condition %r: %s" % (condition, exc.msg)) from None


class Bridge:
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

    # --- start-up ---

    def start(self):
        self.internal_files.update(
            f.__code__.co_filename for f in (bdb.Bdb.run, pdb.Pdb.interaction, Bridge.start, main)
        )
        for cls in type(self.debugger).__mro__:
            for attr in vars(cls).values():
                code = getattr(attr, "__code__", None)
                if code is not None and code.co_filename != THIS_FILE:
                    if "IPython" in code.co_filename or code.co_filename.endswith(("bdb.py", "pdb.py", "cmd.py")):
                        self.internal_files.add(code.co_filename)
        runpy = sys.modules.get("runpy")
        if runpy is not None:
            self.internal_files.add(runpy._run_module_as_main.__code__.co_filename)
        # pdb's own messages: the terminal only, never `output`.
        self.debugger.stdout = CommandOutput(sys.stdout)
        sys.stdout = Tee(sys.stdout, "stdout", self.channel)
        sys.stderr = Tee(sys.stderr, "stderr", self.channel)
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

    # --- breakpoints ---

    def set_breakpoints(self, params):
        # Under the lock: the program's thread compares the breakpoints with what loupe knows
        # after every command typed at the prompt (report_typed_breakpoints).
        with self.lock:
            return self._set_breakpoints(params)

    def _set_breakpoints(self, params):
        dbg = self.debugger
        filename = self.breakpoint_file(params["file"])
        previous = {n: b for n, b in self.line_bps.items() if b.bp.file == filename}
        kept, results = set(), []
        for spec in params.get("breakpoints") or []:
            line = int(spec["line"])
            condition = spec.get("condition") or None
            hit_condition = spec.get("hit_condition") or None
            log_message = spec.get("log_message") or None
            try:
                self.check_line(filename, line)
                if condition:
                    check_condition(condition)
                hit_test = parse_hit_condition(hit_condition)
                log_parts = parse_log_message(log_message) if log_message else None
            except BridgeError as exc:
                results.append({"number": None, "verified": False, "line": line, "message": str(exc)})
                continue
            key = (line, condition, hit_condition, log_message)
            same = [b for n, b in previous.items() if b.key == key and n not in kept]
            if same and bdb.Breakpoint.bpbynumber[same[0].bp.number] is same[0].bp:
                kept.add(same[0].bp.number)  # unchanged: keeps its number and hit count
                same[0].bp.enabled = True  # loupe sends enabled breakpoints only (`disable` typed)
                self.reported[same[0].bp.number] = (condition, True)
                results.append(same[0].result())
                continue
            problem = dbg.set_break(filename, line, cond=condition)
            if problem:
                results.append({"number": None, "verified": False, "line": line, "message": problem})
                continue
            bp = dbg.get_breaks(filename, line)[-1]
            self.line_bps[bp.number] = LineBreakpoint(bp, key, hit_test, log_parts)
            self.reported[bp.number] = (condition, True)
            kept.add(bp.number)
            results.append(self.line_bps[bp.number].result())
        for number in previous:
            if number not in kept:
                del self.line_bps[number]
                self.reported.pop(number, None)
                dbg.clear_bpbynumber(number)
        self.rearm()
        return results

    def breakpoint_file(self, path):
        dbg = self.debugger
        filename = dbg.canonic(path)
        # The main script runs under its real path; loupe may know it through a symlink.
        real = os.path.realpath(filename)
        return real if real != filename and real == dbg.mainpyfile else filename

    def report_typed_breakpoints(self, stopping_at=()):
        """Adopt breakpoints made at the prompt (`break 12`, `tbreak f`, a .pdbrc) and tell loupe
        about them, and about loupe's breakpoints changed or cleared there, in one `breakpoints`
        event. Adopted breakpoints are loupe's from then on: `set_breakpoints` keeps them when
        loupe sends them back. A temporary breakpoint bdb deleted as it stopped (`stopping_at`)
        is not reported gone: loupe must see which breakpoint the stop was, and removes
        temporaries itself."""
        with self.lock:
            added, changed, removed = [], [], []
            for bp in bdb.Breakpoint.bpbynumber:
                if bp is None or bp.number in self.line_bps:
                    continue
                key = (bp.line, bp.cond, None, None)
                self.line_bps[bp.number] = LineBreakpoint(bp, key, None, None)
                self.reported[bp.number] = (bp.cond, bp.enabled)
                added.append(
                    {
                        "number": bp.number,
                        "file": bp.file,
                        "line": bp.line,
                        "condition": bp.cond,
                        "enabled": bool(bp.enabled),
                        "temporary": bool(bp.temporary),
                    }
                )
            for number, owned in list(self.line_bps.items()):
                bpbynumber = bdb.Breakpoint.bpbynumber
                if number >= len(bpbynumber) or bpbynumber[number] is not owned.bp:
                    if number in stopping_at:
                        continue
                    # `clear` typed, or a temporary breakpoint bdb deleted at an earlier stop.
                    del self.line_bps[number]
                    self.reported.pop(number, None)
                    removed.append(number)
                    continue
                state = (owned.bp.cond, bool(owned.bp.enabled))
                if self.reported.get(number) != state:
                    self.reported[number] = state
                    line, _, hit_condition, log_message = owned.key
                    owned.key = (line, state[0], hit_condition, log_message)
                    changed.append({"number": number, "condition": state[0], "enabled": state[1]})
            if added or changed or removed:
                self.channel.send({"event": "breakpoints", "added": added, "changed": changed, "removed": removed})

    def hit_counts(self):
        """[number, hits] of every breakpoint loupe set: how often each was reached with its
        condition true (hit conditions are applied here, so loupe cannot count stops)."""
        counts = [[n, b.hits] for n, b in self.line_bps.items()]
        counts.extend([b.number, b.hits] for b in self.function_bps)
        return counts

    def check_line(self, filename, line):
        lines = linecache.getlines(filename)
        if not lines:
            raise BridgeError("cannot read %s" % filename)
        if not 1 <= line <= len(lines):
            raise BridgeError("line %d is past the end of the file (%d lines)" % (line, len(lines)))
        text = lines[line - 1].strip()
        if not text or text.startswith("#"):
            raise BridgeError("line %d is blank or a comment" % line)
        with_code = self.lines_with_code(filename, lines)
        if with_code is not None and line not in with_code:
            raise BridgeError("line %d has no code to stop at" % line)

    def lines_with_code(self, filename, lines):
        """The lines where the compiled file starts a line of bytecode (None if it does not compile)."""
        cached = self.code_lines.get(filename)
        if cached is not None and cached[0] is lines:
            return cached[1]
        try:
            code = compile("".join(lines), filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            found = None
        else:
            found, todo = set(), [code]
            while todo:
                code = todo.pop()
                found.update(line for _, line in dis.findlinestarts(code) if line is not None)
                todo.extend(c for c in code.co_consts if hasattr(c, "co_code"))
        self.code_lines[filename] = (lines, found)
        return found

    def set_function_breakpoints(self, params):
        dbg = self.debugger
        previous = {b.key: b for b in self.function_bps}
        bps, results = [], []
        for spec in params.get("breakpoints") or []:
            name = (spec.get("name") or "").strip()
            condition = spec.get("condition") or None
            hit_condition = spec.get("hit_condition") or None
            try:
                if not name or any(c.isspace() for c in name):
                    raise BridgeError("function name %r: give a name like f or Class.method" % name)
                if condition:
                    check_condition(condition)
                hit_test = parse_hit_condition(hit_condition)
            except BridgeError as exc:
                results.append({"number": None, "verified": False, "line": None, "message": str(exc)})
                continue
            key = (name, condition, hit_condition)
            bp = previous.pop(key, None) or FunctionBreakpoint(
                reserve_breakpoint_number(),
                name,
                key,
                condition and compile(condition, "<condition>", "eval"),
                hit_test,
            )
            bps.append(bp)
            results.append({"number": bp.number, "verified": True, "line": None, "message": None})
        by_name = {}
        for bp in bps:
            by_name.setdefault(bp.name.rpartition(".")[2], []).append(bp)
        self.function_bps = bps
        dbg._lp_function_bps = by_name  # one assignment: the program's thread may be reading it
        self.rearm()
        return results

    def set_exception_filters(self, params):
        filters = set(params.get("filters") or [])
        unknown = filters - {"raised", "uncaught"}
        if unknown:
            raise BridgeError("unknown exception filters %s: use raised, uncaught" % sorted(unknown))
        self.filters = filters
        self.debugger._lp_raised = "raised" in filters
        self.rearm()
        return None

    def rearm(self):
        """Breakpoints set while the program runs apply right away, to the functions already
        running too. If the program runs traced, their frames get bdb's trace function from here.
        If it runs untraced (set_continue: nothing needed tracing), only its own thread can turn
        tracing on: a SIGINT to that thread reaches our handler, which does (and does not pause)."""
        dbg = self.debugger
        with self.lock:
            if self.stopped or not dbg._lp_needs_tracing():
                return  # resuming looks at the breakpoints (set_continue, announce_running)
            if getattr(dbg, "botframe", None) is None:
                return  # the program has not started: bdb traces it from its first line anyway
            if not dbg._lp_idle:
                frame = sys._current_frames().get(self.main_ident)
                while frame is not None and frame is not dbg.botframe:
                    if not self.hidden(frame):
                        if frame.f_trace is None:
                            frame.f_trace = dbg.trace_dispatch
                        frame.f_trace_lines = True
                    frame = frame.f_back
            elif signal.getsignal(signal.SIGINT) == dbg.sigint_handler and not dbg._lp_rearm:
                dbg._lp_rearm = True
                signal.pthread_kill(self.main_ident, signal.SIGINT)
            # Else the program replaced loupe's SIGINT handler: breakpoints apply from the next stop.

    def breakpoint_reached(self, frame):
        """bdb found an effective breakpoint here (condition true): apply the hit condition and
        the log message loupe gave it. True to stop."""
        dbg = self.debugger
        number = dbg.currentbp
        bp = self.line_bps.get(number)
        if bp is not None:
            bp.hits += 1
            if bp.hit_test is not None and not bp.hit_test(bp.hits):
                return False
            if bp.log_parts is not None:
                self.log(bp.log_parts, frame)
                return False
        dbg._lp_why = ("breakpoint", [number], None)
        return True

    def log(self, parts, frame):
        text = []
        for part in parts:
            if isinstance(part, str):
                text.append(part)
                continue
            try:
                text.append(capped_str(eval(part, frame.f_globals, frame.f_locals)))
            except Exception as exc:
                text.append("<%s>" % describe_exception(exc))
        self.channel.output("console", "".join(text) + "\n")

    def function_breakpoint(self, frame):
        """The breakpoint number if a call of this frame's function should stop, else None."""
        code = frame.f_code
        candidates = self.debugger._lp_function_bps.get(code.co_name)
        if not candidates:
            return None
        if code.co_flags & RESUMABLE and frame.f_lineno != code.co_firstlineno:
            return None  # a generator or coroutine resuming, not a new call
        for bp in candidates:
            if bp.name != code.co_name and bp.name not in self.qualified_names(frame):
                continue
            if bp.condition is not None:
                try:
                    if not eval(bp.condition, frame.f_globals, frame.f_locals):
                        continue
                except Exception:
                    pass  # like bdb: a condition that fails stops
            bp.hits += 1
            if bp.hit_test is None or bp.hit_test(bp.hits):
                return bp.number
        return None

    def qualified_names(self, frame):
        code = frame.f_code
        qualname = getattr(code, "co_qualname", None)
        if qualname is None:  # before 3.11: ask the function object
            qualname = self.qualnames.get(code)
            if qualname is None:
                import gc

                functions = [f for f in gc.get_referrers(code) if getattr(f, "__code__", None) is code]
                qualname = self.qualnames[code] = functions[0].__qualname__ if functions else code.co_name
        module = frame.f_globals.get("__name__")
        return (qualname, "%s.%s" % (module, qualname))

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
    """Keep this file's bytecode cached even when PYTHONDONTWRITEBYTECODE is set (Python caches
    it otherwise): the directory is loupe's own, and compiling the file at every start would
    make the first stop noticeably later than pdb's."""
    if not sys.dont_write_bytecode:
        return
    try:
        import importlib.util
        import py_compile

        cached = importlib.util.cache_from_source(THIS_FILE)
        if os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(THIS_FILE):
            return
        py_compile.compile(THIS_FILE, cfile=cached, doraise=True)
    except Exception:
        pass  # a read-only directory, say: the bridge works the same, it starts a little later


def reserve_breakpoint_number():
    """A number from bdb's sequence for a function breakpoint, so it never equals a line
    breakpoint's; bdb indexes breakpoints by number, so its slot holds None."""
    number = bdb.Breakpoint.next
    bdb.Breakpoint.next += 1
    bdb.Breakpoint.bpbynumber.append(None)
    return number


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


# ----- the debugger -----


class BridgeMixin:
    """What the bridge adds to pdb.Pdb or IPython's debugger: every stop, prompt and resumption is
    reported; breakpoints get hit conditions and log messages; function breakpoints and the
    `raised` exception filter work; breakpoints loupe sets while the program runs apply at once;
    and the bridge's own code is never a place to stop."""

    bridge = None
    _lp_why = None  # (reason, hit, exception) of the stop being entered
    _lp_break_reason = None  # pause / breakpoint(): the reason of the next stop, whatever comes first
    _lp_entry = False  # the next stop is the program's first line
    _lp_at_entry = False  # stopped at the entry stop
    _lp_jumped = False
    _lp_restop = False
    _lp_quiet = False  # the bridge is running on the program's thread: no stepping into it
    _lp_raised = False
    _lp_function_bps = {}
    _lp_pending = None  # (frame, number): a function breakpoint stops at the frame's first line
    _lp_new_stop = False  # setup() ran for a stop not announced yet
    _lp_idle = False  # running without a trace function (see set_continue)
    _lp_rearm = False  # the next SIGINT is Bridge.rearm's, not a pause

    # --- where the program stops ---

    def dispatch_call(self, frame, arg):
        if self._lp_quiet or frame.f_code.co_filename == THIS_FILE:
            return None
        if self._lp_function_bps and not self._wait_for_mainpyfile:
            try:
                number = self.bridge.function_breakpoint(frame)
            except Exception:
                number = None
                self.bridge.failed("checking function breakpoints")
            if number is not None:
                self._lp_pending = (frame, number)
        result = super().dispatch_call(frame, arg)
        if self._lp_idle:
            return None  # continued from a `--Call--` stop with nothing to trace
        if result is None and self._lp_raised and self.bridge.is_user_code(frame.f_code):
            # Traced for exception events only: line events would slow the program down.
            frame.f_trace_lines = False
            return self.trace_dispatch
        return result

    if sys.version_info < (3, 10):

        def dispatch_line(self, frame):
            # 3.8 and 3.9 give a frame with a trace function the line of its last line event. The
            # frame that continued keeps bdb's (the return value) though `continue` turned tracing
            # off: its line, in tracebacks too, would stay where it stopped. Give it none.
            result = super().dispatch_line(frame)
            return None if self._lp_idle else result

    def break_anywhere(self, frame):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            return True
        return super().break_anywhere(frame)

    def break_here(self, frame):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            self._lp_pending = None
            self._lp_why = ("function breakpoint", [pending[1]], None)
            return True
        try:
            if not super().break_here(frame):
                return False
        except (KeyError, IndexError, ValueError):
            return False  # loupe changed the breakpoints while this line was being checked
        try:
            return self.bridge.breakpoint_reached(frame)
        except Exception:
            self.bridge.failed("checking a breakpoint")
            return True

    def dispatch_exception(self, frame, arg):
        if self._lp_raised and not self._wait_for_mainpyfile and self._lp_raised_here(frame, arg):
            self.user_exception(frame, arg)
            if self.quitting:
                raise bdb.BdbQuit
            return self.trace_dispatch
        return super().dispatch_exception(frame, arg)

    def _lp_raised_here(self, frame, arg):
        try:
            return self._raised_here(frame, arg)
        except Exception:
            self.bridge.failed("checking the raised filter")
            return False

    def _raised_here(self, frame, arg):
        """Whether the exception was raised in this frame (user code), or entered user code here
        from the library."""
        tb = arg[2]
        if tb is None or tb.tb_frame is not frame or not self.bridge.is_user_code(frame.f_code):
            return False
        tb = tb.tb_next
        while tb is not None:
            if self.bridge.is_user_code(tb.tb_frame.f_code):
                return False
            tb = tb.tb_next
        return True

    def set_continue(self):
        tracing = sys.gettrace() is not None  # not in a post-mortem
        super().set_continue()
        if tracing and sys.gettrace() is None:
            # bdb stops tracing when no line breakpoint is set, so the program runs at full
            # speed. Function breakpoints and the `raised` filter need the trace function too.
            # Without them, loupe may still set a breakpoint while the program runs: rearm().
            if self._lp_needs_tracing():
                sys.settrace(self.trace_dispatch)
            else:
                self._lp_idle = True

    def _lp_needs_tracing(self):
        return bool(self.breaks or self._lp_function_bps or self._lp_raised)

    def _lp_trace_from(self, frame):
        """Trace the program again from this frame outwards, as bdb does when it starts."""
        while frame is not None and frame is not self.botframe:
            if not self.bridge.hidden(frame):
                if frame.f_trace is None:
                    frame.f_trace = self.trace_dispatch
                frame.f_trace_lines = True
            frame = frame.f_back
        self._lp_idle = False
        sys.settrace(self.trace_dispatch)

    def sigint_handler(self, signum, frame):
        if self._lp_rearm:
            # Not a pause: the bridge's reader thread asks this thread to trace again (Bridge.rearm).
            self._lp_rearm = False
            quiet, self._lp_quiet = self._lp_quiet, True
            try:
                self._lp_trace_from(frame)
            finally:
                self._lp_quiet = quiet
            return
        if self.allow_kbdint and self.bridge.stopped:
            if getattr(self, "thread_executor", None) is not None:
                # ipdb reads its prompt on another thread, and Ctrl-C typed there is a key, not
                # this signal; interrupting the wait for that thread would lose the next line.
                return
            raise KeyboardInterrupt  # Ctrl-C at the prompt cancels the line, as in pdb
        self.break_into(frame, "pause", "\nProgram interrupted. (Use 'cont' to resume).")

    def break_into(self, frame, reason, message=None):
        """Stop at the next line the program runs (pause, breakpoint())."""
        # Once stepping is on, every Python call made here would be a place to stop: quiet until
        # the very end (restoring the flag is an attribute store, not a call).
        quiet, self._lp_quiet = self._lp_quiet, True
        try:
            if message is not None:
                self.message(message)
            while frame is not None and self.bridge.hidden(frame):
                frame = frame.f_back
            # Kept apart from _lp_why, which each bdb hook clears on its way out: the stop this
            # asks for may come after hooks that do not stop (a return from a hidden frame).
            self._lp_break_reason = reason
            if getattr(self, "botframe", None) is None:  # not started by run(): bdb's set_trace
                self.set_trace(frame)
                self.set_step()  # the next line, as below (3.13's set_trace steps by instruction)
            else:
                self.set_step()
                self._lp_trace_from(frame)
        finally:
            self._lp_quiet = quiet

    # --- stops ---

    def user_line(self, frame):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            self._lp_pending = None
            self._lp_why = self._lp_why or ("function breakpoint", [pending[1]], None)
        try:
            super().user_line(frame)
        finally:
            self._lp_why = None

    def user_call(self, frame, argument_list):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame and self.stop_here(frame):
            self._lp_pending = None
            self._lp_why = ("function breakpoint", [pending[1]], None)
        try:
            super().user_call(frame, argument_list)
        finally:
            self._lp_why = None

    def user_return(self, frame, return_value):
        try:
            super().user_return(frame, return_value)
        finally:
            self._lp_why = None

    def user_exception(self, frame, exc_info):
        if not self._wait_for_mainpyfile:
            self._lp_why = ("exception", [], self.bridge.exception_report(*exc_info))
        try:
            super().user_exception(frame, exc_info)
        finally:
            self._lp_why = None

    def setup(self, f, tb):
        super().setup(f, tb)
        self._lp_new_stop = True

    def preloop(self):
        super().preloop()
        if not self.bridge.stopped:
            try:
                self._lp_announce()
            except Exception:
                self.bridge.failed("reporting a stop")

    def _lp_announce(self):
        why = self._lp_why
        if why is None and self._lp_break_reason is not None:
            why = (self._lp_break_reason, [], None)
        self._lp_break_reason = None
        if why is None:
            # No new stop (setup() not called) means the prompt loop was entered again after
            # `running` was sent: a Ctrl-C came between the two. The program is paused.
            why = ("step" if self._lp_new_stop else "pause", [], None)
        self._lp_why = None
        self._lp_new_stop = False
        if self._lp_entry:
            why, self._lp_entry, self._lp_at_entry = ("entry", [], None), False, True
        self.bridge.announce_stop(why)

    def postcmd(self, stop, line):
        stop = super().postcmd(stop, line)
        try:
            self._lp_after_command(stop, line)
        except Exception:
            self.bridge.failed("reporting the command %r" % line)
        return stop

    def precmd(self, line):
        stdout = self.stdout
        if isinstance(stdout, CommandOutput):
            stdout.begin()
        return super().precmd(line)

    def _lp_after_command(self, stop, line):
        """Tell loupe what the command did: resumed the program, jumped, or left it stopped; and
        first, what it did to breakpoints."""
        self.bridge.report_typed_breakpoints()
        output = self.stdout.take() if isinstance(self.stdout, CommandOutput) else ""
        if self._lp_restop:
            # No `running` before this stop: the program did not run, and loupe releases the
            # program's held input on `running` (it would reach this prompt instead).
            self._lp_restop = False
            self._lp_at_entry = False  # the next continue runs the program
            self.print_stack_entry(self.stack[self.curindex])
            self._lp_announce()
        elif stop:
            self._lp_at_entry = False
            self.bridge.announce_running(output)
        elif self._lp_jumped:
            self._lp_jumped = False
            self._lp_why = ("goto", [], None)
            self._lp_announce()
        elif not line.startswith("_pdbcmd"):  # pdb 3.13's own queued command
            self.bridge.announce_prompt(output)

    # --- commands ---

    def do_continue(self, arg):
        if self._lp_at_entry and self.stack:
            # loupe continues from the entry stop after setting breakpoints: one on the first
            # line must stop here, as if the program had run to it.
            frame = self.stack[-1][0]
            if self.break_here(frame):
                self._lp_restop = True
                return None
        return super().do_continue(arg)

    do_c = do_cont = do_continue

    def do_jump(self, arg):
        result = super().do_jump(arg)
        try:
            self._lp_jumped = self.curframe.f_lineno == int(arg)
        except (ValueError, AttributeError):
            pass
        return result

    do_j = do_jump

    def do_run(self, arg):
        self.error("restart the program from loupe")

    do_restart = do_run

    # --- running the program ---

    def run_target(self, target):
        self._lp_entry = True
        if hasattr(self, "_run"):
            return self._run(target)
        # 3.8 - 3.10: what pdb's _run does in 3.11.
        self._wait_for_mainpyfile = True
        self._user_requested_quit = False
        self.mainpyfile = self.canonic(target.filename)
        import __main__

        __main__.__dict__.clear()
        __main__.__dict__.update(target.namespace)
        self.run(target.code)

    def post_mortem(self, exc):
        self.reset()
        self._lp_entry = False  # the program failed before its first line (a SyntaxError)
        self._lp_why = ("exception", [], self.bridge.exception_report(type(exc), exc, exc.__traceback__))
        self.interaction(None, exc if sys.version_info >= (3, 13) else exc.__traceback__)


class LoupePdb(BridgeMixin, pdb.Pdb):
    pass


# ----- what to run -----


def script_file(name):
    """`__file__` as `python SCRIPT` sets it (3.9 on): the path given, joined to the working
    directory, with symbolic links and `..` left as they are. pdb's targets use the real path,
    and in 3.11 and 3.12 the target object itself (a str subclass, shown as `ScriptTarget`)."""
    return os.path.join(os.getcwd(), name)


if hasattr(pdb, "_ScriptTarget"):

    class ScriptTarget(pdb._ScriptTarget):
        main_file = None  # set by make_target: script_file() of the path given

        @property
        def namespace(self):
            namespace = super().namespace
            namespace.setdefault("__spec__", None)  # as when Python runs a script
            namespace["__file__"] = self.main_file or str(self.filename)
            return namespace

else:

    class ScriptTarget:
        """pdb._ScriptTarget as 3.11 has it."""

        main_file = None  # set by make_target: script_file() of the path given

        def __init__(self, path):
            self.filename = os.path.realpath(path)

        def check(self):
            sys.path[0] = os.path.dirname(self.filename)

        @property
        def code(self):
            with open(self.filename, "rb") as f:
                return "exec(compile(%r, %r, 'exec'))" % (f.read(), self.filename)

        @property
        def namespace(self):
            return {
                "__name__": "__main__",
                "__file__": self.main_file or self.filename,
                "__builtins__": builtins,
                "__spec__": None,
            }


if hasattr(pdb, "_ModuleTarget"):
    ModuleTarget = pdb._ModuleTarget
else:

    class ModuleTarget:
        """pdb._ModuleTarget as 3.11 has it."""

        def __init__(self, name):
            import runpy

            _, self._spec, self.code = runpy._get_module_details(name)
            self.filename = self.code.co_filename

        def check(self):
            pass

        @property
        def namespace(self):
            return {
                "__name__": "__main__",
                "__file__": os.path.normcase(os.path.abspath(self.filename)),
                "__package__": self._spec.parent,
                "__loader__": self._spec.loader,
                "__spec__": self._spec,
                "__builtins__": builtins,
            }


def make_target(is_module, name):
    """(target, argv[0]); BridgeError says why the program cannot run."""
    if is_module:
        import runpy

        try:
            runpy._get_module_details(name)
        except Exception as exc:  # what `python -m` would say: ImportError, or the package failing
            raise BridgeError("cannot run module %s: %s" % (name, describe_exception(exc))) from None
        target = ModuleTarget(name)
        argv0 = target.filename
    else:
        if not os.path.exists(name):
            raise BridgeError("no such file: %s" % name)
        if os.path.isdir(name):
            raise BridgeError("%s is a directory, not a Python file" % name)
        target = ScriptTarget(name)
        target.main_file = script_file(name)
        argv0 = name
    if hasattr(target, "check"):  # 3.11, 3.12 (3.13 checks in the constructor)
        target.check()
    return target, argv0


def make_debugger(use_ipdb):
    if not use_ipdb:
        return LoupePdb()
    # As ipdb's own main does (_init_pdb): IPython chooses the class, with ipdb's configuration.
    from ipdb import __main__ as ipdb_main

    cls = type("LoupeIpdb", (BridgeMixin, ipdb_main._get_debugger_cls()), {})
    context = os.getenv("IPDB_CONTEXT_SIZE", ipdb_main.get_context_from_config())
    try:
        return cls(context=context)
    except TypeError:
        return cls()


def hello(channel, debugger_name):
    channel.send(
        {
            "event": "hello",
            "pid": os.getpid(),
            "python": "%d.%d.%d" % sys.version_info[:3],
            "debugger": debugger_name,
            "bridge": PROTOCOL,
        }
    )


def fail(channel, message, code):
    """Report a failure to start: to loupe (instead of hello) and on the terminal."""
    if channel is not None:
        channel.send({"event": "error", "message": message})
    print("loupe_pdb: %s" % message, file=sys.stderr)
    raise SystemExit(code)


def parse_arguments(argv):
    use_ipdb = argv[:1] == ["--ipdb"]
    if use_ipdb:
        argv = argv[1:]
    is_module = argv[:1] == ["-m"]
    if is_module:
        argv = argv[1:]
    if not argv:
        print("usage: python -m loupe_pdb [--ipdb] (SCRIPT | -m MODULE) [ARGS...]", file=sys.stderr)
        raise SystemExit(2)
    return use_ipdb, is_module, argv[0], argv[1:]


def exit_code(code):
    """The status SystemExit(code) ends Python with (printing a message as Python does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_program(dbg, bridge, target):
    try:
        dbg.run_target(target)
        return 0
    except SystemExit as exc:
        return exit_code(exc.code)
    except bdb.BdbQuit:
        return 0
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and bridge.hidden(tb.tb_frame):
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
        # Post-mortem needs a frame of the program: a script that does not compile never ran
        # (its first line was never reached), so its SyntaxError is only reported, as debugpy's
        # syntax check does.
        if "uncaught" in bridge.filters and not dbg._lp_entry:
            try:
                dbg.post_mortem(exc)
            except bdb.BdbQuit:
                pass
        return 1


def main():
    global _BRIDGE
    use_ipdb, is_module, name, args = parse_arguments(sys.argv[1:])
    path = os.environ.pop("LOUPE_PDB_SOCKET", None)  # not for the program's own children
    if not path:
        fail(None, "LOUPE_PDB_SOCKET is not set: loupe runs this module, with a socket to report to", 2)
    try:
        channel = Channel(path)
    except OSError as exc:
        fail(None, "cannot connect to loupe at %s: %s" % (path, exc), 2)
    if use_ipdb:
        try:
            import ipdb.__main__  # noqa: F401  (IPython is slow to import: before hello, once)
        except ImportError:
            python = sys.executable
            fail(
                channel, "ipdb is not installed for %s: install it with `%s -m pip install ipdb`" % (python, python), 3
            )
    try:
        target, argv0 = make_target(is_module, name)
    except BridgeError as exc:
        fail(channel, str(exc), 1)
    hello(channel, "ipdb" if use_ipdb else "pdb")
    sys.argv[:] = [argv0] + args
    dbg = make_debugger(use_ipdb)
    bridge = _BRIDGE = dbg.bridge = Bridge(channel, dbg)
    bridge.start()
    code = run_program(dbg, bridge, target)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    channel.send({"event": "exited", "code": code})
    raise SystemExit(code)


def attach_from_environment():
    """breakpoint() in a program that loupe started without this module in front (it set
    LOUPE_PDB_SOCKET): connect now. None when there is no loupe to report to."""
    global _BRIDGE
    path = os.environ.pop("LOUPE_PDB_SOCKET", None)
    if not path:
        return None
    try:
        channel = Channel(path)
    except OSError:
        return None
    hello(channel, "pdb")
    dbg = LoupePdb()
    _BRIDGE = dbg.bridge = Bridge(channel, dbg)
    _BRIDGE.start()
    return _BRIDGE


def set_trace(*args, header=None, **kwargs):
    """The breakpoint() hook (PYTHONBREAKPOINT=loupe_pdb.set_trace): stop in loupe."""
    frame = sys._getframe(1)
    bridge = _BRIDGE or attach_from_environment()
    if bridge is None:  # nobody to report to: plain pdb, as breakpoint() would give
        debugger = pdb.Pdb()
        if header is not None:
            debugger.message(header)
        debugger.set_trace(frame)
        return
    if _thread.get_ident() == bridge.reader_ident:
        return  # an expression loupe evaluated called breakpoint(): the reader must not stop
    if _thread.get_ident() != bridge.main_ident:
        # pdb reads its commands from the terminal on the thread it stops; the program's main
        # thread keeps that terminal. One thread is debugged: this call is ignored.
        print("loupe_pdb: breakpoint() outside the main thread is ignored", file=sys.__stderr__)
        return
    bridge.debugger.break_into(frame, "breakpoint", header)
