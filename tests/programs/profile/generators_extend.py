"""Generators consumed by list.extend from two places: each generator's time belongs to the
function that made it."""


def squares(n):
    for i in range(n):
        yield sum(j * j for j in range(40))


def collect_squares():
    out = []
    for _ in range(30):
        out.extend(squares(200))
    return out


def collect_words():
    out = []
    for _ in range(30):
        out.extend(str(i) * 3 for i in range(4000))
    return out


def main():
    collect_squares()
    collect_words()


main()
