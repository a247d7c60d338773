# Supervision without a daemon (issue 3, points 5 and 6), through the built binary as root:
# restart policies with the rules dockerd 20.10 applies (as observed with it when this test was
# written; docker is not run here: the restart count is counted when the restart is decided,
# `stop` and `kill` leave the container stopped unless it has a stop signal of its own and kill
# sent another, Running stays true while restarting), the back-off's Restarting state, what
# `ps` says when a monitor or an init is killed, 100 detached containers, output that is neither
# lost nor reordered, a grandchild that keeps the output open, and 200 `run --rm` that leave
# nothing behind. The times (the back-off's, a stop's) and the monitors' memory are measured by
# bench/supervision.sh.
source "$FERRY_SRC/tests/integration/run_lib.sh"
bb_image bb:1

# status_line NAME: the STATUS column of `ps -a` for the container, without its time.
status_line() {
    ferry ps -a --format '{{.Names}}|{{.Status}}' | awk -F'|' -v n="$1" '$1 == n {print $2}' |
        sed 's/) .*/)/'
}
# counts NAME: "STATUS RESTARTCOUNT EXITCODE"
counts() { ferry inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "$1"; }
# wait_settled NAME: waits (10 s at most) until the container has exited and nothing is left
# that could restart it: the last monitor recorded (during a back-off, the `ferry __restart`
# that will start the next run) is gone.
wait_settled() {
    local id mpid=""
    id=$(full_id "$1")
    for _ in $(seq 200); do
        mpid=$(state_key "$id" monitor_pid)
        if [ "$(state_of "$1")" = exited ] && ! kill -0 "${mpid:-0}" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    fail "container $1 did not settle: $(state_of "$1"), monitor ${mpid:-none}"
}
# wait_ready NAME: waits until the container's shell has installed its traps (it writes /ready).
wait_ready() {
    local i
    for i in $(seq 100); do
        ferry exec "$1" test -e /ready 2>/dev/null && return 0
        sleep 0.05
    done
    fail "container $1 never got ready"
}
# READY_TRAPPED: a command that exits 3 on SIGTERM, SIGUSR1 or SIGUSR2 (PID 1 ignores what it
# does not handle), and says when its traps are set.
READY_TRAPPED='trap "exit 3" TERM USR1 USR2; touch /ready; sleep 1000 & wait'

note "--restart no: one run"
ferry run -d --name no bb:1 sh -c 'echo ran; exit 3' >/dev/null
wait_state no exited
expect_eq "$(counts no)" "exited 0 3"

note "--restart on-failure:3: three restarts, each after a back-off (Restarting)"
ferry run -d --restart on-failure:3 --name of3 bb:1 sh -c 'echo ran; exit 3' >/dev/null
seen=""
for _ in $(seq 200); do
    s=$(ferry inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.Running}} {{.State.Restarting}}' of3)
    [[ "$seen" == *"[$s]"* ]] || seen+="[$s]"
    [ "${s%% *}" = exited ] && break
    sleep 0.02
done
expect_eq "$(counts of3)" "exited 3 3"
expect_eq "$(ferry logs of3 | grep -c ran)" 4 "runs of on-failure:3"
expect_contains "$seen" "[restarting 1 true true]" "states seen"
[[ "$seen" != *"restarting 0"* ]] || fail "a restart was not counted when decided: $seen"
ferry run -d --restart on-failure:3 --name of0 bb:1 true >/dev/null
wait_settled of0
expect_eq "$(counts of0)" "exited 0 0" "on-failure after a success"

note "on-failure without a maximum restarts until stopped; ps says Restarting"
ferry run -d --restart on-failure --name ofn bb:1 sh -c 'exit 1' >/dev/null
for _ in $(seq 100); do
    [ "$(ferry inspect -f '{{.RestartCount}}' ofn)" -ge 4 ] && break
    sleep 0.05
done
[ "$(ferry inspect -f '{{.RestartCount}}' ofn)" -ge 4 ] || fail "on-failure did not keep restarting"
# From the fourth restart on the back-off is 1.6 s or more: the container is mostly restarting.
for _ in $(seq 40); do
    [ "$(status_line ofn)" = "Restarting (1)" ] && break
    sleep 0.05
done
expect_eq "$(status_line ofn)" "Restarting (1)" "ps of a restarting container"
expect_out "ofn" ferry stop ofn
count=$(ferry inspect -f '{{.RestartCount}}' ofn)
expect_eq "$(counts ofn)" "exited $count 1"
wait_settled ofn
expect_eq "$(counts ofn)" "exited $count 1" "after a stop during the back-off"

note "--restart always: restarts after success; stop stops it; start brings the policy back"
ferry run -d --restart always --name al bb:1 sh -c 'echo ran' >/dev/null
for _ in $(seq 100); do
    [ "$(ferry inspect -f '{{.RestartCount}}' al)" -ge 2 ] && break
    sleep 0.05
