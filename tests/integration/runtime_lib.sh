# Helpers for the runtime tests: they drive ferry-exec-test (tests/runtime), which runs an OCI
# spec against a rootfs through the runtime library, and jq to edit specs.

FET=${FERRY_EXEC_TEST:-$FERRY_BUILD/ferry-exec-test}
[ -x "$FET" ] || skip "ferry-exec-test is not built"
command -v jq >/dev/null || skip "jq is not installed"
export FERRY_SECCOMP_CACHE="$TEST_TMP/seccomp-cache"

fet() { "$FET" "$@"; }

# full_rootfs DIR: busybox_rootfs with every busybox applet linked and the mount points an image
# has (a rootless user may not create them in a rootfs that root owns).
full_rootfs() {
    busybox_rootfs "$1"
    mkdir -p "$1/proc" "$1/sys" "$1/dev" "$1/mnt"
    local a
    for a in $(busybox --list); do
        [ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
    done
}

# make_spec FILE ROOTFS [spec flags] -- ARGS...: docker's default spec for ARGS in FILE.
make_spec() {
    local file=$1 rootfs=$2
    shift 2
    fet spec --rootfs "$rootfs" "$@" >"$file"
}

# edit_spec FILE JQ-ARGS...: applies a jq filter to FILE in place.
edit_spec() {
    local file=$1
    shift
    jq "$@" "$file" >"$file.new" && mv "$file.new" "$file"
}

# run_spec FILE [run flags]: runs the container; sets OUT (stdout+stderr) and STATUS.
run_spec() {
    local file=$1
    shift
    STATUS=0
    OUT=$(fet run "$@" "$file" 2>&1 </dev/null) || STATUS=$?
}

# expect_run STATUS FILE [run flags]: run_spec, failing unless it exits with STATUS.
expect_run() {
    local want=$1
    shift
    run_spec "$@"
    [ "$STATUS" = "$want" ] || fail "container exited $STATUS, expected $want; output: [$OUT]"
}

# make_user NAME: a fresh unprivileged user, removed when the test ends (with its subordinate
# ranges). useradd gives it /etc/subuid and /etc/subgid ranges on Debian.
TEST_USERS=()
make_user() {
    id "$1" >/dev/null 2>&1 && userdel "$1" >/dev/null 2>&1
    useradd -M -d /nonexistent -s /bin/sh "$1" || fail "useradd $1"
    TEST_USERS+=("$1")
}
remove_test_users() {
    local u
    for u in "${TEST_USERS[@]}"; do
        userdel "$u" >/dev/null 2>&1 || true
        sed -i "/^$u:/d" /etc/subuid /etc/subgid 2>/dev/null || true
    done
}
trap remove_test_users EXIT

# as_user USER CMD...: runs CMD as USER (login environment, from $TEST_TMP).
as_user() {
    local user=$1
    shift
    su -s /bin/sh "$user" -c "cd '$TEST_TMP' && FERRY_SECCOMP_CACHE='$TEST_TMP/seccomp-$user' $*"
}

# cap_eff: the effective capability mask of the calling process.
cap_eff() { awk '/^CapEff/ {print $2}' /proc/self/status; }
