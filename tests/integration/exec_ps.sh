# exec, ps and the life-cycle commands as docker's (issue 8, point 13): exec -u, -e, -d, -i,
# -w; the ps table, its filters and --format json; stop escalating to SIGKILL when the stop
# signal is ignored; rm of a running container without -f; restart of a stopped container; run
# of an image that is not there. Compared with docker's where a daemon answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb
D=$DOCKER_PREFIX

# both NAME ARGS...: the output of `ferry exec ARGS` (@C standing for container NAME) and, with
# a docker daemon, of `docker exec ARGS` (@C: $D-NAME) must be equal; prints ferry's. Their
# input is BOTH_INPUT (none when empty).
BOTH_INPUT=""
both() {
    local name=$1 out got
    shift
    out=$(printf '%b' "$BOTH_INPUT" | ferry exec "${@/#@C/$name}" 2>&1) || fail "ferry exec $*: status $? ($out)"
    if [ -n "$DOCKER_BB" ]; then
        got=$(printf '%b' "$BOTH_INPUT" | "$DOCKER" exec "${@/#@C/$D-$name}" 2>&1) ||
            fail "docker exec $*: status $? ($got)"
        expect_eq "$out" "$got" "ferry exec $* (docker's output)"
    fi
    printf '%s\n' "$out"
}

note "exec -u, -e, -w, -i, -d"
ferry run -d --name e1 bb:1 sleep 1000 >/dev/null
[ -z "$DOCKER_BB" ] || "$DOCKER" run -d --network none --name "$D-e1" "$DOCKER_BB" sleep 1000 >/dev/null
expect_eq "$(both e1 -u 1000 @C id)" "uid=1000(user) gid=1000(grp) groups=1000(grp),2000(extra)" "exec -u 1000"
expect_eq "$(both e1 -u user:extra @C id -gn)" "extra" "exec -u user:extra"
expect_eq "$(both e1 -u nobody @C sh -c 'echo $HOME')" "/nonexistent" "HOME of exec -u nobody"
expect_eq "$(both e1 -e A=1 -e B= @C sh -c 'echo "[$A][$B][${B+set}]"')" "[1][][set]" "exec -e"
expect_eq "$(B=from-host both e1 -e B @C sh -c 'echo "[$B]"')" "[from-host]" "exec -e NAME takes ferry's"
expect_eq "$(both e1 -e IMG=2 @C sh -c 'echo $IMG')" 2 "exec -e over the image's ENV"
expect_eq "$(both e1 -w /home/user @C pwd)" /home/user "exec -w"
expect_eq "$(both e1 -u user -w /tmp @C sh -c 'pwd; id -u')" "/tmp
1000" "exec -u -w"
BOTH_INPUT='a\nb\n'
expect_eq "$(both e1 -i @C wc -l)" 2 "exec -i"
expect_eq "$(both e1 @C wc -l)" 0 "exec without -i reads no input"
BOTH_INPUT=""
expect_eq "$(both e1 -d @C sh -c 'echo detached >/tmp/d')" "" "exec -d prints nothing"
for _ in $(seq 100); do ferry exec e1 test -s /tmp/d && break; sleep 0.1; done
expect_eq "$(ferry exec e1 cat /tmp/d)" detached "what exec -d ran"
status=0
ferry exec e1 sh -c 'exit 7' || status=$?
expect_eq "$status" 7 "exec's status"

