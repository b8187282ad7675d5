"""Two callers share a dispatcher: a_caller -> dispatch -> a and b_caller -> dispatch -> b.

cProfile records dispatch's callers and callees but not which caller led to which callee, so an
inferred flamegraph draws a under b_caller and b under a_caller. a costs three times b.
"""
import sys


def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def a():
    return spin(3 * UNIT)


def b():
    return spin(UNIT)


def dispatch(kind):
    return a() if kind == "a" else b()


def a_caller():
    for _ in range(ROUNDS):
        dispatch("a")


def b_caller():
    for _ in range(ROUNDS):
        dispatch("b")


UNIT = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
ROUNDS = 10
a_caller()
b_caller()
