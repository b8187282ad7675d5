"""Values of every shape, big ones included."""
import collections


class Slotted:
    __slots__ = ("a", "__hidden")

    def __init__(self):
        self.a = 1
        self.__hidden = 2


class Plain:
    def __init__(self):
        self.name = "plain"
        self.items = [1, 2, 3]


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr for you")


class HugeRepr:
    def __repr__(self):
        return "H" * 3000000


reprs_made = 0


class Counted:
    def __repr__(self):
        global reprs_made
        reprs_made += 1
        return "Counted()"


def main():
    big_text = "a" * (5 * 1024 * 1024)
    big_bytes = b"b" * (5 * 1024 * 1024)
    big_list = list(range(1000000))
    big_dict = {i: str(i) for i in range(100000)}
    counted = [Counted() for _ in range(100000)]
    nested = {"k": [1, {"deep": (1, 2)}], "t": (1,), "s": {3}, "e": set()}
    recursive = [1]
    recursive.append(recursive)
    odd_keys = {(1, 2): "tuple key", None: "none", "quote'd": 1}
    deq = collections.deque([1, 2, 3], maxlen=5)
    dd = collections.defaultdict(list, {"x": [1]})
    od = collections.OrderedDict([("a", 1), ("b", 2)])
    slotted = Slotted()
    plain = Plain()
    bad = BadRepr()
    huge = HugeRepr()
    huge_int = 7 ** 100000
    return len(big_text)  # line 57


main()
