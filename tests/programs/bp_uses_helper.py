import bp_helper

for k in (1, 2, 3):
    print("scaled", bp_helper.scale(k, 10))
