def scale(value, factor):
    scaled = value * factor
    return scaled
