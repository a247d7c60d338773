# ferry update (issue 8, point 7): --memory, --memory-swap, --cpus, --cpu-shares, --pids-limit
# and --restart, merged into the container's HostConfig as docker's daemon merges them, applied
# at once to a running container's cgroups (also one started without limits, which gets them
# now: runtime/container_update.hpp) and recorded for its next start; docker's messages,
# compared with dockerd's when one answers. Cgroup files are read from the host.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
# cg ID CONTROLLER FILE: a control file of the container's v1 cgroup (v2: its unified one).
cg() {
    if [ -d "/sys/fs/cgroup/$2/ferry/$1" ]; then
        cat "/sys/fs/cgroup/$2/ferry/$1/$3"
    elif [ -f "/sys/fs/cgroup/ferry/$1/$4" ]; then
        cat "/sys/fs/cgroup/ferry/$1/$4"
    else
        echo "no $2 cgroup"
    fi
}
hc() { ferry inspect -f "$2" "$1"; }
V1=0
[ -d /sys/fs/cgroup/memory ] && V1=1
[ "$V1" = 1 ] || note "cgroup v2 host: the v2 files are checked"

note "a running container started without limits gets them at once"
ctr_run u1 bb:1 sleep 1000
id=$(full_id u1)
pid=$(ferry inspect -f '{{.State.Pid}}' u1)
expect_fail 1 "ferry: error: Cannot update container $id: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time" ferry update -m 256m u1
expect_out u1 ferry update -m 256m --memory-swap 512m u1
expect_eq "$(hc u1 '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}')" "268435456 536870912"
if [ "$V1" = 1 ]; then
    expect_eq "$(cg "$id" memory memory.limit_in_bytes)" 268435456 "memory.limit_in_bytes"
    expect_eq "$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")" "/ferry/$id" "the init's memory cgroup"
else
    expect_eq "$(cg "$id" memory x memory.max)" 268435456 "memory.max"
fi
expect_out "u1
u1" ferry update --cpus 0.5 --cpu-shares 512 --pids-limit 100 --restart on-failure:3 u1 u1
expect_eq "$(hc u1 '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}')" \
    "500000000 512 100 on-failure 3"
if [ "$V1" = 1 ]; then
    expect_eq "$(cg "$id" cpu cpu.cfs_quota_us) $(cg "$id" cpu cpu.cfs_period_us) $(cg "$id" cpu cpu.shares) $(cg "$id" pids pids.max)" \
        "50000 100000 512 100" "cpu and pids files"
else
    expect_eq "$(cg "$id" cpu x cpu.max) $(cg "$id" pids x pids.max)" "50000 100000 100" "cpu.max and pids.max"
fi
expect_out u1 ferry update --pids-limit -1 u1
expect_eq "$(hc u1 '{{.HostConfig.PidsLimit}}') $(cg "$id" pids pids.max pids.max)" "0 max" "pids unlimited"
expect_out u1 ferry update -m 128m u1
expect_eq "$(hc u1 '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}')" "134217728 536870912" "memory lowered below the swap limit"
expect_out u1 ferry update --memory-swap -1 u1
expect_eq "$(hc u1 '{{.HostConfig.MemorySwap}}')" -1

note "recorded for the next start; the cgroups made for it go when it exits"
ferry stop -t 0 u1 >/dev/null
expect_eq "$(ferry_cgroups "$id")" "" "cgroups of the stopped container"
ferry start u1 >/dev/null
pid=$(ferry inspect -f '{{.State.Pid}}' u1)
if [ "$V1" = 1 ]; then
    expect_eq "$(cg "$id" memory memory.limit_in_bytes) $(cg "$id" cpu cpu.cfs_quota_us) $(cg "$id" cpu cpu.shares)" \
        "134217728 50000 512" "limits after the restart"
fi
expect_eq "$(hc u1 '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}')" "134217728 500000000"

note "a stopped container: recorded only, applied at start"
ctr_create u2 bb:1 sleep 1000
id2=$(full_id u2)
expect_out u2 ferry update -m 64m --memory-swap 128m --cpu-shares 256 u2
expect_eq "$(ferry_cgroups "$id2")" "" "cgroups of a created container"
ferry start u2 >/dev/null
[ "$V1" = 0 ] || expect_eq "$(cg "$id2" memory memory.limit_in_bytes) $(cg "$id2" cpu cpu.shares)" "67108864 256" "limits at start"

