import sys


def risky(n):
    if n > 2:
        raise ValueError(f"too big: {n}")
    return n


def main():
    try:
        risky(5)
    except ValueError as e:
        print("caught", e)
    if sys.argv[1:] == ["crash"]:
        risky(7)
    print("done")


main()
