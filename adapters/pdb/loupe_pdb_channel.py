"""The bridge's channel to loupe: its limits, its errors, the Unix socket (one JSON object a line)
and the wrappers that copy the program's output to it."""

import _socket
import _thread
import json
import pdb
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
# Every file of the bridge (each module adds its own): frames there are never the program's.
BRIDGE_FILES = {__file__}


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
