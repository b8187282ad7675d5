"""Starts a shell that tries to read a secret (argv[1]) and write outside the working directory
(argv[2]): whatever the program starts is confined like the program."""
import subprocess
import sys

script = 'cat "$1" && echo SHELL-READ; echo escaped > "$2" && echo SHELL-WROTE; echo shell-ran'
result = subprocess.run(["/bin/sh", "-c", script, "sh", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
print(result.stdout, end="")
print(result.stderr, end="", file=sys.stderr)
