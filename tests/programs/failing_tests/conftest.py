import pytest


@pytest.fixture
def empty_shelf():
    stock = {}
    return stock["apple"]