note "ps: the table, filters, --format json, -q, -n"
ferry create --name created1 --label team=ml bb:1 true >/dev/null
ferry run -d --name exited1 bb:1 sh -c 'exit 3' >/dev/null
ctr_wait_exit exited1
id_e1=$(full_id e1)
out=$(ferry ps)
expect_eq "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" "ps header"
row=$(printf '%s\n' "$out" | sed -n 2p | sed -E 's/ {3,}/|/g')
IFS='|' read -r c_id c_image c_command c_created c_status c_names <<<"$row"
expect_eq "$c_id|$c_image|$c_command|$c_names" "${id_e1:0:12}|bb:1|\"sleep 1000\"|e1" "ps row of e1"
[[ $c_created == *" ago" && $c_status == "Up "* ]] || fail "ps row of e1: [$row]"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 2 "ps shows running containers only"
expect_eq "$(ferry ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "created1 e1 exited1 " "ps -a"
expect_eq "$(ferry ps -a -q | wc -l)" 3 "ps -a -q"
expect_eq "$(ferry ps -q)" "${id_e1:0:12}" "ps -q"
expect_eq "$(ferry ps -n 1 --format '{{.Names}}')" exited1 "ps -n 1 (the last created)"
expect_eq "$(ferry ps -l --format '{{.Names}}')" exited1 "ps -l"
expect_eq "$(ferry ps -a --filter status=exited --format '{{.Names}} {{.Status}}' | sed 's/) .*/)/')" "exited1 Exited (3)" "filter status=exited"
expect_eq "$(ferry ps -a --filter status=created --format '{{.Names}}')" created1 "filter status=created"
expect_eq "$(ferry ps -a --filter exited=3 --format '{{.Names}}')" exited1 "filter exited=3"
expect_eq "$(ferry ps -a --filter name=ted --format '{{.Names}}' | sort | tr '\n' ' ')" "created1 exited1 " "filter name= (a substring)"
expect_eq "$(ferry ps -a --filter label=team=ml --format '{{.Names}}')" created1 "filter label="
expect_eq "$(ferry ps -a --filter id="${id_e1:0:6}" --format '{{.Names}}')" e1 "filter id= (a prefix)"
expect_eq "$(ferry ps -a --filter ancestor=bb:1 --format '{{.Names}}' | wc -l)" 3 "filter ancestor="
expect_eq "$(ferry ps -a --filter status=exited --filter name=e1 --format '{{.Names}}')" "" "two filters of different keys: both must hold"
# NETWORKS and MOUNTS: the container's network, its volumes' names then its binds' sources, each
# cut to 15 columns with an ellipsis (docker's formatter) unless --no-trunc.
mkdir -p "$TEST_TMP/a-long-bind-source"
ferry create --name mnt1 --network none -v psvol:/v -v "$TEST_TMP/a-long-bind-source:/b" bb:1 >/dev/null
long=$TEST_TMP/a-long-bind-source
expect_eq "$(ferry ps -a --filter name=mnt1 --format '{{.Networks}} {{.Mounts}}')" "none psvol,${long:0:14}…" \
    "ps NETWORKS and MOUNTS"
expect_eq "$(ferry ps -a --no-trunc --filter name=mnt1 --format '{{.Mounts}}')" "psvol,$long" "MOUNTS, --no-trunc"
expect_eq "$(ferry ps --filter name=e1 --format '{{.Networks}}')" bridge "NETWORKS of the default network"
ferry rm -v mnt1 >/dev/null
ferry volume rm psvol >/dev/null
ferry ps --format json >ps.json
python3 - ps.json "${id_e1:0:12}" <<'PY' || fail "ps --format json (above)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
row = json.loads(lines[0])
want = {"Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names",
        "Networks", "Ports", "RunningFor", "Size", "State", "Status"}
assert want <= set(row), sorted(want - set(row))
assert row["ID"] == sys.argv[2] and row["Names"] == "e1" and row["State"] == "running", row
assert row["Command"] == '"sleep 1000"' and row["Image"] == "bb:1", row
PY
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" ps --filter "name=$D-e1" --format '{{json .}}' >docker-ps.json  # (20.10: no --format json)
    python3 - ps.json docker-ps.json <<'PY' || fail "ps --format json has keys docker's lacks (above)"
