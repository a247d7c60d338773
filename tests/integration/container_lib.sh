# Helpers for the tests of the container commands (run, create, exec, ps, logs, commit, ...):
# containers are made with `ferry create` and `ferry run` as a user would, in the test's own
# store, and whatever a test leaves (processes, cgroups, the store's run directory) is removed
# when it ends, whatever the outcome.

# run_lib.sh: root only, the clean-up at exit (RUN_CLEANUPS), RUN_DIR, state helpers; its
# bb_image is replaced below by one with users, groups and data.
source "$FERRY_SRC/tests/integration/run_lib.sh"

# ctr_create NAME [FLAGS] IMAGE [CMD...]: `ferry create --name NAME FLAGS IMAGE CMD`.
ctr_create() { ferry create --name "$1" "${@:2}" >/dev/null; }
# ctr_start NAME: `ferry start NAME`.
ctr_start() { ferry start "$1" >/dev/null; }
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

# bb_image REF: a busybox image with every applet, users root, user (1000, group grp, member
# of extra 2000) and nobody, ENV IMG=1, CMD ["/bin/sh"]. Built and imported once per test file.
bb_image() {
    local root="$TEST_TMP/bb-rootfs" a
    if [ ! -f "$TEST_TMP/bb.tar" ]; then
        busybox_rootfs "$root"
        for a in $(busybox --list); do
            [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
        done
        mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/home/user" "$root/data"
        chown 1000:1000 "$root/home/user"
        echo image-data >"$root/data/from-image"
        printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:User:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
        printf 'root:x:0:\ngrp:x:1000:\nextra:x:2000:user\nnogroup:x:65534:\n' >"$root/etc/group"
        tar -C "$root" -cf "$TEST_TMP/bb.tar" .
    fi
    ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV IMG=1' "$TEST_TMP/bb.tar" "$1" >/dev/null
}

# DOCKER_PREFIX names what a test makes in docker (removed at the end through RUN_CLEANUPS);
# lib.sh's docker_up starts a dockerd when none answers, stopped at the end too.
DOCKER_PREFIX=ferry-it-$$
RUN_CLEANUPS+=(docker_down)

# json_get FILE EXPR: evaluates a python expression on the JSON document `d` in FILE.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# docker_bb: when a docker daemon answers, imports bb_image's tree into docker as DOCKER_BB
# ($DOCKER_PREFIX/bb:1, removed at the end); DOCKER_BB stays empty when none does (said in the
# log), which turns the docker comparisons below into no-ops. Fails the test when docker
# answers but the import fails.
DOCKER_BB=""
docker_bb() {
    docker_up || { note "$DOCKER_WHY: the comparisons with docker are skipped"; return 0; }
    "$DOCKER" import -c 'CMD ["/bin/sh"]' -c 'ENV IMG=1' "$TEST_TMP/bb.tar" \
        "$DOCKER_PREFIX/bb:1" >/dev/null || fail "docker import of the busybox image failed"
    RUN_CLEANUPS=(docker_bb_cleanup "${RUN_CLEANUPS[@]}")  # before docker_down
    DOCKER_BB=$DOCKER_PREFIX/bb:1
    note "compared with docker $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null)"
}

# docker_bb_cleanup: removes DOCKER_BB and the containers made from it (a `run --rm` container
# may still be on its way out).
docker_bb_cleanup() {
    local ref=$DOCKER_PREFIX/bb:1 ids
    for _ in $(seq 20); do
        ids=$("$DOCKER" ps -aq --filter "ancestor=$ref" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || "$DOCKER" rm -f $ids >/dev/null 2>&1
        "$DOCKER" rmi -f "$ref" >/dev/null 2>&1
        "$DOCKER" image inspect "$ref" >/dev/null 2>&1 || return 0
        sleep 0.5
    done
}

# docker_flags FLAGS...: FLAGS with --network none added when they name no network (docker's
# default, a bridge, costs a network endpoint per container).
docker_flags() {
    local f
    for f in "$@"; do
        case "$f" in --network | --network=* | --net | --net=*) printf '%s\n' "$@"; return ;; esac
    done
    printf '%s\n' --network none "$@"
}

# expect_docker_out WANT FLAGS... -- CMD...: `docker run --rm FLAGS IMAGE CMD` prints WANT, as
# ferry did (no-op without docker).
expect_docker_out() {
    local want=$1 flags=() got
    shift
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    [ -n "$DOCKER_BB" ] || return 0
    mapfile -t flags < <(docker_flags "${flags[@]}")
    got=$("$DOCKER" run --rm "${flags[@]}" "$DOCKER_BB" "$@" 2>&1) ||
        fail "docker run ${flags[*]} $*: status $? ($got)"
    expect_eq "$got" "$want" "docker run ${flags[*]} $* (what ferry printed)"
}

# expect_docker_error WANT FLAGS...: `docker run --rm FLAGS IMAGE true` fails with the message
# WANT (docker's `Error response from daemon: ` and final period taken off), whether its daemon
# finds the fault at create or at start; no-op without docker.
expect_docker_error() {
    local want=$1 got
    shift
    [ -n "$DOCKER_BB" ] || return 0
    local flags
    mapfile -t flags < <(docker_flags "$@")
    got=$("$DOCKER" run --rm "${flags[@]}" "$DOCKER_BB" true 2>&1) &&
        fail "docker run $*: succeeded, expected [$want]"
    got=$(printf '%s\n' "$got" | head -1 | sed -e 's/^docker: //' -e 's/^Error response from daemon: //' -e 's/\.$//')
    expect_eq "$got" "$want" "docker run $* (the message ferry gives)"
}

# freezer_state PID: FROZEN or THAWED from the cgroup that freezes the container whose init is
# PID (runtime/freezer.hpp: the v1 freezer hierarchy's directory, else its v2 cgroup, whose
# cgroup.events says `frozen 1`), NONE when it is in neither (a pure v1 host before its first
# freeze).
freezer_state() {
    local path v2=/sys/fs/cgroup
    path=$(awk -F: '$2 ~ /(^|,)freezer(,|$)/ {print $3}' "/proc/$1/cgroup")
    if [ -n "$path" ] && [ "$path" != / ]; then
        cat "/sys/fs/cgroup/freezer$path/freezer.state"
        return
    fi
    [ -d /sys/fs/cgroup/unified ] && v2=/sys/fs/cgroup/unified
    path=$(awk -F: '$1 == "0" && $2 == "" {print $3}' "/proc/$1/cgroup")
    if [ -z "$path" ] || [ "$path" = / ] || [ ! -f "$v2$path/cgroup.events" ]; then
        echo NONE
    elif grep -qx 'frozen 1' "$v2$path/cgroup.events"; then
        echo FROZEN
    else
        echo THAWED
    fi
}
