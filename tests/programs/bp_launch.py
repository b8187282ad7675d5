import os
import sys

greeting = os.environ.get("BP_GREETING", "unset")
print("args", sys.argv[1:])
print("greeting", greeting)
print("cwd", os.getcwd())
