"""Record the real full call stacks of a program, as folded stacks in loupe's label format.

cProfile keeps one level of calling context; a flamegraph drawn from it infers the rest. To judge
that inference we need the stacks that really happened: this runs the program exactly as
`python -m cProfile` does (it is cProfile's own `main`, with the profiler class swapped for a
`sys.setprofile` recorder), keeps the live stack, and charges the time between two events to the
stack that was current. Functions are labelled as pstats keys them, then as `loupe flame` labels
them (`name (file:line)`, built-ins by their bare cProfile name), so the stacks compare directly.

    python true_stacks.py OUT.folded [cProfile options] (-m module | script) [args...]

Times are inflated by the hook's own cost (a Python call per event); only which stacks happened is
meant to be exact. Written for CPython 3.8 to 3.11 (3.12+ also works through sys.setprofile).
"""

import cProfile
import sys
import time


SETPROFILE = "<built-in method sys.setprofile>"
DISABLE = "<method 'disable' of '_lsprof.Profiler' objects>"


def c_label(fn):
    """The string cProfile's `normalizeUserObj` (Modules/_lsprof.c) makes of a C function."""
    name = getattr(fn, "__name__", "?")
    module = getattr(fn, "__module__", None)
    owner = getattr(fn, "__self__", None)
    if owner is None:
        # m_self NULL: a plain built-in function, named after its module unless that is builtins.
        if isinstance(module, str) and module != "builtins":
            return "<%s.%s>" % (module, name)
        return "<%s>" % name
    # A built-in method: repr(getattr(type(__self__), name)) when the type has it (how
    # `<method 'append' of 'list' objects>` comes about), else the module's name.
    for klass in type(owner).__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return repr(found)
    if isinstance(module, str):
        return "<built-in method %s.%s>" % (module, name)
    return "<built-in method %s>" % name


def clean(label):
    """As loupe's `folded::clean_label`: `;` separates frames and a line is one stack."""
    if ";" in label or "\n" in label or "\r" in label:
        return label.replace(";", ":").replace("\n", " ").replace("\r", " ")
    return label


class Recorder:
    """Stands in for `cProfile.Profile` inside `cProfile.main`: `runctx` and `dump_stats`."""

    def __init__(self, *args, **kwargs):
        # Stacks form a trie: node ids index `parents`, `frames` and `times`; `children` maps
        # (node, label id) to the child node, so an event costs a dict lookup, not a tuple copy.
        self.parents = [-1]
        self.frames = [-1]
        self.times = [0]
        self.children = {}
        self.labels = []
        self.label_ids = {}
        self.code_labels = {}
        self.c_labels = {}

    def _label_id(self, label):
        i = self.label_ids.get(label)
        if i is None:
            i = self.label_ids[label] = len(self.labels)
            self.labels.append(clean(label))
        return i

    def runctx(self, cmd, globals, locals):
        stack = [0]
        parents, frames, times, children = self.parents, self.frames, self.times, self.children
        code_labels, c_labels = self.code_labels, self.c_labels
        clock = time.perf_counter_ns
        last = [clock()]

        def enter(label):
            node = stack[-1]
            child = children.get((node, label))
            if child is None:
                child = children[(node, label)] = len(parents)
                parents.append(node)
                frames.append(label)
                times.append(0)
            stack.append(child)

        def hook(frame, event, arg):
            now = clock()
            times[stack[-1]] += now - last[0]
            if event == "call":
                code = frame.f_code
                label = code_labels.get(code)
                if label is None:
                    key = "%s (%s:%d)" % (code.co_name, code.co_filename, code.co_firstlineno)
                    label = code_labels[code] = self._label_id(key)
                enter(label)
            elif event == "c_call":
                key = (type(getattr(arg, "__self__", None)), getattr(arg, "__name__", None), getattr(arg, "__module__", None))
                label = c_labels.get(key)
                if label is None:
                    label = c_labels[key] = self._label_id(c_label(arg))
                enter(label)
            elif len(stack) > 1:  # return, c_return, c_exception: one level up
                stack.pop()
            last[0] = clock()

        sys.setprofile(hook)
        try:
            exec(cmd, globals, locals)
        finally:
            sys.setprofile(None)
        return self

    def create_stats(self):
        pass

    def dump_stats(self, path):
        paths = {0: ""}
        lines = []
        for node in range(1, len(self.parents)):
            # Parents are created before their children, so their path is known here.
            parent = paths[self.parents[node]]
            label = self.labels[self.frames[node]]
            paths[node] = parent + ";" + label if parent else label
            if paths[node].startswith(SETPROFILE):
                continue  # the recorder switching itself off
            # Zero-time stacks are written too: they happened, and the checker reads presence.
            lines.append("%s %d\n" % (paths[node], self.times[node]))
        # cProfile records its own switching off, a root the recorder cannot see: it happened.
        lines.append("%s 0\n" % DISABLE)
        with open(path, "w", encoding="utf-8") as out:
            out.writelines(lines)

    def print_stats(self, sort=-1):
        sys.stderr.write("true_stacks: no output file given\n")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv.pop(1)
    cProfile.Profile = Recorder
    # cProfile.main reads `-o FILE` and hands it to dump_stats.
    sys.argv[1:1] = ["-o", out]
    cProfile.main()


if __name__ == "__main__":
    main()
