#!/usr/bin/env bash
# Accuracy and speed of `loupe analyze` against the reference tools, radon and bandit, on the
# same files: by default the installed CPython 3.11 standard library (site-packages excluded)
# plus tests/programs/analyze. Prints the agreement table (docs/ANALYZER.md, docs/BENCHMARKS.md)
# and CPU times with the loupe/peer ratio.
#
#   benches/analyzer_accuracy.sh [PYTHON] [STDLIB_DIR]
#
# Creates (once) a virtual environment under target/analyzer-accuracy-venv with radon 6.0.1 and
# bandit 1.9.4, the versions the figures in the docs were measured with.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-/root/.pyenv/versions/3.11.7/bin/python}
STDLIB=${2:-$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}
VENV=target/analyzer-accuracy-venv
OUT=target/analyzer-accuracy
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/radon" ] || [ ! -x "$VENV/bin/bandit" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet radon==6.0.1 bandit==1.9.4
fi
cargo build --release --quiet
ROOTS=()
for entry in "$STDLIB"/*; do
    [ "$(basename "$entry")" = site-packages ] || ROOTS+=("$entry")
done
PROGRAMS="$PWD/tests/programs/analyze"

cpu() { # prints user+sys CPU seconds of a command (output to $OUT/$1)
    local name=$1; shift
    /usr/bin/env time -f "%U %S %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.json" 2> "$OUT/$name.err" || true
    tail -n 1 "$OUT/$name.time" | awk '{printf "%.2f", $1 + $2}'
}

echo "files: $STDLIB (site-packages excluded) and $PROGRAMS"
loupe_all=$(cpu loupe target/release/loupe analyze --python 3.11 --format json "${ROOTS[@]}" "$PROGRAMS")
loupe_single=$(RAYON_NUM_THREADS=1 cpu loupe1 target/release/loupe analyze --python 3.11 --format json "${ROOTS[@]}" "$PROGRAMS")
loupe_peak_kb=$(tail -n 1 "$OUT/loupe1.time" | awk '{print $3}')
bandit_cpu=$(cpu bandit "$VENV/bin/bandit" -q -r -f json -x "$STDLIB/site-packages" "$STDLIB" "$PROGRAMS")
wall_ms() { # wall milliseconds of a whole loupe process, without an interpreter probe
    PATH=/nonexistent /usr/bin/time -f "%e" -o "$OUT/wall.time" target/release/loupe analyze --format json "$@" > /dev/null 2>&1 || true
    tail -n 1 "$OUT/wall.time" | awk '{printf "%.0f", $1 * 1000}'
}
topics_ms=$(wall_ms "$STDLIB/pydoc_data/topics.py")
# Re-analysing one changed file (a session probes the interpreter once, not per file).
one_file_ms=$(wall_ms "$STDLIB/typing.py")

# Every test ID loupe implements (recall is measured over these, fired or not).
export LOUPE_RULES=$( (grep -o 'id: "B[0-9]*"' src/analyze/security/blacklist_data.rs; grep -o '("B[0-9]*", "[a-z_0-9]*", [0-9]*)' src/analyze/security/rules.rs) | grep -o 'B[0-9]*' | sort -u | paste -sd, -)
"$VENV/bin/python" benches/analyzer_accuracy.py "$OUT/loupe.json" "$OUT/bandit.json" "$STDLIB" "$PROGRAMS" \
    > "$OUT/table.md" 2> "$OUT/disagreements.txt"
cat "$OUT/table.md"
radon_cpu=$(grep -o 'radon API CPU time (cc + hal + raw + mi): [0-9.]*' "$OUT/table.md" | awk '{print $NF}')
echo
echo "| tool | CPU seconds |"
echo "|---|---|"
echo "| loupe analyze, all cores (user+sys) | $loupe_all |"
echo "| loupe analyze, RAYON_NUM_THREADS=1 | $loupe_single (peak RSS ${loupe_peak_kb} KB) |"
echo "| bandit -r | $bandit_cpu |"
echo "| radon cc+hal+raw+mi (API, per file) | $radon_cpu |"
echo "| ratio (bandit + radon) / loupe single-threaded | $(awk -v a="$bandit_cpu" -v b="$radon_cpu" -v c="$loupe_single" 'BEGIN{printf "%.0fx", (a + b) / c}') |"
echo "| pydoc_data/topics.py alone (wall, whole process, no interpreter probe) | ${topics_ms} ms |"
echo "| typing.py alone (wall, whole process, no interpreter probe) | ${one_file_ms} ms |"
echo "(disagreement samples: $OUT/disagreements.txt)"
