"""Forks: the child runs the same code as the parent, without loupe."""
import os
import sys


def work(who):
    value = who * 2  # line 7
    return value


pid = os.fork()
if pid == 0:
    print("child says", work(1), flush=True)
    sys.exit(0)  # through atexit, as a child that returns normally does
os.waitpid(pid, 0)
print("parent says", work(2))
