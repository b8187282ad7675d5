#!/usr/bin/env bash
# `loupe profile --alloc --no-tui` against the other ways to see where memory goes, on the same
# interpreter (.venv-test's, where scripts/setup-test-env.sh puts memory_profiler 0.61.0):
#   plain python; `python -m memory_profiler` (line-by-line, on the @profile functions);
#   `mprof run -T 0.05` (memory_profiler's RSS sampling every 50 ms, a separate process); a plain
#   tracemalloc wrapper with 1 and with 32 frames (tests/programs/profile/tracemalloc_peak.py:
#   start(N), runpy.run_path, print the peak): tracemalloc's own cost; and loupe with 1 and with 32
#   frames (its default): tracemalloc, snapshots near the peak, RSS every 50 ms, the report and
#   the summary, in its sandbox, with --memory raised so the limit plays no part.
# Workloads: benches/programs/alloc_json.py (real: json round trips of 60,000 records) and
# benches/programs/alloc_synthetic.py (synthetic: every statement allocates).
# Then the peaks: loupe's against tracemalloc's own for the same program (the issue's bar: 5%).
# Usage: benches/profile_alloc.sh [RUNS]   (needs hyperfine and scripts/setup-test-env.sh's venv)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
python=$PWD/.venv-test/bin/python
"$python" -c "import memory_profiler" 2>/dev/null \
    || { echo "memory_profiler is missing: run scripts/setup-test-env.sh" >&2; exit 1; }
mprof=$PWD/.venv-test/bin/mprof
cargo build --release --quiet
loupe=${CARGO_TARGET_DIR:-$PWD/target}/release/loupe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wrapper=$PWD/tests/programs/profile/tracemalloc_peak.py
results=${LOUPE_BENCH_DIR:-$PWD/target}
mkdir -p "$results"
for workload in alloc_json alloc_synthetic; do
    script=$PWD/benches/programs/$workload.py
    echo "== $workload"
    # mprof writes mprofile_*.dat into the current directory: the temporary one.
    (cd "$work" && hyperfine -N --warmup 1 --runs "$runs" --export-json "$results/bench-alloc-$workload.json" \
        -n "python" "$python $script" \
        -n "python -m memory_profiler" "$python -m memory_profiler $script" \
        -n "mprof run" "$mprof run -E -T 0.05 $script" \
        -n "tracemalloc wrapper (1 frame)" "$python $wrapper 1 $script" \
        -n "tracemalloc wrapper (32 frames)" "$python $wrapper 32 $script" \
        -n "loupe profile --alloc --alloc-frames 1 --no-tui" \
            "$loupe profile --alloc --alloc-frames 1 --no-tui --memory 4096 --python $python $script" \
        -n "loupe profile --alloc --no-tui (32 frames)" \
            "$loupe profile --alloc --no-tui --memory 4096 --python $python $script")
    python3 - "$results/bench-alloc-$workload.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
bare = results[0]["median"]
for r in results:
    print(f"{r['command']}: median {r['median']:.3f} s (min {min(r['times']):.3f}), {r['median'] / bare:.2f}x python")
PY
    loupe_peak=$("$loupe" profile --alloc --no-tui --memory 4096 --python "$python" "$script" 2>/dev/null | sed -n 's/^peak //p')
    tracemalloc_peak=$("$python" "$wrapper" 32 "$script" 2>&1 >/dev/null | sed -n 's/^tracemalloc peak //p')
    python3 - "$loupe_peak" "$tracemalloc_peak" <<'PY'
import sys
number, unit = sys.argv[1].split()
scale = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
loupe, own = float(number) * scale, int(sys.argv[2])
print(f"peak: loupe {sys.argv[1]}, tracemalloc {own / (1 << 20):.2f} MiB, difference {abs(loupe - own) / own * 100:.1f}%")
PY
done
