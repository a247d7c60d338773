# ferry pause / unpause (issue 8, point 7): the cgroup freezer stops every process of a
# container, one started without limits too (runtime/freezer.hpp: on this kind of host, its
# tracking cgroup), ps and inspect show it paused as docker's do, and exec, start, rm, commit,
# stop, kill, rm -f and restart of a paused container behave as docker's; the errors are
# compared with dockerd's when one answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
TICK='i=0; while true; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done'
# counter NAME: the ticker's count, read from the host (exec is refused while paused).
counter() { cat "/proc/$(ferry inspect -f '{{.State.Pid}}' "$1")/root/tmp/n"; }
# wait_counter NAME: waits (10 s at most) until the ticker of NAME counts again.
wait_counter() {
    local first
    first=$(counter "$1")
    for _ in $(seq 200); do
        [ "$(counter "$1")" != "$first" ] && return 0
        sleep 0.05
    done
    fail "container $1 does not run"
}
# pid_of NAME: its init's host PID.
pid_of() { ferry inspect -f '{{.State.Pid}}' "$1"; }

note "pause freezes every process; ps and inspect say paused"
ctr_run tick bb:1 sh -c "$TICK & exec sleep 1000"
ctr_wait_file tick /tmp/n
id=$(full_id tick)
pid=$(pid_of tick)
expect_eq "$(freezer_state "$pid")" THAWED "freezer before pause"
expect_out tick ferry pause tick
expect_eq "$(freezer_state "$pid")" FROZEN "freezer after pause"
before=$(counter tick)
sleep 0.3  # not a synchronisation: a frozen ticker cannot count meanwhile
expect_eq "$(counter tick)" "$before" "the ticker counted while paused"
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' tick)" "paused true true"
status=$(ferry ps --format '{{.Names}}|{{.State}}|{{.Status}}')
[[ "$status" =~ ^tick\|paused\|Up\ .*\ \(Paused\)$ ]] || fail "ps of a paused container: [$status]"

note "on a paused container: pause, exec, start and rm refuse with docker's words; commit keeps it paused"
expect_fail 1 "ferry: error: Container $id is already paused" ferry pause tick
expect_fail 1 "ferry: error: Container tick is paused, unpause the container before exec" ferry exec tick true
expect_fail 1 "ferry: error: cannot start a paused container, try unpause instead" ferry start tick
expect_fail 1 "ferry: error: You cannot remove a paused container $id. Unpause and then stop the container before attempting removal or force remove" ferry rm tick
ferry commit tick paused/img:1 >/dev/null
expect_eq "$(ferry inspect -f '{{.State.Status}}' tick)" paused "status after commit"
expect_eq "$(freezer_state "$pid")" FROZEN "freezer after a commit of a paused container"

note "unpause thaws it"
expect_out tick ferry unpause tick
expect_eq "$(freezer_state "$pid")" THAWED "freezer after unpause"
wait_counter tick
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.Paused}}' tick)" "running false"
expect_fail 1 "ferry: error: Container $id is not paused" ferry unpause tick
expect_out sleep ferry exec tick cat /proc/1/comm

note "several at once; a container with limits (its own v1 cgroups) pauses too"
ctr_run limited --memory 64m --pids-limit 50 bb:1 sh -c "$TICK"
ctr_wait_file limited /tmp/n
expect_out "$(printf 'tick\nlimited')" ferry pause tick limited
expect_eq "$(freezer_state "$(pid_of limited)")" FROZEN "freezer of the limited container"
expect_out "$(printf 'limited\ntick')" ferry unpause limited tick
wait_counter limited

