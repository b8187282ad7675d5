"""Reads a line from its terminal."""
name = input("your name? ")
print("hello, " + name)
