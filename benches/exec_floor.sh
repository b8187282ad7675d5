#!/usr/bin/env bash
# What starting one more process costs on this machine, whatever the process does: the floor
# under `loupe exec`'s overhead (loupe is a process between the shell and Python), measured with
# programs that do nothing.
#   - nolibc: a static program that exits in its first instruction (the kernel's fork, exec, exit);
#   - static / dynamic: `int main(){return 0;}` linked against glibc statically / dynamically
#     (glibc's start-up: CPU feature and cache detection with CPUID, and for the dynamic one the
#     loader);
#   - `loupe --version` (loupe's own start-up and argument parsing).
# Then one CPUID instruction's cost: on a virtual machine it traps to the hypervisor, and glibc's
# start-up executes several dozen of them.
# Usage: benches/exec_floor.sh [RUNS]   (needs gcc with glibc's static libraries, and hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc is missing: apt-get install gcc" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'void _start(void){__asm__ volatile("mov $231,%%eax; xor %%edi,%%edi; syscall");}\n' >"$work/nolibc.c"
printf 'int main(void){return 0;}\n' >"$work/empty.c"
cat >"$work/cpuid.c" <<'C'
#include <cpuid.h>
#include <stdio.h>
#include <time.h>
int main(void) {
    unsigned a, b, c, d;
    struct timespec t0, t1;
    enum { N = 2000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) __cpuid_count(4, i & 3, a, b, c, d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("one CPUID instruction: %.2f us\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / N / 1000);
    return 0;
}
C
gcc -O2 -nostdlib -static "$work/nolibc.c" -o "$work/nolibc"
gcc -O2 -static "$work/empty.c" -o "$work/static"
gcc -O2 "$work/empty.c" -o "$work/dynamic"
gcc -O2 "$work/cpuid.c" -o "$work/cpuid"
hyperfine -N --warmup 20 --runs "$runs" \
    -n nolibc "$work/nolibc" -n "static glibc" "$work/static" -n "dynamic glibc" "$work/dynamic" \
    -n "loupe --version" "./target/release/loupe --version"
"$work/cpuid"
