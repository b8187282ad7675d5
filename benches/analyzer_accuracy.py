"""Compares `loupe analyze --format json` with radon and bandit on the same files.

Usage: python benches/analyzer_accuracy.py LOUPE_JSON BANDIT_JSON DIR...
Runs radon through its API (the same functions its CLI calls) on every .py file under the
directories, skipping site-packages, and prints the agreement table as Markdown plus the
first disagreements of each kind (for docs/ANALYZER.md).
"""
import json
import multiprocessing
import os
import signal
import sys
import time
import warnings

from radon.complexity import cc_visit
from radon.metrics import h_visit, mi_visit
from radon.raw import analyze

warnings.simplefilter("ignore")
loupe = json.load(open(sys.argv[1]))
bandit = json.load(open(sys.argv[2]))
roots = sys.argv[3:]

files = []
for root in roots:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "site-packages"]
        files += [os.path.join(dirpath, n) for n in filenames if n.endswith(".py")]

RADON_TIMEOUT = int(os.environ.get("RADON_TIMEOUT", "60"))


def _alarm(signum, frame):
    raise TimeoutError


def radon_on(path):
    """radon's figures for one file, or None (undecodable, syntax error, too slow)."""
    try:
        code = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        return path, None, 0.0
    start = time.process_time()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RADON_TIMEOUT)
    try:
        blocks = [(b.lineno, b.name, b.complexity) for b in cc_visit(code)]
        hal = h_visit(code).total
        raw = analyze(code)
        mi = mi_visit(code, True)
        result = (blocks, (hal.h1, hal.h2, hal.N1, hal.N2), tuple(raw), mi)
    except TimeoutError:
        result = "timeout"
    except Exception:
        result = None  # radon cannot analyse it (syntax error, Python 2 test data)
    finally:
        signal.alarm(0)
    return path, result, time.process_time() - start


by_path = {f["path"]: f for f in loupe["files"]}
stats = {k: [0, 0] for k in ("cc", "halstead", "raw", "mi")}
samples = {k: [] for k in stats}
radon_seconds = 0.0
timeouts = []
with multiprocessing.Pool() as pool:
    radon_results = sorted(pool.imap_unordered(radon_on, sorted(files), chunksize=8))
for path, result, seconds in radon_results:
    radon_seconds += seconds
    if result == "timeout":
        timeouts.append(path)
        continue
    if result is None:
        continue
    blocks, hal_counts, raw_tuple, mi = result
    ours = by_path.get(path)
    if ours is None or ours.get("syntax_error"):
        for k in stats:
            stats[k][1] += 1
        samples["cc"].append((path, "loupe has no metrics", ours and ours.get("syntax_error")))
        continue
    defined = {(f["line"], f["name"]): f["cyclomatic"] for f in ours["functions"]}
    defined.update({(c["line"], c["name"]): c["cyclomatic"] for c in ours["classes"]})
    for lineno, name, complexity in blocks:
        key = (lineno, name.split(".")[-1])
        stats["cc"][1] += 1
        if defined.get(key) == complexity:
            stats["cc"][0] += 1
        elif len(samples["cc"]) < 30:
            samples["cc"].append((path, key, complexity, defined.get(key)))
    h = ours["halstead"]
    stats["halstead"][1] += 1
    if (h["h1"], h["h2"], h["N1"], h["N2"]) == hal_counts:
        stats["halstead"][0] += 1
    elif len(samples["halstead"]) < 30:
        samples["halstead"].append((path, hal_counts, (h["h1"], h["h2"], h["N1"], h["N2"])))
    r = ours["raw"]
    theirs = raw_tuple
    mine = (r["loc"], r["lloc"], r["sloc"], r["comments"], r["multi"], r["blank"], r["single_comments"])
    stats["raw"][1] += 1
    if theirs == mine:
        stats["raw"][0] += 1
    elif len(samples["raw"]) < 30:
        samples["raw"].append((path, theirs, mine))
    stats["mi"][1] += 1
    if abs(ours["mi"] - mi) <= 0.01:
        stats["mi"][0] += 1
    elif len(samples["mi"]) < 30:
        samples["mi"].append((path, mi, ours["mi"]))

# bandit: findings of the tests loupe implements, matched on (file, line, test id).
implemented = set()
for f in loupe["files"]:
    implemented.update(x["test_id"] for x in f["findings"])
implemented |= set(os.environ.get("LOUPE_RULES", "").split(",")) - {""}
ours_findings = {}
for f in loupe["files"]:
    for x in f["findings"]:
        ours_findings[(f["path"], x["line"], x["test_id"])] = (x["severity"], x["confidence"])
theirs_findings = {}
for x in bandit["results"]:
    if x["test_id"] in implemented:
        theirs_findings[(x["filename"], x["line_number"], x["test_id"])] = (x["issue_severity"], x["issue_confidence"])
both = set(ours_findings) & set(theirs_findings)
same_levels = sum(1 for k in both if ours_findings[k] == theirs_findings[k])
precision = len(both) / len(ours_findings) if ours_findings else 1.0
recall = len(both) / len(theirs_findings) if theirs_findings else 1.0

print("| metric | agree | total | agreement | target |")
print("|---|---|---|---|---|")
targets = {"cc": "≥ 99.5% of functions", "halstead": "≥ 99% of files", "raw": "≥ 99% of files", "mi": "≥ 99% of files (±0.01)"}
names = {"cc": "cyclomatic complexity (per block)", "halstead": "Halstead h1, h2, N1, N2 (per file)", "raw": "raw metrics, all 7 (per file)", "mi": "maintainability index within 0.01 (per file)"}
for k, (a, t) in stats.items():
    print(f"| {names[k]} | {a} | {t} | {100.0 * a / max(t, 1):.2f}% | {targets[k]} |")
print(f"| bandit precision (loupe findings bandit also reports) | {len(both)} | {len(ours_findings)} | {100 * precision:.2f}% | ≥ 95% |")
print(f"| bandit recall (bandit findings loupe also reports) | {len(both)} | {len(theirs_findings)} | {100 * recall:.2f}% | ≥ 95% |")
print(f"| same severity and confidence (matched findings) | {same_levels} | {len(both)} | {100.0 * same_levels / max(len(both), 1):.2f}% | 100% |")
print()
print(f"radon API CPU time (cc + hal + raw + mi): {radon_seconds:.1f} s over {len(files)} files")
print(f"radon gave up (over {RADON_TIMEOUT} s, counted in its time): {timeouts}")
for k, rows in samples.items():
    if rows:
        print(f"\nfirst {k} disagreements:", file=sys.stderr)
        for row in rows[:15]:
            print("  ", row, file=sys.stderr)
missed = sorted(set(theirs_findings) - set(ours_findings))
extra = sorted(set(ours_findings) - set(theirs_findings))
print(f"\nbandit findings loupe misses ({len(missed)}):", file=sys.stderr)
for row in missed[:25]:
    print("  ", row, file=sys.stderr)
print(f"loupe findings bandit does not report ({len(extra)}):", file=sys.stderr)
for row in extra[:25]:
    print("  ", row, file=sys.stderr)
