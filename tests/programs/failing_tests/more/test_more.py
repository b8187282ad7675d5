import pytest

from shop import total


@pytest.mark.parametrize("count, expected", [(1, 30), (2, 61)])
def test_apples(count, expected):
    assert total({"apple": count}) == expected


def test_needs_shelf(empty_shelf):
    assert empty_shelf == 0
