# ferry run/create, the resource flags as root: --memory (and --memory-swap), --cpus,
# --cpu-shares, --pids-limit and --ulimit. Each limit is read back from inside the container
# (its cgroup's control files, /proc/self/limits) and from the host, compared with what docker
# writes for the same flags where a daemon answers, and shown to bite: an allocation past
# --memory is OOM-killed, a fork past --pids-limit or --ulimit nproc fails. On cgroup v1 and
# hybrid hosts a container without limits runs without a cgroup of its own (device_policy.hpp);
# both cases are checked. Bad values fail with docker's words and status 125.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb
NCPU=$(nproc)

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    V2=1
    MEM_FILES="memory.max memory.swap.max"
    CPU_FILES="cpu.max cpu.weight"
    PIDS_FILE=pids.max
else
    V2=""
    MEM_FILES="memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes"
    CPU_FILES="cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares"
    PIDS_FILE=pids/pids.max
fi
note "cgroup layout: $([ -n "$V2" ] && echo v2 || echo "v1${V2}$([ -d /sys/fs/cgroup/unified ] && echo ' (hybrid)')")"

# cg FLAGS... -- FILES...: the container's control files (paths below /sys/fs/cgroup, as the
# container sees them in its cgroup namespace), one value a line.
cg() {
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    ferry run --rm "${flags[@]}" bb:1 sh -c 'for f; do cat /sys/fs/cgroup/$f; done' sh "$@"
}
# expect_cg WANT FLAGS... -- FILES...: cg prints WANT, and docker's container the same.
expect_cg() {
    local want=$1 flags=()
    shift
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    expect_eq "$(cg "${flags[@]}" -- "$@")" "$want" "$* with [${flags[*]}]"
    expect_docker_out "$want" "${flags[@]}" -- sh -c 'for f; do cat /sys/fs/cgroup/$f; done' sh "$@"
}
nothing_created() { expect_eq "$(ferry ps -aq)" "" "containers after a failed create"; }

note "--memory: the limit, twice that for memory+swap (docker's default), and the OOM killer"
# shellcheck disable=SC2086
if [ -n "$V2" ]; then
    expect_cg "$(printf '67108864\n67108864')" --memory 64m -- $MEM_FILES
    expect_cg "$(printf '67108864\n33554432')" --memory 64m --memory-swap 96m -- $MEM_FILES
    expect_cg "$(printf '67108864\nmax')" --memory 64m --memory-swap -1 -- $MEM_FILES
else
    expect_cg "$(printf '67108864\n134217728')" --memory 64m -- $MEM_FILES
    expect_cg "$(printf '67108864\n100663296')" --memory 64m --memory-swap 96m -- $MEM_FILES
    expect_cg "$(printf '67108864\n9223372036854771712')" --memory 64m --memory-swap -1 -- $MEM_FILES
fi
# An allocation that doubles until it passes the limit (bounded, should the limit not hold).
ctr_create oom --memory 16m --memory-swap 16m bb:1 \
    awk 'BEGIN { s = "x"; while (length(s) < 512 * 1024 * 1024) s = s s; print "not killed" }'
status=0
ferry start -a oom >"$TEST_TMP/oom.out" 2>&1 || status=$?
expect_eq "$status:$(cat "$TEST_TMP/oom.out")" "137:" "an allocation past --memory"
expect_eq "$(ferry inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' oom)" "137 true" "inspect after the OOM kill"
# As docker's: OOMKilled tells of any process the OOM killer took, even when the container's
# own command survives.
ctr_create oom2 --memory 16m --memory-swap 16m bb:1 sh -c \
    'awk "BEGIN { s = \"x\"; while (length(s) < 512 * 1024 * 1024) s = s s }" 2>/dev/null; echo survived'
