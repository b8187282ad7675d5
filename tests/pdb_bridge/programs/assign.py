"""Assignments made by the debugger must stick."""


def inner(a, b):
    c = a + b  # line 5
    return c  # line 6


def outer():
    x = 10
    y = inner(x, 1)  # line 11
    return x + y  # line 12


print("outer", outer())
