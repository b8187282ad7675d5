"""Stepping, breakpoints and values: line numbers are used by the tests."""
import sys


def add(a, b):
    total = a + b  # line 6
    return total


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self, punctuation="!"):
        return "hello " + self.name + punctuation  # line 15


def main():
    x = 1
    y = add(x, 2)  # line 20
    # a comment on line 21

    totals = [add(i, i) for i in range(5)]
    g = Greeter("world")
    message = g.greet()  # line 25
    print("message:", message)
    for i in range(3):
        y = add(y, i)  # line 28
    print("y:", y)
    return y


if __name__ == "__main__":
    result = main()  # line 34
    print("argv:", sys.argv[1:])
    print("done", result)
