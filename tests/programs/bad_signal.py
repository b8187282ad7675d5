"""Kills itself with the signal named by its argument (KILL or TERM)."""

import os
import signal
import sys

number = getattr(signal, "SIG" + sys.argv[1])
print(f"killing myself with {number!r}", flush=True)
os.kill(os.getpid(), number)
print("still alive?!", flush=True)
