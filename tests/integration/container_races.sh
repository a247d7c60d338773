# Container commands racing each other (issue 8, point 2), each race run many times in a bounded
# loop: parallel starts of one container start it once; start/stop/kill/restart/rm -f racing
# never leave a process that no record tracks; a restart policy racing stop leaves it stopped;
# commit racing rm -f either commits every change or fails with one line. Processes are
# counted from the host: each container runs `sleep N` with N unique to this test run.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
MARK=$((400000 + $$ % 100000))  # the sleep argument that marks this test's processes
# procs: how many of this test's container commands run on the host.
procs() { { pgrep -fx "sleep $MARK" || true; } | wc -l; }  # (pgrep fails when none match)
# tracked NAME: the container's processes are exactly what its record says: one, the init the
# state names, when it runs; none otherwise (or when it is gone).
tracked() {
    local n status pid
    n=$(procs)
    if ! status=$(ferry inspect -f '{{.State.Status}} {{.State.Pid}}' "$1" 2>/dev/null); then
        expect_eq "$n" 0 "processes of removed container $1"
        return
    fi
    pid=${status#* }
    case "$status" in
        running*)
            expect_eq "$n" 1 "processes of running container $1"
            expect_eq "$(pgrep -fx "sleep $MARK")" "$pid" "the process is the init the state names"
            ;;
        *) expect_eq "$n" 0 "processes of $status container $1" ;;
    esac
}
# gone NAME: rm -f removes it and everything it ran, cgroups included.
gone() {
    local id
    id=$(full_id "$1")
    ferry rm -f "$1" >/dev/null
    expect_eq "$(procs)" 0 "processes after rm -f $1"
    expect_eq "$(ferry_cgroups "$id")" "" "cgroups after rm -f $1"
}
expect_eq "$(procs)" 0 "processes before the test"

note "8 parallel starts of one container start it once (20 rounds)"
for round in $(seq 20); do
    ctr_create once bb:1 sleep "$MARK"
    pids=()
    for _ in $(seq 8); do
        ferry start once >"start-$round.out" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fail "a parallel start failed: $(cat "start-$round.out")"; done
    expect_eq "$(procs)" 1 "processes after 8 parallel starts (round $round)"
    tracked once
    gone once
done

note "start, stop, kill, restart and rm -f racing (20 rounds)"
for round in $(seq 20); do
    ctr_run mix bb:1 sleep "$MARK"
    cmds=("start mix" "stop -t 0 mix" "kill mix" "restart -t 0 mix" "start mix" "kill -s TERM mix")
    [ $((round % 2)) = 0 ] && cmds+=("rm -f mix")
    pids=()
    for c in "${cmds[@]}"; do
        # shellcheck disable=SC2086
        "$FERRY" $c >/dev/null 2>>race.err &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done  # losers fail (not running, no such container)
    tracked mix
    if ferry inspect mix >/dev/null 2>&1; then
        # Whatever state it was left in, it can be started and stopped again.
        ferry start mix >/dev/null
        tracked mix
        expect_eq "$(procs)" 1 "processes after a start following the race (round $round)"
        ferry stop -t 0 mix >/dev/null
        tracked mix
        gone mix
    fi
    expect_eq "$(procs)" 0 "processes after round $round"
done
# Only the errors a loser of these races may give: nothing else went wrong.
grep -v -e '^ferry: error: no such container `mix`$' \
        -e '^ferry: error: cannot kill container mix: Container [0-9a-f]\{64\} is not running$' \
        race.err >race.unexpected || true
[ ! -s race.unexpected ] || fail "unexpected errors in the races: $(sort -u race.unexpected)"

note "a restart policy racing stop leaves the container stopped (10 rounds)"
for round in $(seq 10); do
    ctr_run again --restart always bb:1 sh -c "sleep 0.0$round; exec sleep $MARK"
    ferry stop -t 0 again >/dev/null &
    stop=$!
    ferry kill again >/dev/null 2>&1 || true
    wait "$stop" || fail "stop of a restarting container failed (round $round)"
    expect_eq "$(ctr_status again)" exited "status after stop (round $round)"
    tracked again
    gone again
done

note "commit racing rm -f: every change committed, or one line (10 rounds)"
committed=0 refused=0
for round in $(seq 10); do
    ctr_run cr bb:1 sh -c "mkdir /out; for i in \$(seq 300); do echo \$i >/out/f\$i; done; touch /done; exec sleep $MARK"
    ctr_wait_file cr /done
    ferry commit cr "race/img:$round" >commit.out 2>commit.err &
    commit=$!
    [ $((round % 3)) = 0 ] || sleep "0.0$round"
    ferry rm -f cr >/dev/null
    status=0
    wait "$commit" || status=$?
    if [ "$status" = 0 ]; then
        committed=$((committed + 1))
        expect_eq "$(ferry run --rm "race/img:$round" sh -c 'ls /out | wc -l')" 300 "files in the image (round $round)"
    else
        refused=$((refused + 1))
        expect_eq "$status" 125 "status of a refused commit"
        expect_eq "$(cat commit.err)" 'ferry: error: no such container `cr`' "error of a refused commit"
        ferry image inspect "race/img:$round" >/dev/null 2>&1 && fail "a refused commit left an image"
    fi
    expect_eq "$(procs)" 0 "processes after round $round"
done
note "commits: $committed made, $refused refused"

note "run --rm racing stop and start: removed, or running alone (10 rounds)"
for round in $(seq 10); do
    ferry run -d --rm --name tmpc bb:1 sleep "$MARK" >/dev/null
    ferry stop -t 0 tmpc >/dev/null 2>&1 &
    stop=$!
    ferry start tmpc >/dev/null 2>&1 || true
    wait "$stop" || true
    for _ in $(seq 100); do
        ferry inspect tmpc >/dev/null 2>&1 || break
        [ "$(ctr_status tmpc)" = running ] && break
        sleep 0.05
    done
    tracked tmpc
    ferry rm -f tmpc >/dev/null 2>&1 || true
    expect_eq "$(procs)" 0 "processes after round $round"
done

note "a --rm container whose monitor is killed is removed by the next command that sees it (10 rounds)"
for round in $(seq 10); do
    ferry run -d --rm --name orphan bb:1 sleep "$MARK" >/dev/null
    oid=$(full_id orphan)
    kill -KILL "$(state_key "$oid" monitor_pid)"
    # Its init dies with the monitor; then the first command that looks (ps, start, rm, inspect)
    # removes it and the others find nothing.
    pid=$(state_key "$oid" pid)
    for _ in $(seq 100); do [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break; sleep 0.05; done
    case $((round % 4)) in
        0) expect_out "" ferry ps -aq --filter name=orphan ;;
        1) expect_fail 1 'ferry: error: no such container `orphan`' ferry start orphan ;;
        2) expect_fail 1 'ferry: error: no such container `orphan`' ferry rm orphan ;;
        3) expect_fail 1 'ferry: error: no such container `orphan`' ferry container inspect orphan ;;
    esac
    expect_fail 1 'ferry: error: no such container `orphan`' ferry container inspect orphan
    [ ! -e "$FERRY_ROOT/containers/$oid" ] || fail "the directory of the orphaned --rm container is left"
    expect_eq "$(ferry_cgroups "$oid")" "" "cgroups of the orphaned --rm container"
    expect_eq "$(procs)" 0 "processes after round $round"
done
