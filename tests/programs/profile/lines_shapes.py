"""Recursion, a generator and threads, each with hit counts known exactly, for `loupe profile
--lines`: the per-frame line clock must stay right when frames of one function nest (fib), are
suspended and resumed (squares) and run in several threads at once (count).
"""
import threading


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def squares(n):
    for i in range(n):
        yield i * i


def count(n, out):
    total = 0
    for i in range(n):
        total += i
    out.append(total)


def main():
    print("fib", fib(15))
    print("squares", sum(squares(1000)))
    out = []
    threads = [threading.Thread(target=count, args=(20000, out)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("count", sorted(out))


if __name__ == "__main__":
    main()
