def twice(n):
    return n * 2  # line 2
