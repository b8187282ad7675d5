"""Writes a file outside its working directory (the path is argv[1])."""
import sys

with open(sys.argv[1], "w") as f:
    f.write("escaped")
print("wrote", sys.argv[1])
