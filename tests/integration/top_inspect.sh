# ferry top (ps -ef columns from /proc, host PIDs; with ps options the host's ps), ferry inspect / container inspect (docker's
# document, -f templates, containers before images, errors after the output), and ferry
# container prune (stopped containers only, docker's report).
source "$FERRY_SRC/tests/integration/container_lib.sh"

base_image bb:1
ctr_run r1 bb:1 sh -c 'sleep 1001 & exec sleep 1002'
ctr_create c1 bb:1 echo hello
ctr_run e1 bb:1 true
ctr_wait_exit e1

note "top"
pid=$(ferry inspect -f '{{.State.Pid}}' r1)
for i in $(seq 50); do [ "$(ferry top r1 | wc -l)" = 3 ] && break; sleep 0.1; done
out=$(ferry top r1)
expect_eq "$(printf '%s\n' "$out" | head -1)" "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD"
expect_eq "$(printf '%s\n' "$out" | awk 'NR>1 {print $1, $8, $9}' | sort | tr '\n' ' ')" "root sleep 1001 root sleep 1002 "
[[ " $(printf '%s\n' "$out" | awk 'NR>1 {print $2}' | tr '\n' ' ') " == *" $pid "* ]] || fail "top lacks the init's host PID $pid: [$out]"
expect_eq "$(ps -o args= -p "$pid")" "sleep 1002"
note "top with ps options: the host's ps, its lines of the container's processes (docker's daemon)"
kids=$(printf '%s\n' "$out" | awk 'NR>1 {print $2}' | sort -n | tr '\n' ' ')
expect_out "$(printf 'PID                 COMMAND\n'; for p in $kids; do printf '%-20ssleep\n' "$p"; done)" ferry top r1 -o pid,comm
aux=$(ferry top r1 aux)
expect_eq "$(printf '%s\n' "$aux" | head -1 | tr -s ' ')" "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND"
expect_eq "$(printf '%s\n' "$aux" | awk 'NR>1 {print $2, $11, $12}' | sort -n | tr '\n' ' ')" \
    "$(for p in $kids; do printf '%s sleep %s ' "$p" "$(ps -o args= -p "$p" | cut -d' ' -f2)"; done)" "ps aux of the container"
expect_eq "$(ferry top r1 -o pid=PID,comm | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" "$kids" "a renamed pid column"
expect_fail 125 'ferry: error: specifying "user=PID" is not allowed' ferry top r1 -eo user=PID
expect_fail 125 'ferry: error: ps: error: unknown gnu long option' ferry top r1 --bogus
expect_fail 125 "ferry: error: Container $(ferry inspect -f '{{.Id}}' e1) is not running" ferry top e1
expect_fail 125 "ferry: error: Container $(ferry inspect -f '{{.Id}}' c1) is not running" ferry top c1
if docker_up; then
    dbb=$DOCKER_PREFIX/top:1
    "$DOCKER" import -c 'CMD ["/bin/sh"]' "$TEST_TMP/base.tar" "$dbb" >/dev/null
    RUN_CLEANUPS=("$DOCKER rm -f $DOCKER_PREFIX-top >/dev/null 2>&1; $DOCKER rmi -f $dbb >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    "$DOCKER" run -d --network none --name "$DOCKER_PREFIX-top" "$dbb" sh -c 'sleep 1001 & exec sleep 1002' >/dev/null
    for _ in $(seq 50); do [ "$("$DOCKER" top "$DOCKER_PREFIX-top" | wc -l)" = 3 ] && break; sleep 0.1; done
    expect_eq "$("$DOCKER" top "$DOCKER_PREFIX-top" -o pid,comm | sed 's/[0-9][0-9]* /N /')" \
        "$(ferry top r1 -o pid,comm | sed 's/[0-9][0-9]* /N /')" "docker top -o pid,comm"
    expect_eq "$("$DOCKER" top "$DOCKER_PREFIX-top" -eo user=PID 2>&1)" 'Error response from daemon: specifying "user=PID" is not allowed'
    expect_eq "$("$DOCKER" top "$DOCKER_PREFIX-top" --bogus 2>&1)" 'Error response from daemon: ps: error: unknown gnu long option'
fi

note "inspect a container"
ferry container inspect r1 >"$TEST_TMP/r1.json"
id=$(json_get "$TEST_TMP/r1.json" 'd[0]["Id"]')
expect_eq "$(json_get "$TEST_TMP/r1.json" 'list(d[0].keys())')" "['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform', 'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings']"
expect_eq "$(json_get "$TEST_TMP/r1.json" 'list(d[0]["State"].keys())')" "['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']"
expect_eq "$(ferry inspect -f '{{.Name}} {{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.Path}} {{json .Args}}' r1)" \
          "/r1 running true $pid sh [\"-c\",\"sleep 1001 & exec sleep 1002\"]"
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.StartedAt}}' c1)" "created 0 0001-01-01T00:00:00Z"
expect_eq "$(ferry inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}}' e1)" "exited false 0"
expect_eq "$(ferry inspect -f '{{.Image}}' r1)" "$(ferry image inspect -f '{{.Id}}' bb:1)"
expect_eq "$(ferry inspect -f '{{.GraphDriver.Data.UpperDir}}' r1)" "$FERRY_ROOT/containers/$id/upper"
expect_eq "$(ferry inspect -f '{{.Config.Image}} {{json .Config.Cmd}}' c1)" 'bb:1 ["echo","hello"]'
expect_eq "$(ferry inspect -f '{{.Id}}' "${id:0:12}")" "$id" "lookup by ID prefix"

