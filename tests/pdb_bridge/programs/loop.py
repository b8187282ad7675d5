"""A loop for hit conditions and log points."""


def step(total, i):
    return total + i  # line 5


total = 0
for i in range(10):
    total = step(total, i)  # line 10
print("total", total)
