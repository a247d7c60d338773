# ferry events: the journal the commands append to (<root>/events), the events of each command
# that changes state, the monitor's die (and destroy for run --rm), --since/--until, --filter,
# --format, following with inotify, a torn last line, and docker's errors. Sequences of the same
# commands are compared with docker's events where a daemon answers (names masked).
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

# now: a --since/--until value of this instant (docker's unix seconds with a fraction).
now() { date +%s.%N; }
# evs SINCE FLAGS...: ferry's events from SINCE until now.
evs() { local since=$1; shift; ferry events --since "$since" --until "$(now)" "$@"; }
devs() { local since=$1; shift; "$DOCKER" events --since "$since" --until "$(now)" "$@"; }
# The masked shape of a container event: type, action, name, exit code and signal.
SHAPE='{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.signal}}'
# docker_shape SINCE FILTER...: docker's events of SINCE in SHAPE, the test's prefix taken off.
docker_shape() { local since=$1; shift; devs "$since" "$@" --format "$SHAPE" | sed "s/$DOCKER_PREFIX-//g"; }

note "run --rm, then a detached container stopped, exec'd, renamed, killed and removed"
t0=$(now)
t_first=$t0
ferry run --rm --name ev-rm bb:1 true
ferry run -d --name ev-d bb:1 sleep 100 >/dev/null
ferry exec ev-d true
ferry rename ev-d ev-d2
ferry stop -t 1 ev-d2 >/dev/null
ferry start ev-d2 >/dev/null
ferry kill ev-d2 >/dev/null
ctr_wait_exit ev-d2
ferry rm ev-d2 >/dev/null
# A missing attribute prints as Go's `<no value>`.
n='<no value>'
want="container create ev-rm $n $n
container attach ev-rm $n $n
container start ev-rm $n $n
container die ev-rm 0 $n
container destroy ev-rm $n $n
container create ev-d $n $n
container start ev-d $n $n
container exec_create: true  ev-d $n $n
container exec_start: true  ev-d $n $n
container exec_die ev-d 0 $n
container rename ev-d2 $n $n
container kill ev-d2 $n 15
container kill ev-d2 $n 9
container die ev-d2 137 $n
container stop ev-d2 $n $n
container start ev-d2 $n $n
container kill ev-d2 $n 9
container die ev-d2 137 $n
container destroy ev-d2 $n $n"
expect_eq "$(evs "$t0" --filter type=container --format "$SHAPE")" "$want" "container events"
if [ -n "$DOCKER_BB" ]; then
    p=$DOCKER_PREFIX
    t1=$(now)
    "$DOCKER" run --rm --network none --name "$p-ev-rm" "$DOCKER_BB" true
    "$DOCKER" run -d --network none --name "$p-ev-d" "$DOCKER_BB" sleep 100 >/dev/null
    "$DOCKER" exec "$p-ev-d" true
    "$DOCKER" rename "$p-ev-d" "$p-ev-d2"
    "$DOCKER" stop -t 1 "$p-ev-d2" >/dev/null
    "$DOCKER" start "$p-ev-d2" >/dev/null
    "$DOCKER" kill "$p-ev-d2" >/dev/null
    "$DOCKER" wait "$p-ev-d2" >/dev/null
    "$DOCKER" rm "$p-ev-d2" >/dev/null
    expect_eq "$(docker_shape "$t1" --filter type=container --filter "container=$p-ev")" "$want" \
        "docker's container events"
fi

