"""A small program to try loupe on: loops, a function call, a class and an exception."""

import sys


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError(f"deposit must be positive, got {amount}")
        self.balance += amount
        return self.balance


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def main(argv):
    count = int(argv[1]) if len(argv) > 1 else 8
    account = Account("ada")
    totals = []
    for i in range(count):
        value = fib(i)
        account.deposit(value + 1)
        totals.append(account.balance)
    print(f"{account.owner} has {account.balance} after {count} deposits")
    try:
        account.deposit(-1)
    except ValueError as error:
        print(f"refused: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
