# ferry history (imported and committed images: rows, CREATED BY cut to 45 with …, sizes,
# comments, -q, --no-trunc, -H/--human=false, --format), commit -m/-a/-c as image inspect's
# .Comment/.Author/.Config, and ferry info (docker's layout, counts, host facts, --format, GPUs
# found by discovery); compared with docker where a daemon answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

note "history of an imported image: one row, docker's table"
ferry import -q -m "imported msg" -c 'CMD ["/bin/sh"]' "$TEST_TMP/bb.tar" hi:1 >/dev/null
iid=$(ferry image inspect -f '{{.Id}}' hi:1)
size=$(ferry history --format '{{.Size}}' hi:1)
[[ "$size" =~ ^[0-9.]+[kM]B$ ]] || fail "size [$size]"
bytes=$(ferry history --human=false --format '{{.Size}}' hi:1)
[[ "$bytes" =~ ^[0-9]+$ ]] || fail "--human=false size [$bytes]"
at=$(ferry history --format '{{.CreatedAt}}' hi:1)
[[ "$at" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$ ]] ||
    fail "CreatedAt [$at]"
# docker's tabwriter: cells padded to the widest plus 3, at least 10; the last column unpadded.
expect_out "$(printf '%-15s%-23s%-13s%-10s%s\n' IMAGE "CREATED AT" "CREATED BY" SIZE COMMENT \
                 "${iid:7:12}" "$at" "" "$bytes" "imported msg")" ferry history --human=false hi:1
expect_eq "$(ferry history hi:1 | head -1 | sed -E 's/ {2,}/|/g')" "IMAGE|CREATED|CREATED BY|SIZE|COMMENT"
expect_out "${iid:7:12}" ferry history -q hi:1
expect_out "$iid" ferry history -q --no-trunc hi:1
created=$(ferry history --human=false --format '{{.CreatedSince}}' hi:1)
expect_eq "$created" "$at" "CreatedSince without -H"
expect_eq "$(ferry history --format json hi:1 | python3 -c 'import json,sys; print(sorted(json.loads(sys.stdin.read())))')" \
    "['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size']"
