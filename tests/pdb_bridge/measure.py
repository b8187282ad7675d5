"""Measures the bridge against plain pdb (not a test: numbers for docs and reviews).

    python tests/pdb_bridge/measure.py [--ipdb] [--runs N] [--steps N]

- first stop: from spawning the process to pdb's first prompt on the terminal (plain
  `python -m pdb`), and to the bridge's `stopped` event and its prompt (`python -m loupe_pdb`);
- step: typing `next` to the next prompt (pdb) or the `stopped` event (bridge), median of many;
- the bridge's own work per step, timed inside the debuggee (postcmd's `running` event, the stop
  report sent from preloop);
- a call-heavy program run to the end after `continue` with no breakpoint: plain Python, pdb
  (which stops tracing), the bridge (which keeps a trace function for breakpoints set later).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

STEPS_PROGRAM = """\
total = 0
for i in range(100000):
    total += i
    total -= 1
print(total)
"""

CALLS_PROGRAM = """\
import time
def f(n):
    return n + 1
start = time.perf_counter()
n = 0
for _ in range(1000000):
    n = f(n)
print("CALLS %.3f" % (time.perf_counter() - start))
"""

PRINTS_PROGRAM = """\
import sys, time
start = time.perf_counter()
for i in range(100000):
    print("line", i)
sys.stderr.write("PRINTS %.3f\\n" % (time.perf_counter() - start))
"""

# Runs the bridge with its reporting timed: the time spent in announce_stop and
# announce_running, printed at exit. The timing code lives in a module of its own (pdb clears
# __main__, this runner's namespace, for the program).
TIMING_MODULE = """\
import atexit, sys, time
import loupe_pdb
spent = {"stop": [], "running": []}
def timed(name, method):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[name].append(time.perf_counter() - start)
    return wrapper
