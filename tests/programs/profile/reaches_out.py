# reaches_out.py: tries the network and a write outside its directories while being profiled.
import socket


def connect():
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=2).close()
        return "open"
    except OSError as error:
        return "blocked (errno %s)" % error.errno


print("network", connect())
