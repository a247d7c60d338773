# `--help` (and -h) on every command and management command: exit 0, a `Usage:` line naming the
# command, nothing on stderr, and no store created for it.

export FERRY_ROOT="$TEST_TMP/never-created"
check_help() {
    local out status=0
    out=$("$FERRY" "$@" 2>"$TEST_TMP/err") || status=$?
    [ "$status" = 0 ] || fail "ferry $*: exit status $status"
    [ ! -s "$TEST_TMP/err" ] || fail "ferry $*: stderr [$(cat "$TEST_TMP/err")]"
    [[ $out == *"Usage:  ferry "* ]] || fail "ferry $*: no Usage line in [$out]"
    printf '%s\n' "$out" | grep -q '^Usage:  ferry' || fail "ferry $*: Usage is not at a line start"
}
note "every command: --help and -h"
for cmd in "" image system gpu "gpu cdi" images import load rmi save tag version \
           "image ls" "image list" "image import" "image inspect" "image load" "image prune" \
           "image rm" "image remove" "image save" "image tag" "system df" "system check" "gpu ls" \
           "gpu list" \
           "gpu cdi generate"; do
    # shellcheck disable=SC2086
    check_help $cmd --help
    # shellcheck disable=SC2086
    check_help $cmd -h
done
check_help --help
note "--help does not make an unknown command known"
expect_fail 125 'ferry: error: unknown command `ferry help-is-not-needed` (see `ferry --help`)' \
    ferry help-is-not-needed --help
expect_fail 125 'ferry: error: unknown command `ferry image frob` (see `ferry image --help`)' ferry image frob
[ ! -e "$FERRY_ROOT" ] || fail "--help created the store"

note "each command's help names its own usage"
expect_contains "$(ferry load --help)" "Usage:  ferry load [OPTIONS]"
expect_contains "$(ferry save --help)" "Usage:  ferry save [OPTIONS] IMAGE [IMAGE...]"
expect_contains "$(ferry import --help)" "Usage:  ferry import [OPTIONS] FILE|- [REPOSITORY[:TAG]]"
expect_contains "$(ferry images --help)" "Usage:  ferry images [OPTIONS] [REPOSITORY[:TAG]]"
expect_contains "$(ferry tag --help)" "Usage:  ferry tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"
expect_contains "$(ferry rmi --help)" "Usage:  ferry rmi [OPTIONS] IMAGE [IMAGE...]"
expect_contains "$(ferry image inspect --help)" "Usage:  ferry image inspect [OPTIONS] IMAGE [IMAGE...]"
expect_contains "$(ferry image prune --help)" "Usage:  ferry image prune [OPTIONS]"
expect_contains "$(ferry system df --help)" "Usage:  ferry system df [OPTIONS]"
expect_contains "$(ferry system check --help)" "Usage:  ferry system check [OPTIONS]"
expect_contains "$(ferry image --help)" "Usage:  ferry image COMMAND"
expect_contains "$(ferry --help)" "Usage:  ferry [OPTIONS] COMMAND"
