#!/usr/bin/env bash
# `loupe profile --lines` against line_profiler's `kernprof -l` on the same workloads: a synthetic
# CPU-bound one (tests/programs/profile/lines_workload.py, its hot function `crunch` decorated with
# @profile for kernprof) and a real one (benches/programs/lines_difflib.py: the standard library's
# difflib comparing two real stdlib modules; SequenceMatcher.find_longest_match, named to kernprof
# with --prof-mod and to loupe with --function), on CPython 3.11 (loupe: sys.settrace) and 3.12 (loupe: sys.monitoring) when pyenv has
# them: plain python, kernprof -l, `loupe profile --lines --function crunch --no-tui` (sandboxed,
# and with --sandbox off; and with LOUPE_LINES_CALLBACKS=python, the runner's Python callbacks
# instead of the compiled ones), and `--lines` without --function (a first cProfile pass, then the
# line-level run: the program runs twice). Prints each overhead over plain python and the ratio
# loupe's overhead / kernprof's overhead.
# Usage: benches/profile_lines.sh [RUNS] [SCALE]   (SCALE multiplies the workload; default 10 runs, scale 4)
# Needs hyperfine (apt-get install hyperfine); installs line_profiler==5.1.0 (the version the tests
# pin) into a venv per Python version under $CARGO_TARGET_DIR (or target/).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
scale=${2:-4}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine (or cargo install hyperfine)" >&2; exit 1; }
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
cargo build --release --quiet
loupe=$(readlink -f "$target/release/loupe")
workload=$(readlink -f tests/programs/profile/lines_workload.py)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/^def crunch(n):/@profile\ndef crunch(n):/' "$workload" > "$work/lines_workload.py"
report() {
    python3 - "$1" "$2" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
plain = results["python"]
kern = results["kernprof -l"] - plain
print(f"\nCPython {sys.argv[2]}: python {plain:.3f} s; kernprof -l overhead {kern:+.3f} s ({results['kernprof -l'] / plain:.2f}x)")
for name, median in results.items():
    if name.startswith("loupe"):
        over = median - plain
        print(f"  {name}: {median:.3f} s, overhead {over:+.3f} s ({median / plain:.2f}x), "
              f"overhead / kernprof's {over / kern:.2f}")
PY
}
difflib=$(readlink -f benches/programs/lines_difflib.py)
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
for minor in 3.11 3.12; do
    python=$(ls -d "$pyenv_root"/versions/"$minor".* 2>/dev/null | sort -V | tail -1)/bin/python3
    if [ ! -x "$python" ]; then
        echo "!!! CPython $minor is not in pyenv: not measured !!!" >&2
        continue
    fi
    venv="$target/bench-lines-venv-$minor"
    if ! "$venv/bin/python" -c "import line_profiler" 2>/dev/null; then
        "$python" -m venv --clear "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "line_profiler==5.1.0"
    fi
    json="$target/bench-profile-lines-$minor.json"
    echo "== CPython $minor ($("$python" --version 2>&1)), workload scale $scale"
    (cd "$work" && hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" \
        -n "python" "$python $workload $scale" \
        -n "kernprof -l" "$venv/bin/kernprof -l -q -o $work/k.lprof $work/lines_workload.py $scale" \
        -n "loupe --lines --function crunch" "$loupe profile --lines --function crunch --no-tui --python $python $workload $scale" \
        -n "loupe --lines --function crunch --sandbox off" "$loupe profile --lines --function crunch --no-tui --sandbox off --python $python $workload $scale" \
        -n "loupe --lines --function crunch, Python callbacks" "env LOUPE_LINES_CALLBACKS=python $loupe profile --lines --function crunch --no-tui --python $python $workload $scale" \
        -n "loupe --lines (first pass + lines)" "$loupe profile --lines --no-tui --python $python $workload $scale")
    report "$json" "$minor, synthetic"
    json="$target/bench-profile-lines-difflib-$minor.json"
    echo "== CPython $minor, difflib on argparse.py against optparse.py, $scale rounds"
    (cd "$work" && hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" \
        -n "python" "$python $difflib $scale" \
        -n "kernprof -l" "$venv/bin/kernprof -l -q -o $work/d.lprof -p difflib.SequenceMatcher.find_longest_match $difflib $scale" \
        -n "loupe --lines --function SequenceMatcher.find_longest_match" "$loupe profile --lines --function SequenceMatcher.find_longest_match --no-tui --python $python $difflib $scale" \
        -n "loupe --lines --function SequenceMatcher.find_longest_match, Python callbacks" "env LOUPE_LINES_CALLBACKS=python $loupe profile --lines --function SequenceMatcher.find_longest_match --no-tui --python $python $difflib $scale")
    report "$json" "$minor, difflib"
done
