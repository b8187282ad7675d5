"""A generator function, resumed many times."""


def numbers(limit):
    n = 0  # line 5
    while n < limit:
        yield n
        n += 1


class Box:
    def open(self):
        return "opened"  # line 13

    class Inner:
        def open(self):
            return "inner opened"  # line 17


def main():
    total = sum(numbers(5))
    print(Box().open(), Box.Inner().open(), total)


main()
