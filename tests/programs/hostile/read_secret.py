"""Reads a secret from the user's home directory: by the path given (argv[1]) and through $HOME."""
import os
import sys

print("HOME is", os.environ.get("HOME"), flush=True)
for path in (os.path.join(os.environ.get("HOME", "/nonexistent"), ".ssh", "id_rsa"), sys.argv[1]):
    try:
        with open(path) as f:
            print("READ", path, f.read(), flush=True)
    except OSError as e:
        print("refused", path, type(e).__name__, e.errno, flush=True)
