"""Exits with status 3: loupe must exit with the same status."""

import sys

print("exiting with 3", flush=True)
sys.exit(3)
