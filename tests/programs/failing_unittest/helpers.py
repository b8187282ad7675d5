"""What the unittest tests beside it check (tests/test_failures.rs)."""


def lookup(table, key):
    return table[key.upper()]
