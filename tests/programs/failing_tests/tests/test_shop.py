from shop import price, total


def test_known_price():
    assert price("apple") == 30


def test_unknown_fruit():
    basket = {"apple": 1, "kiwi": 2}
    assert total(basket) == 90


def test_total():
    basket = {"apple": 1, "pear": 1}
    assert total(basket) == 90