note "a new restart policy reaches the running container's monitor"
ctr_run u3 bb:1 sh -c 'sleep 0.3; exit 3'
expect_out u3 ferry update --restart always u3
for _ in $(seq 100); do [ "$(hc u3 '{{.RestartCount}}')" -ge 1 ] && break; sleep 0.1; done
[ "$(hc u3 '{{.RestartCount}}')" -ge 1 ] || fail "update --restart always: the container was not restarted"
expect_out u3 ferry update --restart no u3
ferry stop -t 0 u3 >/dev/null
expect_eq "$(hc u3 '{{.HostConfig.RestartPolicy.Name}}')" no

note "errors, as docker's"
ferry create --rm --name u4 bb:1 true >/dev/null
expect_fail 1 "ferry: error: Cannot update container $(full_id u4): Restart policy cannot be updated because AutoRemove is enabled for the container" ferry update --restart always u4
expect_fail 1 "ferry: error: you must provide one or more flags when using this command" ferry update u1
expect_fail 1 "ferry: error: Minimum memory limit allowed is 6MB" ferry update -m 1m u1
expect_fail 1 "ferry: error: Minimum memoryswap limit should be larger than memory limit, see usage" ferry update -m 64m --memory-swap 32m u1
n=$(nproc)
expect_fail 1 "ferry: error: Range of CPUs is from 0.01 to $n.00, as there are only $n CPUs available" ferry update --cpus 1000 u1
expect_fail 1 "ferry: error: Cannot update container $id: the minimum allowed cpu-shares is 2" ferry update --cpu-shares 1 u1
expect_fail 1 "ferry: error: invalid restart policy 'bogus'" ferry update --restart bogus u1
expect_fail 125 "ferry: error: invalid argument \"x\" for \"-m, --memory\" flag: invalid size: 'x' (see \`ferry update --help\`)" ferry update -m x u1
expect_fail 1 'ferry: error: no such container `nosuch`' ferry update -m 64m nosuch
expect_contains "$(ferry update --help)" "Update configuration of one or more containers"

note "docker says the same"
if docker_bb; then
    did=$("$DOCKER" run -d --network none --name "$DOCKER_PREFIX-u" "$DOCKER_BB" sleep 1000)
    derr() { "$DOCKER" "$@" 2>&1 >/dev/null | sed -e 's/^Error response from daemon: //' -e "s/$did/ID/"; }
    expect_eq "$(derr update -m 256m "$DOCKER_PREFIX-u")" "Cannot update container ID: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"
    expect_eq "$("$DOCKER" update -m 256m --memory-swap 512m "$DOCKER_PREFIX-u")" "$DOCKER_PREFIX-u"
    expect_eq "$(derr update -m 1m "$DOCKER_PREFIX-u")" "Minimum memory limit allowed is 6MB"
    expect_eq "$(derr update "$DOCKER_PREFIX-u")" "you must provide one or more flags when using this command"
    expect_eq "$(derr update --cpus 1000 "$DOCKER_PREFIX-u")" "Range of CPUs is from 0.01 to $n.00, as there are only $n CPUs available"
    "$DOCKER" update --pids-limit -1 "$DOCKER_PREFIX-u" >/dev/null
    expect_eq "$("$DOCKER" inspect -f '{{.HostConfig.PidsLimit}}' "$DOCKER_PREFIX-u")" 0 "docker: pids limit -1"
    "$DOCKER" rm -f "$DOCKER_PREFIX-u" >/dev/null
    "$DOCKER" create --rm --network none --name "$DOCKER_PREFIX-u4" "$DOCKER_BB" true >/dev/null
    expect_eq "$("$DOCKER" update --restart always "$DOCKER_PREFIX-u4" 2>&1 | sed -e 's/^Error response from daemon: //' -e 's/container [0-9a-f]*:/container ID:/')" \
        "Cannot update container ID: Restart policy cannot be updated because AutoRemove is enabled for the container"
    "$DOCKER" rm -f "$DOCKER_PREFIX-u4" >/dev/null
fi
