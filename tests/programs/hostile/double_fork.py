"""setsid + double fork: a daemon that outlives the program, touching a file (argv[1]) every
50 ms for a minute, unless something kills it."""
import os
import sys
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for i in range(1200):
            with open(sys.argv[1], "w") as f:
                f.write(str(i))
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
time.sleep(0.3)
print("daemon started", flush=True)
