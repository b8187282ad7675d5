"""How the bridge shows values: capped, cycle-safe reprs, type names and the children of a value
(attributes, items) that loupe's Variables tree expands."""

import builtins
import re
import sys

from loupe_pdb_channel import *  # noqa: F401,F403

BRIDGE_FILES.add(__file__)

# ----- values -----


class Repr:
    """repr() cut at `limit` characters without building more than that: containers are walked
    item by item and the walk stops once the text is long enough; long strings and bytes are
    sliced before repr. Other objects get their own repr, cut afterwards."""

    def __init__(self, limit):
        self.limit = limit
        self.cut = False

    def __call__(self, value):
        parts = []
        size = 0
        try:
            for piece in self.pieces(value, 0, set()):
                parts.append(piece)
                size += len(piece)
                if size > self.limit:
                    break
        except Exception as exc:  # iterating a container failed (e.g. it changed size)
            return "<repr failed: %s>" % describe_exception(exc), False
        text = "".join(parts)
        if size > self.limit:
            return text[: self.limit], True
        return text, self.cut

    def pieces(self, value, depth, seen):
        kind = type(value)
        if isinstance(value, str) and kind.__repr__ is str.__repr__:
            yield repr(value[: self.limit + 1]) if len(value) > self.limit else repr(value)
        elif isinstance(value, (bytes, bytearray)) and kind.__repr__ in (bytes.__repr__, bytearray.__repr__):
            yield repr(value[: self.limit + 1]) if len(value) > self.limit else repr(value)
        elif kind is int and value.bit_length() > 12000:
            # Decimal conversion is quadratic (and refused past 4300 digits on 3.11+).
            yield "<int of %d bits: %s>" % (value.bit_length(), hex(value)[: self.limit])
        elif kind in (int, float, bool, complex, type(None)):
            yield repr(value)
        else:
            container = self.container(value, kind)
            if container is None:
                yield self.generic(value)
            elif id(value) in seen or depth >= MAX_DEPTH:
                if depth >= MAX_DEPTH:
                    self.cut = True
                yield container[0] + "..." + container[2]
            else:
                seen.add(id(value))
                try:
                    yield from self.items(value, container, depth, seen)
                finally:
                    seen.discard(id(value))

    @staticmethod
    def container(value, kind):
        """(open, items kind, close) for the containers walked item by item, else None."""
        rep = kind.__repr__
        if rep is list.__repr__:
            return ("[", "seq", "]")
        if rep is tuple.__repr__:
            return ("(", "tuple", ")")
        if rep is dict.__repr__:
            return ("{", "map", "}")
        if rep in (set.__repr__, frozenset.__repr__):
            if not value:
                return ("%s(" % kind.__name__, "seq", ")")
            if kind is set:
                return ("{", "seq", "}")
            return ("%s({" % kind.__name__, "seq", "})")
        collections = sys.modules.get("collections")
        if collections is None:
            return None
        if rep is collections.deque.__repr__:
            close = "])" if value.maxlen is None else "], maxlen=%d)" % value.maxlen
            return ("%s([" % kind.__name__, "seq", close)
        if rep is collections.defaultdict.__repr__:
            return ("%s(%s, {" % (kind.__name__, Repr.generic(value.default_factory)), "map", "})")
        if rep is collections.OrderedDict.__repr__:
            if not value:
                return ("%s(" % kind.__name__, "seq", ")")
            if sys.version_info >= (3, 12):
                return ("%s({" % kind.__name__, "map", "})")
            return ("%s([" % kind.__name__, "pairs", "])")
        return None

    def items(self, value, container, depth, seen):
        opening, how, closing = container
        yield opening
        count = 0
        if how in ("map", "pairs"):
            for key, item in value.items():
                if count:
                    yield ", "
                yield "(" if how == "pairs" else ""
                yield from self.pieces(key, depth + 1, seen)
                yield ", " if how == "pairs" else ": "
                yield from self.pieces(item, depth + 1, seen)
                yield ")" if how == "pairs" else ""
                count += 1
        else:
            for item in value:
                if count:
                    yield ", "
                yield from self.pieces(item, depth + 1, seen)
                count += 1
        if how == "tuple" and count == 1:
            yield ","
        yield closing

    @staticmethod
    def generic(value):
        try:
            return repr(value)
        except Exception as exc:
            return "<repr failed: %s>" % describe_exception(exc)


def value_repr(value, limit=VALUE_LIMIT):
    """(text, truncated)."""
    return Repr(limit)(value)


def capped_str(value, limit=VALUE_LIMIT):
    """str(value) cut at limit characters, for log points and exception messages."""
    try:
        if isinstance(value, str):
            text = value[: limit + 1]
        elif type(value).__str__ is object.__str__:
            return value_repr(value, limit)[0]  # str is repr: use the bounded one
        else:
            text = str(value)
    except Exception as exc:
        return "<str failed: %s>" % describe_exception(exc)
    return text if len(text) <= limit else text[:limit] + "..."


def type_name(value):
    try:
        return type(value).__qualname__
    except Exception:
        return type(value).__name__


def qualified_type_name(kind):
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def attribute_names(value):
    """Names of the instance attributes shown as children: __dict__, then __slots__."""
    names = []
    try:
        attrs = getattr(value, "__dict__", None)
    except Exception:
        attrs = None
    if attrs is not None and hasattr(attrs, "keys"):
        names.extend(k for k in list(attrs.keys()) if isinstance(k, str))
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            if slot.startswith("__") and not slot.endswith("__"):
                slot = "_%s%s" % (cls.__name__.lstrip("_"), slot)  # name mangling
            if slot not in names:
                names.append(slot)
    return names


def children_kind(value):
    """How a value's children are listed ('seq', 'map', 'set', 'attrs'), or None for leaves."""
    if isinstance(value, (str, bytes, bytearray, int, float, complex, type(None))):
        return None
    if isinstance(value, (list, tuple)):
        return "seq"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, (set, frozenset)):
        return "set"
    collections = sys.modules.get("collections")
    if collections is not None and isinstance(value, collections.deque):
        return "seq"
    return "attrs" if attribute_names(value) else None


def child_count(value, kind):
    try:
        return len(attribute_names(value)) if kind == "attrs" else len(value)
    except Exception:
        return None


def as_operand(expression):
    """The expression, parenthesized unless it is a name, attribute or subscript chain, so that
    `[i]` or `.attr` can follow it in a child's evaluate_name."""
    expression = expression.strip()
    if re.fullmatch(r"[A-Za-z_][\w.]*(\[[^\[\]]*\])*", expression):
        return expression
    return "(%s)" % expression


def key_is_literal(key):
    """Whether repr(key) is an expression that gives the key back."""
    return type(key) in (str, int, bytes, bool, type(None))
