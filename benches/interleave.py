"""Interleaved, paired wall-clock comparison of commands (used by sandbox_overhead.sh).

hyperfine runs each command's runs in one block, so anything that changes on the machine between
blocks (other tenants of a virtual machine, CPU frequency) lands on one command only. Here every
round runs each command once, in rotation, and the overhead of a command is the median over rounds
of its time minus the first command's time in the same round, with a 95% confidence interval
(bootstrap over rounds). After each command the script pauses briefly: the kernel tears a run's
namespaces down in a worker thread after loupe has exited, and without the pause that work would
land on the next command's clock (whichever command that is).

Usage: python3 benches/interleave.py RUNS JSON_OUT 'NAME=COMMAND' ...   (the first is the baseline)
"""

import json
import os
import random
import shlex
import statistics
import sys
import time


def run_once(argv, devnull):
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{shlex.join(argv)} failed with status {status}")
    return elapsed


SETTLE_SECONDS = 0.02


def median_ci(values, rounds=2000, seed=1):
    """95% bootstrap confidence interval of the median."""
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975) - 1]


def main():
    runs, out = int(sys.argv[1]), sys.argv[2]
    commands = []
    for spec in sys.argv[3:]:
        name, _, command = spec.partition("=")
        commands.append((name, shlex.split(command)))
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = [[] for _ in commands]
    for round_ in range(runs + 5):
        for i, (_, argv) in enumerate(commands):
            t = run_once(argv, devnull)
            time.sleep(SETTLE_SECONDS)
            if round_ >= 5:  # warm-up rounds
                times[i].append(t)
    base = times[0]
    report = []
    print(f"\ninterleaved, {runs} rounds (ms):")
    for (name, argv), ts in zip(commands, times):
        diffs = [a - b for a, b in zip(ts, base)]
        q1, _, q3 = statistics.quantiles(diffs, n=4)
        low, high = median_ci(diffs)
        row = {"name": name, "command": shlex.join(argv), "median": statistics.median(ts), "min": min(ts),
               "paired_overhead_median": statistics.median(diffs), "paired_overhead_q1": q1,
               "paired_overhead_q3": q3, "paired_overhead_ci95": [low, high]}
        report.append(row)
        print(f"  {name:48s} median {row['median']:7.2f}  min {row['min']:7.2f}  "
              f"overhead (paired median) {row['paired_overhead_median']:+6.2f}  "
              f"(95% CI {low:+.2f} .. {high:+.2f}; IQR {q1:+.2f} .. {q3:+.2f})")
    with open(out, "w") as f:
        json.dump({"runs": runs, "results": report}, f, indent=1)


if __name__ == "__main__":
    main()
