big_string = "x" * 5_000_000
big_list = list(range(1_000_000))
nested = {"key": big_list, "text": big_string}
small = 42
print(len(big_string), len(big_list))
