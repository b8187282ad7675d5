"""A script with a syntax error on line 5: loupe must refuse it before starting anything."""

x = 1

if x = 2:
    print("never runs")
