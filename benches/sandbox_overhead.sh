#!/usr/bin/env bash
# Sandbox start-up overhead: `loupe exec -c pass` under the default policy (standard: PID and
# network namespaces, Landlock, seccomp, rlimits, a cgroup per run, scrubbed environment) against
# bare `python -c pass` with the same resolved interpreter (never the pyenv shim), in one
# hyperfine run. Also the same without the run's cgroup (its cost is the cgroup v1 migration, one
# RCU grace period) and `--sandbox off` (loupe's own cost without confinement).
# Then the same commands interleaved (benches/interleave.py): each round runs every command once,
# and the overhead is the median of the per-round differences, which machine-wide drift between
# hyperfine's blocks cannot bias.
# Usage: benches/sandbox_overhead.sh [RUNS]   (installs nothing: needs hyperfine and python3)
#        LOUPE_BENCH_BASELINE=old/loupe benches/sandbox_overhead.sh [RUNS]   (an older build in the same rotation)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine (or cargo install hyperfine)" >&2; exit 1; }
# The real interpreter behind any shim: what loupe itself resolves to.
python=${LOUPE_BENCH_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
python=$(readlink -f "$python")
cargo build --release --quiet
loupe=./target/release/loupe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export_json="${LOUPE_BENCH_JSON:-target/bench-sandbox-overhead.json}"
(cd "$work" && hyperfine -N --warmup 20 --runs "$runs" --export-json "$OLDPWD/$export_json" \
    -n "python -c pass" "$python -c pass" \
    -n "loupe exec -c pass (standard)" "$OLDPWD/$loupe exec --python $python -c pass" \
    -n "loupe exec -c pass (standard, no cgroup: --memory 0 --max-procs 0)" \
        "$OLDPWD/$loupe exec --memory 0 --max-procs 0 --python $python -c pass" \
    -n "loupe exec -c pass (--sandbox off)" "$OLDPWD/$loupe exec --sandbox off --python $python -c pass")
python3 - "$export_json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
bare = results[0]["median"]
print(f"\ninterpreter median: {bare * 1000:.2f} ms")
for r in results[1:]:
    m = r["median"]
    lo = min(r["times"])
    print(f"{r['command']}: median {m * 1000:.2f} ms, overhead {(m - bare) * 1000:+.2f} ms, ratio {m / bare:.2f}x"
          f" (min {lo * 1000:.2f} ms vs {min(results[0]['times']) * 1000:.2f} ms)")
PY
paired_json="${LOUPE_BENCH_PAIRED_JSON:-target/bench-sandbox-overhead-paired.json}"
# LOUPE_BENCH_BASELINE=/path/to/an/older/loupe adds that build to the same rotation.
baseline=()
if [ -n "${LOUPE_BENCH_BASELINE:-}" ]; then
    baseline=("loupe exec -c pass (standard, baseline build)=$(readlink -f "$LOUPE_BENCH_BASELINE") exec --python $python -c pass")
fi
(cd "$work" && python3 "$OLDPWD/benches/interleave.py" "$runs" "$OLDPWD/$paired_json" \
    "python -c pass=$python -c pass" \
    "loupe exec -c pass (standard)=$OLDPWD/$loupe exec --python $python -c pass" \
    "loupe exec -c pass (--sandbox off)=$OLDPWD/$loupe exec --sandbox off --python $python -c pass" \
    "${baseline[@]}")
