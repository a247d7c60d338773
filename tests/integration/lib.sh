# Helpers for integration tests. Every test runs with `set -euo pipefail` in $TEST_TMP.
# FERRY is the binary under test; `ferry` runs it against the test's own store.

export FERRY_ROOT="$TEST_TMP/store"
ferry() { "$FERRY" "$@"; }

# fail MESSAGE: ends the test as failed.
fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: ends the test as skipped (ctest shows the reason in the log).
skip() { echo "SKIP: $*" >&2; exit 77; }
# note MESSAGE: progress line in the test log.
note() { echo "--- $*" >&2; }

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
    if [ "$1" != "$2" ]; then
        fail "${3:-value}: expected [$2], got [$1]"
    fi
}

# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() {
    case "$1" in
        *"$2"*) ;;
        *) fail "${3:-output}: expected to contain [$2], got [$1]" ;;
    esac
}

# expect_fail STATUS STDERR CMD...: CMD exits with STATUS and prints exactly STDERR on stderr.
expect_fail() {
    local want_status=$1 want_err=$2 status=0
    shift 2
    "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err" || status=$?
    local got_err
    got_err=$(cat "$TEST_TMP/.err")
    [ "$status" = "$want_status" ] || fail "$*: exit status $status, expected $want_status (stderr: $got_err)"
    [ "$got_err" = "$want_err" ] || fail "$*: stderr [$got_err], expected [$want_err]"
}

# expect_fail_match STATUS PATTERN CMD...: as expect_fail with a bash glob for stderr.
expect_fail_match() {
    local want_status=$1 pattern=$2 status=0
    shift 2
    "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err" || status=$?
    local got_err
    got_err=$(cat "$TEST_TMP/.err")
    [ "$status" = "$want_status" ] || fail "$*: exit status $status, expected $want_status (stderr: $got_err)"
    # shellcheck disable=SC2053
    [[ "$got_err" == $pattern ]] || fail "$*: stderr [$got_err] does not match [$pattern]"
    [ "$(printf '%s\n' "$got_err" | wc -l)" = 1 ] || fail "$*: error is not one line: [$got_err]"
}

# tree_snapshot DIR: one line per entry (type, mode, owner, size, checksum), sorted; compares
# a store before and after a failing command.
tree_snapshot() {
    (cd "$1" && find . -path ./tmp -prune -o -path ./lock -prune -o -print0 | sort -z |
        while IFS= read -r -d '' p; do
            if [ -f "$p" ] && [ ! -L "$p" ]; then
                printf '%s %s %s\n' "$p" "$(stat -c '%F %a %u:%g %s' "$p")" "$(sha256sum <"$p" | cut -c1-16)"
            else
                printf '%s %s\n' "$p" "$(stat -c '%F %a %u:%g' "$p")"
            fi
        done)
}

# busybox_rootfs DIR: a minimal root file system made of the host's static busybox.
busybox_rootfs() {
    local dir=$1 bb
    bb=$(command -v busybox) || skip "busybox-static is not installed"
    mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root"
    cp "$bb" "$dir/bin/busybox"
    for a in sh ls cat echo true false hostname id env sleep ps mkdir rm touch stat wc head \
             grep sed printf test uname whoami kill pwd mount readlink ln cp chmod; do
        ln -sf busybox "$dir/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}
