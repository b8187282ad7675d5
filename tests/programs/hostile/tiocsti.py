"""Pushes a command into the terminal on its stdin with TIOCSTI (the terminal would run it
after the program exits)."""
import fcntl
import os
import termios

print("stdin is a tty:", os.isatty(0), flush=True)
try:
    for ch in b"echo INJECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, bytes([ch]))
    print("INJECTED", flush=True)
except OSError as e:
    print("tiocsti refused", type(e).__name__, e.errno, flush=True)
