# Helpers for the tests that drive `ferry run` and the other container commands of the built
# binary as root. Whatever a test leaves behind (monitors, inits, cgroups, the run directory)
# goes when it ends, whatever the outcome.

[ "$(id -u)" = 0 ] || skip "needs root (run_rootless.sh covers other users)"

# run_dir_of STORE: the runtime directory of a --root store as root uses it,
# /run/ferry/<FNV-1a of the store path>.
run_dir_of() {
    echo "/run/ferry/$(python3 -c '
import sys
h = 1469598103934665603
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) % (1 << 64)
print("%016x" % h)' "$1")"
}
RUN_DIR=$(run_dir_of "$FERRY_ROOT")

# run_cleanup [STORE [RUN_DIR]]: kills the monitors and inits of every container of the store,
# removes their cgroups and the run directory.
run_cleanup() {
    local store=${1:-$FERRY_ROOT} run_dir=${2:-$RUN_DIR} state pid id dir pids=()
    for state in "$store"/containers/*/state; do
        [ -f "$state" ] || continue
        for pid in $(sed -n 's/^\(monitor_pid\|pid\)=\([1-9][0-9]*\)$/\2/p' "$state"); do
            kill -KILL "$pid" 2>/dev/null && pids+=("$pid")
        done
    done
    # (until they are gone, 2 s at most: their cgroups can be removed then)
    for _ in $(seq 40); do
        pid=""
        for pid in "${pids[@]}"; do
            [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && break
            pid=""
        done
        [ -z "${pid:-}" ] && break
        sleep 0.05
    done
    for dir in "$store"/containers/*/ "$store"/tmp/rm-*/; do
        [ -d "$dir" ] || continue
        id=$(basename "$dir")
        id=${id#rm-}
        for dir in /sys/fs/cgroup/*/ferry/"$id" /sys/fs/cgroup/ferry/"$id"; do
            [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
        done
    done
    # The store's bridges and firewall chains (a bridge network's stay while the network does).
    [ ! -d "$store/networks" ] || "$FERRY" --root "$store" __network-teardown 2>/dev/null || true
    local m
    for m in $(grep -o " $run_dir/[^ ]*" /proc/self/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$run_dir"
}
# Commands run at exit, in order: function names or command lines (`RUN_CLEANUPS+=("kill 1")`).
RUN_CLEANUPS=(run_cleanup)
run_cleanups() { local c; for c in "${RUN_CLEANUPS[@]}"; do eval "$c" || true; done; }
trap run_cleanups EXIT

# outside_world NS LINK NET CMD...: a network namespace NS that stands for the outside world,
# routed from the host through the veth LINK (the host NET.1/30, NS NET.2/30 with its default
# route back), with CMD (a server) running in it; all of it goes at exit.
outside_world() {
    local ns=$1 link=$2 net=$3
    shift 3
    ip netns add "$ns"
    RUN_CLEANUPS=("ip netns del $ns; ip link del $link 2>/dev/null" "${RUN_CLEANUPS[@]}")
    ip link add "$link" type veth peer name eth0 netns "$ns"
    ip addr add "$net.1/30" dev "$link"
    ip link set "$link" up
    ip -n "$ns" addr add "$net.2/30" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" route add default via "$net.1"
    ip netns exec "$ns" "$@" >/dev/null 2>&1 &
    RUN_CLEANUPS=("kill $! 2>/dev/null" "${RUN_CLEANUPS[@]}")
}

# bb_image REF: a busybox image with every applet linked, the mount points an image has, and
# CMD ["/bin/sh"].
bb_image() {
    local root="$TEST_TMP/bb-rootfs" a
    rm -rf "$root"
    busybox_rootfs "$root"
    mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/mnt"
    for a in $(busybox --list); do
        [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
    done
    tar -C "$root" -cf "$TEST_TMP/bb.tar" .
    ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/bb.tar" "$1" >/dev/null
}

# state_of NAME: docker's State.Status of a container.
state_of() { ferry inspect -f '{{.State.Status}}' "$1"; }

# wait_state NAME STATUS [SECONDS]: waits until the container's State.Status is STATUS.
wait_state() {
    local i
    for i in $(seq $((${3:-10} * 20))); do
        [ "$(state_of "$1")" = "$2" ] && return 0
        sleep 0.05
    done
    fail "container $1 is $(state_of "$1"), not $2, after ${3:-10} s"
}

# state_key ID KEY: a key of the container's state file (pid, monitor_pid, ...).
state_key() { sed -n "s/^$2=//p" "$FERRY_ROOT/containers/$1/state"; }

# full_id NAME: the container's full ID.
full_id() { ferry inspect -f '{{.Id}}' "$1"; }

