# `--help` (and -h, and `ferry help CMD`) on every command and management command, as `ferry
# --help` lists them: exit 0, a `Usage:` line naming the command, nothing on stderr, and no store
# created for it.

export FERRY_ROOT="$TEST_TMP/never-created"
check_help() {
    local out status=0
    out=$("$FERRY" "$@" 2>"$TEST_TMP/err") || status=$?
    [ "$status" = 0 ] || fail "ferry $*: exit status $status"
    [ ! -s "$TEST_TMP/err" ] || fail "ferry $*: stderr [$(cat "$TEST_TMP/err")]"
    [[ $out == *"Usage:  ferry "* ]] || fail "ferry $*: no Usage line in [$out]"
    [[ $'\n'$out == *$'\n'"Usage:  ferry"* ]] || fail "ferry $*: Usage is not at a line start"
}
# commands_of CMD...: the commands `ferry CMD --help` lists (management commands and commands).
commands_of() {
    "$FERRY" "$@" --help | awk '/^(Management )?Commands:$/ {on = 1; next} /^$/ {on = 0} on {print $1}'
}
note "every command and subcommand, as --help lists them: --help, -h and \`ferry help\`"
all=()
queue=("")
while [ ${#queue[@]} -gt 0 ]; do
    parent=${queue[0]}
    queue=("${queue[@]:1}")
    # shellcheck disable=SC2086
    for c in $(commands_of $parent); do
        all+=("${parent:+$parent }$c")
        # shellcheck disable=SC2086
        [ -z "$(commands_of $parent $c)" ] || queue+=("${parent:+$parent }$c")
    done
done
[ ${#all[@]} -gt 50 ] || fail "only ${#all[@]} commands listed: ${all[*]}"
for cmd in "" "${all[@]}" "image list" "image remove" "gpu list" "container ps"; do
    # shellcheck disable=SC2086
    check_help $cmd --help
    # -h is help unless the command has a flag -h (run and create: --hostname)
    # shellcheck disable=SC2086
    [[ $("$FERRY" $cmd --help) == *$'\n'"  -h, "* ]] || check_help $cmd -h
    # shellcheck disable=SC2086
    [ -z "$cmd" ] || expect_eq "$("$FERRY" help $cmd)" "$("$FERRY" $cmd --help)" "ferry help $cmd"
done
check_help --help
note "--help does not make an unknown command known"
expect_fail 125 'ferry: error: unknown command `ferry help-is-not-needed` (see `ferry --help`)' \
    ferry help-is-not-needed --help
expect_fail 125 'ferry: error: unknown command `ferry image frob` (see `ferry image --help`)' ferry image frob
note "ferry help: docker's words and status for an unknown topic"
expect_fail 1 'ferry: error: unknown help topic: nosuch' ferry help nosuch
expect_fail 1 'ferry: error: unknown help topic: frob' ferry help image frob
expect_eq "$("$FERRY" help)" "$("$FERRY" --help)" "ferry help"
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