note "pause, unpause and update"
t0=$(now)
ferry run -d --name ev-p bb:1 sleep 100 >/dev/null
ferry pause ev-p >/dev/null
ferry unpause ev-p >/dev/null
ferry update --pids-limit 100 ev-p >/dev/null
ferry rm -f ev-p >/dev/null
PU_FILTER=(--filter event=pause --filter event=unpause --filter event=update)
want="container pause ev-p $n $n
container unpause ev-p $n $n
container update ev-p $n $n"
expect_eq "$(evs "$t0" "${PU_FILTER[@]}" --format "$SHAPE")" "$want" "pause/unpause/update events"
if [ -n "$DOCKER_BB" ]; then
    t1=$(now)
    "$DOCKER" run -d --network none --name "$p-ev-p" "$DOCKER_BB" sleep 100 >/dev/null
    "$DOCKER" pause "$p-ev-p" >/dev/null
    "$DOCKER" unpause "$p-ev-p" >/dev/null
    "$DOCKER" update --pids-limit 100 "$p-ev-p" >/dev/null
    "$DOCKER" rm -f "$p-ev-p" >/dev/null
    expect_eq "$(docker_shape "$t1" "${PU_FILTER[@]}" --filter "container=$p-ev-p")" "$want" \
        "docker's pause/unpause/update events"
fi

note "the attributes: labels, image, name, exitCode, execID, oldName; docker's JSON field order"
t0=$(now)
status=0
ferry run --name ev-lab -l com.x=1 -l other=two bb:1 sh -c 'exit 3' || status=$?
expect_eq "$status" 3
json=$(evs "$t0" --filter event=die --format '{{json .}}')
id=$(ferry inspect -f '{{.Id}}' ev-lab)
python3 - "$json" "$id" <<'PY'
import json, sys
line, cid = sys.argv[1], sys.argv[2]
e = json.loads(line)
assert list(e) == ["status", "id", "from", "Type", "Action", "Actor", "scope", "time", "timeNano"], list(e)
assert e["status"] == "die" and e["id"] == cid and e["from"] == "bb:1", e
assert e["Actor"] == {"ID": cid, "Attributes": {"com.x": "1", "exitCode": "3", "image": "bb:1",
                                                 "name": "ev-lab", "other": "two"}}, e["Actor"]
assert list(e["Actor"]["Attributes"]) == sorted(e["Actor"]["Attributes"])
assert e["scope"] == "local" and e["time"] == e["timeNano"] // 10**9, e
PY
# The text form: local time with nine fraction digits, type, action, ID, sorted attributes.
line=$(evs "$t0" --filter event=die)
[[ "$line" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})\ container\ die\ $id\ \(com\.x=1,\ exitCode=3,\ image=bb:1,\ name=ev-lab,\ other=two\)$ ]] ||
    fail "text form: [$line]"
expect_eq "$(evs "$t0" --filter event=die --format 'json')" "$json" "--format json"
expect_eq "$(evs "$t0" --filter event=die --format '{{.Status}} {{.ID}} {{.From}} {{.Actor.ID}} {{.Scope}}')" \
    "die $id bb:1 $id local" "template fields"
if [ -n "$DOCKER_BB" ]; then
    t1=$(now)
    status=0
    "$DOCKER" run --network none --name "$DOCKER_PREFIX-ev-lab" -l com.x=1 -l other=two "$DOCKER_BB" sh -c 'exit 3' || status=$?
    expect_eq "$status" 3 "docker run's status"
    djson=$(devs "$t1" --filter event=die --filter "container=$DOCKER_PREFIX-ev-lab" --format '{{json .}}')
    expect_eq "$(python3 -c 'import json,sys; e=json.loads(sys.argv[1]); print(list(e), list(e["Actor"]), sorted(e["Actor"]["Attributes"]))' "$djson")" \
        "$(python3 -c 'import json,sys; e=json.loads(sys.argv[1]); print(list(e), list(e["Actor"]), sorted(e["Actor"]["Attributes"]))' "$json")" \
        "docker's JSON shape"
    dline=$(devs "$t1" --filter event=die --filter "container=$DOCKER_PREFIX-ev-lab")
    expect_eq "$(sed -E -e 's/^[^ ]+ //' -e 's/[0-9a-f]{64}/ID/g' <<<"$dline" | sed "s/$DOCKER_PREFIX-//g; s|$DOCKER_BB|bb:1|g")" \
        "$(sed -E -e 's/^[^ ]+ //' -e 's/[0-9a-f]{64}/ID/g' <<<"$line")" "docker's text form"
fi

