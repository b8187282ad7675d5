#!/usr/bin/env bash
# loupe env against pip (and uv, when installed) on the same environment, in one hyperfine run.
#
#   benches/env_vs_pip.sh [PACKAGES]   # default: a venv with jupyter's ~100 packages
#
# Builds loupe in release mode, makes target/bench-env/venv with pip (once), then compares:
#   listing:   loupe env show --json      vs  pip list --format=json  (and uv pip list)
#   checking:  loupe env check            vs  pip check               (and uv pip check)
#   discovery: loupe env list --json      (no peer runs every source; the target is 50 ms)
# loupe's cache of interpreter facts is warm after hyperfine's warm-up run, as it is for a user
# after the first command. Results: target/bench-env/*.md and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=${1:-jupyter}
out=target/bench-env
venv=$out/venv
base_python=${LOUPE_BASE_PYTHON:-$(.venv-test/bin/python -c 'import sys; print(sys.base_prefix)')/bin/python3}

cargo build --release --quiet
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
    "$base_python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: $packages
fi
loupe=target/release/loupe
py=$venv/bin/python
count=$("$py" -m pip list --format=json --disable-pip-version-check | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "environment: $venv with $count packages ($("$py" --version))"
export XDG_CACHE_HOME=$PWD/$out/cache

list_cmds=("$loupe env show --json --python $py" "$py -m pip list --format=json --disable-pip-version-check")
check_cmds=("$loupe env check --python $py" "$py -m pip check --disable-pip-version-check")
if command -v uv >/dev/null; then
    list_cmds+=("uv pip list --format=json --python $py")
    check_cmds+=("uv pip check --python $py")
fi
hyperfine -N --warmup 3 --runs 20 -i --export-markdown "$out/list.md" "${list_cmds[@]}"
hyperfine -N --warmup 3 --runs 20 -i --export-markdown "$out/check.md" "${check_cmds[@]}"
hyperfine -N --warmup 3 --runs 30 --export-markdown "$out/discover.md" "$loupe env list --json"
