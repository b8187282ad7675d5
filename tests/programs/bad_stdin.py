"""Reads one line from stdin; exits with 7 if it is the expected line, else 1."""

import sys

line = input("say something: ")
print(f"got {line!r}", flush=True)
sys.exit(7 if line == "hello from the pipe" else 1)
