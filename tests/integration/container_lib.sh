# Helpers for the tests of the commands that act on containers (commit, export, cp, top,
# inspect, container prune). Containers are made by ferry-ctr-test (tests/runtime) until
# `ferry create` / `ferry run` exist: switching is one line in ctr_create and one in ctr_start.

FCT=${FERRY_CTR_TEST:-$FERRY_BUILD/ferry-ctr-test}
[ -x "$FCT" ] || skip "ferry-ctr-test is not built"
[ "$(id -u)" = 0 ] || skip "needs root (the containers are started rootful)"

# Kills whatever the test left running (inits and monitors), whatever the outcome, and removes
# the containers' cgroups (nothing removes them yet when a container exits).
ctr_cleanup() {
    local state pid dir
    for state in "$FERRY_ROOT"/containers/*/state; do
        [ -f "$state" ] || continue
        for pid in $(sed -n 's/^\(monitor_pid\|pid\)=\([1-9][0-9]*\)$/\2/p' "$state"); do
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    sleep 0.2
    for state in "$FERRY_ROOT"/containers/*/state; do
        [ -f "$state" ] || continue
        for dir in /sys/fs/cgroup/*/ferry/"$(basename "$(dirname "$state")")" \
                   /sys/fs/cgroup/ferry/"$(basename "$(dirname "$state")")"; do
            [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
        done
    done
}
trap ctr_cleanup EXIT

# ctr_create NAME IMAGE [CMD...]: a created container, as `ferry create --name NAME IMAGE CMD`.
ctr_create() { "$FCT" create --name "$1" "${@:2}" >/dev/null; }
# ctr_start NAME: starts it detached, as `ferry start NAME`.
ctr_start() { "$FCT" start "$1" >/dev/null; }
# ctr_run NAME IMAGE [CMD...]: as `ferry run -d --name NAME IMAGE CMD`.
ctr_run() { ctr_create "$@" && ctr_start "$1"; }

# ctr_status NAME: docker's State.Status.
ctr_status() { ferry inspect -f '{{.State.Status}}' "$1"; }
# ctr_wait_exit NAME: waits (10 s at most) until the container has exited.
ctr_wait_exit() {
    local i
    for i in $(seq 100); do
        [ "$(ctr_status "$1")" = exited ] && return 0
        sleep 0.1
    done
    fail "container $1 did not exit"
}
# ctr_wait_file NAME PATH: waits (10 s at most) until PATH exists in the running container.
ctr_wait_file() {
    local i
    for i in $(seq 100); do
        ferry cp "$1:$2" - >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "$2 did not appear in container $1"
}

# base_image REF: a busybox image with CMD ["/bin/sh"], ENV A=1 and a few files to change.
base_image() {
    local root="$TEST_TMP/base-rootfs"
    busybox_rootfs "$root"
    mkdir -p "$root/d1/sub" "$root/d2" "$root/proc" "$root/sys" "$root/dev"
    echo one >"$root/d1/f"
    echo two >"$root/d2/g"
    echo keep >"$root/d2/keep"
    tar -C "$root" -cf "$TEST_TMP/base.tar" .
    ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV A=1' "$TEST_TMP/base.tar" "$1" >/dev/null
}

# json_get FILE EXPR: evaluates a python expression on the JSON document `d` in FILE.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
