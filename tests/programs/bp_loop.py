# bp_loop.py: a loop of known length, for breakpoint tests.
import sys


def square(x):
    result = x * x
    return result


def main(n):
    total = 0
    for i in range(n):
        # a comment inside the loop

        total += square(i)
    print("total", total)
    return total


sys.exit(main(6) - 50)
