"""Calls breakpoint()."""


def compute(a):
    doubled = a * 2
    breakpoint()
    return doubled + 1  # line 7


print("result", compute(20))
