# loupe: make debugpy's own sockets send without delay.
#
# pydevd (debugpy's in-process half) writes each message as two sendall() calls, header then body,
# on a socket without TCP_NODELAY. Nagle's algorithm holds the body back until the header's ACK,
# and the peer's delayed ACK waits ~40 ms for it: every message from the debuggee costs ~43 ms on
# Linux (debugpy issue 2054). loupe puts this directory on the debuggee's PYTHONPATH; the patch
# below sets TCP_NODELAY on sockets that debugpy/pydevd code connects, and nothing else.
# Any other sitecustomize on the path is then run, so the user's own is not shadowed.

import os
import socket as _socket
import sys


def _loupe_install_nodelay():
    original_connect = _socket.socket.connect

    def connect(self, address):
        result = original_connect(self, address)
        try:
            caller = sys._getframe(1).f_code.co_filename
            if ("pydevd" in caller or "debugpy" in caller) and self.type == _socket.SOCK_STREAM and self.family in (
                _socket.AF_INET,
                _socket.AF_INET6,
            ):
                self.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        except Exception:
            pass
        return result

    connect.__wrapped__ = original_connect
    _socket.socket.connect = connect


def _loupe_chain_next_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        try:
            if os.path.abspath(entry or os.curdir) == here:
                continue
            candidate = os.path.join(entry or os.curdir, "sitecustomize.py")
            if os.path.isfile(candidate):
                import importlib.util

                spec = importlib.util.spec_from_file_location("_loupe_chained_sitecustomize", candidate)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return
        except Exception:
            return


if os.environ.get("LOUPE_NODELAY", "1") == "1":
    _loupe_install_nodelay()
_loupe_chain_next_sitecustomize()
