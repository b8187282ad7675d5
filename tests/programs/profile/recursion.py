"""Direct recursion (fib) and mutual recursion (is_even / is_odd)."""


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def main():
    fib(15)
    for _ in range(10):
        is_even(50)


main()
