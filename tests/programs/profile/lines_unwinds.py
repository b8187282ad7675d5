"""Exceptions through measured functions, for `loupe profile --lines`: one raised and handled
inside a target (`handles`), one that leaves a target (`raises`, caught by its caller), and a
generator resumed by throw() (`echo`). Each line's hit count is known; the compiled callbacks and
the Python ones must agree on all of them.
"""


def handles(n):
    caught = 0
    for i in range(n):
        try:
            if i % 3 == 0:
                raise ValueError(i)
        except ValueError:
            caught += 1
    return caught


def raises(i):
    if i % 2:
        raise KeyError(i)
    return i


def echo():
    received = 0
    while True:
        try:
            yield received
        except LookupError:
            received += 1


def main():
    print("handled", handles(3000))
    kept = 0
    for i in range(1000):
        try:
            kept += raises(i)
        except KeyError:
            pass
    print("kept", kept)
    generator = echo()
    next(generator)
    for _ in range(500):
        generator.throw(LookupError())
    print("thrown", generator.send(None))


if __name__ == "__main__":
    main()
