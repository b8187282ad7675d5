"""Kills loupe's debug adapter (`python -m debugpy.adapter`) from inside the debuggee.

The process tree under debugpy is: loupe -> adapter, and loupe -> debugpy launcher -> this
program. So the adapter is the child of our grandparent (loupe) whose command line runs
`debugpy.adapter`; tests running in parallel each have their own loupe, so the parent check keeps
them apart. Linux only (/proc).

With the argument `kill-while-running`, the program kills the adapter itself after the line
marked STOP; otherwise a test calls `kill_adapter()` with a `print` command at a stop.
"""

import os
import signal
import sys


def parent_of(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    # The command name is in parentheses and may contain spaces: fields resume after the last ')'.
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def find_adapters():
    loupe = parent_of(os.getppid())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if b"debugpy.adapter" in argv and parent_of(pid) == loupe:
                found.append(pid)
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return found


def kill_adapter():
    found = find_adapters()
    if len(found) != 1:
        return f"expected exactly one debugpy.adapter child of loupe, found {found}"
    os.kill(found[0], signal.SIGKILL)
    return f"killed the adapter {found[0]}"


mode = sys.argv[1] if len(sys.argv) > 1 else ""
stop_here = True  # STOP
if mode == "kill-while-running":
    print(kill_adapter(), flush=True)
print("the program goes on", flush=True)
