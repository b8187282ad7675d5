"""A pure-Python workload made of mutual recursion, for the profile benchmark's corpus.

cProfile records one level of calling context, and recursion is where a flamegraph's inferred
deeper stacks go wrong most easily: cumtime counts a recursive function's outermost calls only, and
the same function sits at many depths. This generates nested expressions (arithmetic, lists,
calls), parses them with a recursive-descent parser (expr -> term -> unary -> atom -> expr), then
walks the trees twice: an evaluator and a printer, each a set of mutually recursive functions.
Deterministic: the same input every run.

    python recursive_parse.py [ROUNDS]
"""

import random
import sys


def generate(rng, depth):
    """Source text of a random expression nested up to `depth` levels."""
    if depth <= 0 or rng.random() < 0.2:
        return str(rng.randint(1, 9))
    kind = rng.random()
    if kind < 0.45:
        op = rng.choice("+-*")
        return "%s %s %s" % (generate(rng, depth - 1), op, generate(rng, depth - 1))
    if kind < 0.65:
        return "(%s)" % generate(rng, depth - 1)
    if kind < 0.8:
        items = [generate(rng, depth - 1) for _ in range(rng.randint(0, 3))]
        return "[%s]" % ", ".join(items)
    if kind < 0.9:
        return "-%s" % generate(rng, depth - 1)
    args = [generate(rng, depth - 1) for _ in range(rng.randint(1, 3))]
    return "%s(%s)" % (rng.choice(["sum", "max", "len"]), ", ".join(args))


def tokenize(text):
    tokens = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c.isdigit():
            j = i
            while j < len(text) and text[j].isdigit():
                j += 1
            tokens.append(("num", int(text[i:j])))
            i = j
        elif c.isalpha():
            j = i
            while j < len(text) and text[j].isalpha():
                j += 1
            tokens.append(("name", text[i:j]))
            i = j
        else:
            tokens.append(("op", c))
            i += 1
    tokens.append(("end", None))
    return tokens


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos]

    def take(self, value=None):
        token = self.tokens[self.pos]
        if value is not None and token[1] != value:
            raise SyntaxError("expected %r, got %r" % (value, token))
        self.pos += 1
        return token

    def expr(self):
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek() == ("op", "*"):
            self.take()
            node = ("bin", "*", node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", value)
        if kind == "name":
            self.take("(")
            return ("call", value, self.items(")"))
        if value == "(":
            node = self.expr()
            self.take(")")
            return node
        if value == "[":
            return ("list", self.items("]"))
        raise SyntaxError("unexpected %r" % value)

    def items(self, close):
        out = []
        while self.peek() != ("op", close):
            out.append(self.expr())
            if self.peek() == ("op", ","):
                self.take()
        self.take(close)
        return out


def evaluate(node):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "bin":
        return binary(node[1], evaluate(node[2]), evaluate(node[3]))
    if kind == "neg":
        return negate(evaluate(node[1]))
    if kind == "list":
        return [evaluate(item) for item in node[1]]
    return call(node[1], [evaluate(arg) for arg in node[2]])


def as_number(value):
    if isinstance(value, list):
        return sum(as_number(v) for v in value)
    return value


def binary(op, a, b):
    a, b = as_number(a), as_number(b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return (a * b) % 1000003


def negate(value):
    if isinstance(value, list):
        return [negate(v) for v in value]
    return -value


def call(name, args):
    if name == "len":
        return len(args)
    numbers = [as_number(a) for a in args]
    return sum(numbers) if name == "sum" else max(numbers)


def show(node):
    kind = node[0]
    if kind == "num":
        return str(node[1])
    if kind == "bin":
        return "(%s %s %s)" % (show(node[2]), node[1], show(node[3]))
    if kind == "neg":
        return "-" + show(node[1])
    if kind == "list":
        return "[%s]" % show_all(node[1])
    return "%s(%s)" % (node[1], show_all(node[2]))


def show_all(nodes):
    return ", ".join(show(n) for n in nodes)


def main(rounds):
    rng = random.Random(18)
    checksum = 0
    for _ in range(rounds):
        text = generate(rng, 9)
        tree = Parser(tokenize(text)).expr()
        checksum = (checksum + as_number(evaluate(tree)) + len(show(tree))) % 1000003
    print(checksum)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
