"""A program debugged under the sandbox: it checks that the network is off, then starts a child
process (under debugpy: a new debug session through the sandbox's network namespace)."""
import socket
import subprocess
import sys

try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    network = "on"
except OSError as e:
    network = "off errno %d" % e.errno
print("network", network, flush=True)
child = subprocess.run([sys.executable, "-c", "print('child ran')"], capture_output=True, text=True)
print(child.stdout.strip(), flush=True)
answer = 42  # STOP
print("done", answer, flush=True)
