"""Allocates about 10 MiB on one line and raises while holding it: the report is still written
and the program's status (1) kept."""


def load():
    rows = [bytearray(200) for _ in range(50_000)]  # the big line
    raise ValueError("bad row %d" % len(rows))


load()
