#!/usr/bin/env bash
# Sandbox start-up overhead for a normal user: `loupe exec -c pass` (standard policy: a user
# namespace per run, and in it PID, mount and network namespaces, Landlock, seccomp, rlimits)
# against bubblewrap giving the same program its namespaces (`bwrap --unshare-all --ro-bind / /
# --proc /proc --dev /dev`), both as the same unprivileged user, and bare `python -c pass`, in
# one interleaved rotation (benches/interleave.py: per-round differences, median and 95% CI).
# Run as root: every command is started through `setpriv` as uid 65534 (LOUPE_BENCH_UID), so the
# baseline pays the same setpriv. The interpreter must be one that user can run (the system's).
# Usage: benches/sandbox_unprivileged.sh [RUNS]   (needs python3, setpriv and bwrap:
#        apt-get install bubblewrap)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
uid=${LOUPE_BENCH_UID:-65534}
command -v bwrap >/dev/null || { echo "bubblewrap is missing: apt-get install bubblewrap" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: the commands drop to uid $uid with setpriv" >&2; exit 1; }
python=$(readlink -f "${LOUPE_BENCH_PYTHON:-/usr/bin/python3}")
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
loupe=$(readlink -f "$target/release/loupe")
work=$(mktemp -d)
chmod 755 "$work"
chown "$uid:$uid" "$work"
trap 'rm -rf "$work"' EXIT
as_user="/usr/bin/setpriv --reuid $uid --regid $uid --clear-groups -- /usr/bin/env HOME=$work"
setpriv --reuid "$uid" --regid "$uid" --clear-groups -- test -x "$loupe" || {
    echo "$loupe is not reachable by uid $uid: use a target directory it can traverse" >&2; exit 1; }
paired_json=$(realpath -m "${LOUPE_BENCH_PAIRED_JSON:-$target/bench-sandbox-unprivileged-paired.json}")
(cd "$work" && python3 "$OLDPWD/benches/interleave.py" "$runs" "$paired_json" \
    "python -c pass=$as_user $python -c pass" \
    "loupe exec -c pass (standard, uid $uid)=$as_user $loupe exec --python $python -c pass" \
    "bwrap --unshare-all (uid $uid)=$as_user /usr/bin/bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev $python -c pass" \
    "loupe exec -c pass (--sandbox off, uid $uid)=$as_user $loupe exec --sandbox off --python $python -c pass")
