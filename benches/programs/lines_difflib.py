"""A real workload for the line profilers: difflib (pure Python, the standard library's own
code) comparing two real modules of the standard library line by line and word by word, as a
code-review tool would. The hot function is SequenceMatcher.find_longest_match."""
import difflib
import os
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
base = os.path.dirname(os.__file__)
with open(os.path.join(base, "argparse.py")) as f:
    a = f.read()
with open(os.path.join(base, "optparse.py")) as f:
    b = f.read()
for _ in range(rounds):
    lines = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    words = difflib.SequenceMatcher(None, a.split()[:6000], b.split()[:6000])
    print(round(lines.ratio(), 4), round(words.ratio(), 4), len(words.get_opcodes()))
