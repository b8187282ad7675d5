"""Raises and catches exceptions in user code; the standard library raises and catches its own."""
import json
import os


def risky(n):
    if n == 2:
        raise KeyError("missing %d" % n)  # line 8
    return n


def main():
    found = []
    # Exceptions raised and caught inside the standard library: not the program's.
    json.loads('{"a": [1, 2]}')
    os.path.exists("/no/such/path")
    import email.utils  # noqa: F401  (importing raises and catches inside importlib)
    for n in range(4):
        try:
            found.append(risky(n))
        except KeyError:
            found.append(None)
    print("found", found)


main()
