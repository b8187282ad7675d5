import sys

n = int(sys.argv[1])
square = n * n
print("child computed", square)
sys.exit(n)
