def compute(n):
    doubled = n * 2
    breakpoint()
    return doubled + 1


print("result", compute(20))
