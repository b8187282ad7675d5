"""Prints what a debugger prompt looks like, escape sequences, and a lot of text."""
import sys

print("(Pdb) ")
print("ipdb> ", end="")
print()
print("\x1b[31mred\x1b[0m \x1b]0;a title\x07 \x1b[2J\x1b[H")
sys.stderr.write("(Pdb) on stderr\n")
sys.stdout.flush()
line = "x" * 1023 + "\n"
for _ in range(2048):  # 2 MiB
    sys.stdout.write(line)
sys.stdout.flush()
print("the end")
