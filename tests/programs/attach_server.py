"""Stands in for a program in a container: it embeds debugpy, listens on a free loopback port,
prints the port, waits for a client, then runs the script given as its argument."""

import runpy
import sys

import debugpy

host, port = debugpy.listen(("127.0.0.1", 0))
print(port, flush=True)
debugpy.wait_for_client()
runpy.run_path(sys.argv[1], run_name="__main__")