note "stop, kill, kill -s, restart and rm -f of a paused container"
ferry pause tick >/dev/null
expect_out tick ferry stop -t 1 tick
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}' tick)" "exited 137 false"
expect_fail 1 "ferry: error: Container $id is not running" ferry pause tick
expect_fail 1 "ferry: error: Container $id is not paused" ferry unpause tick
ferry start tick >/dev/null
ferry pause tick >/dev/null
expect_out tick ferry kill tick
ctr_wait_exit tick
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' tick)" 137 "exit code after kill of a paused container"
ferry start tick >/dev/null
ctr_wait_file tick /tmp/n
ferry pause tick >/dev/null
# A signal that does not end it still resumes it, as docker's kill does (PID 1 ignores USR1).
expect_out tick ferry kill -s USR1 tick
expect_eq "$(ferry inspect -f '{{.State.Status}}' tick)" running "status after kill -s USR1"
expect_eq "$(freezer_state "$(pid_of tick)")" THAWED "freezer after kill -s USR1"
wait_counter tick
ferry pause tick >/dev/null
expect_out tick ferry restart -t 0 tick
expect_eq "$(ferry inspect -f '{{.State.Status}}' tick)" running "status after restart"
wait_counter tick
ferry pause tick >/dev/null
ferry pause limited >/dev/null
lid=$(full_id limited)
expect_out "$(printf 'tick\nlimited')" ferry rm -f tick limited
expect_eq "$(ferry_cgroups "$id")$(ferry_cgroups "$lid")" "" "cgroups after rm -f"
for _ in $(seq 100); do pgrep -f "$id" >/dev/null || break; sleep 0.05; done
pgrep -f "$id" >/dev/null && fail "a process of the removed container is left"

note "errors"
ctr_create made bb:1 true
mid=$(full_id made)
expect_fail 1 "ferry: error: Container $mid is not running" ferry pause made
expect_fail 1 "ferry: error: Container $mid is not paused" ferry unpause made
expect_fail 1 'ferry: error: no such container `nosuch`' ferry pause nosuch
expect_fail 125 'ferry: error: `ferry pause` requires at least 1 argument (see `ferry pause --help`)' ferry pause
expect_contains "$(ferry pause --help)" "Pause all processes within one or more containers"
expect_contains "$(ferry container unpause --help)" "Unpause all processes within one or more containers"

note "docker says the same"
if docker_bb; then
    did=$("$DOCKER" run -d --network none --name "$DOCKER_PREFIX-p" "$DOCKER_BB" sleep 1000)
    derr() { "$DOCKER" "$@" 2>&1 >/dev/null | sed -e 's/^Error response from daemon: //' -e "s/$did/ID/"; }
    expect_eq "$("$DOCKER" pause "$DOCKER_PREFIX-p")" "$DOCKER_PREFIX-p" "docker pause prints the name"
    expect_eq "$("$DOCKER" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' "$DOCKER_PREFIX-p")" "paused true true"
    expect_eq "$(derr pause "$DOCKER_PREFIX-p")" "Container ID is already paused"
    expect_eq "$(derr rm "$DOCKER_PREFIX-p")" "You cannot remove a paused container ID. Unpause and then stop the container before attempting removal or force remove"
    expect_eq "$(derr exec "$DOCKER_PREFIX-p" true)" "Container $DOCKER_PREFIX-p is paused, unpause the container before exec"
    "$DOCKER" unpause "$DOCKER_PREFIX-p" >/dev/null
    expect_eq "$(derr unpause "$DOCKER_PREFIX-p")" "Container ID is not paused"
    "$DOCKER" pause "$DOCKER_PREFIX-p" >/dev/null
    "$DOCKER" kill -s USR1 "$DOCKER_PREFIX-p" >/dev/null
    expect_eq "$("$DOCKER" inspect -f '{{.State.Status}}' "$DOCKER_PREFIX-p")" running "docker: status after kill -s USR1 of a paused container"
    "$DOCKER" stop -t 0 "$DOCKER_PREFIX-p" >/dev/null
    expect_eq "$(derr pause "$DOCKER_PREFIX-p")" "Container ID is not running"
    expect_eq "$(derr unpause "$DOCKER_PREFIX-p")" "Container ID is not paused"
    "$DOCKER" rm -f "$DOCKER_PREFIX-p" >/dev/null
fi
