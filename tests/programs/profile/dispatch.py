"""Two callers share a dispatcher: a_caller -> dispatch -> a and b_caller -> dispatch -> b.

cProfile records dispatch's callers and callees but not which caller led to which callee, so an
inferred flamegraph draws a under b_caller and b under a_caller. a costs three times b.

With a second argument `imports`, a and b each import a module at run time, as real programs do.
The script and every module it imports run under the same built-in `exec`, so that puts a,
dispatch, the callers and the script's <module> in one cycle with exec: in cProfile's call graph
they are all recursive. The true stacks are the same.
"""
import sys


def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def a():
    if IMPORTS:
        import fractions  # noqa: F401

    return spin(3 * UNIT)


def b():
    if IMPORTS:
        import colorsys  # noqa: F401

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
IMPORTS = sys.argv[2:3] == ["imports"]
ROUNDS = 10
a_caller()
b_caller()
