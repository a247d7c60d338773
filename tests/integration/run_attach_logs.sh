# ferry run's client and the container's log, as root: `run -a` attaching only the streams
# asked for, --sig-proxy (signals to the client go to the container, or end the client alone),
# and --log-driver json-file|local|none with --log-opt max-size/max-file: the rotation of
# ctr.log as docker's json-file driver rotates, `logs` (and `logs -f`) across the rotated
# files, and docker's error for a container without a log. Compared with docker where a daemon
# answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

# streams OUT ERR CMD...: CMD prints OUT on stdout and ERR on stderr.
streams() {
    local want_out=$1 want_err=$2
    shift 2
    "$@" >"$TEST_TMP/s.out" 2>"$TEST_TMP/s.err" || fail "$*: status $?"
    expect_eq "$(cat "$TEST_TMP/s.out")" "$want_out" "$* (stdout)"
    expect_eq "$(cat "$TEST_TMP/s.err")" "$want_err" "$* (stderr)"
}
# docker_streams OUT ERR FLAGS... -- CMD...: the same for docker run --rm (no-op without it).
docker_streams() {
    local want_out=$1 want_err=$2 flags=()
    shift 2
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    [ -n "$DOCKER_BB" ] || return 0
    streams "$want_out" "$want_err" "$DOCKER" run --rm --network none "${flags[@]}" "$DOCKER_BB" "$@"
}
BOTH=(sh -c 'echo out; echo err >&2')

note "run -a: only the streams asked for reach the client (the log keeps both)"
streams out "" ferry run --rm -a stdout bb:1 "${BOTH[@]}"
docker_streams out "" -a stdout -- "${BOTH[@]}"
streams "" err ferry run --rm -a stderr bb:1 "${BOTH[@]}"
docker_streams "" err -a stderr -- "${BOTH[@]}"
streams out err ferry run --rm -a stdout -a STDERR bb:1 "${BOTH[@]}"
docker_streams out err -a stdout -a STDERR -- "${BOTH[@]}"
streams out err ferry run --rm bb:1 "${BOTH[@]}"
ferry run --name al -a stderr bb:1 "${BOTH[@]}" >/dev/null 2>&1
expect_eq "$(ferry logs al 2>&1 | sort)" "$(printf 'err\nout')" "the log of a run -a stderr"
ferry rm al >/dev/null
# -a stdin: the input goes in, nothing comes out; the status is the container's.
status=0
echo hi | ferry run --rm -i -a stdin bb:1 sh -c 'read x; echo "got $x"; [ "$x" = hi ]' >"$TEST_TMP/s.out" 2>&1 || status=$?
expect_eq "$status:$(cat "$TEST_TMP/s.out")" "0:" "run -i -a stdin"
status=0
echo no | ferry run --rm -i -a stdin bb:1 sh -c 'read x; [ "$x" = hi ]' || status=$?
expect_eq "$status" 1 "run -i -a stdin: the container's status"
expect_fail 125 "ferry: error: conflicting options: cannot specify both --attach and --detach" \
    ferry run -d -a stdout bb:1 true
# (docker 28's words; 20.10's CLI, which the tests run, says `Conflicting options: -a and -d`.)
expect_fail 125 "ferry: error: invalid argument \"bogus\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR (see \`ferry run --help\`)" \
    ferry run -a bogus bb:1 true
expect_docker_error 'invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR' -a bogus

