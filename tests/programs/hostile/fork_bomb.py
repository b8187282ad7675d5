"""Fork bomb: every process forks forever. The first refused fork ends the original process
(exit 3), which under a PID namespace takes every other copy down with it."""
import os
import sys

original = os.getpid()
while True:
    try:
        os.fork()
    except OSError:
        if os.getpid() == original:
            print("fork refused", flush=True)
            sys.exit(3)
        os._exit(0)