import json, sys
ferry, docker = (json.loads(open(p).read().splitlines()[0]) for p in sys.argv[1:])
extra = set(ferry) - set(docker)
assert not extra, f"keys docker's ps --format json does not have: {sorted(extra)}"
PY
    expect_eq "$(ferry ps -a --format '{{.Command}}' --filter name=e1 --no-trunc)" \
        "$("$DOCKER" ps -a --format '{{.Command}}' --filter "name=$D-e1" --no-trunc)" "COMMAND, --no-trunc"
    ferry run -d --name q1 bb:1 sh -c 'echo "a b" "c\"d"; sleep 1000' >/dev/null
    "$DOCKER" run -d --network none --name "$D-q1" "$DOCKER_BB" sh -c 'echo "a b" "c\"d"; sleep 1000' >/dev/null
    expect_eq "$(ferry ps --format '{{.Command}}' --filter name=q1)" \
        "$("$DOCKER" ps --format '{{.Command}}' --filter "name=$D-q1")" "COMMAND quoted and cut as docker's"
    ferry rm -f q1 >/dev/null
fi

note "rm of a running container without -f: refused, the container untouched"
expect_fail 1 "ferry: error: You cannot remove a running container $id_e1. Stop the container before attempting removal or force remove" ferry rm e1
expect_eq "$(ctr_status e1)" running "after a refused rm"
if [ -n "$DOCKER_BB" ]; then
    expect_docker_fail 1 "You cannot remove a running container $(docker inspect -f '{{.Id}}' "$D-e1"). Stop the container before attempting removal or force remove" rm "$D-e1"
fi

note "stop: the stop signal, then SIGKILL after -t when it is ignored"
ferry run -d --name deaf bb:1 sh -c 'trap "" TERM; touch /ready; while :; do sleep 1; done' >/dev/null
ctr_wait_file deaf /ready
expect_out deaf ferry stop -t 1 deaf
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.ExitCode}}' deaf)" "exited 137" "a stop signal ignored: SIGKILL"
ferry run -d --name polite bb:1 sh -c 'trap "exit 4" TERM; touch /ready; while :; do sleep 1; done' >/dev/null
ctr_wait_file polite /ready
expect_out polite ferry stop -t 30 polite
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' polite)" 4 "a stop signal obeyed: its status"
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d --network none --name "$D-deaf" "$DOCKER_BB" sh -c 'trap "" TERM; touch /ready; while :; do sleep 1; done' >/dev/null
    for _ in $(seq 100); do "$DOCKER" exec "$D-deaf" test -e /ready 2>/dev/null && break; sleep 0.1; done
    "$DOCKER" stop -t 1 "$D-deaf" >/dev/null
    expect_eq "$("$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$D-deaf")" "exited 137" "docker stop of the same"
fi

note "restart of a stopped container starts it"
expect_out exited1 ferry restart exited1
expect_eq "$(ferry inspect -f '{{.RestartCount}}' exited1)" 0 "restart is not counted as a policy restart"
ctr_wait_exit exited1
expect_eq "$(ferry logs exited1)" "" "logs"
ferry run -d --name once bb:1 sh -c 'echo run' >/dev/null
ctr_wait_exit once
expect_out once ferry restart -t 0 once
ctr_wait_exit once
expect_eq "$(ferry logs once)" "run
run" "a stopped container restarted runs its command again"
expect_out created1 ferry restart created1
ctr_wait_exit created1
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' created1)" 0 "restart of a created container"

note "run of an image that is not there: one line, status 125, nothing created"
before=$(ferry ps -aq | sort)
expect_fail 125 'ferry: error: no such image `nosuch:1`' ferry run --pull never --rm nosuch:1 true
# Without --pull never, docker's wording before its pull (from 127.0.0.1:9: refused).
expect_fail 125 "Unable to find image '127.0.0.1:9/nosuch:1' locally
ferry: error: GET \`http://127.0.0.1:9/v2/nosuch/manifests/1\`: dial tcp 127.0.0.1:9: connect: connection refused" \
    ferry run --name named 127.0.0.1:9/nosuch:1 true
expect_eq "$(ferry ps -aq | sort)" "$before" "containers after runs of a missing image"
ferry run --name named bb:1 true >/dev/null  # the name was not taken
if [ -n "$DOCKER_BB" ]; then
    status=0
    "$DOCKER" run --pull never --rm "$D-nosuch:1" true 2>/dev/null || status=$?
    expect_eq "$status" 125 "docker run --pull never of a missing image: status"
fi
