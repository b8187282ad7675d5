"""Breakpoints as loupe asks for them (line, function, condition, hit condition, log message) and how
the bridge keeps pdb's own breakpoints in step with them; a mixin of the Bridge."""

import bdb
import dis
import linecache
import os
import re
import signal
import sys

from loupe_pdb_channel import *  # noqa: F401,F403
from loupe_pdb_values import *  # noqa: F401,F403

BRIDGE_FILES.add(__file__)

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


def reserve_breakpoint_number():
    """A number from bdb's sequence for a function breakpoint, so it never equals a line
    breakpoint's; bdb indexes breakpoints by number, so its slot holds None."""
    number = bdb.Breakpoint.next
    bdb.Breakpoint.next += 1
    bdb.Breakpoint.bpbynumber.append(None)
    return number


class BreakpointRequests:
    """The Bridge's breakpoint requests and what a stop checks of them."""

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
        unknown = filters - {"raised", "uncaught", "user-unhandled"}
        if unknown:
            raise BridgeError("unknown exception filters %s: use raised, uncaught, user-unhandled" % sorted(unknown))
        self.filters = filters
        self.debugger._lp_raised = "raised" in filters
        self.debugger._lp_unhandled = "user-unhandled" in filters
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
