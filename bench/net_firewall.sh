#!/usr/bin/env bash
# How long one publish (and one unpublish) transaction of src/net's firewall takes: one port
# added to and removed from ferry's nftables maps, 200 times, median printed. Printed, not
# asserted; the whole networking start budget is 3 ms. Root; runs in a scratch network
# namespace, so the host's rules are not touched. Usage: bench/net_firewall.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
fw=$(cd "$build" && pwd)/ferry-fw-test
[ -x "$fw" ] || { echo "build ferry-fw-test first (cmake --build $build --target ferry-fw-test)" >&2; exit 1; }
ns=ferrybench-fw-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip netns exec "$ns" ip link add fbench0 type bridge
ip netns exec "$ns" "$fw" add-network fbench0 10.213.200.0/24
ip netns exec "$ns" "$fw" bench 200 10.213.200.2
