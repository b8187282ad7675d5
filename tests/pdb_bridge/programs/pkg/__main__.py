import sys

from pkg import helper

print("pkg main", sys.argv[1:], helper.twice(21))
