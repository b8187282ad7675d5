def check(n):
    if n > 2:
        raise ValueError(f"too big: {n}")
    return n


try:
    check(5)
except ValueError:
    pass
print("done")
