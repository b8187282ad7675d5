"""Allocation-heavy real work for benches/profile_alloc.sh: JSON round trips (the standard
library's json, C accelerated) of 60,000 nested records, about 40 MiB at the peak. The functions
carry memory_profiler's @profile when it runs them (`python -m memory_profiler`), and run bare
otherwise."""
import json

try:
    profile  # noqa: B018 (memory_profiler puts it in builtins)
except NameError:

    def profile(function):
        return function


@profile
def make_records(count):
    return [
        {"id": i, "name": "user%d" % i, "tags": ["a", "b", str(i % 7)], "score": i * 0.5, "active": i % 3 == 0}
        for i in range(count)
    ]


@profile
def round_trip(records, times):
    for _ in range(times):
        text = json.dumps(records)
        records = json.loads(text)
    return records


def main():
    records = make_records(60_000)
    records = round_trip(records, 3)
    print(len(records))


main()
