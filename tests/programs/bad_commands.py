"""A small program to throw bad commands at; exits with status 5."""

import sys


def double(n):
    result = n * 2
    return result


print(double(1))
print(double(2))
sys.exit(5)