note "a detached container's die comes from its monitor, before the state says exited"
t0=$(now)
ferry run -d --name ev-mon bb:1 sh -c 'sleep 0.2; exit 7' >/dev/null
ctr_wait_exit ev-mon
expect_eq "$(evs "$t0" --filter container=ev-mon --filter event=die --format '{{.Actor.Attributes.exitCode}}')" 7

note "the OOM killer: oom, then die (from the monitor, as docker's daemon logs them)"
t0=$(now)
status=0
ferry run --name ev-oom --memory 16m --memory-swap 16m bb:1 \
    awk 'BEGIN { s = "x"; while (length(s) < 512 * 1024 * 1024) s = s s }' || status=$?
expect_eq "$status" 137 "the OOM-killed container's status"
expect_eq "$(evs "$t0" --filter container=ev-oom --filter event=oom --filter event=die --format '{{.Action}} {{.Actor.Attributes.exitCode}}')" \
    "oom $n
die 137"

note "volumes: create (also when a container names one), mount at start, unmount at exit, destroy"
t0=$(now)
ferry volume create ev-vol >/dev/null
ferry run --rm --name ev-v -v ev-vol:/data:ro bb:1 true
ferry volume rm ev-vol >/dev/null
got=$(evs "$t0" --filter type=volume --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.destination}} {{.Actor.Attributes.driver}}')
expect_eq "$got" "volume create ev-vol $n local
volume create ev-vol $n local
volume mount ev-vol /data local
volume unmount ev-vol $n local
volume destroy ev-vol $n local" "volume events"
expect_eq "$(evs "$t0" --filter event=mount --format '{{json .Actor.Attributes}}' | python3 -c 'import json,sys; a=json.load(sys.stdin); print(sorted(a), a["read/write"], a["propagation"])')" \
    "['container', 'destination', 'driver', 'propagation', 'read/write'] false " "mount attributes"
if [ -n "$DOCKER_BB" ]; then
    t1=$(now)
    "$DOCKER" volume create "$DOCKER_PREFIX-ev-vol" >/dev/null
    "$DOCKER" run --rm --network none -v "$DOCKER_PREFIX-ev-vol:/data:ro" "$DOCKER_BB" true
    "$DOCKER" volume rm "$DOCKER_PREFIX-ev-vol" >/dev/null
    expect_eq "$(devs "$t1" --filter type=volume --filter "volume=$DOCKER_PREFIX-ev-vol" \
                 --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.destination}} {{.Actor.Attributes.driver}}' |
                 sed "s/$DOCKER_PREFIX-//g")" "$got" "docker's volume events"
fi

note "images: import (tag, import), tag, save, load, rmi (untag, delete), commit (tag, commit)"
t0=$(now)
iid=$(ferry import -c 'LABEL ev=img' "$TEST_TMP/bb.tar" ev/img:1)
ferry tag ev/img:1 ev/img:2
ferry save -o "$TEST_TMP/ev.tar" ev/img:1
ferry rmi ev/img:2 >/dev/null
ferry rmi ev/img:1 >/dev/null
ferry load -q -i "$TEST_TMP/ev.tar" >/dev/null
ferry create --name ev-c bb:1 >/dev/null
cid=$(ferry commit -m msg ev-c ev/commit:1)
expect_eq "$(evs "$t0" --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.ev}}')" \
"tag ev/img:1 img
import $iid img
tag ev/img:2 img
save $iid img
untag $iid img
untag $iid img
delete $iid $n
load $iid img
tag ev/commit:1 $n" "image events"
expect_eq "$(evs "$t0" --filter event=commit --format '{{.Actor.Attributes.comment}} {{.Actor.Attributes.imageID}} {{.Actor.Attributes.imageRef}} {{.Actor.Attributes.name}}')" \
    "msg $cid ev/commit:1 ev-c" "commit event"
