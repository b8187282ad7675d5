#!/usr/bin/env bash
# Runs loupe's tests on a fresh machine: creates .venv-test (debugpy and ipdb, the real things the
# tests drive), keeps a local debugpy wheel for the provisioning test, then runs cargo test.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test debugpy_stepping`).
set -euo pipefail
cd "$(dirname "$0")/.."

base_python=${LOUPE_BASE_PYTHON:-python3}
venv=.venv-test
if ! "$venv/bin/python" -c "import debugpy, ipdb" 2>/dev/null; then
    echo "setting up $venv with $("$base_python" --version 2>&1)"
    "$base_python" -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "debugpy==1.8.22" ipdb
fi
if ! ls "$venv"/wheels/debugpy-*.whl >/dev/null 2>&1; then
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$venv/wheels" "debugpy==1.8.22"
fi

export LOUPE_TEST_PYTHON="$PWD/$venv/bin/python"
export LOUPE_TEST_WHEELS="$PWD/$venv/wheels"
exec cargo test --locked "$@"
