"""A fake DAP server that misbehaves in ways real debugpy cannot, for loupe's bad-input tests.

Usage: python bad_fake_adapter.py MODE

It listens on a free loopback port, prints the port on a line of its own, serves one connection,
then exits. MODE says how it answers loupe's `initialize` request:

  not-json        a body that is not JSON, then a valid session that drops the connection
                  after the program "started" (loupe must survive the bad message, report it,
                  and report the lost connection)
  not-dap         a body that is JSON but not a DAP message, then the same valid session
  oversized-eof   a header announcing more than 64 MiB, then the connection closes
  oversized       a header announcing more than 64 MiB and that many bytes, then the same valid
                  session as not-json
  http            an HTTP response instead of DAP
  no-length       a header block without Content-Length
  bad-length      a Content-Length that is not a number
  long-header     a header line of several kilobytes
  binary          bytes that are not UTF-8
  silent-after-initialize
                  a valid initialize response, then nothing at all (no `initialized` event,
                  no answer to `attach`) while keeping the connection open
"""

import json
import socket
import sys

MAX_BODY_BYTES = 64 * 1024 * 1024
HEADER_MODES = {
    "http": b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html>bad request</html>",
    "no-length": b"Content-Type: application/json\r\n\r\n{}",
    "bad-length": b"Content-Length: lots\r\n\r\n{}",
    "long-header": b"X-Padding: " + b"A" * 8192 + b"\r\n\r\n",
    "binary": b"\xff\xfe\x00\x81garbage\xc3\r\n\r\n",
}


class Peer:
    def __init__(self, conn):
        self.conn = conn
        self.buffer = b""
        self.seq = 0

    def read_message(self):
        """The next message from loupe, or None at end of stream."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        header, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        length = 0
        for line in header.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(self.buffer) < length:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body)

    def send_raw(self, data):
        self.conn.sendall(data)

    def send_body(self, body):
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message):
        self.seq += 1
        message["seq"] = self.seq
        self.send_body(json.dumps(message).encode())

    def respond(self, request, body=None):
        self.send(
            {
                "type": "response",
                "request_seq": request["seq"],
                "success": True,
                "command": request["command"],
                "body": body or {},
            }
        )

    def event(self, name, body=None):
        self.send({"type": "event", "event": name, "body": body or {}})


def valid_session_then_drop(peer, initialize):
    """Answers initialize properly, plays a minimal adapter until the program has "started",
    then drops the connection without `terminated` (as a crashed adapter would)."""
    peer.respond(initialize, {"supportsConfigurationDoneRequest": True})
    start = None
    while True:
        request = peer.read_message()
        if request is None:
            return
        command = request.get("command")
        if command in ("attach", "launch"):
            start = request
            peer.event("initialized")
        elif command == "setBreakpoints":
            count = len(request.get("arguments", {}).get("breakpoints", []))
            peer.respond(request, {"breakpoints": [{"verified": False}] * count})
        elif command == "configurationDone":
            peer.respond(request)
            if start is not None:
                peer.respond(start)
            return
        else:
            peer.respond(request)


def serve(mode, conn):
    peer = Peer(conn)
    if mode in HEADER_MODES:
        # Garbage where a header belongs, sent first thing; keep the connection open so that
        # the garbage alone decides what loupe does.
        peer.send_raw(HEADER_MODES[mode])
        while peer.conn.recv(65536):
            pass
        return
    initialize = peer.read_message()
    if initialize is None:
        return
    if mode == "not-json":
        peer.send_body(b"this is {not JSON")
        valid_session_then_drop(peer, initialize)
    elif mode == "not-dap":
        peer.send_body(b'{"hello": "world"}')
        valid_session_then_drop(peer, initialize)
    elif mode == "oversized-eof":
        peer.send_raw(b"Content-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
    elif mode == "oversized":
        peer.send_raw(b"Content-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
        chunk = b"x" * (1024 * 1024)
        for _ in range(64):
            peer.send_raw(chunk)
        peer.send_raw(b"x")
        valid_session_then_drop(peer, initialize)
    elif mode == "silent-after-initialize":
        peer.respond(initialize, {"supportsConfigurationDoneRequest": True})
        while peer.read_message() is not None:
            pass
    else:
        raise SystemExit(f"unknown mode {mode!r}")


def main():
    mode = sys.argv[1]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    print(server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    server.close()
    try:
        serve(mode, conn)
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        conn.close()


if __name__ == "__main__":
    main()
