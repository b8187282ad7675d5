"""A long, boring loop for the step-latency benchmark (benches/step_latency.rs).

The benchmark stops at the breakpoint line marked below, then steps with `next` a few hundred
times; 10,000 iterations of the loop body mean stepping never runs out. Keep the marker comment:
the benchmark finds the breakpoint line by it.
"""

import sys


def main(n):
    total = 0
    squares = []
    label = "step"
    for i in range(n):
        a = i * 2  # loupe-bench: breakpoint
        b = a + 1
        total += b
        if i % 100 == 0:
            squares.append(i * i)
        label = "step %d" % i
    return total, len(squares), label


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
