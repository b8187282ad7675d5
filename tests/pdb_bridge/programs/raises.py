"""Fails with an exception nobody catches."""


def check(value):
    if value > 2:
        raise ValueError("value too big: %d" % value)  # line 6
    return value


def main():
    for v in range(5):
        check(v)  # line 12


main()
