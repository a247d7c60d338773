# ferry stop and restart with -t/--timeout and -s/--signal (docker 23+; --time is its
# deprecated spelling): the signal sent, the grace period before SIGKILL, -1 waiting for ever,
# and docker's messages. Which signal arrived is read from the container's log.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
# A PID 1 that reports the signals it gets and exits on USR1, ignores TERM.
TRAP='trap "echo got-TERM" TERM; trap "echo got-USR1; exit 4" USR1; echo ready; while :; do sleep 0.05; done'
# ready NAME: waits until the trap script runs.
ready() {
    for _ in $(seq 200); do
        [ "$(ferry logs "$1" 2>/dev/null | grep -c ready)" -ge "${2:-1}" ] && return 0
        sleep 0.05
    done
    fail "container $1 did not start its traps"
}

note "-s: the signal sent instead of the container's stop signal"
ctr_run s1 bb:1 sh -c "$TRAP"
ready s1
expect_out s1 ferry stop -s USR1 s1
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' s1)" 4 "exit code after stop -s USR1"
expect_eq "$(ferry logs s1 | tail -1)" got-USR1

note "-t/--timeout: SIGKILL after the grace period, the stop signal first"
ferry start s1 >/dev/null
ready s1 2
expect_out s1 ferry stop --timeout 1 s1
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' s1)" 137 "exit code after the grace period"
expect_eq "$(ferry logs s1 | tail -1)" got-TERM "the stop signal came first"
ferry start s1 >/dev/null
ready s1 3
expect_out s1 ferry stop -t 0 s1
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' s1)" 137

note "-t -1: no SIGKILL; the stop signal (here -s USR1) is waited for"
ferry start s1 >/dev/null
ready s1 4
expect_out s1 ferry stop -t -1 -s USR1 s1
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' s1)" 4

note "restart takes the same flags"
expect_out s1 ferry restart --timeout 5 -s USR1 s1
expect_eq "$(ferry inspect -f '{{.State.Status}}' s1)" running
ready s1 5
expect_out s1 ferry restart -s USR1 s1
ready s1 6
expect_eq "$(ferry logs s1 | grep -c got-USR1)" 3 "USR1 each time it was sent (two stops, the restart of a running container)"

note "--time: deprecated, still honoured; not with --timeout"
ferry stop --time 0 s1 >"$TEST_TMP/out" 2>"$TEST_TMP/err"
expect_eq "$(cat "$TEST_TMP/out")" s1
expect_eq "$(cat "$TEST_TMP/err")" "Flag --time has been deprecated, use --timeout instead"
expect_fail 125 "ferry: error: conflicting options: cannot specify both --timeout and --time" ferry stop -t 1 --time 2 s1
expect_fail 125 "ferry: error: conflicting options: cannot specify both --timeout and --time" ferry restart --timeout 1 --time 2 s1
expect_fail 125 'ferry: error: invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": invalid syntax (see `ferry stop --help`)' ferry stop -t x s1
help=$(ferry stop --help)
expect_contains "$help" "  -s, --signal string   Signal to send to the container"
expect_contains "$help" "  -t, --timeout int     Seconds to wait before killing the container"

note "docker 23+ has the same flags (skipped for an older dockerd)"
if docker_bb && "$DOCKER" stop --help 2>/dev/null | grep -- '--signal' >/dev/null; then
    "$DOCKER" run -d --network none --name "$DOCKER_PREFIX-s" "$DOCKER_BB" sh -c "$TRAP" >/dev/null
    for _ in $(seq 100); do "$DOCKER" logs "$DOCKER_PREFIX-s" 2>/dev/null | grep -q ready && break; sleep 0.05; done
    "$DOCKER" stop -s USR1 "$DOCKER_PREFIX-s" >/dev/null
    expect_eq "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$DOCKER_PREFIX-s")" 4 "docker stop -s USR1"
    "$DOCKER" rm -f "$DOCKER_PREFIX-s" >/dev/null
fi
