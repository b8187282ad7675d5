# two_returns.py: consecutive calls in one frame, for the return-value rows of each step.


def f():
    return 1


def g():
    return 2


def main():
    a = f()
    b = g()
    c = a + b
    return c


main()
