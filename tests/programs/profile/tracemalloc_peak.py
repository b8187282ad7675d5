"""Plain tracemalloc, as a user would measure: python tracemalloc_peak.py FRAMES SCRIPT ARGS...
runs SCRIPT as __main__ and prints `get_traced_memory()`'s peak, in bytes, on stderr."""
import runpy
import sys
import tracemalloc

frames = int(sys.argv[1])
sys.argv[:] = sys.argv[2:]
tracemalloc.start(frames)
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    sys.stderr.write("tracemalloc peak %d\n" % tracemalloc.get_traced_memory()[1])
