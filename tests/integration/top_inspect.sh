# ferry top (ps -ef columns from /proc, host PIDs), ferry inspect / container inspect (docker's
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
expect_eq "$(ferry top r1 -o pid,comm | head -1 | awk '{print $1}')" UID "ps options are ignored"
expect_eq "$(ps -o args= -p "$pid")" "sleep 1002"
expect_fail 125 'ferry: error: container `e1` is not running' ferry top e1
expect_fail 125 'ferry: error: container `c1` is not running' ferry top c1

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