loupe_pdb.Bridge.announce_stop = timed("stop", loupe_pdb.Bridge.announce_stop)
loupe_pdb.Bridge.announce_running = timed("running", loupe_pdb.Bridge.announce_running)
def report():
    for name, times in spent.items():
        times = sorted(times)
        sys.__stderr__.write("TIMED %s n=%d median=%.1fus p90=%.1fus\\n" % (
            name, len(times), 1e6 * times[len(times) // 2], 1e6 * times[int(len(times) * 0.9)]))
atexit.register(report)
"""
TIMED_BRIDGE = "import loupe_timing\nloupe_timing.loupe_pdb.main()\n"


class PlainPdb(harness.Session):
    """python -m pdb (or ipdb) in a terminal; its prompts are counted on the terminal (this is a
    measurement, not the bridge: reading the terminal is fine here)."""

    def __init__(self, script, ipdb=False):
        import fcntl
        import struct
        import termios
        import threading

        self.transcript = bytearray()
        self.transcript_lock = threading.Lock()
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        self.process = subprocess.Popen(
            [harness.PYTHON, "-m", "ipdb" if ipdb else "pdb", script],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.drainer = threading.Thread(target=self._drain, daemon=True)
        self.drainer.start()
        self.prompt = b"ipdb>" if ipdb else b"(Pdb) "

    def prompts(self):
        with self.transcript_lock:
            return self.transcript.count(self.prompt)

    def wait_prompts(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while self.prompts() < n:
            if time.monotonic() > deadline:
                raise RuntimeError("no prompt:\n" + self.screen())
            time.sleep(0.00005)

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self.master)


def first_stop(script, ipdb, runs):
    plain, event, prompt = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        session = PlainPdb(script, ipdb)
        session.wait_prompts(1)
        plain.append(time.perf_counter() - start)
        session.close()

        start = time.perf_counter()
        session = harness.Session(script, ipdb=ipdb)
        session.wait_stop(timeout=60)
        event.append(time.perf_counter() - start)
        deadline = time.monotonic() + 30
        while (b"ipdb>" if ipdb else b"(Pdb) ") not in session.transcript and time.monotonic() < deadline:
            time.sleep(0.00005)
        prompt.append(time.perf_counter() - start)
        session.close()
    return statistics.median(plain), statistics.median(event), statistics.median(prompt)


def steps(script, ipdb, count):
    session = PlainPdb(script, ipdb)
    session.wait_prompts(1)
    plain = []
    for i in range(count):
        start = time.perf_counter()
        session.type("next")
        session.wait_prompts(i + 2)
        plain.append(time.perf_counter() - start)
    session.close()

    bridged = []
    session = harness.Session(script, ipdb=ipdb)
    session.wait_stop()
    for _ in range(count):
        start = time.perf_counter()
        session.step("next")
        bridged.append(time.perf_counter() - start)
    session.close()
    return statistics.median(plain), statistics.median(bridged)


def bridge_work(script, ipdb, count):
    """The bridge's reporting, timed inside the debuggee over `count` steps."""
    helpers = tempfile.mkdtemp()
    with open(os.path.join(helpers, "loupe_timing.py"), "w") as module:
        module.write(TIMING_MODULE)
    runner = os.path.join(helpers, "runner.py")
    with open(runner, "w") as f:
        f.write(TIMED_BRIDGE)
    # python runner.py [--ipdb] script: the runner imports loupe_pdb from PYTHONPATH.
    import socket

    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "s")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(1)
    master, slave = os.openpty()
    args = [harness.PYTHON, runner] + (["--ipdb"] if ipdb else []) + [script]
    env = dict(
        os.environ, PYTHONPATH=harness.ADAPTER + os.pathsep + helpers, LOUPE_PDB_SOCKET=path, TERM="xterm-256color"
    )
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, start_new_session=True)
    os.close(slave)
    import threading

    def drain():
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    conn, _ = server.accept()
    reader = conn.makefile("rb")

    def wait_for(name):
        for line in reader:
            if b'"event": "%s"' % name.encode() in line:
                return

    wait_for("stopped")
    for _ in range(count):
        os.write(master, b"\x15next\r")
        wait_for("stopped")
    os.write(master, b"\x15quit\r")
    _, err = process.communicate(timeout=30)
    import shutil

    shutil.rmtree(helpers)
    return [line[line.index("TIMED") :] for line in err.decode().splitlines() if "TIMED" in line]


def run_to_end(ipdb):
    """Seconds for 1,000,000 calls: plain, under pdb after `continue`, under the bridge."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(CALLS_PROGRAM)
    plain = subprocess.run([harness.PYTHON, f.name], capture_output=True, text=True).stdout
    session = PlainPdb(f.name, ipdb)
    session.wait_prompts(1)
    session.type("continue")
    deadline = time.monotonic() + 120
    while "CALLS" not in session.screen() and time.monotonic() < deadline:
        time.sleep(0.01)
    pdb_out = session.screen()
    session.close()
    session = harness.Session(f.name, ipdb=ipdb)
    session.wait_stop()
    session.type("continue")
    session.wait_event("running")
    session.wait_exit(timeout=120)
    bridge_out = session.outputs()
    session.close()
    os.unlink(f.name)
    pick = lambda text: text[text.index("CALLS") :].split()[1]  # noqa: E731
    return pick(plain), pick(pdb_out), pick(bridge_out)


def printing(ipdb):
    """Seconds for 100,000 print() calls (400,000 writes) on a terminal: plain, under the bridge."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(PRINTS_PROGRAM)
    master, slave = os.openpty()
    process = subprocess.Popen([harness.PYTHON, f.name], stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    plain = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        plain += data
    process.wait()
    os.close(master)
    session = harness.Session(f.name, ipdb=ipdb)
    session.wait_stop()
    session.type("continue")
    session.wait_event("running")
    session.wait_exit(timeout=120)
    bridged = session.outputs("stderr")
    events = sum(1 for e in session.seen if e["event"] == "output")
    session.close()
    os.unlink(f.name)
    pick = lambda text: text[text.index("PRINTS") :].split()[1]  # noqa: E731
    return pick(plain.decode()), pick(bridged), events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ipdb", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=200)
    options = parser.parse_args()
    print("Python", sys.version.split()[0], "ipdb" if options.ipdb else "pdb")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(STEPS_PROGRAM)
    try:
        plain, event, prompt = first_stop(f.name, options.ipdb, options.runs)
        print(
            "first stop: plain prompt %.1f ms; bridge stopped event %.1f ms, prompt %.1f ms (x%.2f)"
            % (1e3 * plain, 1e3 * event, 1e3 * prompt, prompt / plain)
        )
        plain, bridged = steps(f.name, options.ipdb, options.steps)
        print(
            "next: plain %.3f ms to the prompt; bridge %.3f ms to the stopped event (median of %d)"
            % (1e3 * plain, 1e3 * bridged, options.steps)
        )
        for line in bridge_work(f.name, options.ipdb, options.steps):
            print("bridge work per step:", line)
    finally:
        os.unlink(f.name)
    plain, under_pdb, under_bridge = run_to_end(options.ipdb)
    print("1,000,000 calls after continue: plain %ss, pdb %ss, bridge %ss" % (plain, under_pdb, under_bridge))
    plain, bridged, events = printing(options.ipdb)
    print("100,000 prints: plain %ss, bridge %ss (%d output events)" % (plain, bridged, events))


if __name__ == "__main__":
    main()
