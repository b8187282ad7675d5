"""Runs a script under cProfile for `loupe profile` (python -m loupe_profile [--no-sampling] OUT SCRIPT ARGS...).

The same as `python -m cProfile -o OUT SCRIPT ARGS...` (the script runs as __main__ with its
directory first on sys.path, and the statistics are written even when it raises), except that the
script's own exit status survives: cProfile's runner swallows SystemExit, so `sys.exit(3)` would
end with status 0.

Unless --no-sampling comes first, it also samples every thread's stack on the wall clock and writes
them to OUT.stacks next to the statistics (see `write_stacks` for the format): cProfile keeps one
level of calling context, the samples tell loupe which deeper paths really ran.

The sampler is a thread that runs no Python code at all: a chain of C iterators calls
`faulthandler.dump_traceback` (which writes every thread's stack to a file) and `time.sleep` in
turn. From 3.12 on cProfile counts the events of every thread (sys.monitoring), so a sampler
written in Python would show up in the profile and corrupt its caller figures; calls made from C
raise no events. The sampler's thread waits for the GIL like any other thread, so a CPU-bound
program is sampled at about one sample per GIL switch interval plus the sleep (measured 75-100 Hz
with the default 5 ms switch interval), an idle one at the sleep's rate. The switch interval is
left alone: changing it would change the program's own thread scheduling.
"""
import cProfile
import collections
import faulthandler
import functools
import hashlib
import itertools
import os
import sys
import time
import _thread

# Seconds the sampler sleeps between samples.
SAMPLE_SLEEP = 0.005
# Seconds to wait for the sampler to finish its last sample when the program is done.
SAMPLER_STOP_TIMEOUT = 2.0


def main():
    argv = sys.argv[1:]
    sampling = True
    if argv[:1] == ["--no-sampling"]:
        sampling = False
        argv = argv[1:]
    if len(argv) < 2:
        sys.stderr.write("usage: python -m loupe_profile [--no-sampling] OUT SCRIPT [ARGS...]\n")
        sys.exit(2)
    out, script = argv[0], argv[1]
    sys.argv[:] = argv[1:]
    sys.path.insert(0, os.path.dirname(script))
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    namespace = {"__file__": script, "__name__": "__main__", "__package__": None, "__cached__": None}
    stacks_path = out + ".stacks"
    _remove(stacks_path)
    sampler = Sampler(stacks_path + ".raw") if sampling else None
    profiler = cProfile.Profile()
    try:
        if sampler is not None:
            sampler.start()
        profiler.runctx(code, namespace, None)
    finally:
        profiler.disable()
        finished = sampler is not None and sampler.stop()
        profiler.dump_stats(out)
        if finished:
            write_stacks(sampler, profiler, script, out, stacks_path)


