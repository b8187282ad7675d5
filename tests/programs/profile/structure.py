"""Known call structure: main -> outer x3, outer -> inner x2 each, inner -> leaf x5 each,
and main -> leaf x1 directly. Every function does some work of its own."""


def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def leaf():
    return work(300)


def inner():
    for _ in range(5):
        leaf()
    return work(500)


def outer():
    inner()
    inner()
    return work(1000)


def main():
    for _ in range(3):
        outer()
    leaf()


main()
