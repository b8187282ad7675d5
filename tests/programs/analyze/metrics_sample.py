"""Module docstring.

Spans lines.
"""
import os  # a comment

LIMIT: int = 10


def classify(values, threshold=LIMIT):
    # Comment line.
    result = []
    for v in values:
        if v > threshold and v % 2 == 0:
            result.append("big-even")
        elif v > threshold or v < -threshold:
            result.append("big")
        else:
            result.append("small")
    try:
        total = sum(values)
    except TypeError:
        total = 0
    except ValueError:
        total = -1
    else:
        total += 1
    return [r for r in result if r], total


class Shape:
    sides = 0

    def area(self):
        with open(os.devnull) as f:
            return 0 if f else 1

    def describe(self):
        def inner(x):
            return x and not x
        while self.sides:
            self.sides -= 1
        return inner(self.sides)
