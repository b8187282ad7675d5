import unittest

from helpers import lookup


class Lookups(unittest.TestCase):
    def test_found(self):
        self.assertEqual(lookup({"A": 1}, "a"), 1)

    def test_missing(self):
        table = {"A": 1}
        self.assertEqual(lookup(table, "b"), 2)

    def test_compare(self):
        self.assertEqual(lookup({"A": 1}, "a"), 2)
