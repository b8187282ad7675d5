def add(a, b):
    total = a + b
    return total


def main():
    x = 1
    y = add(x, 2)
    z = y * 10
    print("z", z)
    return z


main()
