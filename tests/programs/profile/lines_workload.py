"""A CPU-bound workload with a known hottest line, for `loupe profile --lines` (tests and bench).

`crunch` spends most of its time in the inner loop's arithmetic line (the one marked HOT); the
others are cheap. `Grid.smooth` and `helper` are smaller targets for the --function name forms.
Run with an argument to scale the work (default 1).
"""
import sys


def helper(values):
    total = 0
    for v in values:
        total += v
    return total


def crunch(n):
    acc = 0
    for i in range(n):
        for j in range(40):
            acc = (acc * 31 + i * j + 7) % 1000003  # HOT
        if i % 100 == 0:
            acc += helper(range(10))
    return acc


class Grid:
    def __init__(self, size):
        self.cells = [float(i % 7) for i in range(size)]

    def smooth(self):
        cells = self.cells
        out = []
        for k in range(1, len(cells) - 1):
            out.append((cells[k - 1] + cells[k] + cells[k + 1]) / 3)
        self.cells = out
        return len(out)


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    result = crunch(int(20000 * scale))
    grid = Grid(int(20000 * scale))
    for _ in range(3):
        grid.smooth()
    print("result", result, len(grid.cells))


if __name__ == "__main__":
    main()
