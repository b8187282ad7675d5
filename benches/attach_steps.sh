#!/usr/bin/env bash
# Attach-mode step cost, loupe's fix against stock debugpy, in one run.
#
# A program embedding debugpy (tests/programs/attach_server.py, standing for a container) is
# started for each run; loupe attaches and does N × (`next` + `locals`). When attaching, loupe
# turns TCP_NODELAY on inside the debuggee at the first stop; `--stock-debugpy` leaves it off.
# Usage: benches/attach_steps.sh [STEPS] [REPEATS]   (needs .venv-test: scripts/setup-test-env.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-30}
repeats=${2:-3}
python=${LOUPE_BENCH_PYTHON:-.venv-test/bin/python}
cargo build --release --quiet
program=$(mktemp --suffix=.py)
trap 'rm -f "$program"' EXIT
printf 'i = 0\nwhile i < 10000000:\n    i += 1\n    j = i * 2\n' > "$program"
commands=()
for _ in $(seq "$steps"); do commands+=(-ex next -ex locals); done

run_once() {
    local flag=$1 port_file server start end
    port_file=$(mktemp)
    PYDEVD_DISABLE_FILE_VALIDATION=1 "$python" tests/programs/attach_server.py "$program" >"$port_file" 2>/dev/null &
    server=$!
    while [ ! -s "$port_file" ]; do sleep 0.05; done
    start=$(date +%s%N)
    ./target/release/loupe attach --batch $flag "127.0.0.1:$(head -1 "$port_file")" \
        --break "$program:3" "${commands[@]}" -ex quit >/dev/null
    end=$(date +%s%N)
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -f "$port_file"
    echo $(( (end - start) / 1000000 ))
}

printf '%-8s %s\n' mode "total ms per run ($steps × next+locals, attach and quit included)"
for mode in fix stock; do
    flag=""; [ "$mode" = stock ] && flag=--stock-debugpy
    times=()
    for _ in $(seq "$repeats"); do times+=("$(run_once "$flag")"); done
    printf '%-8s %s\n' "$mode" "${times[*]}"
done
