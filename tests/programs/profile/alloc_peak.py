"""One line allocates most of the memory (about 38 MiB of small bytes objects), which is freed
before the program exits: a snapshot at exit would miss it."""
import sys
import time


def build_table(rows):
    return [bytes(96) + str(i).encode() for i in range(rows)]  # the big line


def checksum(table):
    total = 0
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        total += sum(len(row) for row in table[:5000])
    return total


def small_work():
    return [str(i) for i in range(20000)]


def main():
    table = build_table(int(sys.argv[1]) if len(sys.argv) > 1 else 250_000)
    checksum(table)
    del table
    words = small_work()
    return len(words)


if __name__ == "__main__":
    main()
