"""Exits as its arguments say."""
import sys

print("argv", sys.argv)
how = sys.argv[1] if len(sys.argv) > 1 else "return"
if how == "code":
    sys.exit(int(sys.argv[2]))
if how == "message":
    sys.exit("goodbye from exits.py")