done
[ "$(ferry inspect -f '{{.RestartCount}}' al)" -ge 2 ] || fail "always did not restart"
ferry stop al >/dev/null
wait_state al exited
count=$(ferry inspect -f '{{.RestartCount}}' al)
runs=$(ferry logs al | grep -c ran)
# A stop during the back-off cancels a restart already counted.
[ "$runs" = "$count" ] || [ "$runs" = "$((count + 1))" ] || fail "$runs runs for $count restarts"
wait_settled al
expect_eq "$(counts al)" "exited $count 0" "always after stop"
expect_eq "$(ferry logs al | grep -c ran)" "$runs" "runs after stop"

note "always: kill leaves it stopped (docker's ExitOnNext), for SIGKILL and for other signals"
ferry run -d --restart always --name alk bb:1 sleep 1000 >/dev/null
expect_out "alk" ferry kill alk
wait_settled alk
expect_eq "$(counts alk)" "exited 0 137"
expect_eq "$(status_line alk)" "Exited (137)"
ferry run -d --restart always --name alt bb:1 sh -c "$READY_TRAPPED" >/dev/null
wait_ready alt
expect_out "alt" ferry kill -s USR1 alt
wait_settled alt
expect_eq "$(counts alt)" "exited 0 3"

note "always with a stop signal of its own: kill -s ANOTHER restarts, kill -s IT does not"
ferry run -d --restart always --stop-signal USR2 --name als bb:1 sh -c "$READY_TRAPPED" >/dev/null
wait_ready als
expect_out "als" ferry kill -s USR1 als
for _ in $(seq 100); do
    [ "$(counts als)" = "running 1 0" ] && break
    sleep 0.05
done
expect_eq "$(counts als)" "running 1 0" "after kill -s USR1 with --stop-signal USR2"
wait_ready als
expect_out "als" ferry kill -s USR2 als
wait_settled als
expect_eq "$(counts als)" "exited 1 3"

note "unless-stopped: stop and start; restart resets the count"
ferry run -d --restart unless-stopped --name un bb:1 sh -c 'exit 5' >/dev/null
for _ in $(seq 100); do
    [ "$(ferry inspect -f '{{.RestartCount}}' un)" -ge 2 ] && break
    sleep 0.05
done
ferry stop un >/dev/null
wait_settled un
count=$(ferry inspect -f '{{.RestartCount}}' un)
expect_eq "$(counts un)" "exited $count 5"
ferry rm -f no of3 of0 ofn al alk alt als un >/dev/null
ferry run -d --restart unless-stopped --name un2 bb:1 sh -c "$READY_TRAPPED" >/dev/null
wait_ready un2
expect_out "un2" ferry restart -t 1 un2
expect_eq "$(counts un2)" "running 0 0"
ferry rm -f un2 >/dev/null

note "a monitor killed with SIGKILL takes its container with it: Exited (137), never Up"
for policy in no always; do
    ferry run -d --restart $policy --name mk bb:1 sleep 1000 >/dev/null
    id=$(full_id mk)
    mpid=$(state_key "$id" monitor_pid)
    ipid=$(state_key "$id" pid)
    expect_eq "$(status_line mk | cut -c1-2)" "Up"
    kill -KILL "$mpid"
    # The init gets SIGKILL (its parent-death signal). It may stay a zombie for a while: the
    # host's init reaps it, not ferry.
    for _ in $(seq 100); do
        state=$(sed -n 's/^State:\t\(.\).*/\1/p' "/proc/$ipid/status" 2>/dev/null || true)
        [ -z "$state" ] || [ "$state" = Z ] && break
        sleep 0.05
    done
    [ -z "$state" ] || [ "$state" = Z ] || fail "the init outlived its monitor (state $state)"
    expect_eq "$(status_line mk)" "Exited (137)" "ps after the monitor was killed ($policy)"
    expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}' mk)" \
        "exited false 137 0"
    expect_out "137" ferry wait mk
    expect_fail 1 "ferry: error: cannot kill container mk: Container $id is not running" ferry kill mk
    # (no monitor is left that could restart it)
    expect_eq "$(status_line mk)" "Exited (137)" "no restart without a monitor ($policy)"
    expect_out "mk" ferry start mk
    expect_eq "$(status_line mk | cut -c1-2)" "Up" "started again after the monitor's death"
    expect_out "mk" ferry rm -f mk
done

note "an init killed with SIGKILL from the host: Exited (137), wait says 137"
ferry run -d --name ik bb:1 sleep 1000 >/dev/null
ipid=$(state_key "$(full_id ik)" pid)
ferry wait ik >"$TEST_TMP/wait.out" &
waiter=$!
# The waiter is waiting once it has the store open (a descriptor on a file of it).
for _ in $(seq 100); do
    ls -l "/proc/$waiter/fd" 2>/dev/null | grep -q " -> $FERRY_ROOT" && break
    sleep 0.05
done
kill -KILL "$ipid"
wait "$waiter" || fail "ferry wait failed"
expect_eq "$(cat "$TEST_TMP/wait.out")" 137
expect_eq "$(status_line ik)" "Exited (137)"
expect_eq "$(counts ik)" "exited 0 137"
status=0
ferry run --name ik2 bb:1 sleep 1000 & runner=$!
for _ in $(seq 100); do
    [ "$(state_of ik2 2>/dev/null)" = running ] && break
    sleep 0.05