note "--sig-proxy: a signal to the client goes to the container (default), or ends the client alone"
# The container says which signals reached it and exits on TERM with a status of its own.
TRAP='trap "echo got USR1" USR1; trap "echo got HUP" HUP; trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
# client_run FLAGS... : starts `run` in the background (CLIENT, its pid; output in client.out)
# and waits until the container says it is ready.
client_run() {
    # Emptied here: the background command's own redirection may come after the first look.
    : >"$TEST_TMP/client.out"
    "$@" >"$TEST_TMP/client.out" 2>&1 &
    CLIENT=$!
    for _ in $(seq 100); do
        grep -q ready "$TEST_TMP/client.out" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "$*: the container did not start: $(cat "$TEST_TMP/client.out")"
}
# wait_client: sets status to the client's exit status (killed after 30 s, so that a client that
# does not end fails the test instead of hanging it).
wait_client() {
    for _ in $(seq 300); do kill -0 $CLIENT 2>/dev/null || break; sleep 0.1; done
    kill -KILL $CLIENT 2>/dev/null || true
    status=0
    wait $CLIENT || status=$?
}
# wait_output TEXT: waits until the client printed TEXT.
wait_output() {
    for _ in $(seq 100); do
        grep -q "$1" "$TEST_TMP/client.out" && return 0
        sleep 0.1
    done
    fail "no [$1] from the container: $(cat "$TEST_TMP/client.out")"
}
for client in ferry docker; do
    if [ $client = ferry ]; then
        run=("$FERRY" run --rm --name sp bb:1)
    else
        [ -n "$DOCKER_BB" ] || continue
        run=("$DOCKER" run --rm --network none --name "$DOCKER_PREFIX-sp" "$DOCKER_BB")
    fi
    client_run "${run[@]}" sh -c "$TRAP"
    kill -USR1 $CLIENT
    wait_output "got USR1"
    kill -HUP $CLIENT
    wait_output "got HUP"
    kill -TERM $CLIENT
    wait_client
    expect_eq "$status:$(tr '\n' ' ' <"$TEST_TMP/client.out")" "3:ready got USR1 got HUP got TERM " \
        "$client run with --sig-proxy (the default)"
done
# With a terminal too (script(1) gives the client one): docker's run proxies signals either way.
if command -v script >/dev/null; then
    for client in ferry docker; do
        if [ $client = ferry ]; then
            run="$FERRY run --rm -t --name spt bb:1"
        else
            [ -n "$DOCKER_BB" ] || continue
            run="$DOCKER run --rm -t --network none --name $DOCKER_PREFIX-spt $DOCKER_BB"
        fi
        # (The typescript's header quotes the command: only whole lines count.)
        said() { tr -d '\r' <"$TEST_TMP/tty.out" 2>/dev/null | grep -x "$1"; }
        # (exec: script's child is the client whatever $SHELL is; dash, unlike bash, would
        # otherwise stay between them and die of the signal itself.)
        # (The last client's typescript goes first: its `ready` must not end the wait below.)
        rm -f "$TEST_TMP/tty.out"
        script -qfec "exec $run sh -c '$TRAP'" "$TEST_TMP/tty.out" >/dev/null 2>&1 &
        CLIENT=$!
        # (-f: the typescript is written as output comes, so these waits end on the text.)
        for _ in $(seq 100); do said ready >/dev/null && break; sleep 0.1; done
        said ready >/dev/null || fail "$client run -t under script: the container did not start"
        inner=$(ps -o pid= --ppid $CLIENT | head -1)
        [ -n "$inner" ] || fail "$client run under script: no client process"
        kill -USR1 $inner
        for _ in $(seq 100); do said "got USR1" >/dev/null && break; sleep 0.1; done
        said "got USR1" >/dev/null ||
            fail "$client run -t: USR1 did not reach the container: $(tr -d '\r' <"$TEST_TMP/tty.out")"
        kill -TERM $inner
        wait_client
        expect_eq "$status:$(said 'got [A-Z0-9]*' | tr '\n' ' ')" "3:got USR1 got TERM " \
            "$client run -t with --sig-proxy (the default)"
    done
else
    note "no script(1): the proxy with a terminal is not proved"
