"""Does some work, then dies with an uncaught exception: the profile must still be written."""


def compute():
    return sum(i * i for i in range(5000))


def fail():
    compute()
    raise RuntimeError("deliberate failure after some work")


fail()
