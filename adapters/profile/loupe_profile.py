"""Runs a script under cProfile for `loupe profile` (python -m loupe_profile OUT SCRIPT ARGS...).

The same as `python -m cProfile -o OUT SCRIPT ARGS...` (the script runs as __main__ with its
directory first on sys.path, and the statistics are written even when it raises), except that the
script's own exit status survives: cProfile's runner swallows SystemExit, so `sys.exit(3)` would
end with status 0.
"""
import cProfile
import os
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: python -m loupe_profile OUT SCRIPT [ARGS...]\n")
        sys.exit(2)
    out, script = sys.argv[1], sys.argv[2]
    sys.argv[:] = sys.argv[2:]
    sys.path.insert(0, os.path.dirname(script))
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    namespace = {"__file__": script, "__name__": "__main__", "__package__": None, "__cached__": None}
    profiler = cProfile.Profile()
    try:
        profiler.runctx(code, namespace, None)
    finally:
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
