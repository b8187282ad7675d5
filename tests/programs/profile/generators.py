"""A generator pipeline: each value pulled from squares() resumes the generator."""


def numbers(n):
    for i in range(n):
        yield i


def squares(n):
    for i in numbers(n):
        yield i * i


def consume():
    return sum(squares(2000))


consume()
