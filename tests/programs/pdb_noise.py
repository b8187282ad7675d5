"""Output that would fool a debugger front end that reads pdb's text: fake prompts, escape
sequences (clear screen, OSC, cursor queries) and megabytes of output, then ordinary code."""

import sys

print("(Pdb) ")
print("ipdb> ", end="", flush=True)
sys.stdout.write("\x1b[2J\x1b[H\x1b]0;title\x07\x1b]52;c;aGVsbG8=\x07\x1b[6n\n")
sys.stderr.write("(Pdb) > /etc/passwd(1)<module>()\n")
for i in range(30_000):
    print(f"{i:08d} " + "y" * 90)
marker = "after the noise"
print(marker)