if [ -n "$DOCKER_BB" ]; then
    r=$DOCKER_PREFIX/hi:1
    "$DOCKER" import -m "imported msg" -c 'CMD ["/bin/sh"]' "$TEST_TMP/bb.tar" "$r" >/dev/null
    RUN_CLEANUPS=("$DOCKER rmi -f $r >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    f='{{.CreatedBy}}|{{.Size}}|{{.Comment}}'
    expect_eq "$("$DOCKER" history --format "$f" "$r")" "$(ferry history --format "$f" hi:1)" "docker history"
    expect_eq "$("$DOCKER" history --human=false --format '{{.Size}}' "$r")" "$bytes" "docker's raw size"
    expect_eq "$("$DOCKER" history --format '{{json .}}' "$r" | python3 -c 'import json,sys; print(sorted(json.loads(sys.stdin.read())))')" \
        "['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size']" "docker's JSON keys"
fi

note "commit -m/-a/-c: a history row for the container's command; .Comment, .Author, .Config"
cmd='echo hi > /data/new; rm /etc/group; mkdir -p /d3/x; echo a > /home/user/z'
ferry run --name hc bb:1 sh -c "$cmd"
ferry commit -m "my message" -a "Me <me@x>" -c 'LABEL a=b' hc hc:1 >/dev/null
cid=$(ferry image inspect -f '{{.Id}}' hc:1)
expect_eq "$(ferry history --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}' hc:1)" \
"${cid:7:12}|sh -c echo hi > /data/new; rm /etc/group; mk…|5B|my message
<missing>||$(ferry history --format '{{.Size}}' bb:1)|Imported from -" "committed history"
expect_eq "$(ferry history --no-trunc --format '{{.CreatedBy}}' hc:1 | head -1)" "sh -c $cmd"
expect_eq "$(ferry history -q hc:1 | tr '\n' ' ')" "${cid:7:12} <missing> "
expect_eq "$(ferry image inspect -f '{{.Comment}}|{{.Author}}|{{json .Config.Labels}}' hc:1)" \
    'my message|Me <me@x>|{"a":"b"}'
if [ -n "$DOCKER_BB" ]; then
    d=$DOCKER_PREFIX-hc
    "$DOCKER" run --network none --name "$d" "$DOCKER_BB" sh -c "$cmd"
    "$DOCKER" commit -m "my message" -a "Me <me@x>" -c 'LABEL a=b' "$d" "$DOCKER_PREFIX/hc:1" >/dev/null
    RUN_CLEANUPS=("$DOCKER rmi -f $DOCKER_PREFIX/hc:1 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    f='{{.CreatedBy}}|{{.Size}}|{{.Comment}}'
    expect_eq "$("$DOCKER" history --format "$f" "$DOCKER_PREFIX/hc:1" | head -1)" \
        "$(ferry history --format "$f" hc:1 | head -1)" "docker history of a commit"
    expect_eq "$("$DOCKER" image inspect -f '{{.Comment}}|{{.Author}}|{{json .Config.Labels}}' "$DOCKER_PREFIX/hc:1")" \
        'my message|Me <me@x>|{"a":"b"}' "docker's inspect of a commit"
fi
expect_fail 1 'ferry: error: no such image `nosuch`' ferry history nosuch

note "info: docker's layout, the store's counts, the host as docker reports it"
ferry run -d --name running bb:1 sleep 100 >/dev/null
ctr_create created bb:1
ferry info >"$TEST_TMP/info"
expect_eq "$(sed -n '1,11p' "$TEST_TMP/info")" "Client:
 Version:    $(ferry version -f "{{.Client.Version}}")
 Context:    default
 Debug Mode: false

Server:
 Containers: 3
  Running: 1
  Paused: 0
  Stopped: 2
 Images: 3"
for line in " Storage Driver: overlayfs" " Logging Driver: json-file" " Default Runtime: ferry" \
            " Docker Root Dir: $FERRY_ROOT" " OSType: linux" "  seccomp" "   Profile: builtin" \
            " Cgroup Driver: cgroupfs" " Swarm: inactive" " Live Restore Enabled: false"; do
    grep -qxF -- "$line" "$TEST_TMP/info" || fail "info has no line [$line]"
done
expect_eq "$(tail -c 2 "$TEST_TMP/info" | od -An -c | tr -d ' ')" '\n\n' "a blank line at the end"
expect_eq "$(ferry info -f '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}} {{.Images}} {{.DefaultRuntime}}')" \
    "3 1 2 3 ferry"
expect_eq "$(ferry info --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["DockerRootDir"], d["OSType"], d["ClientInfo"]["Context"])')" \
    "$FERRY_ROOT linux default"
cgroup_version=1
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cgroup_version=2
expect_eq "$(ferry info -f '{{.CgroupVersion}}')" "$cgroup_version" "cgroup version"
expect_eq "$(ferry info -f '{{.KernelVersion}} {{.Architecture}} {{.NCPU}}')" "$(uname -r) $(uname -m) $(nproc)"
expect_eq "$(ferry info -f '{{.MemTotal}}')" "$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024 ))"
if [ -n "$DOCKER_BB" ]; then
    f='{{.CgroupVersion}} {{.KernelVersion}} {{.OperatingSystem}} {{.OSType}} {{.Architecture}} {{.NCPU}} {{.MemTotal}} {{.Name}}'
    expect_eq "$(ferry info -f "$f")" "$("$DOCKER" info -f "$f")" "docker info's host facts"
    # Every key ferry prints is one of docker's (CDISpecDirs, DiscoveredDevices: docker 25+'s).
    extra=$(python3 - <(ferry info -f json) <("$DOCKER" info -f '{{json .}}') <<'PY'
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(" ".join(k for k in ours if k not in theirs and k not in ("CDISpecDirs", "DiscoveredDevices")))
PY
)
    expect_eq "$extra" "" "keys docker's info does not have"
fi

note "info: the GPUs discovery finds, as docker 28 lists CDI devices"
"$FERRY_SRC/tests/gpu/make_fake_driver_root.sh" "$TEST_TMP/gpuroot" 2 550.54.14 2>/dev/null
FERRY_HOST_ROOT=$TEST_TMP/gpuroot ferry info >"$TEST_TMP/info-gpu"
expect_eq "$(sed -n '/^ Discovered Devices:$/,/^ Swarm/p' "$TEST_TMP/info-gpu")" " Discovered Devices:
  cdi: nvidia.com/gpu=0
  cdi: nvidia.com/gpu=1
 Swarm: inactive"
expect_eq "$(FERRY_HOST_ROOT=$TEST_TMP/gpuroot ferry info -f '{{json .DiscoveredDevices}}')" \
    '[{"Source":"cdi","ID":"nvidia.com/gpu=0"},{"Source":"cdi","ID":"nvidia.com/gpu=1"}]'
if grep -q 'Discovered Devices' "$TEST_TMP/info"; then fail "GPUs listed on a host without them"; fi
ferry stop -t 0 running >/dev/null
