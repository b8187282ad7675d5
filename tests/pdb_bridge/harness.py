"""Runs the pdb bridge the way loupe does, for the tests: a Unix socket server, the program under
`python -m loupe_pdb` in a real pseudo-terminal (its output drained all the time, ipdb's cursor
position queries answered), commands typed as loupe types them (Ctrl-U, the command, Enter), and
the bridge's events and responses read from the socket.

Nothing here reads the terminal to learn the program's state: the terminal text is kept only to
show in failure messages and for the tests about what the program printed.
"""

import fcntl
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ADAPTER = os.path.join(REPO, "adapters", "pdb")
PROGRAMS = os.path.join(HERE, "programs")
PYTHON = sys.executable
# Generous hang guards, not timing assertions: a wedged bridge fails the test instead of hanging.
TIMEOUT = 20.0
START_TIMEOUT = 60.0  # ipdb imports IPython


def program(name):
    return os.path.join(PROGRAMS, name)


class BridgeFailure(AssertionError):
    pass


class Session:
    """One program under the bridge."""

    def __init__(
        self, target, args=(), ipdb=False, module=False, env=None, cwd=None, python=PYTHON, hello=True, direct=False
    ):
        """`direct` runs `python SCRIPT` (not under loupe_pdb): breakpoint() attaches the bridge."""
        self.dir = tempfile.mkdtemp(prefix="loupe-bridge-test-")
        self.socket_path = os.path.join(self.dir, "bridge.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.socket_path)
        self.server.listen(1)
        self.events = queue.Queue()
        self.seen = []  # every event, in order
        self.responses = {}
        self.response_ready = threading.Condition()
        self.next_id = 0
        self.transcript = bytearray()
        self.transcript_lock = threading.Lock()
        self.conn = None

        command = [python] if direct else [python, "-m", "loupe_pdb"]
        if ipdb:
            command.append("--ipdb")
        command += (["-m", target] if module else [target]) + list(args)
        environment = dict(os.environ)
        environment.pop("PYTHONBREAKPOINT", None)
        environment.update(
            PYTHONPATH=ADAPTER,
            LOUPE_PDB_SOCKET=self.socket_path,
            PYTHONBREAKPOINT="loupe_pdb.set_trace",
            TERM="xterm-256color",
        )
        environment.update(env or {})
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

        def controlling_terminal():
            # As loupe's terminal does: a session of its own, with the PTY as its terminal.
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd or PROGRAMS,
            env=environment,
            preexec_fn=controlling_terminal,
            close_fds=True,
        )
        os.close(slave)
        self.drainer = threading.Thread(target=self._drain, daemon=True)
        self.drainer.start()
        self.server.settimeout(0.1)
        deadline = time.monotonic() + START_TIMEOUT
        while self.conn is None:
            try:
                self.conn, _ = self.server.accept()
            except socket.timeout:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.drainer.join(timeout=5)
                    self.close()
                    raise BridgeFailure("the bridge did not connect:\n" + self.screen()) from None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if hello:
            self.hello = self.wait_event("hello", timeout=START_TIMEOUT)

    # --- the terminal ---

    def _drain(self):
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.transcript_lock:
                self.transcript += data
            # ipdb's prompt_toolkit asks where the cursor is and waits for an answer.
            for _ in range(data.count(b"\x1b[6n")):
                os.write(self.master, b"\x1b[1;1R")

    def screen(self):
        with self.transcript_lock:
            return self.transcript.decode("utf-8", "replace")

    def wait_screen(self, text, timeout=TIMEOUT):
        """Waits until the terminal has shown `text` (what the program printed, for tests about
        output that bypasses the bridge)."""
        deadline = time.monotonic() + timeout
        while text not in self.screen():
            if time.monotonic() > deadline:
                raise BridgeFailure("%r never appeared on the terminal:\n%s" % (text, self.describe()))
            time.sleep(0.01)

    def type(self, command):
        """Types a pdb command as loupe does."""
        os.write(self.master, b"\x15" + command.encode() + b"\r")

    def write(self, text):
        os.write(self.master, text.encode())

    # --- the socket ---

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = self.conn.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.events.put(None)
                with self.response_ready:
                    self.response_ready.notify_all()
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)  # every line must be JSON: a failure here fails the test
                if "event" in message:
                    self.seen.append(message)
                    self.events.put(message)
                else:
                    with self.response_ready:
                        self.responses[message["id"]] = message
                        self.response_ready.notify_all()

    def next_event(self, timeout=TIMEOUT):
        """The next event of any kind."""
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            raise BridgeFailure("no event within %ss:\n%s" % (timeout, self.describe())) from None
        if event is None:
            raise BridgeFailure("the bridge hung up:\n" + self.describe())
        return event

    def wait_event(self, name, timeout=TIMEOUT, skip_output=True):
        """The next event, which must be `name` (output events are skipped unless asked for)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BridgeFailure("no %s event within %ss:\n%s" % (name, timeout, self.describe())) from None
            if event is None:
                raise BridgeFailure("the bridge hung up waiting for %s:\n%s" % (name, self.describe()))
            if skip_output and event["event"] == "output" and name != "output":
                continue
            if event["event"] != name:
                raise BridgeFailure("expected %s, got %s:\n%s" % (name, event, self.describe()))
            return event

    def wait_stop(self, timeout=TIMEOUT):
        return self.wait_event("stopped", timeout=timeout)

    def step(self, command, timeout=TIMEOUT):
        """Types a command that resumes the program; the `stopped` event that follows."""
        self.type(command)
        self.wait_event("running", timeout=timeout)
        return self.wait_stop(timeout=timeout)

    def request(self, method, **params):
        """The result of a request; BridgeFailure carries an error response's message."""
        response = self.raw_request(method, **params)
        if "error" in response:
            raise RequestError(response["error"]["message"])
        return response["result"]

    def raw_request(self, method, **params):
        self.next_id += 1
        rid = self.next_id
        self.conn.sendall((json.dumps({"id": rid, "method": method, "params": params}) + "\n").encode())
        deadline = time.monotonic() + TIMEOUT
        with self.response_ready:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BridgeFailure("no answer to %s:\n%s" % (method, self.describe()))
                self.response_ready.wait(left)
            return self.responses.pop(rid)

    def outputs(self, category=None):
        return "".join(
            e["text"] for e in self.seen if e["event"] == "output" and (category is None or e["category"] == category)
        )

    # --- the end ---

    def wait_exit(self, timeout=TIMEOUT):
        """The `exited` event's code, then the process's own exit status (they must agree)."""
        event = self.wait_event("exited", timeout=timeout)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BridgeFailure("the process did not end after exited:\n" + self.describe()) from None
        return event["code"], status

    def wait_hangup(self, timeout=TIMEOUT):
        """The bridge closed the socket (its process ended); the process's exit status."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            if event is None:
                return self.process.wait(timeout=timeout)
            if event["event"] != "output":
                raise BridgeFailure("expected the end, got %s:\n%s" % (event, self.describe()))

    def describe(self):
        events = "\n".join(json.dumps(e)[:300] for e in self.seen[-15:])
        return "--- events ---\n%s\n--- terminal ---\n%s" % (events, self.screen()[-4000:])

    def close(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        for closer in (self.conn, self.server):
            if closer is not None:
                closer.close()
        try:
            os.close(self.master)
        except OSError:
            pass
        self.drainer.join(timeout=5)
        try:
            os.unlink(self.socket_path)
            os.rmdir(self.dir)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class RequestError(AssertionError):
    """An error response (the message is the bridge's)."""


def python_has(python, module):
    return subprocess.run([python, "-c", "import " + module], capture_output=True).returncode == 0
