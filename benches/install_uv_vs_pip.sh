#!/usr/bin/env bash
# loupe's install through uv against pip's own, on the same environment, in one hyperfine run.
#
#   benches/install_uv_vs_pip.sh [PACKAGE] [REMOVE...]   # default: rich and its three dependencies
#
# Builds loupe in release mode, makes target/bench-install/venv with pip, then times one cycle of
# install + uninstall of the package set (caches warm after hyperfine's warm-up, as for a user
# installing again), three ways:
#   loupe env install / uninstall (installer auto: uv, found on PATH)
#   pip install / pip uninstall -y (the environment's own pip)
#   uv pip install / uninstall (uv alone: what loupe adds on top of it)
# uv comes from .venv-test (scripts/setup-test-env.sh) unless one is on PATH already.
# Results: target/bench-install/install.md and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
package=${1:-rich}
shift || true
remove=("$@")
[ ${#remove[@]} -gt 0 ] || remove=(rich markdown-it-py mdurl pygments)
out=target/bench-install
venv=$out/venv
base_python=${LOUPE_BASE_PYTHON:-$(.venv-test/bin/python -c 'import sys; print(sys.base_prefix)')/bin/python3}
command -v uv >/dev/null || export PATH=$PWD/.venv-test/bin:$PATH
command -v uv >/dev/null || { echo "uv is needed: run scripts/setup-test-env.sh" >&2; exit 1; }

cargo build --release --quiet
mkdir -p "$out"
[ -x "$venv/bin/python" ] || "$base_python" -m venv "$venv"
loupe=$PWD/target/release/loupe
py=$venv/bin/python
echo "environment: $venv ($("$py" --version), pip $("$py" -m pip --version | cut -d' ' -f2), $(uv --version))"
export XDG_CACHE_HOME=$PWD/$out/cache
cycle_loupe="$loupe env install --installer auto --python $py $package && $loupe env uninstall --python $py ${remove[*]}"
cycle_pip="$py -m pip install -q --disable-pip-version-check $package && $py -m pip uninstall -q -y ${remove[*]}"
cycle_uv="uv pip install -q --python $py $package && uv pip uninstall -q --python $py ${remove[*]}"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "$out/install.md" \
    -n "loupe (uv)" "$cycle_loupe" -n "pip" "$cycle_pip" -n "uv alone" "$cycle_uv"
