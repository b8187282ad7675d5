"""A small shop that the tests beside it check (loupe's tests debug them: tests/test_failures.rs)."""

PRICES = {"apple": 30, "pear": 61}


def price(name):
    return PRICES[name]


def total(basket):
    return sum(price(name) * count for name, count in basket.items())