done
kill -KILL "$(state_key "$(full_id ik2)" pid)"
wait "$runner" || status=$?
expect_eq "$status" 137 "status of a foreground run whose init was killed"
ferry rm -f ik ik2 >/dev/null

note "100 detached containers: all Up, all stopped cleanly"
for i in $(seq 100); do
    ferry run -d --name mem$i bb:1 sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
done
expect_eq "$(ferry ps --format '{{.Status}}' | grep -c '^Up ')" 100 "containers Up"
# shellcheck disable=SC2046
ferry stop $(ferry ps -q) >/dev/null
expect_eq "$(ferry ps -q)" "" "running containers after stop"
expect_eq "$(ferry ps -a --format '{{.Status}}' | sed 's/) .*/)/' | sort | uniq -c | tr -s ' ')" " 100 Exited (0)"
# shellcheck disable=SC2046
ferry rm $(ferry ps -aq) >/dev/null
expect_eq "$(ls -A "$FERRY_ROOT/containers" "$FERRY_ROOT/container-names" | grep -v '^/' | grep .)" "" \
    "containers and names after rm"

note "fast output: nothing lost, nothing reordered"
for _ in $(seq 20); do
    expect_out "hi" ferry run --rm bb:1 echo hi
done
expect_eq "$(ferry run --rm bb:1 seq 1 100000 | sha256sum)" "$(seq 1 100000 | sha256sum)" "100000 lines"
out=$(ferry run --rm bb:1 sh -c 'echo out; echo err >&2' 2>"$TEST_TMP/err")
expect_eq "$out" out
expect_eq "$(cat "$TEST_TMP/err")" err
expect_eq "$(ferry run --rm -t bb:1 echo hi </dev/null | od -c | head -1 | tr -s ' ')" "0000000 h i \r \n"
ferry run -d --name fast bb:1 seq 1 5000 >/dev/null
wait_state fast exited
expect_eq "$(ferry logs fast | sha256sum)" "$(seq 1 5000 | sha256sum)" "logs of a fast container"
ferry rm fast >/dev/null

note "a grandchild that keeps stdout open does not hang run"
for flags in "" "-t" "--pid host" "-t --pid host"; do
    mkdir -p "$TEST_TMP/gc"
    rm -f "$TEST_TMP/gc/pid"
    # (timeout: a hang fails the test instead of stopping it; the run is over at once)
    # shellcheck disable=SC2086
    out=$(timeout 20 "$FERRY" run --rm $flags -v "$TEST_TMP/gc:/gc" bb:1 \
        sh -c 'sleep 60 & echo $! >/gc/pid; echo done' </dev/null) || fail "run $flags: status $?"
    expect_eq "$(printf '%s' "$out" | tr -d '\r')" done "output of run $flags"
    # In its own pid namespace the grandchild dies with the init (the kernel sees to it). In
    # the host's it does not: it is killed through the container's cgroup, as docker does.
    [[ "$flags" == *"--pid host"* ]] || continue
    gc=$(cat "$TEST_TMP/gc/pid")
    for _ in $(seq 40); do
        grep -q '^State:.*[ZX]' "/proc/$gc/status" 2>/dev/null || [ ! -e "/proc/$gc" ] && break
        sleep 0.05
    done
    if [ -e "/proc/$gc" ] && ! grep -q '^State:.*[ZX]' "/proc/$gc/status" 2>/dev/null; then
        kill "$gc" 2>/dev/null || true
        fail "run $flags left its grandchild $gc running"
    fi
done
ferry run -d --name gcd bb:1 sh -c 'sleep 60 & echo done' >/dev/null
wait_state gcd exited 5
expect_eq "$(ferry logs gcd)" done
ferry rm gcd >/dev/null

note "200 run --rm in a row (some with a memory limit, so with a cgroup) leave nothing behind"
ids=()
for i in $(seq 200); do
    if [ $((i % 20)) = 0 ]; then
        ids+=("$(ferry run --rm --network none --memory 64m bb:1 hostname)")
    else
        ferry run --rm bb:1 true || fail "run --rm number $i failed with $?"
    fi
done
for _ in $(seq 100); do
    [ -z "$(ls "$FERRY_ROOT/tmp")" ] && break
    sleep 0.05
done
expect_eq "$(ls -A "$FERRY_ROOT/containers" "$FERRY_ROOT/container-names" "$FERRY_ROOT/tmp" |
              grep -v '^/' | grep .)" "" "containers, names and tmp after 200 run --rm"
# (what every container of the store shares stays: the compiled seccomp filters, the init layer)
expect_eq "$(ls -A "$RUN_DIR" | tr '\n' ' ')" "init-layer seccomp-cache " "the run directory"
expect_eq "${#ids[@]}" 10
for id in "${ids[@]}"; do
    [ "${#id}" = 12 ] || fail "hostname [$id] is not a short container ID"
    expect_eq "$(ferry_cgroups "$id")" "" "cgroups of container $id"
done
expect_eq "$(ls -A "$FERRY_ROOT/volumes" 2>/dev/null)" "" "volumes"
