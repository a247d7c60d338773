#!/usr/bin/env bash
# `make demo`: the main job on a built-in default, end to end.
#   1. build a small image from the host's busybox (Debian's busybox-static);
#   2. save it to an archive, as on the machine where the environment was built;
#   3. load the archive into a second, empty store, as on the machine it moves to, and list it;
#   4. run it there: a container that prints its hostname, the user it runs as, its network
#      address, and whether a GPU is visible (with --gpus all when this machine has an NVIDIA
#      GPU).
set -euo pipefail
FERRY=${1:-build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-demo-XXXXXX")
# Machine B's network (its bridge and firewall chains) goes with the demo's stores.
trap '"$FERRY" --root "$work/machine-b" __network-teardown 2>/dev/null || true; rm -rf "$work"' EXIT
bb=$(command -v busybox) || { echo "demo: busybox-static is missing (run scripts/setup.sh)" >&2; exit 1; }

echo "== 1. an image from the host's busybox"
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/root" "$work/rootfs/tmp"
cp "$bb" "$work/rootfs/bin/busybox"
for a in sh ls cat echo hostname id whoami uname env ip grep wc; do ln -s busybox "$work/rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$work/rootfs/etc/passwd"
printf 'root:x:0:\n' >"$work/rootfs/etc/group"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
A="$FERRY --root $work/machine-a"
B="$FERRY --root $work/machine-b"
$A import --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" demo/busybox:1 >/dev/null
$A images

echo "== 2. save it on machine A"
$A save -o "$work/demo.tar" demo/busybox:1
ls -l "$work/demo.tar"

echo "== 3. load it on machine B (an empty store)"
$B load -i "$work/demo.tar"
$B images

echo "== 4. run it on machine B"
gpus=()
if $B gpu ls --format json 2>/dev/null | grep -q '"Index"'; then gpus=(--gpus all); fi
$B run --rm "${gpus[@]}" --hostname ferry-demo demo/busybox:1 sh -c '
    echo "hostname: $(hostname)"
    echo "user:     $(id -un) (uid $(id -u))"
    echo "network:  $(ip -4 -o addr show eth0 2>/dev/null | grep -o "inet [0-9./]*" || echo none)"
    if ls /dev/nvidia[0-9]* >/dev/null 2>&1; then echo "GPU:      visible ($(ls /dev/nvidia[0-9]* | wc -l))"; else echo "GPU:      none visible"; fi'
