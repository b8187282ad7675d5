import sys

keep_going = True
spins = 0
while keep_going:
    spins += 1
print("stopped after spinning")
sys.exit(4)
