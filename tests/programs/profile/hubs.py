"""A shared built-in as a hub: `max` is called by two functions, only one of which passes a key
function. A picture that splits `max`'s callees over its callers by their share of `max` puts
`by_weight` under `plain_max`, a stack that never happened."""

DATA = list(range(2000))


def by_weight(x):
    return (x * 7919) % 1013


def keyed_max():
    for _ in range(20):
        max(DATA, key=by_weight)


def plain_max():
    for _ in range(400):
        max(DATA)


def main():
    keyed_max()
    plain_max()


main()
