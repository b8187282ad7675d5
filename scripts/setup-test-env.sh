#!/usr/bin/env bash
# Prepares what loupe's tests drive, once per checkout: gdb, npm and chromium (from Debian, when
# root), `.venv-test` (debugpy, ipdb, pytest, maturin, jsonschema, uv), npm tools in
# `.venv-test/node`, `.venv-test/nobody` for the unprivileged tests, and `.venv-test/wheels`, a
# debugpy wheel for the offline-install tests. Does nothing when all are already there.
# README's test command: scripts/setup-test-env.sh && cargo test --locked
set -euo pipefail
cd "$(dirname "$0")/.."

# debian_package COMMAND PACKAGES... -- WHY: installs the packages when COMMAND is missing (as
# root, with apt-get); otherwise says what to install and stops.
debian_package() {
    local command=$1
    shift
    local packages=()
    while [ "$1" != "--" ]; do
        packages+=("$1")
        shift
    done
    local why=$2
    command -v "$command" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing ${packages[*]} (Debian packages)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "the tests need $command ($why): install it, e.g. sudo apt-get install ${packages[*]}" >&2
        exit 1
    fi
}

debian_package gdb gdb -- "loupe attach --pid injects debugpy with it"

base_python=${LOUPE_BASE_PYTHON:-python3}
venv=.venv-test
if ! "$venv/bin/python" -c "import debugpy, ipdb" 2>/dev/null; then
    echo "setting up $venv with $("$base_python" --version 2>&1)"
    "$base_python" -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "debugpy==1.8.22" ipdb
fi
# venv_package IMPORT_CHECK REQUIREMENT: pip-installs REQUIREMENT into .venv-test unless the check
# (a shell command) passes.
venv_package() {
    eval "$1" >/dev/null 2>&1 || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$2"
}
# pytest: `loupe test` debugs real test runs (tests/test_failures.rs); maturin builds loupe's wheel
# (tests/wheel.rs); jsonschema validates speedscope files against speedscope's schema
# (tests/profile_exports.rs); uv is the other installer loupe drives (tests/env_uv.rs).
venv_package '"$venv/bin/python" -c "import pytest"' "pytest==9.2.0"
venv_package '"$venv/bin/maturin" --version' "maturin>=1.5,<2"
venv_package '"$venv/bin/python" -c "import jsonschema"' jsonschema
venv_package '[ -x "$venv/bin/uv" ]' "uv==0.13.9"
# line_profiler: `loupe profile --lines` is checked against real kernprof (tests/profile_lines.rs).
venv_package '"$venv/bin/python" -c "import line_profiler"' "line_profiler==5.1.0"
# memory_profiler: what `loupe profile --alloc` is measured against (benches/profile_alloc.sh).
venv_package '"$venv/bin/python" -c "import memory_profiler"' "memory_profiler==0.61.0"
if ! ls "$venv"/wheels/debugpy-*.whl >/dev/null 2>&1; then
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$venv/wheels" "debugpy==1.8.22"
fi

# From the npm registry, into .venv-test/node: Microsoft's SARIF validator
# (tests/analyze_sarif.rs) and speedscope, for its file-format schema (tests/profile_exports.rs).
node_tools=("@microsoft/sarif-multitool@5.7.0" "speedscope@1.25.0")
if [ ! -x "$venv/node/node_modules/.bin/sarif-multitool" ] || [ ! -f "$venv/node/node_modules/speedscope/dist/release/file-format-schema.json" ]; then
    debian_package npm nodejs npm -- "for ${node_tools[*]}"
    echo "installing ${node_tools[*]} into $venv/node"
    npm install --silent --no-audit --no-fund --prefix "$venv/node" "${node_tools[@]}" >/dev/null
fi

# Headless Chromium renders the SVG flamegraph (tests/profile_exports.rs).
debian_package chromium chromium -- "to render the SVG flamegraph"

# .venv-test/nobody: the same debuggers on the system's interpreter, which every user may run
# (pyenv's live under /root): tests/sandbox_unprivileged.rs runs loupe as uid 65534 with it.
nobody_venv=.venv-test/nobody
if [ -x /usr/bin/python3 ] && ! "$nobody_venv/bin/python" -c "import debugpy, ipdb" 2>/dev/null; then
    echo "setting up $nobody_venv with $(/usr/bin/python3 --version 2>&1)"
    /usr/bin/python3 -m venv --clear "$nobody_venv"
    "$nobody_venv/bin/python" -m pip install --quiet --disable-pip-version-check "debugpy==1.8.22" ipdb
    chmod -R a+rX "$nobody_venv"
fi
