"""Synthetic allocation churn for benches/profile_alloc.sh: a Python loop fills a table with
100,000 rows of small objects (a tuple, a string, a list each), drops half of them, and does it
all three times: the worst case for an allocation tracer, as every statement allocates."""
try:
    profile  # noqa: B018 (memory_profiler puts it in builtins)
except NameError:

    def profile(function):
        return function


@profile
def churn(rows):
    table = {}
    for i in range(rows):
        table[i] = (str(i), i * 2, [i])
    for i in range(0, rows, 2):
        del table[i]
    return len(table)


def main():
    total = 0
    for _ in range(3):
        total += churn(100_000)
    print(total)


main()
