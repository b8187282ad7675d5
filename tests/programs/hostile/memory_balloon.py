"""Allocates a megabyte at a time until something stops it."""
blocks = []
while True:
    blocks.append(bytearray(1024 * 1024))
