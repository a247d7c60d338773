#!/usr/bin/env bash
# The commit benchmark (issue 3, point 7): `ferry commit` of a running container that wrote
# 1 GB of random data (busybox dd), against writing that 1 GB once (dd of the same file, page
# cache warm) and hashing it once (openssl sha256: a layer's diff ID must be hashed), with
# ferry's peak memory.
#
#   bench/commit.sh [FERRY_BINARY]   (default: build/ferry)
#
# FERRY_BENCH_COMMIT_MB sets the size (default 1024), FERRY_BENCH_RUNS the runs (default 5);
# the median of each is printed. Needs root (the container runs rootful) and /usr/bin/time.
# Every commit does the full work (diff, hash, staged layer) even when the layer already exists.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
FERRY=${1:-$repo/build/ferry}
mb=${FERRY_BENCH_COMMIT_MB:-1024}
runs=${FERRY_BENCH_RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "commit bench: needs root" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "commit bench: needs /usr/bin/time (Debian: time)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/ferry-commit-bench-XXXXXX)
export FERRY_ROOT=$work/store
cleanup() {
    for state in "$FERRY_ROOT"/containers/*/state; do
        [ -f "$state" ] || continue
        for pid in $(sed -n 's/^\(monitor_pid\|pid\)=\([1-9][0-9]*\)$/\2/p' "$state"); do
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh dd touch sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$FERRY" import -q "$work/rootfs.tar" bench/base:1 >/dev/null
"$FERRY" create --name big bench/base:1 sh -c \
    "dd if=/dev/urandom of=/big bs=1M count=$mb 2>/dev/null; touch /done; exec sleep 100000" \
    >/dev/null
"$FERRY" start big >/dev/null
upper=$(echo "$FERRY_ROOT"/containers/*/upper)
until [ -e "$upper/done" ]; do sleep 0.5; done
cat "$upper/big" >/dev/null

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
declare -a commit_s commit_kb dd_s hash_s
for i in $(seq "$runs"); do
    sync
    read -r s kb < <({ /usr/bin/time -f '%e %M' "$FERRY" commit big >/dev/null; } 2>&1)
    commit_s+=("$s"); commit_kb+=("$kb")
    sync
    dd_s+=("$({ /usr/bin/time -f '%e' dd if="$upper/big" of="$work/copy" bs=1M status=none; } 2>&1)")
    rm -f "$work/copy"
    hash_s+=("$({ /usr/bin/time -f '%e' openssl dgst -sha256 "$upper/big" >/dev/null; } 2>&1)")
done
echo "commit of a container that wrote ${mb} MB (median of $runs runs):"
printf '  ferry commit           %6s s   peak RSS %s MB\n' \
    "$(printf '%s\n' "${commit_s[@]}" | median)" \
    "$(( $(printf '%s\n' "${commit_kb[@]}" | median) / 1024 ))"
printf '  writing it once (dd)   %6s s\n' "$(printf '%s\n' "${dd_s[@]}" | median)"
printf '  hashing it once        %6s s   (openssl sha256; the floor of any layer creation)\n' \
    "$(printf '%s\n' "${hash_s[@]}" | median)"
