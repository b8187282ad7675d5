"""Does some measurable work in `busy`, then ends the way argv[1] says: `raise` (an uncaught
exception), `sigterm` (sends itself SIGTERM), `sigint` (SIGINT: KeyboardInterrupt), `exit3` (sys.exit(3)). For `loupe profile --lines`:
the line report must survive every one of these endings.
"""
import os
import signal
import sys


def busy(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


def finish(how):
    if how == "raise":
        raise ValueError("the program fails on purpose")
    if how == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()
    if how == "sigint":
        os.kill(os.getpid(), signal.SIGINT)
        signal.pause()
    if how == "exit3":
        sys.exit(3)


if __name__ == "__main__":
    print("busy", busy(50000))
    finish(sys.argv[1] if len(sys.argv) > 1 else "")