note "inspect: containers first, then images; errors after the output"
expect_eq "$(ferry inspect -f '{{.Id}}' bb:1)" "$(ferry image inspect -f '{{.Id}}' bb:1)"
expect_eq "$(ferry inspect --type image -f '{{.Id}}' bb:1)" "$(ferry image inspect -f '{{.Id}}' bb:1)"
status=0
ferry inspect -f '{{.Name}}' r1 nosuch c1 >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
expect_eq "$status" 1
expect_eq "$(cat "$TEST_TMP/out")" "$(printf '/r1\n/c1')"
expect_eq "$(cat "$TEST_TMP/err")" 'ferry: error: no such object `nosuch`'
expect_fail 1 'ferry: error: no such container `bb:1`' ferry container inspect bb:1
expect_fail 1 'ferry: error: no such image `r1`' ferry inspect --type image r1
expect_fail 1 'ferry: error: No such volume: r1' ferry inspect --type volume r1
expect_fail 1 'ferry: error: no such network: r1' ferry inspect --type network r1
expect_fail 1 'ferry: error: "bogus" is not a valid value for --type' ferry inspect --type bogus r1
expect_eq "$(ferry inspect nosuch 2>/dev/null || true)" "[]"

note "container prune"
echo n | ferry container prune >"$TEST_TMP/out"
expect_eq "$(cat "$TEST_TMP/out")" "WARNING! This will remove all stopped containers.
Are you sure you want to continue? [y/N] "
expect_eq "$(ferry inspect -f '{{.Name}}' c1)" /c1 "declined prune"
c1=$(ferry inspect -f '{{.Id}}' c1)
e1=$(ferry inspect -f '{{.Id}}' e1)
e1_cgroup=$(ls -d /sys/fs/cgroup/*/ferry/"$e1" /sys/fs/cgroup/ferry/"$e1" 2>/dev/null | head -1 || true)
out=$(ferry container prune -f)
[ -z "$e1_cgroup" ] || [ ! -d "$e1_cgroup" ] || fail "prune left the cgroup $e1_cgroup"
first=$(printf '%s\n' "$out" | sed -n 2,3p | sort | tr '\n' ' ')
expect_eq "$first" "$(printf '%s\n%s\n' "$c1" "$e1" | sort | tr '\n' ' ')" "pruned IDs"
expect_eq "$(printf '%s\n' "$out" | head -1)" "Deleted Containers:"
[[ "$(printf '%s\n' "$out" | tail -1)" == "Total reclaimed space: "* ]] || fail "no reclaimed space: [$out]"
expect_eq "$(ctr_status r1)" running "running container kept"
expect_fail 1 'ferry: error: no such container `c1`' ferry container inspect c1
expect_eq "$(ferry container prune -f)" "Total reclaimed space: 0B"
