"""The main thread starts workers and joins them; cProfile profiles only the main thread."""
import threading


def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total


def worker():
    spin(20000)


def main():
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spin(10000)


main()
