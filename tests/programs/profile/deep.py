"""Recursion 5,000 deep: a function calling itself, and three calling each other in a ring."""

import sys

sys.setrecursionlimit(20_000)


def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1


def ring_a(n):
    return 0 if n == 0 else ring_b(n - 1) + 1


def ring_b(n):
    return 0 if n == 0 else ring_c(n - 1) + 1


def ring_c(n):
    return 0 if n == 0 else ring_a(n - 1) + 1


def main():
    for _ in range(5):
        down(5000)
        ring_a(5000)


main()
