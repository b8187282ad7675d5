"""A small program to profile: `loupe profile examples/profile_demo.py`.

It parses some generated "log lines", groups them, and reports; tokenize() is called from two
places, so the flame view shows which of its stacks are measured and which are inferred.
"""
import json
import re

LINE = re.compile(r"(\w+)=(\S+)")


def make_lines(n):
    return [f"user=u{i % 37} action={'buy' if i % 3 else 'view'} amount={i % 101}" for i in range(n)]


def tokenize(line):
    return dict(LINE.findall(line))


def parse(lines):
    return [tokenize(line) for line in lines]


def group(records):
    totals = {}
    for r in records:
        totals.setdefault(r["user"], 0)
        totals[r["user"]] += int(r["amount"])
    return totals


def audit(lines):
    # Re-tokenizes a sample: a second caller of tokenize().
    return sum(1 for line in lines[::10] if tokenize(line)["action"] == "buy")


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def report(totals):
    return json.dumps(sorted(totals.items(), key=lambda kv: -kv[1])[:5])


def main():
    lines = make_lines(20000)
    records = parse(lines)
    print(report(group(records)))
    print("audited", audit(lines), "fib", fib(18))


if __name__ == "__main__":
    main()