if [ -n "$DOCKER_BB" ]; then
    t1=$(now)
    r=$DOCKER_PREFIX-ev/img
    did=$("$DOCKER" import -c 'LABEL ev=img' "$TEST_TMP/bb.tar" "$r:1")
    "$DOCKER" tag "$r:1" "$r:2"
    "$DOCKER" save -o "$TEST_TMP/dev.tar" "$r:1"
    "$DOCKER" rmi "$r:2" >/dev/null
    "$DOCKER" rmi "$r:1" >/dev/null
    "$DOCKER" load -q -i "$TEST_TMP/dev.tar" >/dev/null
    "$DOCKER" rmi "$r:1" >/dev/null
    expect_eq "$(devs "$t1" --filter type=image --filter "image=$did" --format '{{.Action}} {{.Actor.Attributes.ev}}' | head -8)" \
        "$(evs "$t0" --filter type=image --format '{{.Action}} {{.Actor.Attributes.ev}}' | head -8)" \
        "docker's image events"
fi

note "filters: values of one name ORed, names ANDed; container and volume by name prefix"
t0=$(now)
ferry run --rm --name flt-a -l tier=web bb:1 true
ferry run --rm --name flt-b -l tier=db bb:1 true
expect_eq "$(evs "$t0" --filter event=start --filter event=destroy --format '{{.Action}} {{.Actor.Attributes.name}}')" \
"start flt-a
destroy flt-a
start flt-b
destroy flt-b"
expect_eq "$(evs "$t0" --filter container=flt --filter event=die --format '{{.Actor.Attributes.name}}')" "flt-a
flt-b"
expect_eq "$(evs "$t0" --filter label=tier=db --filter event=create --format '{{.Actor.Attributes.name}}')" flt-b
expect_eq "$(evs "$t0" --filter label=tier --filter event=create --format '{{.Actor.Attributes.name}}')" "flt-a
flt-b"
expect_eq "$(evs "$t0" --filter image=bb --filter event=create --format '{{.Actor.Attributes.name}}')" "flt-a
flt-b" "image= without its tag"
expect_eq "$(evs "$t0" --filter type=image)" "" "type=image"
expect_eq "$(evs "$t0" --filter 'container=flt-b' --filter event=create --format '{{.Actor.Attributes.name}}')" flt-b
expect_eq "$(evs "$t0" --filter 'Event = create' --format '{{.Actor.Attributes.name}}')" "flt-a
flt-b" "filter names lower-cased, trimmed"
expect_eq "$(evs "$t_first" --filter event=exec_start --format '{{.Action}}|')" "exec_start: true |" \
    "exec_start matches exec_start: CMD"

note "--until alone: the events up to it; --since and --until: inclusive window"
expect_eq "$(ferry events --until "$t0" --filter container=flt-a)" "" "nothing of flt-a before it ran"
expect_eq "$(ferry events --until "$t0" --filter container=ev-rm --filter event=create --format '{{.Actor.Attributes.name}}')" ev-rm
at=$(evs "$t0" --filter container=flt-a --filter event=create --format '{{.TimeNano}}')
at=${at:0:10}.${at:10}
expect_eq "$(ferry events --since "$at" --until "$at" --format '{{.Action}} {{.Actor.Attributes.name}}')" "create flt-a"

note "following: new events as they come, from inotify (blocked in poll, not polling)"
"$FERRY" events --filter container=fol --format '{{.Action}}' >"$TEST_TMP/follow" 2>&1 &
follower=$!
RUN_CLEANUPS+=("kill $follower 2>/dev/null")
for _ in $(seq 100); do
    [ "$(cut -d' ' -f1 /proc/$follower/syscall 2>/dev/null)" = 7 ] && break  # poll(2)
    sleep 0.05
done
expect_eq "$(cut -d' ' -f1 /proc/$follower/syscall)" 7 "the follower sleeps in poll"
ferry run --rm --name fol bb:1 true
for _ in $(seq 100); do
    grep -q destroy "$TEST_TMP/follow" && break
    sleep 0.05
done
kill $follower
status=0
wait $follower || status=$?
expect_eq "$status" 143 "the follower ends on SIGTERM"
expect_eq "$(cat "$TEST_TMP/follow")" "create
attach
start
die
destroy" "followed events"
# --until in the future: follows, then ends by itself.
until=$(( $(date +%s) + 2 ))
"$FERRY" events --until "$until" --filter container=fol2 --format '{{.Action}}' >"$TEST_TMP/follow2" &
follower=$!
ferry create --name fol2 bb:1 >/dev/null
wait $follower
expect_eq "$(cat "$TEST_TMP/follow2")" create "--until in the future"

