"""Runs a script under tracemalloc for `loupe profile --alloc`
(python -m loupe_alloc OUT FRAMES SCRIPT ARGS...).

The script runs as __main__ with its directory first on sys.path and keeps its exit status, as
under loupe_profile. tracemalloc starts before the script with FRAMES frames per traceback. A
sampling thread watches the traced memory every 10 ms and takes a snapshot whenever it is 10%
above the biggest snapshot so far, or 1% above it and holding steady, so the report describes the
memory at (or near: the highest point a sample saw) the peak, even when the program frees it
before it exits; a last snapshot is taken at exit and kept if it is the biggest. The same thread
reads the resident set size from /proc/self/statm every 50 ms. tracemalloc's own snapshots are
not traced, so sampling does not move the peak.

OUT gets a JSON report (docs/PROFILE.md): the peak, the traced bytes at exit, per-line and
per-traceback statistics of the chosen snapshot (frames outermost first), the RSS series and the
Python version. It is written when the script returns, raises, calls sys.exit, or is stopped by
SIGINT or SIGTERM (then the process ends by the same signal, so its status is 128+N). This
runner's own allocations (the sampling thread, the report) are left out of the statistics, and
its frames are cut from the script's tracebacks.
"""
import json
import os
import signal
import sys
import threading
import time
import tracemalloc

RUNNER_FILE = __file__
# The lines of this file on the stack that runs the script (the top level's exec, and the call of
# it when runpy runs this module): the only frames of this file the script's tracebacks may have.
SCRIPT_STACK_LINES = set()
SAMPLE_SECONDS = 0.01
RSS_EVERY = 5
SNAPSHOT_MARGIN = 1.10
STEADY_MARGIN = 1.01
# A snapshot costs about 0.3 us per traced block; after one that took D seconds of CPU time the
# next waits until the process has used COOLDOWN * D more, so snapshots take at most about a fifth
# of the run's CPU while memory grows. CPU time, not wall time: a process that others keep off the
# CPU would otherwise spend most of what it gets on snapshots, or sit out the very peak.
COOLDOWN = 4


def page_size():
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 4096


class Recorder:
    """The sampling thread and what it found."""

    def __init__(self):
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.best = None
        self.best_traced = 0
        self.best_time = 0.0
        self.next_allowed_cpu = 0.0
        self.previous = 0
        self.rss = []
        self.page = page_size()
        self.written = False
        # Set under the lock when the report begins: no more snapshots.
        self.done = False
        self.thread = threading.Thread(target=self.run, name="loupe-alloc-sampler", daemon=True)

    def read_rss(self):
        try:
            with open("/proc/self/statm", "rb") as statm:
                resident = int(statm.read().split()[1])
        except (OSError, ValueError, IndexError):
            return
        self.rss.append((round(time.monotonic() - self.start, 4), resident * self.page))

    def consider_snapshot(self):
        """Takes a snapshot if the traced memory now is well above the biggest one's."""
        current = tracemalloc.get_traced_memory()[0]
        previous, self.previous = self.previous, current
        # Memory holding steady above the biggest snapshot is a plateau, often the peak's: worth
        # a snapshot even below the margin.
        steady = previous * 0.99 <= current <= previous * 1.01
        if self.best is not None and current < self.best_traced * STEADY_MARGIN:
            return
        if self.best is not None and current < self.best_traced * SNAPSHOT_MARGIN and not steady:
            return
        if time.process_time() < self.next_allowed_cpu:
            return
        began = time.monotonic()
        cpu = time.process_time()
        with self.lock:
            if self.done:
                return
            snapshot = tracemalloc.take_snapshot()
            # What the snapshot holds, not `current`: the program may have allocated or freed
            # since that was read (the GIL can pass to it just before the snapshot). A program
            # that freed its peak in that moment left a smaller snapshot than the one kept, which
            # must not replace it (seen under load: the peak's 30 MiB snapshot gave way to 11 KiB,
            # and the report showed the memory held at exit). Both are held for that moment:
            # snapshots are not traced, so the traced figures do not move.
            traced = snapshot_bytes(snapshot)
            if self.best is None or traced > self.best_traced:
                self.best, self.best_traced, self.best_time = snapshot, traced, began - self.start
            del snapshot
        self.next_allowed_cpu = time.process_time() + COOLDOWN * (time.process_time() - cpu)

    def run(self):
        tick = 0
        while not self.stop.wait(SAMPLE_SECONDS):
            if not tracemalloc.is_tracing():
                continue
            if tick % RSS_EVERY == 0:
                self.read_rss()
            tick += 1
            self.consider_snapshot()

    def report(self, out, status):
        """Stops sampling, takes the last snapshot and writes OUT. Runs once."""
        if self.written:
            return
        self.written = True
        with self.lock:
            self.done = True
            if not tracemalloc.is_tracing():
                sys.stderr.write("loupe_alloc: the program stopped tracemalloc; no allocation report\n")
                self.stop.set()
                return
            current, peak = tracemalloc.get_traced_memory()
            at_exit = self.best is None or current >= self.best_traced
            if at_exit:
                self.best = None
                self.best = tracemalloc.take_snapshot()
                self.best_time = time.monotonic() - self.start
            chosen, taken = self.best, self.best_time
            tracemalloc.stop()
        # Only now, untraced: the sampling thread's ending allocates (threading's bookkeeping).
        self.stop.set()
        self.read_rss()
        lines, tracebacks, traced = statistics(chosen)
        report = {
            "version": 1,
            "python": "%d.%d.%d" % sys.version_info[:3],
            "frames": chosen.traceback_limit,
            "peak": peak,
            "final": current,
            "snapshot": {"traced": traced, "seconds": round(taken, 4), "at_exit": at_exit},
            "lines": lines,
            "tracebacks": tracebacks,
            "rss": list(self.rss),
            "status": status,
        }
        temp = out + ".tmp"
        with open(temp, "w") as f:
            json.dump(report, f, separators=(",", ":"))
        os.replace(temp, out)