class Sampler:
    """Wall-clock stack samples of every thread, written raw by faulthandler to a file."""

    def __init__(self, raw_path):
        self.raw_path = raw_path
        self.pid = os.getpid()
        self.fd = None
        self.started = None
        self.elapsed = 0.0

    def start(self):
        self.fd = os.open(self.raw_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._running = _thread.allocate_lock()
        self._running.acquire()
        self._done = _thread.allocate_lock()
        self._done.acquire()
        # Each step: stop if `_running` can be taken (stop() released it), else dump, then sleep.
        steps = zip(
            iter(functools.partial(self._running.acquire, False), True),
            iter(functools.partial(faulthandler.dump_traceback, self.fd, True), 1),
            map(time.sleep, itertools.repeat(SAMPLE_SLEEP)),
        )
        # Then say so (one call of `_done.release`), still without running Python code.
        then_done = itertools.islice(iter(self._done.release, 1), 1)
        self.started = time.monotonic()
        _thread.start_new_thread(collections.deque, (itertools.chain(steps, then_done), 0))

    def stop(self):
        """Stops sampling; True when the samples are complete and can be read."""
        if self.fd is None or os.getpid() != self.pid:
            # Not started, or a forked child: the sampler thread is the parent's.
            return False
        self.elapsed = time.monotonic() - self.started
        self._running.release()
        finished = self._done.acquire(True, SAMPLER_STOP_TIMEOUT)
        if finished:
            os.close(self.fd)
        # Else the thread may still write to the descriptor: leave it open rather than let the
        # number be reused by another file.
        return finished


def write_stacks(sampler, profiler, script, pstats, path):
    """Turns faulthandler's dumps into OUT.stacks: a header of `# name value` lines, then one line
    per distinct stack, `FRAME;FRAME;... COUNT`, outermost frame first, each frame a cProfile key
    written `NAME (FILE:FIRSTLINENO)` with `\\` `;` and line breaks escaped as `\\\\` `\\s` `\\n`.
    The main thread's stacks start at the script's `<module>` (the runner's frames above it are
    dropped); other threads' start at their own outermost frame. The header names the pstats file's
    SHA-256, so loupe can tell samples of another run from these."""
    profiler.create_stats()
    first_lines = {}
    for file, line, name in profiler.stats:
        first_lines.setdefault((file, name), []).append(line)
    for lines in first_lines.values():
        lines.sort()
    counts = collections.Counter()
    dumps = unknown = truncated = 0
    with open(sampler.raw_path, "r", encoding="utf-8", errors="replace") as raw:
        for thread in _threads(raw):
            if thread is None:
                dumps += 1
                continue
            frames, cut = thread
            if not frames:
                continue
            frames.reverse()
            start = next((i for i, (f, _, n) in enumerate(frames) if n == "<module>" and f == script), None)
            if start is None and cut:
                # The root is beyond what faulthandler prints (100 frames): unusable.
                truncated += 1
                continue
            keys = []
            for file, line, name in frames[start or 0:]:
                key = _cprofile_key(first_lines, file, line, name)
                if key is None:
                    # Not in the profile (a thread cProfile did not see, a name faulthandler had
                    # to escape): the stack is cut here, as leaving the frame out would make its
                    # caller and callee look adjacent.
                    unknown += 1
                    break
                keys.append(key)
            if keys:
                counts[";".join(keys)] += 1
    _remove(sampler.raw_path)
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        out.write("# loupe-stacks 1\n")
        with open(pstats, "rb") as statistics:
            out.write("# pstats_sha256 %s\n" % hashlib.sha256(statistics.read()).hexdigest())
        out.write("# sample_sleep_seconds %g\n" % SAMPLE_SLEEP)
        out.write("# samples %d\n" % dumps)
        out.write("# seconds %.6f\n" % sampler.elapsed)
        out.write("# stacks_cut_at_a_frame_without_profile_entry %d\n" % unknown)
        out.write("# stacks_too_deep %d\n" % truncated)
        for stack, count in counts.most_common():
            out.write("%s %d\n" % (stack, count))
    os.replace(path + ".tmp", path)


def _threads(raw):
    """Per thread of each dump: (frames, cut) with frames innermost first as (file, line, name)
    and cut when faulthandler left out the outermost ones; None at the start of each dump (the
    sampler's own thread, which faulthandler calls the current one)."""
    frames, cut = None, False
    for line in raw:
        if line.startswith("Thread 0x") or line.startswith("Current thread 0x"):
            if frames is not None:
                yield frames, cut
            frames, cut = [], False
            if line.startswith("Current thread"):
                yield None
                frames = None
        elif frames is None:
            continue
        elif line.startswith('  File "'):
            # `  File "FILE", line N in NAME`
            rest, _, name = line.rstrip("\n").rpartition(" in ")
            file, _, number = rest[len('  File "'):].rpartition('", line ')
            # A frame without a line number (`???`) is still on the stack.
            frames.append((file, int(number) if number.isdigit() else 0, name))
        elif line.startswith("  ..."):
            cut = True
    if frames is not None:
        yield frames, cut


def _cprofile_key(first_lines, file, line, name):
    """The profile's key for a frame of `name` in `file` at `line`: the function of that name in
    that file that starts last at or before the line (faulthandler prints the current line, cProfile
    keys by the first). None when the profile has no such function."""
    lines = first_lines.get((file, name))
    if not lines:
        return None
    first = None
    for candidate in lines:
        if candidate <= line:
            first = candidate
    if first is None:
        first = lines[0]
    return "%s (%s:%d)" % (_escape(name), _escape(file), first)


def _escape(text):
    return text.replace("\\", "\\\\").replace(";", "\\s").replace("\n", "\\n")


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


if __name__ == "__main__":
    main()
