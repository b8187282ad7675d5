"""Allocates about 10 MiB on one line, then is stopped by a signal while holding it: by SIGTERM
(argument TERM) or SIGINT (INT), sent to itself as `kill` would send it."""
import os
import signal
import sys
import time


def hold():
    kept = [bytearray(200) for _ in range(50_000)]  # the big line
    os.kill(os.getpid(), getattr(signal, "SIG" + sys.argv[1]))
    time.sleep(10)  # not reached: the signal ends the program
    return kept


hold()
print("not reached")
