"""Forks: the child runs the same code as the parent, without loupe."""
import os


def work(who):
    value = who * 2  # line 6
    return value


pid = os.fork()
if pid == 0:
    print("child says", work(1), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
print("parent says", work(2))
