"""B703 cases for the bandit comparison: what bandit's look-back calls safe and what it flags."""
import random
from django.utils import safestring
from django.utils.safestring import mark_safe as trusted

TITLE = "<h1>Report</h1>"
safestring.mark_safe(TITLE)
safestring.mark_safe("<b>literal</b>")
safestring.mark_safe(b"<b>bytes</b>")
safestring.mark_safe(f"<b>{TITLE}</b>")
trusted(TITLE + "!")
safestring.SafeString(random.choice(["a", "b"]))
safestring.mark_safe(*["x"])
safestring.mark_safe(text="keyword only")


def render(name, fallback="none"):
    safestring.mark_safe(name)
    greeting = "Hello"
    safestring.mark_safe(greeting)
    safestring.mark_safe("<i>{}</i>".format(greeting))
    safestring.mark_safe("<i>{}</i>".format(name))
    safestring.mark_safe("<i>{g}</i>".format(g=greeting))
    safestring.mark_safe("<i>%s</i>" % greeting)
    safestring.mark_safe("<i>%s %s</i>" % (greeting, name))
    safestring.mark_safe("<i>%(g)s</i>" % {"g": greeting})
    safestring.mark_safe("<i>{}</i>".format(*[greeting, "x"]))
    alias = greeting
    safestring.SafeText(alias)
    copied = fallback
    safestring.SafeText(copied)


def branches(flag):
    if flag:
        part = "a"
    elif random.random() > 0.5:
        part = "b"
    else:
        part = "c"
    safestring.mark_safe(part)
    for _ in range(3):
        total = "x"
    else:
        total = "y"
    safestring.mark_safe(total)
    while flag:
        grown = ""
        grown += str(flag)
    safestring.mark_safe(grown)
    try:
        value = "ok"
    except ValueError:
        value = str(flag)
    finally:
        pass
    safestring.mark_safe(value)


def tuples():
    left, right = "l", "r"
    safestring.mark_safe(right)
    first, *rest = "a", "b", "c"
    safestring.mark_safe(first)
    a, b.c = "x", "y"
    safestring.mark_safe(a)


def with_blocks(path):
    with open(path) as handle:
        safestring.mark_safe(handle)
    with open(path) as other:
        text = "fixed"
    safestring.mark_safe(text)


def annotated():
    label: str = "typed"
    safestring.mark_safe(label)
    if (walrus := "w"):
        safestring.mark_safe(walrus)


def nested():
    def inner():
        hidden = "x"
    hidden = "y"
    safestring.mark_safe(hidden)


async def asynchronous(value):
    safestring.mark_safe(value)
    fixed = "const"
    safestring.mark_safe(fixed)


class Widget:
    css = "w"
    safestring.mark_safe(css)

    def render(self, html):
        safestring.SafeBytes(html)
        return safestring.mark_safe(self.css)


@trusted(TITLE)
def decorated():
    pass


later = "later"
safestring.mark_safe(later)
chained = later
safestring.mark_safe(chained)
number = 3
safestring.mark_safe(number)
