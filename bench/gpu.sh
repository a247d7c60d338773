#!/usr/bin/env bash
# The GPU start benchmark (issue 4, point 6): `ferry run --rm IMG true` with and without
# `--gpus all` on a fake 8-GPU driver root (tests/gpu/make_fake_driver_root.sh, FERRY_HOST_ROOT),
# side by side in one hyperfine run; prints both medians and their difference (target: GPU
# set-up adds at most 5 ms).
#
#   bench/gpu.sh [FERRY_BINARY]          (default: build/ferry)
#
# FERRY_BENCH_RUNS sets the runs of each command (default 100). Needs root (the fake driver's
# device nodes are made with mknod), gcc and hyperfine (Debian: hyperfine).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
FERRY=${1:-$repo/build/ferry}
runs=${FERRY_BENCH_RUNS:-100}
[ "$(id -u)" = 0 ] || { echo "gpu bench: needs root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "gpu bench: needs hyperfine" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gpu bench: needs gcc (the fake driver)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/ferry-gpu-bench-XXXXXX)
export FERRY_ROOT=$work/store
# The run root of that store (core/context.cpp's path_hash), which holds the GPU layers.
run_root=/run/ferry/$(python3 -c 'import sys
h = 1469598103934665603
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) & 0xffffffffffffffff
print("%016x" % h)' "$FERRY_ROOT")
trap 'rm -rf "$work" "$run_root/gpu-layers"' EXIT
"$repo/tests/gpu/make_fake_driver_root.sh" "$work/host" 8 535.104.05 2>/dev/null
export FERRY_HOST_ROOT=$work/host

# An image as a CUDA image's base is laid out: busybox, glibc in /usr/lib/x86_64-linux-gnu, an
# /etc/ld.so.cache (the GPU set-up merges it).
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" \
    "$root/usr/lib/x86_64-linux-gnu" "$root/lib64"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh true ls; do ln -s busybox "$root/bin/$a"; done
cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 "$root/usr/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
touch "$root/etc/hostname" "$root/etc/hosts" "$root/etc/resolv.conf"
printf '/usr/lib/x86_64-linux-gnu\n' >"$root/etc/ld.so.conf"
ldconfig -r "$root"
tar -C "$root" -cf "$work/rootfs.tar" .
"$FERRY" import -q "$work/rootfs.tar" bench/gpu:1 >/dev/null

# Both must work before they are timed.
"$FERRY" run --rm bench/gpu:1 true
nodes=$("$FERRY" run --rm --gpus all bench/gpu:1 sh -c 'ls /dev | grep -c "^nvidia[0-9]"')
[ "$nodes" = 8 ] || { echo "gpu bench: --gpus all gave $nodes GPUs, not 8" >&2; exit 1; }

hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/result.json" \
    -n "run --rm IMG true" "$FERRY run --rm bench/gpu:1 true" \
    -n "run --rm --gpus all IMG true" "$FERRY run --rm --gpus all bench/gpu:1 true" >&2

# hyperfine runs one command, then the other: on a busy machine the load can change in between.
# The same pair is also timed alternately (A, B, A, B, ...), and the median of the per-pair
# differences printed: that one does not drift with the load.
python3 - "$work/result.json" "$FERRY" "$runs" <<'EOF'
import json, statistics, subprocess, sys, time
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
plain = results["run --rm IMG true"]["median"] * 1000
gpus = results["run --rm --gpus all IMG true"]["median"] * 1000
print(f"hyperfine: ferry run --rm IMG true              median {plain:7.2f} ms")
print(f"hyperfine: ferry run --rm --gpus all IMG true   median {gpus:7.2f} ms  (8 fake GPUs)")
print(f"hyperfine: GPU set-up adds                             {gpus - plain:7.2f} ms  (target <= 5 ms)")
ferry, runs = sys.argv[2], int(sys.argv[3])
def once(args):
    start = time.perf_counter()
    subprocess.run([ferry, "run", "--rm", *args, "bench/gpu:1", "true"], check=True)
    return (time.perf_counter() - start) * 1000
a, b = [], []
for _ in range(runs):
    a.append(once([]))
    b.append(once(["--gpus", "all"]))
diff = statistics.median(y - x for x, y in zip(a, b))
print(f"alternating: without {statistics.median(a):7.2f} ms, with --gpus all {statistics.median(b):7.2f} ms, "
      f"median difference {diff:5.2f} ms ({runs} pairs)")
EOF
