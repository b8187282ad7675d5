import sys

from pkg_demo.util import double

value = double(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
print("doubled", value)