expect_eq "$(ferry start -a oom2)" survived "a container whose child was OOM-killed"
expect_eq "$(ferry inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' oom2)" "0 true" "inspect after a child's OOM kill"
ctr_create fine --memory 16m bb:1 true
status=0
ferry start -a fine || status=$?  # (a status here once ended the test without a word: say it)
expect_eq "$status $(ferry inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}} [{{.State.Error}}]' fine)" \
    "0 0 false []" "start -a and inspect without an OOM kill"
ferry rm oom oom2 fine >/dev/null
expect_fail 125 "ferry: error: invalid argument \"foo\" for \"-m, --memory\" flag: invalid size: 'foo' (see \`ferry run --help\`)" \
    ferry run --rm --memory foo bb:1 true
expect_fail 125 'ferry: error: Minimum memory limit allowed is 6MB' ferry run --rm --memory 4m bb:1 true
expect_docker_error 'Minimum memory limit allowed is 6MB' --memory 4m
expect_fail 125 'ferry: error: You should always set the Memory limit when using Memoryswap limit, see usage' \
    ferry run --rm --memory-swap 64m bb:1 true
expect_docker_error 'You should always set the Memory limit when using Memoryswap limit, see usage' --memory-swap 64m
expect_fail 125 'ferry: error: Minimum memoryswap limit should be larger than memory limit, see usage' \
    ferry create --memory 64m --memory-swap 32m bb:1 true
expect_docker_error 'Minimum memoryswap limit should be larger than memory limit, see usage' --memory 64m --memory-swap 32m
nothing_created

note "--cpus: a CFS quota over a 100 ms period; --cpu-shares: the relative weight"
# shellcheck disable=SC2086
if [ -n "$V2" ]; then
    expect_cg "$(printf '50000 100000\n100')" --cpus 0.5 -- $CPU_FILES
    expect_cg "$(printf 'max 100000\n20')" --cpu-shares 512 -- $CPU_FILES
    expect_cg "$(printf '150000 100000\n39')" --cpus 1.5 --cpu-shares 1024 -- $CPU_FILES
else
    expect_cg "$(printf '50000\n100000\n1024')" --cpus 0.5 -- $CPU_FILES
    expect_cg "$(printf -- '-1\n100000\n512')" --cpu-shares 512 -- $CPU_FILES
    expect_cg "$(printf '150000\n100000\n1024')" --cpus 1.5 --cpu-shares 1024 -- $CPU_FILES
    expect_cg "$(printf '25000\n100000\n1024')" --cpus 1/4 -- $CPU_FILES
fi
out=$(ferry run --rm --cpu-shares 1 bb:1 sh -c "cat /sys/fs/cgroup/${CPU_FILES##* }" 2>"$TEST_TMP/err")
expect_eq "$out:$(cat "$TEST_TMP/err")" \
    "$([ -n "$V2" ] && echo 1 || echo 2):ferry: warning: Changing requested CPUShares of 1 to minimum allowed of 2" \
    "--cpu-shares below the minimum"
expect_fail 125 "ferry: error: Range of CPUs is from 0.01 to $NCPU.00, as there are only $NCPU CPUs available" \
    ferry run --rm --cpus -1 bb:1 true
expect_docker_error "Range of CPUs is from 0.01 to $NCPU.00, as there are only $NCPU CPUs available" --cpus -1
expect_fail 125 "ferry: error: Range of CPUs is from 0.01 to $NCPU.00, as there are only $NCPU CPUs available" \
    ferry run --rm --cpus $((NCPU + 1)) bb:1 true
expect_docker_error "Range of CPUs is from 0.01 to $NCPU.00, as there are only $NCPU CPUs available" --cpus $((NCPU + 1))
expect_fail 125 "ferry: error: invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number (see \`ferry run --help\`)" \
    ferry run --rm --cpus abc bb:1 true
