"""How true a flamegraph drawn from a cProfile file is: the same checks for loupe and flameprof.

Reads the pstats file and one tool's folded stacks, and prints JSON with:

- conservation: the folded counts' sum against the profile's total self time (sum of tt);
- the cumtime bound: a function's drawn width (the counts of the stacks that contain it, a stack
  counted once even if the function recurs in it) against its cProfile cumtime, which it cannot
  exceed; how many functions exceed it by more than 1% and 20%, and the worst of those (largest excess);
- the entry share: the part of the width under the profiled program's `<module>`;
- with `--truth`, the stacks a `sys.setprofile` recorder saw (true_stacks.py): the share of the
  width drawn on stacks that never happened (a stack happened if it is a true stack or a prefix of
  one), and the same with recursion cycles cut out of both sides (loupe keeps recursive time with
  the outermost frame, so it never draws a function twice on one stack).

    python check_folded.py PSTATS FOLDED [--format loupe|flameprof] [--entry FILE_SUFFIX]
                           [--truth TRUE.folded]

loupe's folded lines are `label;label;... NANOSECONDS` with labels `name (file:line)` or a
built-in's bare name; flameprof's `--format=log` frames are `file:line:name`, mapped back to pstats
keys here. Frames `(other)` and `(unattributed)` are loupe's, not functions: they count in the
totals and are skipped for per-function widths.
"""

import argparse
import json
import pstats
import re
import sys

SYNTHETIC = {"(other)", "(unattributed)"}
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def clean(label):
    if ";" in label or "\n" in label or "\r" in label:
        return label.replace(";", ":").replace("\n", " ").replace("\r", " ")
    return label


def loupe_label(key):
    """FunctionKey::label in src/profile/pstats.rs, cleaned as folded::clean_label does."""
    file, line, name = key
    return clean(name if file == "~" else "%s (%s:%d)" % (name, file, line))


def read_folded(path, fmt, keys):
    """[(frames, count)], and how many frames could not be mapped to a pstats key."""
    by_flameprof = {"%s:%s:%s" % key: loupe_label(key) for key in keys} if fmt == "flameprof" else {}
    stacks, unmatched = [], 0
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            pieces = stack.split(";")
            if fmt == "flameprof":
                frames, i = [], 0
                while i < len(pieces):
                    # A name containing `;` was split: rejoin until it is a known key.
                    for j in range(i + 1, min(i + 4, len(pieces)) + 1):
                        label = by_flameprof.get(";".join(pieces[i:j]))
                        if label is not None:
                            frames.append(label)
                            i = j
                            break
                    else:
                        frames.append(pieces[i])
                        unmatched += 1
                        i += 1
                pieces = frames
            stacks.append((pieces, int(float(count))))
    return stacks, unmatched


def collapse(frames):
    """The stack with recursion cycles cut out: at a frame already on it, go back to that frame."""
    out, at = [], {}
    for frame in frames:
        i = at.get(frame)
        if i is not None:
            for dropped in out[i + 1 :]:
                at.pop(dropped, None)
            del out[i + 1 :]
        else:
            at[frame] = len(out)
            out.append(frame)
    return out


class Trie:
    """Every prefix of the true stacks, as (parent node, frame) -> node."""

    def __init__(self):
        self.edges = {}

    def add(self, frames):
        node = 0
        for frame in frames:
            child = self.edges.get((node, frame))
            if child is None:
                child = self.edges[(node, frame)] = len(self.edges) + 1
            node = child

    def diverges(self, frames):
        """None if `frames` happened, else the length of its longest prefix that did."""
        node = 0
        for depth, frame in enumerate(frames):
            node = self.edges.get((node, frame))
            if node is None:
                return depth
        return None


def truth_check(stacks, path):
    strict, cut = Trie(), Trie()
    true_stacks = 0
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            stack = line.rstrip("\n").rpartition(" ")[0]
            if stack:
                frames = ADDRESS.sub(" at 0x?", stack).split(";")
                strict.add(frames)
                cut.add(collapse(frames))
                true_stacks += 1
    total = sum(count for _, count in stacks) or 1
    never = never_cut = 0
    worst = None
    for frames, count in stacks:
        frames = [ADDRESS.sub(" at 0x?", f) for f in frames]
        for i, frame in enumerate(frames):
            if frame in SYNTHETIC:  # what loupe merged or could not place: judge its parent path
                frames = frames[:i]
                break
        depth = strict.diverges(frames)
        if depth is not None:
            never += count
            if worst is None or count > worst[1]:
                worst = (frames[: depth + 1], count)
        if cut.diverges(collapse(frames)) is not None:
            never_cut += count
    return {
        "true_stacks": true_stacks,
        "never_happened_pct": 100.0 * never / total,
        "never_happened_modulo_recursion_pct": 100.0 * never_cut / total,
        # The biggest drawn stack that never happened, up to the first frame that breaks it.
        "worst_stack": None if worst is None else {"frames": worst[0], "ns": worst[1]},
    }


def check(pstats_path, folded_path, fmt, entry, truth):
    stats = pstats.Stats(pstats_path).stats
    labels = {loupe_label(key): key for key in stats}
    stacks, unmatched = read_folded(folded_path, fmt, stats)
    total_tt = round(sum(v[2] for v in stats.values()) * 1e9)
    folded = sum(count for _, count in stacks)

    drawn, stacks_with = {}, {}
    for frames, count in stacks:
        for frame in set(frames):
            if frame in labels:
                drawn[frame] = drawn.get(frame, 0) + count
                stacks_with[frame] = stacks_with.get(frame, 0) + 1
    over_1 = over_20 = 0
    worst = None
    for label, width in drawn.items():
        cumtime = round(stats[labels[label]][3] * 1e9)
        # Each stack's count was rounded to a nanosecond: allow that much per stack.
        excess = width - cumtime - stacks_with[label]
        if excess > 0.01 * cumtime:
            over_1 += 1
        if excess > 0.2 * cumtime:
            over_20 += 1
        if excess > 0.01 * cumtime and (worst is None or excess > worst["drawn_ns"] - worst["cumtime_ns"]):
            worst = {"name": label, "drawn_ns": width, "cumtime_ns": cumtime}

    result = {
        "format": fmt,
        "stacks": len(stacks),
        "unmatched_frames": unmatched,
        "total_tt_ns": total_tt,
        "folded_ns": folded,
        "conservation_pct": 100.0 * (folded - total_tt) / total_tt if total_tt else 0.0,
        "functions": len(stats),
        "functions_drawn": len(drawn),
        "over_cumtime_1pct": over_1,
        "over_cumtime_20pct": over_20,
        "worst_over_cumtime": worst,
    }
    if entry:
        modules = {loupe_label(k) for k in stats if k[2] == "<module>" and k[0].endswith(entry)}
        under = sum(count for frames, count in stacks if modules.intersection(frames))
        result["entry"] = sorted(modules)
        result["entry_share_pct"] = 100.0 * under / folded if folded else 0.0
    if truth:
        result["truth"] = truth_check(stacks, truth)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pstats")
    parser.add_argument("folded")
    parser.add_argument("--format", choices=["loupe", "flameprof"], default="loupe")
    parser.add_argument("--entry", help="the profiled program's file (a suffix of its path)")
    parser.add_argument("--truth", help="true stacks from true_stacks.py")
    args = parser.parse_args()
    json.dump(check(args.pstats, args.folded, args.format, args.entry, args.truth), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
