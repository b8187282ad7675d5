"""dispatch.py with a run-time import in a and in b, as real programs have them.

The script and every module it imports run under the same built-in `exec`, so an import inside a
puts a, dispatch, the callers and the script's <module> in one cycle with exec: in cProfile's
call graph they are all recursive. Their true stacks are the same as dispatch.py's.
"""
import sys


def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def a():
    import fractions  # a run-time import: puts a (and its callers) in a cycle with exec

    return spin(3 * UNIT)


def b():
    import colorsys  # likewise

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
