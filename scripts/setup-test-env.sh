#!/usr/bin/env bash
# Prepares what loupe's tests drive, once per checkout: gdb (from Debian, when root), `.venv-test`,
# a virtual environment with debugpy and ipdb (the real things the tests debug with) and maturin
# (tests/wheel.rs builds loupe's wheel with it), and
# `.venv-test/wheels`, a debugpy wheel for the offline-install tests. Does nothing when all are
# already there.
# README's test command: scripts/setup-test-env.sh && cargo test --locked
set -euo pipefail
cd "$(dirname "$0")/.."

# gdb: `loupe attach --pid` injects debugpy with it (tests/attach_pid.rs).
if ! command -v gdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing gdb (Debian package)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb >/dev/null
    else
        echo "the tests need gdb (for loupe attach --pid): install it, e.g. sudo apt-get install gdb" >&2
        exit 1
    fi
fi

base_python=${LOUPE_BASE_PYTHON:-python3}
venv=.venv-test
if ! "$venv/bin/python" -c "import debugpy, ipdb" 2>/dev/null; then
    echo "setting up $venv with $("$base_python" --version 2>&1)"
    "$base_python" -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "debugpy==1.8.22" ipdb
fi
if ! "$venv/bin/maturin" --version >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
if ! ls "$venv"/wheels/debugpy-*.whl >/dev/null 2>&1; then
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$venv/wheels" "debugpy==1.8.22"
fi
