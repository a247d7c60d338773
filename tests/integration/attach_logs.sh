# attach and logs as docker's (issue 8, point 13): attach to a container with and without a
# terminal, its exit status, stdin kept open for a `run -d -i` container (docker's StdinOnce),
# detaching with Ctrl-P Ctrl-Q and with --detach-keys, and the logs of a container with -f,
# --tail, --since, --until and -t; compared with docker's where a daemon answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"
command -v script >/dev/null || skip "script (bsdutils) is needed for a terminal"

bb_image bb:1
docker_bb

# tty_attach NAME STEPS CMD...: runs CMD on a terminal (script) and types STEPS, one a line:
# `send TEXT` types TEXT (printf %b), `until TEXT` waits (10 s at most) until the log of
# container NAME holds TEXT. Waits for CMD to end (20 s at most); its status is in TTY_STATUS
# and what the terminal showed, carriage returns removed, in tty.out.
tty_attach() {
    local name=$1 steps=$2 pid line
    shift 2
    rm -f tty.in
    mkfifo tty.in
    timeout 20 script -qec "$(printf '%q ' "$@")" /dev/null <tty.in >tty.raw 2>&1 &
    pid=$!
    exec 3>tty.in
    while IFS= read -r line; do
        case $line in
            send\ *) printf '%b' "${line#send }" >&3 ;;
            until\ *)
                for _ in $(seq 100); do
                    [[ $(ferry logs "$name" 2>&1) == *"${line#until }"* ]] && break
                    sleep 0.1
                done ;;
        esac
    done <<<"$steps"
    TTY_STATUS=0
    wait "$pid" || TTY_STATUS=$?
    exec 3>&-
    tr -d '\r' <tty.raw >tty.out
}

note "attach without a terminal: output, stdin, the container's status"
ferry run -d -i --name sh1 bb:1 sh >/dev/null
status=0
out=$(printf 'echo out-$((1 + 2)); echo err >&2; exit 3\n' | ferry attach sh1 2>&1) || status=$?
expect_eq "$status" 3 "attach's status when the container exits"
expect_eq "$out" "out-3
err" "what attach showed"
expect_eq "$(ctr_status sh1)" exited
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d -i --network none --name "$DOCKER_PREFIX-sh1" "$DOCKER_BB" sh >/dev/null
    # (docker's output is not compared: its attach may miss what the shell printed before the
    # output streams were joined)
    status=0
    printf 'exit 3\n' | "$DOCKER" attach "$DOCKER_PREFIX-sh1" >/dev/null 2>&1 || status=$?
    expect_eq "$status" 3 "docker attach's status (ferry's)"
fi

note "attach to a run -d -i container: the end of attach's stdin does not close the container's"
# (docker's StdinOnce is false there.) A second client's input still reaches cat after the first
# client's stdin ended: had the end closed cat's input, the log would say stdin-closed instead.
# stdin_kept TOOL NAME: runs the sequence with TOOL (ferry or docker) on container NAME.
stdin_kept() {
    local tool=$1 name=$2 a1 a2
    printf 'first\n' | "$tool" attach "$name" >/dev/null 2>&1 &
    a1=$!
    for _ in $(seq 100); do [ "$("$tool" logs "$name" 2>&1)" = first ] && break; sleep 0.1; done
    expect_eq "$("$tool" logs "$name" 2>&1)" first "$tool: the first client's input"
    printf 'second\n' | "$tool" attach "$name" >/dev/null 2>&1 &
    a2=$!
    for _ in $(seq 100); do [ "$("$tool" logs "$name" 2>&1 | wc -l)" -ge 2 ] && break; sleep 0.1; done
    expect_eq "$("$tool" logs "$name" 2>&1)" "first
second" "$tool: input after the first client's stdin ended"
    "$tool" stop -t 0 "$name" >/dev/null
    wait "$a1" "$a2" || true  # (they end with the container, with its status)
}
ferry run -d -i --name cat1 bb:1 sh -c 'cat; echo stdin-closed' >/dev/null
stdin_kept ferry cat1
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d -i --network none --name "$DOCKER_PREFIX-cat1" "$DOCKER_BB" sh -c 'cat; echo stdin-closed' >/dev/null
    stdin_kept "$DOCKER" "$DOCKER_PREFIX-cat1"
fi

note "a terminal: Ctrl-P Ctrl-Q detaches, the container runs on; --detach-keys"
ferry run -d -it --name t1 bb:1 sh >/dev/null
tty_attach t1 'send echo hi-$((1 + 1))\n
until hi-2
send \x10\x11' "$FERRY" attach t1
expect_eq "$TTY_STATUS" 0 "attach's status after Ctrl-P Ctrl-Q"
expect_contains "$(cat tty.out)" "hi-2" "what the terminal showed"
expect_eq "$(ctr_status t1)" running "after Ctrl-P Ctrl-Q"
tty_attach t1 'send echo again-$((2 + 2))\n
until again-4
send \x01x' "$FERRY" attach --detach-keys ctrl-a,x t1
expect_contains "$(cat tty.out)" "again-4"
expect_eq "$(ctr_status t1)" running "after --detach-keys ctrl-a,x"
tty_attach t1 'send exit 5\n' "$FERRY" attach t1
expect_eq "$TTY_STATUS" 5 "attach's status when the container exits"
ctr_wait_exit t1
ferry run -d -it --name t2 bb:1 sh >/dev/null
expect_fail 125 'ferry: error: invalid detach keys `ctrl-`' ferry attach --detach-keys ctrl- t2
ferry rm -f t2 >/dev/null
expect_fail 125 'ferry: error: You cannot attach to a stopped container, start it first' ferry attach t1

