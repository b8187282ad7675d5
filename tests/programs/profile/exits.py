"""Does some work, then ends with sys.exit(3): loupe profile must pass the 3 on."""
import sys


def work():
    return sum(range(10000))


work()
sys.exit(3)
