#!/usr/bin/env bash
# What stack sampling adds to a cProfile run (`loupe profile` samples every thread's stack beside
# cProfile; `--no-sampling` turns it off). Per workload, in one hyperfine run each:
#   python -m cProfile -o X.prof SCRIPT                     cProfile's own runner
#   python -m loupe_profile --no-sampling X.prof SCRIPT     loupe's runner, cProfile only
#   python -m loupe_profile X.prof SCRIPT                   loupe's runner with sampling
#   loupe profile --no-tui --no-sampling --folded F SCRIPT  the whole command (sandbox, conversion)
#   loupe profile --no-tui --folded F SCRIPT
# The bar (issue 23): sampling adds at most 10% to a cProfile run (runner with vs without
# sampling), which is also measured interleaved (benches/interleave.py: each round runs both, the
# overhead is the median of the per-round differences, so machine-wide drift cannot bias it).
# Also prints the sampling rate the runs got (samples / seconds from X.prof.stacks).
# Workloads: the mutual-recursion parser and the dispatcher of the test suite (CPU-bound pure
# Python), the profile demo (short), and `pip list` (a real program: imports, deep stacks).
# Usage: benches/profile_sampling.sh [RUNS]   (needs hyperfine; LOUPE_BENCH_PYTHON picks the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine (or cargo install hyperfine)" >&2; exit 1; }
python=${LOUPE_BENCH_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
python=$(readlink -f "$python")
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
loupe=$(readlink -f "$target/release/loupe")
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$repo/adapters/profile"
pip_main=$("$python" -c 'import os, pip; print(os.path.join(os.path.dirname(pip.__file__), "__main__.py"))')
declare -A workloads=(
    [recursive_parse]="$repo/benches/programs/recursive_parse.py 3000"
    [dispatch]="$repo/tests/programs/profile/dispatch.py 400000"
    [profile_demo]="$repo/examples/profile_demo.py"
    [pip_list]="$pip_main list --disable-pip-version-check"
)
summary="$work/summary.txt"
for name in recursive_parse dispatch profile_demo pip_list; do
    program=${workloads[$name]}
    json="$work/$name.json"
    (cd "$work" && hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" --output null \
        -n "cProfile" "$python -m cProfile -o $work/c.prof $program" \
        -n "runner --no-sampling" "$python -m loupe_profile --no-sampling $work/n.prof $program" \
        -n "runner (sampling)" "$python -m loupe_profile $work/s.prof $program" \
        -n "loupe profile --no-sampling" "$loupe profile --no-tui --no-sampling --folded $work/n.folded $program" \
        -n "loupe profile" "$loupe profile --no-tui --folded $work/s.folded $program" >/dev/null)
    (cd "$work" && python3 "$repo/benches/interleave.py" "$runs" "$work/$name.paired.json" \
        "runner --no-sampling=$python -m loupe_profile --no-sampling $work/n.prof $program" \
        "runner (sampling)=$python -m loupe_profile $work/s.prof $program" >/dev/null)
    python3 - "$name" "$json" "$work/s.prof.stacks" "$work/$name.paired.json" >>"$summary" <<'PY'
import json, sys
name, path, stacks, paired = sys.argv[1:]
r = {x["command"]: x for x in json.load(open(path))["results"]}
med = lambda k: r[k]["median"]
header = dict(l[2:].split(" ", 1) for l in open(stacks) if l.startswith("# ") and " " in l[2:])
rate = int(header["samples"]) / float(header["seconds"])
print(f"{name}: cProfile {med('cProfile'):.3f} s, runner {med('runner --no-sampling'):.3f} s -> "
      f"{med('runner (sampling)'):.3f} s with sampling ({(med('runner (sampling)') / med('runner --no-sampling') - 1) * 100:+.1f}%), "
      f"loupe profile {med('loupe profile --no-sampling'):.3f} s -> {med('loupe profile'):.3f} s "
      f"({(med('loupe profile') / med('loupe profile --no-sampling') - 1) * 100:+.1f}%); "
      f"{rate:.0f} samples/s")
p = json.load(open(paired))["results"]
base, sampled = p[0]["median"], p[1]
low, high = sampled["paired_overhead_ci95"]
print(f"  interleaved: runner {base:.0f} ms, sampling adds {sampled['paired_overhead_median']:+.0f} ms "
      f"({sampled['paired_overhead_median'] / base * 100:+.1f}%, 95% CI {low / base * 100:+.1f}% .. {high / base * 100:+.1f}%)")
PY
done
cat "$summary"
