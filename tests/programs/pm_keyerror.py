def lookup(table, key):
    wanted = key.upper()
    return table[wanted]


def main():
    table = {"A": 1}
    print("found", lookup(table, "a"))
    print("missing", lookup(table, "b"))


main()