expect_fail 125 "ferry: error: invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": invalid syntax (see \`ferry run --help\`)" \
    ferry run --rm --cpu-shares x bb:1 true
nothing_created

note "--pids-limit: pids.max, and a fork past it fails"
expect_cg 10 --pids-limit 10 -- $PIDS_FILE
out=$(ferry run --rm --pids-limit 3 bb:1 sh -c 'sleep 100 & sleep 100 & sleep 100 & echo survived' 2>&1) || true
expect_contains "$out" "can't fork" "a fork past --pids-limit"
[[ "$out" != *survived* ]] || fail "a fork past --pids-limit succeeded: [$out]"
expect_fail 125 "ferry: error: invalid argument \"abc\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax (see \`ferry run --help\`)" \
    ferry run --rm --pids-limit abc bb:1 true
nothing_created

note "limits are also seen from the host, in the container's cgroup in every hierarchy"
ctr_run lim --memory 32m --cpus 0.25 --pids-limit 20 bb:1 sleep 1000
id=$(ferry inspect -f '{{.Id}}' lim)
pid=$(ferry inspect -f "{{.State.Pid}}" "$id")
if [ -n "$V2" ]; then
    expect_eq "$(cat /proc/"$pid"/cgroup)" "0::/ferry/$id" "the container's cgroup"
    expect_eq "$(cat /sys/fs/cgroup/ferry/"$id"/memory.max /sys/fs/cgroup/ferry/"$id"/cpu.max /sys/fs/cgroup/ferry/"$id"/pids.max)" \
        "$(printf '33554432\n25000 100000\n20')" "limits seen from the host"
else
    # Every hierarchy, the empty v2 one of a hybrid host included.
    expect_eq "$(grep -v ":/ferry/$id\$" /proc/"$pid"/cgroup)" "" "hierarchies the container is not in"
    expect_eq "$(cat /sys/fs/cgroup/memory/ferry/"$id"/memory.limit_in_bytes /sys/fs/cgroup/cpu/ferry/"$id"/cpu.cfs_quota_us /sys/fs/cgroup/pids/ferry/"$id"/pids.max)" \
        "$(printf '33554432\n25000\n20')" "limits seen from the host"
fi
ferry rm -f lim >/dev/null
for _ in $(seq 100); do [ -z "$(ferry_cgroups "$id")" ] && break; sleep 0.05; done
expect_eq "$(ferry_cgroups "$id")" "" "cgroups left after rm -f"

note "without limits: no v1 cgroup of its own (runtime/freezer.hpp): on hybrid hosts only a tracking cgroup of the v2 hierarchy, on pure v1 none, on v2 its cgroup"
ctr_run nolim bb:1 sleep 1000
id=$(ferry inspect -f '{{.Id}}' nolim)
pid=$(ferry inspect -f "{{.State.Pid}}" "$id")
if [ -n "$V2" ]; then
    expect_eq "$(cat /proc/"$pid"/cgroup)" "0::/ferry/$id" "the cgroup of a container without limits"
elif [ -d /sys/fs/cgroup/unified ]; then
    expect_eq "$(ferry_cgroups "$id")" "/sys/fs/cgroup/unified/ferry/$id" "cgroups of a container without limits"
    expect_eq "$(grep ":/ferry/$id\$" /proc/"$pid"/cgroup)" "0::/ferry/$id" "hierarchies of a container without limits"
else
    expect_eq "$(ferry_cgroups "$id")" "" "cgroups of a container without limits"
    expect_eq "$(grep -c ":/ferry/$id\$" /proc/"$pid"/cgroup)" 0 "hierarchies of a container without limits"
fi
ferry rm -f nolim >/dev/null

note "--ulimit NAME=SOFT[:HARD]: the limits of the process, lowered as asked"
LIMITS_CMD=(sh -c 'grep -E "^Max (open files|processes|core file size)" /proc/self/limits; ulimit -n')
want=$(printf '%-25s %-20s %-20s %-10s\n' "Max core file size" 0 0 bytes "Max processes" 300 600 processes "Max open files" 512 1024 files | sed 's/ *$//')
got=$(ferry run --rm --ulimit nofile=512:1024 --ulimit nproc=300:600 --ulimit core=0 bb:1 "${LIMITS_CMD[@]}" | sed 's/ *$//')
expect_eq "$got" "$(printf '%s\n512' "$want")" "/proc/self/limits with --ulimit"
[ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none --ulimit nofile=512:1024 --ulimit nproc=300:600 --ulimit core=0 "$DOCKER_BB" "${LIMITS_CMD[@]}" | sed 's/ *$//')" \
    "$got" "/proc/self/limits with --ulimit in docker"
expect_out "$(printf '100\n100')" ferry run --rm --ulimit nofile=64:128 --ulimit nofile=100 bb:1 sh -c 'ulimit -n; ulimit -Hn'
# nproc counts the processes of a user: an unused uid, so that nothing else counts.
out=$(ferry run --rm -u 53731 --ulimit nproc=2 bb:1 sh -c 'sleep 100 & sleep 100 & echo survived' 2>&1) || true
expect_contains "$out" "can't fork" "a fork past --ulimit nproc"
[[ "$out" != *survived* ]] || fail "a fork past --ulimit nproc succeeded: [$out]"
expect_fail 125 "ferry: error: invalid argument \"bogus=1\" for \"--ulimit\" flag: invalid ulimit type: bogus (see \`ferry run --help\`)" \
    ferry run --rm --ulimit bogus=1 bb:1 true
expect_fail 125 "ferry: error: invalid argument \"nofile=2048:1024\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024 (see \`ferry run --help\`)" \
    ferry run --rm --ulimit nofile=2048:1024 bb:1 true
nothing_created
# Past ferry's own hard limit only with CAP_SYS_RESOURCE (which the machine may not give).
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ]; then
    above=$((hard + 1))
    if grep -q '^CapBnd:' /proc/self/status && [ $((0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24 & 1)) = 1 ]; then
        expect_out "$above" ferry run --rm --ulimit nofile=$above bb:1 sh -c 'ulimit -n'
    else
        expect_fail 125 "ferry: error: container init: set RLIMIT_NOFILE to $above:$above: Operation not permitted (raising a hard limit needs CAP_SYS_RESOURCE)" \
            ferry run --rm --ulimit nofile=$above bb:1 true
        nothing_created
    fi
fi

note "create + inspect: the HostConfig docker records for the same flags"
LIMIT_FLAGS=(--memory 64m --memory-swap 128m --cpus 1.5 --cpu-shares 512 --pids-limit 50 --ulimit nofile=512:1024 --shm-size 32m)
FIELDS='json.dumps({k: d[0]["HostConfig"][k] for k in ("Memory", "MemorySwap", "NanoCpus", "CpuShares", "PidsLimit", "Ulimits", "ShmSize")}, sort_keys=True)'
ctr_create hc "${LIMIT_FLAGS[@]}" bb:1 true
ferry inspect hc >"$TEST_TMP/hc.json"
got=$(json_get "$TEST_TMP/hc.json" "$FIELDS")
expect_eq "$got" '{"CpuShares": 512, "Memory": 67108864, "MemorySwap": 134217728, "NanoCpus": 1500000000, "PidsLimit": 50, "ShmSize": 33554432, "Ulimits": [{"Hard": 1024, "Name": "nofile", "Soft": 512}]}' "HostConfig"
if [ -n "$DOCKER_BB" ]; then
    did=$("$DOCKER" create --network none "${LIMIT_FLAGS[@]}" "$DOCKER_BB" true)
    RUN_CLEANUPS=("$DOCKER rm -f $did >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    "$DOCKER" inspect "$did" >"$TEST_TMP/hc-docker.json"
    expect_eq "$(json_get "$TEST_TMP/hc-docker.json" "$FIELDS")" "$got" "HostConfig in docker"
fi
ferry rm hc >/dev/null