note "a torn last line (a writer killed mid-append) is skipped, and ended by the next append"
t0=$(now)
printf '{"status":"cre' >>"$FERRY_ROOT/events/journal"
ferry create --name torn bb:1 >/dev/null
expect_eq "$(evs "$t0" --format '{{.Action}} {{.Actor.Attributes.name}}')" "create torn"
expect_eq "$(tail -2 "$FERRY_ROOT/events/journal" | head -1)" '{"status":"cre' "the torn line ended"

note "the monitor's appends (C) follow the same protocol: a torn line ended, rotation past 1 MiB"
mkdir -p "$TEST_TMP/gate"
gate_cmd='while [ ! -e /gate/go ]; do sleep 0.05; done'
ferry run -d --name gated -v "$TEST_TMP/gate:/gate" bb:1 sh -c "$gate_cmd" >/dev/null
printf '{"torn' >>"$FERRY_ROOT/events/journal"
t0=$(now)
touch "$TEST_TMP/gate/go"
ctr_wait_exit gated
expect_eq "$(evs "$t0" --format '{{.Action}} {{.Actor.Attributes.name}}')" "die gated"
expect_eq "$(tail -2 "$FERRY_ROOT/events/journal" | head -1)" '{"torn' "the monitor ended the torn line"
rm "$TEST_TMP/gate/go"
ferry run -d --name gated2 -v "$TEST_TMP/gate:/gate" bb:1 sh -c "$gate_cmd" >/dev/null
for _ in $(seq 100); do  # S appends the start after answering the CLI
    [ -n "$(evs "$t0" --filter container=gated2 --filter event=start)" ] && break
    sleep 0.05
done
size=$(stat -c %s "$FERRY_ROOT/events/journal")
python3 -c 'import sys; sys.stdout.write("x" * (1048576 - 100 - int(sys.argv[1])) + "\n")' "$size" \
    >>"$FERRY_ROOT/events/journal"
touch "$TEST_TMP/gate/go"
ctr_wait_exit gated2
expect_eq "$(head -c 5 "$FERRY_ROOT/events/journal.1" | wc -c)" 5 "the journal was rotated"
expect_eq "$(tail -c 2 "$FERRY_ROOT/events/journal.1" | od -An -c | tr -d ' ')" 'x\n' "journal.1 ends where it was full"
expect_eq "$(wc -l <"$FERRY_ROOT/events/journal")" 1 "the new journal holds the die"
expect_eq "$(ferry events --since "$t0" --until "$(now)" --format '{{.Action}} {{.Actor.Attributes.name}}')" \
    "die gated
create gated2
start gated2
die gated2" "events read both files"

note "errors: docker's words and status"
expect_fail 1 'ferry: error: failed to parse value as time or duration: "xyz"' ferry events --since xyz --until 1s
expect_fail 1 'ferry: error: `since` time (10) cannot be after `until` time (5)' ferry events --since 10 --until 5
expect_fail 1 'ferry: error: parsing time "2026-13-01": month out of range' ferry events --since 2026-13-01 --until 1s
expect_fail 125 'ferry: error: invalid argument "noeq" for "-f, --filter" flag: bad format of filter (expected name=value) (see `ferry events --help`)' \
    ferry events --filter noeq
if [ -n "$DOCKER_BB" ]; then
    expect_docker_msg() {
        local want=$1 got
        shift
        got=$("$DOCKER" events "$@" 2>&1) && fail "docker events $*: succeeded"
        got=$(printf '%s\n' "$got" | head -1 | sed -e 's/^Error response from daemon: //')
        expect_eq "$got" "$want" "docker events $*"
    }
    expect_docker_msg 'failed to parse value as time or duration: "xyz"' --since xyz --until 1s
    expect_docker_msg '`since` time (10) cannot be after `until` time (5)' --since 10 --until 5
    expect_docker_msg 'parsing time "2026-13-01": month out of range' --since 2026-13-01 --until 1s
fi
