#!/usr/bin/env bash
# Prepares what loupe's tests drive, once per checkout: gdb (from Debian, when root), `.venv-test`,
# a virtual environment with debugpy, ipdb and pytest (the real things the tests debug with) and
# maturin (tests/wheel.rs builds loupe's wheel with it), and
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
# pytest: `loupe test` debugs real test runs (tests/test_failures.rs).
if ! "$venv/bin/python" -c "import pytest" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pytest==9.2.0"
fi
if ! "$venv/bin/maturin" --version >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
if ! ls "$venv"/wheels/debugpy-*.whl >/dev/null 2>&1; then
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$venv/wheels" "debugpy==1.8.22"
fi

# The consumers' own checks of loupe's exports: jsonschema (Python) validates speedscope files
# against speedscope's schema (tests/profile_exports.rs).
if ! "$venv/bin/python" -c "import jsonschema" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check jsonschema
fi

# uv, the other installer loupe drives (tests/env_uv.rs), from PyPI.
if [ ! -x "$venv/bin/uv" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi

# From the npm registry, into .venv-test/node: Microsoft's SARIF validator
# (tests/analyze_sarif.rs) and speedscope, for its file-format schema (tests/profile_exports.rs).
node_tools=("@microsoft/sarif-multitool@5.7.0" "speedscope@1.25.0")
if [ ! -x "$venv/node/node_modules/.bin/sarif-multitool" ] || [ ! -f "$venv/node/node_modules/speedscope/dist/release/file-format-schema.json" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "installing Node.js and npm (Debian packages)"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        else
            echo "the tests need npm (for ${node_tools[*]}): install it, e.g. sudo apt-get install npm" >&2
            exit 1
        fi
    fi
    echo "installing ${node_tools[*]} into $venv/node"
    npm install --silent --no-audit --no-fund --prefix "$venv/node" "${node_tools[@]}" >/dev/null
fi

# Headless Chromium renders the SVG flamegraph (tests/profile_exports.rs).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium (Debian package)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "the tests need chromium (to render the SVG flamegraph): install it, e.g. sudo apt-get install chromium" >&2
        exit 1
    fi
fi

# .venv-test/nobody: the same debuggers on the system's interpreter, which every user may run
# (pyenv's live under /root): tests/sandbox_unprivileged.rs runs loupe as uid 65534 with it.
nobody_venv=.venv-test/nobody
if [ -x /usr/bin/python3 ] && ! "$nobody_venv/bin/python" -c "import debugpy, ipdb" 2>/dev/null; then
    echo "setting up $nobody_venv with $(/usr/bin/python3 --version 2>&1)"
    /usr/bin/python3 -m venv --clear "$nobody_venv"
    "$nobody_venv/bin/python" -m pip install --quiet --disable-pip-version-check "debugpy==1.8.22" ipdb
    chmod -R a+rX "$nobody_venv"
fi