note "logs: both streams, --tail, -t, --since and --until, -f"
# The container writes to stderr, then (once the test has seen that in the log) to stdout, so
# the order of the two streams in the log is known.
LOGGER='echo err >&2; while [ ! -e /go ]; do sleep 0.05; done; for i in 1 2 3; do echo line$i; done; touch /done; exec sleep 1000'
# logger_ready TOOL NAME: waits until the logger NAME has written all its lines.
logger_ready() {
    for _ in $(seq 100); do [ "$("$1" logs "$2" 2>&1)" = err ] && break; sleep 0.05; done
    "$1" exec "$2" touch /go
    for _ in $(seq 100); do "$1" exec "$2" test -e /done 2>/dev/null && return 0; sleep 0.05; done
    fail "$1: the logger $2 did not finish"
}
ferry run -d --name l1 bb:1 sh -c "$LOGGER" >/dev/null
logger_ready ferry l1
expect_eq "$(ferry logs l1 2>/dev/null)" "line1
line2
line3" "stdout of logs"
expect_eq "$(ferry logs l1 2>&1 >/dev/null)" "err" "stderr of logs"
expect_eq "$(ferry logs --tail 2 l1 2>&1)" "line2
line3" "--tail 2"
expect_eq "$(ferry logs --tail 4 l1 2>&1 >/dev/null)" "err" "--tail 4 (both streams count)"
expect_eq "$(ferry logs --tail 0 l1 2>&1)" "" "--tail 0"
expect_eq "$(ferry logs --tail all l1 2>&1 | wc -l)" 4 "--tail all"
ferry logs -t l1 >stamped 2>&1
expect_eq "$(wc -l <stamped)" 4 "lines with -t"
while read -r stamp line; do
    [[ $stamp =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$ ]] ||
        fail "-t: timestamp [$stamp] before [$line]"
done <stamped
first=$(head -1 stamped | cut -d' ' -f1)
expect_eq "$(ferry logs --since 1h l1 2>&1 | wc -l)" 4 "--since 1h"
expect_eq "$(ferry logs --since 2099-01-01T00:00:00Z l1 2>&1)" "" "--since in the future"
expect_eq "$(ferry logs --until 2000-01-01T00:00:00Z l1 2>&1)" "" "--until in the past"
expect_eq "$(ferry logs --until 1h l1 2>&1)" "" "--until an hour ago"
expect_eq "$(ferry logs --since "$first" l1 2>&1 | wc -l)" 4 "--since the first line's time"
expect_fail 1 'ferry: error: invalid value for "since": failed to parse value as time or duration: "yesterday"' \
    ferry logs --since yesterday l1
ferry logs -f --tail 1 l1 >follow.out 2>&1 &
follower=$!
for _ in $(seq 50); do [ -s follow.out ] && break; sleep 0.1; done
expect_eq "$(cat follow.out)" "line3" "-f --tail 1 before new output"
ferry exec l1 sh -c 'echo late >/proc/1/fd/1'  # (the container's own stdout: the log)
for _ in $(seq 100); do [ "$(cat follow.out)" = "line3
late" ] && break; sleep 0.05; done
expect_eq "$(cat follow.out)" "line3
late" "-f shows what comes later"
kill -0 "$follower" 2>/dev/null || fail "logs -f ended while the container runs"
ferry stop -t 0 l1 >/dev/null
wait "$follower" || fail "logs -f failed when the container stopped"
if [ -n "$DOCKER_BB" ]; then
    d=$DOCKER_PREFIX-l1
    "$DOCKER" run -d --network none --name "$d" "$DOCKER_BB" sh -c "$LOGGER" >/dev/null
    logger_ready "$DOCKER" "$d"
    expect_eq "$("$DOCKER" logs --tail 2 "$d" 2>&1)" "line2
line3" "docker logs --tail 2"
    expect_eq "$("$DOCKER" logs --tail 4 "$d" 2>&1 >/dev/null)" "err" "docker logs --tail 4"
    expect_eq "$("$DOCKER" logs --until 1h "$d" 2>&1)" "" "docker logs --until 1h"
    expect_eq "$("$DOCKER" logs -t "$d" 2>&1 | wc -l)" 4 "docker logs -t"
    expect_docker_fail 1 'invalid value for "since": failed to parse value as time or duration: "yesterday"' \
        logs --since yesterday "$d"
fi