fi
client_run "$FERRY" run --name np --sig-proxy=false bb:1 sh -c "$TRAP"
kill -TERM $CLIENT
wait_client
expect_eq "$status" $((128 + 15)) "run --sig-proxy=false: the client's status after SIGTERM"
expect_eq "$(ctr_status np)" running "run --sig-proxy=false: the container after the client's end"
ferry kill -s USR1 np >/dev/null
for _ in $(seq 100); do ferry logs np | grep -q "got USR1" && break; sleep 0.1; done
expect_eq "$(ferry logs np | tr '\n' ' ')" "ready got USR1 " "the container got only the signal sent to it"
ferry rm -f np >/dev/null
if [ -n "$DOCKER_BB" ]; then
    client_run "$DOCKER" run --network none --name "$DOCKER_PREFIX-np" --sig-proxy=false "$DOCKER_BB" sh -c "$TRAP"
    kill -TERM $CLIENT
    wait_client
    expect_eq "$status" $((128 + 15)) "docker run --sig-proxy=false: the client's status"
    expect_eq "$("$DOCKER" inspect -f '{{.State.Status}}' "$DOCKER_PREFIX-np")" running "docker's container"
    "$DOCKER" rm -f "$DOCKER_PREFIX-np" >/dev/null
fi
expect_fail 125 "ferry: error: unknown flag: --sig-proxy (see \`ferry create --help\`)" ferry create --sig-proxy=false bb:1

note "--log-opt max-size/max-file: ctr.log rotated as docker's json-file, logs reads across the files"
LINES='i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done'
ferry run --name rot --log-opt max-size=1k --log-opt max-file=3 bb:1 sh -c "$LINES" >/dev/null
dir=$FERRY_ROOT/containers/$(full_id rot)
expect_eq "$(cd "$dir" && ls ctr.log*)" "$(printf 'ctr.log\nctr.log.1\nctr.log.2')" "log files with max-file=3"
for f in ctr.log.1 ctr.log.2; do
    size=$(stat -c %s "$dir/$f")
    # Rotated once it had reached 1000 bytes (max-size is decimal), before the next record.
    [ "$size" -ge 1000 ] && [ "$size" -lt 1200 ] || fail "$f: $size bytes"
done
expect_eq "$(stat -c %a "$dir/ctr.log")" 640 "log file mode (docker's)"
kept=$(cat "$dir/ctr.log.2" "$dir/ctr.log.1" "$dir/ctr.log" | wc -l)
first=$((100 - kept))
expect_eq "$(ferry logs rot)" "$(for i in $(seq $first 99); do echo "line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done)" \
    "logs across ctr.log.2, ctr.log.1 and ctr.log"
expect_eq "$(ferry logs --tail 2 rot)" "$(printf 'line-98-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nline-99-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')" "logs --tail across files"
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run --network none --name "$DOCKER_PREFIX-rot" --log-opt max-size=1k --log-opt max-file=3 "$DOCKER_BB" sh -c "$LINES" >/dev/null
    dlog=$("$DOCKER" inspect -f '{{.LogPath}}' "$DOCKER_PREFIX-rot")
    expect_eq "$(cd "$(dirname "$dlog")" && ls "$(basename "$dlog")"* | sed "s/.*-json.log/ctr.log/")" \
        "$(printf 'ctr.log\nctr.log.1\nctr.log.2')" "docker's log files with max-file=3"
    expect_eq "$("$DOCKER" logs "$DOCKER_PREFIX-rot" | tail -1)" "line-99-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "docker logs"
    expect_eq "$("$DOCKER" inspect -f '{{json .HostConfig.LogConfig}}' "$DOCKER_PREFIX-rot")" \
        "$(ferry inspect -f '{{json .HostConfig.LogConfig}}' rot)" "HostConfig.LogConfig"
