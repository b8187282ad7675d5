"""Runs until told to stop (`keep_going = False`), for pause and breakpoints set while it runs."""
import time

keep_going = True


def work(n):
    n = n + 1  # line 8
    return n


def spin():
    n = 0
    deadline = time.monotonic() + 60  # a wedged test must not leave this running for ever
    while keep_going and time.monotonic() < deadline:
        n = work(n)  # line 16
        time.sleep(0.001)  # line 17
    return n


print("spinning")
count = spin()
print("stopped spinning")