def snapshot_bytes(snapshot):
    """The bytes SNAPSHOT holds. Its raw trace tuples (domain, size, ...) are summed when they
    are there (CPython 3.8 to 3.14), five times faster than through Trace objects."""
    raw = getattr(snapshot.traces, "_traces", None)
    if isinstance(raw, list) and (not raw or isinstance(raw[0], tuple)):
        return sum(trace[1] for trace in raw)
    return sum(trace.size for trace in snapshot.traces)


def statistics(snapshot):
    """Per-line and per-traceback statistics of the script's allocations in SNAPSHOT, and their
    total. Traces with a frame of this runner other than the lines that run the script are the
    runner's own and are dropped; the others lose the frames up to the runner's."""
    by_line = {}
    tracebacks = []
    traced = 0
    for stat in snapshot.statistics("traceback"):
        frames = []
        own = False
        for frame in stat.traceback:  # outermost first
            if frame.filename == RUNNER_FILE:
                if frame.lineno not in SCRIPT_STACK_LINES:
                    own = True
                    break
                # What ran this runner (runpy, for -m) and the runner itself are not the script's.
                frames.clear()
                continue
            frames.append((frame.filename, frame.lineno))
        if own or not frames:
            continue
        traced += stat.size
        tracebacks.append({"frames": frames, "size": stat.size, "count": stat.count})
        site = frames[-1]
        size, count = by_line.get(site, (0, 0))
        by_line[site] = (size + stat.size, count + stat.count)
    lines = [
        {"file": file, "line": line, "size": size, "count": count}
        for (file, line), (size, count) in sorted(by_line.items(), key=lambda item: -item[1][0])
    ]
    return lines, tracebacks, traced


def prepare():
    """Reads the arguments, compiles the script and starts sampling and tracing; returns where
    the report goes, the script's code and namespace, and the recorder."""
    if len(sys.argv) < 4:
        sys.stderr.write("usage: python -m loupe_alloc OUT FRAMES SCRIPT [ARGS...]\n")
        sys.exit(2)
    out, frames, script = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.argv[:] = sys.argv[3:]
    sys.path.insert(0, os.path.dirname(script))
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    namespace = {"__file__": script, "__name__": "__main__", "__package__": None, "__cached__": None}
    recorder = Recorder()

    def on_signal(number, _frame):
        if recorder.written:
            # The report is being written (this handler interrupted it) or is done: the
            # process ends as soon as it is, with the script's own status.
            return
        recorder.report(out, {"kind": "signal", "code": 128 + number})
        die_by(number)

    signal.signal(signal.SIGTERM, on_signal)
    recorder.thread.start()
    tracemalloc.start(frames)
    return out, code, namespace, recorder


def without_runpy():
    """Started as `python -m loupe_alloc`, replaces this process with `python .../loupe_alloc.py`
    (same interpreter, options and arguments). tracemalloc reads every frame of the stack, up
    to the limit, on every allocation (the line of each is worked out each time), so the frames
    above the script cost on every allocation: runpy's two of them, and a main() function, made
    an allocation-heavy script 1.5 times slower under 32 frames. The script now runs from this
    module's top level, one frame above it. Stays as it is where that cannot be done."""
    if sys._getframe(1).f_back is None:
        return  # already run as a file: this module's frame is the outermost
    original = getattr(sys, "orig_argv", None)  # CPython 3.10+
    if not original or "-m" not in original:
        return
    at = original.index("-m")
    if original[at + 1 : at + 2] != ["loupe_alloc"]:
        return
    try:
        os.execv(sys.executable, [sys.executable] + original[1:at] + [RUNNER_FILE] + original[at + 2 :])
    except OSError:
        pass


def note_script_stack(frame, exec_line):
    """Records the lines of this file on the stack of FRAME, whose current line is EXEC_LINE."""
    SCRIPT_STACK_LINES.add(exec_line)
    frame = frame.f_back
    while frame is not None:
        if frame.f_code.co_filename == RUNNER_FILE:
            SCRIPT_STACK_LINES.add(frame.f_lineno)
        frame = frame.f_back


def exit_code(code):
    """The status `raise SystemExit(code)` ends the process with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def die_by(number):
    """Ends the process by signal NUMBER (its default action), after flushing what was printed."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
    os._exit(128 + number)


if __name__ == "__main__":
    without_runpy()
    OUT, CODE, NAMESPACE, RECORDER = prepare()
    STATUS = {"kind": "exit", "code": 0}
    # At the top level, not in a function: one frame fewer above the script (see without_runpy).
    try:
        note_script_stack(sys._getframe(), sys._getframe().f_lineno + 1)
        exec(CODE, NAMESPACE)
    except SystemExit as e:
        STATUS = {"kind": "exit", "code": exit_code(e.code)}
        raise
    except KeyboardInterrupt:
        # As python does for an uncaught KeyboardInterrupt: the report, then death by SIGINT.
        STATUS = {"kind": "signal", "code": 128 + signal.SIGINT}
        RECORDER.report(OUT, STATUS)
        import traceback

        traceback.print_exc()
        die_by(signal.SIGINT)
    except BaseException:
        STATUS = {"kind": "exception", "code": 1}
        raise
    finally:
        RECORDER.report(OUT, STATUS)