fi
ferry rm rot >/dev/null
# One file: the previous one is kept as ctr.log.1, but logs shows ctr.log only (as docker).
ferry run --name rot1 --log-opt max-size=1k bb:1 sh -c "$LINES" >/dev/null
dir=$FERRY_ROOT/containers/$(full_id rot1)
expect_eq "$(cd "$dir" && ls ctr.log*)" "$(printf 'ctr.log\nctr.log.1')" "log files with max-file=1"
expect_eq "$(ferry logs rot1 | wc -l)" "$(wc -l <"$dir/ctr.log")" "logs with max-file=1: ctr.log only"
expect_eq "$(ferry logs rot1 | tail -1)" "line-99-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "the last line"
ferry rm rot1 >/dev/null

note "logs -f follows ctr.log through its rotations"
# The container writes once the follower runs (it waits for /go), 5 lines each 0.1 s.
ferry run -d --name fol --log-opt max-size=1k --log-opt max-file=4 bb:1 \
    sh -c 'while [ ! -e /go ]; do sleep 0.05; done; i=0; while [ $i -lt 150 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); [ $((i % 5)) = 0 ] && sleep 0.1; done' >/dev/null
"$FERRY" logs -f fol >"$TEST_TMP/follow.out" &
follower=$!
ferry exec fol touch /go
wait $follower
expect_eq "$(cat "$TEST_TMP/follow.out")" "$(for i in $(seq 0 149); do echo "line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done)" \
    "logs -f: every line once, in order"
ferry rm fol >/dev/null

note "--log-driver none: no log; logs fails as docker's"
streams hi "" ferry run --name nl --log-driver none bb:1 echo hi
[ ! -e "$FERRY_ROOT/containers/$(full_id nl)/ctr.log" ] || fail "--log-driver none wrote a log"
expect_fail 1 'ferry: error: configured logging driver does not support reading' ferry logs nl
expect_eq "$(ferry inspect -f '{{json .HostConfig.LogConfig}}' nl)" '{"Type":"none","Config":{}}' "LogConfig of none"
ferry rm nl >/dev/null
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run --network none --name "$DOCKER_PREFIX-nl" --log-driver none "$DOCKER_BB" true
    status=0
    got=$("$DOCKER" logs "$DOCKER_PREFIX-nl" 2>&1) || status=$?
    expect_eq "$status:$got" "1:Error response from daemon: configured logging driver does not support reading" "docker logs of none"
fi
expect_fail 125 'ferry: error: invalid logging opts for driver none' ferry run --rm --log-driver none --log-opt max-size=1k bb:1 true
expect_docker_error 'invalid logging opts for driver none' --log-driver none --log-opt max-size=1k

note "--log-driver local: the same log with the local driver's sizes"
ferry run --name lo --log-driver local bb:1 echo hi >/dev/null
expect_out hi ferry logs lo
expect_eq "$(ferry inspect -f '{{json .HostConfig.LogConfig}}' lo)" '{"Type":"local","Config":{}}' "LogConfig of local"
ferry rm lo >/dev/null

note "bad log options: docker's words, status 125, nothing created"
expect_fail 125 "ferry: error: failed to initialize logging driver: invalid size: 'abc'" ferry run --rm --log-opt max-size=abc bb:1 true
expect_docker_error "failed to initialize logging driver: invalid size: 'abc'" --log-opt max-size=abc
expect_fail 125 'ferry: error: failed to initialize logging driver: max-file cannot be less than 1' \
    ferry run --rm --log-opt max-file=0 --log-opt max-size=1k bb:1 true
expect_docker_error 'failed to initialize logging driver: max-file cannot be less than 1' --log-opt max-file=0 --log-opt max-size=1k
expect_fail 125 "ferry: error: unknown log opt 'bogus' for json-file log driver" ferry run --rm --log-opt bogus=1 bb:1 true
expect_docker_error "unknown log opt 'bogus' for json-file log driver" --log-opt bogus=1
expect_fail 125 'ferry: error: error looking up logging plugin bogus: plugin "bogus" not found' ferry run --rm --log-driver bogus bb:1 true
expect_docker_error 'error looking up logging plugin bogus: plugin "bogus" not found' --log-driver bogus
expect_eq "$(ferry ps -aq)" "" "containers after the failed creates"
