# ferry run/create, the flags that shape what surrounds the process, as root: HOSTNAME,
# --group-add, --cpuset-cpus/--cpuset-mems, --memory-reservation, --sysctl, --cidfile,
# --volumes-from, --uts, --cgroupns, --platform, --pull, --runtime and relative -v sources.
# Each is proved from inside the container (and the host's cgroup files), compared with docker
# where a daemon answers; bad values fail with docker's words and status 125, creating nothing.
# (run_attach_logs.sh covers -a, --sig-proxy and the log drivers.)
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

# nothing_created: no container was left by a failed create.
nothing_created() { expect_eq "$(ferry ps -aq)" "" "containers after a failed create"; }
# expect_docker_error_has TEXT FLAGS...: docker's run fails with a message containing TEXT (its
# runtime wraps the words of runc that ferry gives alone).
expect_docker_error_has() {
    local want=$1 got flags
    shift
    [ -n "$DOCKER_BB" ] || return 0
    mapfile -t flags < <(docker_flags "$@")
    got=$("$DOCKER" run --rm "${flags[@]}" "$DOCKER_BB" true 2>&1) && fail "docker run $*: succeeded"
    expect_contains "$got" "$want" "docker run $*"
}
# host_field ID KEY: a HostConfig field of a container, as JSON.
host_field() { ferry inspect -f "{{json .HostConfig.$2}}" "$1"; }

note "HOSTNAME: the container's hostname, as docker sets it"
expect_out "box box" ferry run --rm -h box bb:1 sh -c 'echo $HOSTNAME $(hostname)'
expect_docker_out "box box" -h box -- sh -c 'echo $HOSTNAME $(hostname)'
expect_out "$(hostname) $(hostname)" ferry run --rm --network host bb:1 sh -c 'echo $HOSTNAME $(hostname)'
for net in none default; do
    id=$(ferry create --network $net bb:1 sh -c 'echo $HOSTNAME $(hostname)')
    expect_out "${id:0:12} ${id:0:12}" ferry start -a "$id"
    ferry rm "$id" >/dev/null
done
expect_out "x box" ferry run --rm -h box -e HOSTNAME=x bb:1 sh -c 'echo $HOSTNAME $(hostname)'
expect_docker_out "x box" -h box -e HOSTNAME=x -- sh -c 'echo $HOSTNAME $(hostname)'

note "--group-add: groups by name or id, from the image's /etc/group"
expect_out "uid=0(root) gid=0(root) groups=0(root),1000(grp),2000(extra)" \
    ferry run --rm --group-add 2000 --group-add grp bb:1 id
expect_docker_out "uid=0(root) gid=0(root) groups=0(root),1000(grp),2000(extra)" \
    --group-add 2000 --group-add grp -- id
expect_out "uid=1000(user) gid=1000(grp) groups=0(root),1000(grp),2000(extra)" \
    ferry run --rm -u 1000 --group-add root bb:1 id
expect_docker_out "uid=1000(user) gid=1000(grp) groups=0(root),1000(grp),2000(extra)" \
    -u 1000 --group-add root -- id
expect_out "uid=0(root) gid=0(root) groups=0(root),99999" ferry run --rm --group-add 99999 bb:1 id
expect_docker_out "uid=0(root) gid=0(root) groups=0(root),99999" --group-add 99999 -- id
expect_fail 125 'ferry: error: Unable to find group nosuch: no matching entries in group file' \
    ferry run --rm --group-add nosuch bb:1 true
expect_docker_error 'Unable to find group nosuch: no matching entries in group file' --group-add nosuch
expect_fail 125 'ferry: error: uids and gids must be in range 0-2147483647' \
    ferry create --group-add -5 bb:1 true
expect_docker_error 'uids and gids must be in range 0-2147483647' --group-add -5
nothing_created
ctr_create ga --group-add 2000 --group-add grp bb:1 true
expect_eq "$(host_field ga GroupAdd)" '["2000","grp"]' "HostConfig.GroupAdd"
ferry rm ga >/dev/null

note "--cpuset-cpus / --cpuset-mems: the container's cpuset, within the host's"
if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
    CPUSET=/sys/fs/cgroup/cpuset
    host_cpus=$(cat $CPUSET/cpuset.cpus)
    host_mems=$(cat $CPUSET/cpuset.mems)
elif [ -f /sys/fs/cgroup/cpuset.cpus.effective ]; then
    CPUSET=/sys/fs/cgroup
    host_cpus=$(cat $CPUSET/cpuset.cpus.effective)
    host_mems=$(cat $CPUSET/cpuset.mems.effective)
else
    CPUSET=""
fi
if [ -n "$CPUSET" ]; then
    last=$(($(nproc) - 1))
    expect_out "$(printf 'Cpus_allowed_list:\t%s' $last)" \
        ferry run --rm --cpuset-cpus $last --cpuset-mems 0 bb:1 grep Cpus_allowed_list /proc/self/status
    expect_docker_out "$(printf 'Cpus_allowed_list:\t%s' $last)" --cpuset-cpus $last --cpuset-mems 0 -- \
        grep Cpus_allowed_list /proc/self/status
    ctr_run cs --cpuset-cpus $last --cpuset-mems 0 bb:1 sleep 300
    cs=$(full_id cs)
    dir=$(ferry_cgroups "$cs" | grep -m1 cpuset || true)
    [ -n "$dir" ] || dir=$(ferry_cgroups "$cs" | head -1)
    expect_eq "$(cat "$dir/cpuset.cpus")" "$last" "the container's cgroup cpuset.cpus"
    expect_eq "$(cat "$dir/cpuset.mems")" 0 "the container's cgroup cpuset.mems"
    expect_eq "$(host_field cs CpusetCpus) $(host_field cs CpusetMems)" "\"$last\" \"0\"" "HostConfig cpusets"
    ferry rm -f cs >/dev/null
    expect_fail 125 "ferry: error: Requested CPUs are not available - requested 999, available: $host_cpus" \
        ferry run --rm --cpuset-cpus 999 bb:1 true
    expect_docker_error "Requested CPUs are not available - requested 999, available: $host_cpus" --cpuset-cpus 999
    expect_fail 125 'ferry: error: Invalid value abc for cpuset cpus: invalid format: abc' \
        ferry run --rm --cpuset-cpus abc bb:1 true
    expect_docker_error 'Invalid value abc for cpuset cpus: invalid format: abc' --cpuset-cpus abc
    expect_fail 125 "ferry: error: Requested memory nodes are not available - requested 63, available: $host_mems" \
        ferry create --cpuset-mems 63 bb:1 true
    expect_docker_error "Requested memory nodes are not available - requested 63, available: $host_mems" --cpuset-mems 63
    expect_fail 125 'ferry: error: Invalid value x for cpuset mems: invalid format: x' \
        ferry run --rm --cpuset-mems x bb:1 true
    expect_docker_error 'Invalid value x for cpuset mems: invalid format: x' --cpuset-mems x
    nothing_created
else
    note "no cpuset controller on this host: --cpuset-* not proved"
fi

note "--memory-reservation: the memory cgroup's soft limit (v1) or memory.low (v2)"
if [ -d /sys/fs/cgroup/memory ]; then soft=/sys/fs/cgroup/memory/memory.soft_limit_in_bytes; else soft=/sys/fs/cgroup/memory.low; fi
expect_out 104857600 ferry run --rm --memory-reservation 100m bb:1 cat $soft
expect_docker_out 104857600 --memory-reservation 100m -- cat $soft
ctr_create mr --memory-reservation 100m -m 200m bb:1 true
expect_eq "$(host_field mr MemoryReservation) $(host_field mr Memory)" "104857600 209715200" "HostConfig memory"
ferry rm mr >/dev/null
expect_fail 125 'ferry: error: Minimum memory reservation allowed is 6MB' \
    ferry run --rm --memory-reservation 1m bb:1 true
expect_docker_error 'Minimum memory reservation allowed is 6MB' --memory-reservation 1m
expect_fail 125 'ferry: error: Minimum memory limit can not be less than memory reservation limit, see usage' \
    ferry run --rm --memory-reservation 100m -m 50m bb:1 true
expect_docker_error 'Minimum memory limit can not be less than memory reservation limit, see usage' \
    --memory-reservation 100m -m 50m
expect_fail 125 "ferry: error: invalid argument \"abc\" for \"--memory-reservation\" flag: invalid size: 'abc' (see \`ferry run --help\`)" \
    ferry run --rm --memory-reservation abc bb:1 true
nothing_created

note "--sysctl: docker's namespaced sysctls, where the container's namespaces allow them"
expect_out "$(printf '1\n9000\n20')" ferry run --rm --network none --sysctl net.ipv4.ip_forward=1 \
    --sysctl kernel.msgmax=9000 --sysctl fs.mqueue.msg_max=20 bb:1 \
    cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/fs/mqueue/msg_max
expect_docker_out "$(printf '1\n9000\n20')" --sysctl net.ipv4.ip_forward=1 \
    --sysctl kernel.msgmax=9000 --sysctl fs.mqueue.msg_max=20 -- \
    cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/fs/mqueue/msg_max
expect_eq "$(cat /proc/sys/kernel/msgmax)" "$(ferry run --rm bb:1 cat /proc/sys/kernel/msgmax)" "msgmax without --sysctl"
for s in vm.swappiness=1 kernel.domainname=x foo; do
    expect_fail 125 "ferry: error: invalid argument \"$s\" for \"--sysctl\" flag: sysctl '$s' is not allowed (see \`ferry run --help\`)" \
        ferry run --rm --sysctl "$s" bb:1 true
    # docker 20.10's and 28.2's CLI still say "is not whitelisted"; the current source "is not
    # allowed".
    expect_docker_error_has "invalid argument \"$s\" for \"--sysctl\" flag: sysctl '$s' is not" --sysctl "$s"
done
expect_fail 125 'ferry: error: sysctl "net.ipv4.ip_forward" not allowed in host network namespace' \
    ferry run --rm --network host --sysctl net.ipv4.ip_forward=1 bb:1 true
expect_docker_error_has 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace' \
    --network host --sysctl net.ipv4.ip_forward=1
expect_fail 125 'ferry: error: sysctl "kernel.msgmax" is not allowed in the hosts ipc namespace' \
    ferry run --rm --ipc host --sysctl kernel.msgmax=9000 bb:1 true
expect_docker_error_has 'sysctl "kernel.msgmax" is not allowed in the hosts ipc namespace' \
    --ipc host --sysctl kernel.msgmax=9000
nothing_created
ctr_create sy --network none --sysctl net.ipv4.ip_forward=1 bb:1 true
expect_eq "$(host_field sy Sysctls)" '{"net.ipv4.ip_forward":"1"}' "HostConfig.Sysctls"
ferry rm sy >/dev/null

note "--cidfile: the ID written once created; an existing file refused"
ferry run --rm --cidfile "$TEST_TMP/run.cid" bb:1 true
[[ "$(cat "$TEST_TMP/run.cid")" =~ ^[0-9a-f]{64}$ ]] || fail "cidfile of run: [$(cat "$TEST_TMP/run.cid")]"
id=$(ferry create --cidfile "$TEST_TMP/create.cid" bb:1 true)
expect_eq "$(cat "$TEST_TMP/create.cid")" "$id" "cidfile of create (no newline)"
expect_eq "$(stat -c %a "$TEST_TMP/create.cid")" 644 "cidfile mode"
expect_eq "$(host_field "$id" ContainerIDFile)" "\"$TEST_TMP/create.cid\"" "HostConfig.ContainerIDFile"
ferry rm "$id" >/dev/null
expect_fail 125 "ferry: error: container ID file found, make sure the other container isn't running or delete $TEST_TMP/run.cid" \
    ferry run --rm --cidfile "$TEST_TMP/run.cid" bb:1 true
expect_docker_error "container ID file found, make sure the other container isn't running or delete $TEST_TMP/run.cid" \
    --cidfile "$TEST_TMP/run.cid"
# docker's client exits 127 here (its "no such file or directory" rule); ferry's run fails 125.
expect_fail 125 'ferry: error: failed to create the container ID file: open /nonexistent/dir/cid: no such file or directory' \
    ferry run --rm --cidfile /nonexistent/dir/cid bb:1 true
expect_docker_error 'failed to create the container ID file: open /nonexistent/dir/cid: no such file or directory' \
    --cidfile /nonexistent/dir/cid
# A create that fails takes its file away again.
expect_fail 125 'ferry: error: no such image `nosuch:1`' ferry run --rm --cidfile "$TEST_TMP/failed.cid" --pull never nosuch:1 true
[ ! -e "$TEST_TMP/failed.cid" ] || fail "the cidfile of a failed create is left"
nothing_created

note "--volumes-from: the other container's binds and volumes (not its tmpfs), :ro or as they were"
mkdir -p "$TEST_TMP/vsrc" "$TEST_TMP/other"
echo hostfile >"$TEST_TMP/vsrc/f"
ctr_create src -v "$TEST_TMP/vsrc:/hostdir" -v /anon -v named:/named --tmpfs /tm bb:1 true
probe='cat /hostdir/f; ls -d /anon /named; ls -d /tm 2>&1; touch /hostdir/w /anon/a /named/n && echo wrote'
want=$(printf 'hostfile\n/anon\n/named\nls: /tm: No such file or directory\nwrote')
expect_out "$want" ferry run --rm --volumes-from src bb:1 sh -c "$probe"
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" create --network none --name "$DOCKER_PREFIX-src" -v "$TEST_TMP/vsrc:/hostdir" -v /anon \
        -v "$DOCKER_PREFIX-named:/named" --tmpfs /tm "$DOCKER_BB" true >/dev/null
    RUN_CLEANUPS+=("$DOCKER rm -f -v $DOCKER_PREFIX-src >/dev/null 2>&1; $DOCKER volume rm $DOCKER_PREFIX-named >/dev/null 2>&1")
    expect_docker_out "$want" --volumes-from "$DOCKER_PREFIX-src" -- sh -c "$probe"
fi
# The anonymous volume is shared, not a new one: what one container wrote, the next sees.
expect_out "/anon/a" ferry run --rm --volumes-from src bb:1 ls /anon/a
probe='touch /hostdir/w2 /anon/b /named/m 2>&1'
want=$(printf 'touch: /hostdir/w2: Read-only file system\ntouch: /anon/b: Read-only file system\ntouch: /named/m: Read-only file system')
expect_eq "$(ferry run --rm --volumes-from src:ro bb:1 sh -c "$probe" || true)" "$want" "--volumes-from src:ro"
[ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none --volumes-from "$DOCKER_PREFIX-src:ro" "$DOCKER_BB" sh -c "$probe" || true)" \
    "$want" "docker --volumes-from src:ro"
expect_out "wrote" ferry run --rm --volumes-from src:rw bb:1 sh -c 'touch /anon/c && echo wrote'
# The container's own -v at the same place wins; chains go through.
expect_out "" ferry run --rm --volumes-from src -v "$TEST_TMP/other:/hostdir" bb:1 ls /hostdir
ctr_create mid --volumes-from src:ro bb:1 true
expect_out "hostfile" ferry run --rm --volumes-from mid bb:1 cat /hostdir/f
expect_eq "$(host_field mid VolumesFrom)" '["src:ro"]' "HostConfig.VolumesFrom"
ferry inspect mid >"$TEST_TMP/mid.json"
expect_eq "$(json_get "$TEST_TMP/mid.json" '" ".join(sorted(m["Destination"] + ":" + str(m["RW"]) for m in d[0]["Mounts"] if m["Destination"] in ("/anon", "/hostdir", "/named")))')" \
    "/anon:False /hostdir:False /named:False" "Mounts of mid"
# Removing a container that took them over removes none of them.
ferry inspect src >"$TEST_TMP/src.json"
anon=$(json_get "$TEST_TMP/src.json" '[m["Name"] for m in d[0]["Mounts"] if m["Destination"] == "/anon"][0]')
ferry rm -v mid >/dev/null
expect_contains "$(ferry volume ls -q)" "$anon" "src's anonymous volume after rm -v of mid"
expect_fail 125 'ferry: error: invalid mode: xx' ferry run --rm --volumes-from src:xx bb:1 true
expect_docker_error 'invalid mode: xx' --volumes-from "${DOCKER_PREFIX}-src:xx"
expect_fail 125 'ferry: error: no such container `nosuch`' ferry create --volumes-from nosuch bb:1 true
expect_docker_error 'No such container: nosuch' --volumes-from nosuch
expect_eq "$(ferry ps -aq | wc -l)" 1 "containers after the failed creates (src)"
ferry rm -v src >/dev/null

note "--uts host: the host's uts namespace (HOSTNAME stays docker's)"
expect_out "$(readlink /proc/self/ns/uts)" ferry run --rm --uts host bb:1 readlink /proc/self/ns/uts
id=$(ferry create --network none --uts host bb:1 sh -c 'echo $HOSTNAME $(hostname)')
expect_out "${id:0:12} $(hostname)" ferry start -a "$id"
expect_eq "$(host_field "$id" UTSMode)" '"host"' "HostConfig.UTSMode"
ferry rm "$id" >/dev/null
[ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none --uts host "$DOCKER_BB" hostname)" "$(hostname)" "docker --uts host"
expect_fail 125 'ferry: error: conflicting options: hostname and the UTS mode' ferry run --rm --uts host -h box bb:1 true
expect_docker_error 'conflicting options: hostname and the UTS mode' --uts host -h box
expect_fail 125 "ferry: error: --uts: invalid UTS mode" ferry run --rm --uts private bb:1 true
expect_docker_error '--uts: invalid UTS mode' --uts private
nothing_created

note "--cgroupns: docker's default (private on cgroup v2, host on v1), either on request"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then default=private; else default=host; fi
host_ns=$(readlink /proc/self/ns/cgroup)
# A container with a limit has a cgroup of its own on every layout.
for mode in host private; do
    out=$(ferry run --rm --cgroupns $mode --pids-limit 100 bb:1 sh -c 'readlink /proc/self/ns/cgroup; grep -m1 -E "^[0-9]+:(pids)?:" /proc/self/cgroup | cut -d: -f3; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; true')
    ns=$(printf '%s\n' "$out" | sed -n 1p) path=$(printf '%s\n' "$out" | sed -n 2p) max=$(printf '%s\n' "$out" | sed -n 3p)
    if [ $mode = host ]; then
        expect_eq "$ns" "$host_ns" "--cgroupns host: namespace"
        expect_contains "$path" "/ferry/" "--cgroupns host: /proc/self/cgroup shows the host's path"
    else
        [ "$ns" != "$host_ns" ] && [ -n "$ns" ] || fail "--cgroupns private: the host's namespace [$ns]"
        expect_eq "$path" "/" "--cgroupns private: /proc/self/cgroup"
    fi
    # Either way the cgroup mount shows the container's own cgroup, not the host's tree.
    expect_eq "$max" 100 "--cgroupns $mode: pids.max under /sys/fs/cgroup"
done
if [ $default = host ]; then
    expect_out "$host_ns" ferry run --rm bb:1 readlink /proc/self/ns/cgroup
    [ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none "$DOCKER_BB" readlink /proc/self/ns/cgroup)" "$host_ns" "docker's default cgroupns"
fi
ctr_create cg bb:1 true
expect_eq "$(host_field cg CgroupnsMode)" "\"$default\"" "HostConfig.CgroupnsMode by default"
ferry rm cg >/dev/null
expect_fail 125 'ferry: error: --cgroupns: invalid CGROUP mode' ferry run --rm --cgroupns bogus bb:1 true
expect_docker_error '--cgroupns: invalid CGROUP mode' --cgroupns bogus
nothing_created

note "--platform: the image's platform must match"
arch=$(ferry image inspect -f '{{.Architecture}}' bb:1)
if [ "$arch" = amd64 ]; then other=arm64; else other=amd64; fi
expect_out ok ferry run --rm --platform "linux/$arch" bb:1 echo ok
expect_out ok ferry run --rm --platform "$arch" bb:1 echo ok
expect_fail 125 "ferry: error: image with reference bb:1 was found but does not match the specified platform: wanted linux/$other, actual: linux/$arch" \
    ferry run --rm --platform "linux/$other" bb:1 true
expect_docker_error "image with reference $DOCKER_BB was found but does not match the specified platform: wanted linux/$other, actual: linux/$arch" \
    --pull never --platform "linux/$other"
# An image of another platform runs when asked for, after the daemon's warning without --platform.
ferry import -q --platform "linux/$other" -c 'CMD ["/bin/sh"]' "$TEST_TMP/bb.tar" other:1 >/dev/null
id=$(ferry create other:1 true 2>"$TEST_TMP/warn")
expect_eq "$(cat "$TEST_TMP/warn")" "ferry: warning: The requested image's platform (linux/$other) does not match the detected host platform (linux/$arch) and no specific platform was requested" \
    "create of an image of another platform"
ferry rm "$id" >/dev/null
id=$(ferry create --platform "linux/$other" other:1 true 2>"$TEST_TMP/warn")
expect_eq "$(cat "$TEST_TMP/warn")" "" "create --platform of an image of that platform"
ferry rm "$id" >/dev/null
ferry rmi other:1 >/dev/null
expect_fail 125 'ferry: error: error parsing specified platform: "bogus": unknown operating system or architecture: invalid argument' \
    ferry run --rm --platform bogus bb:1 true
expect_docker_error 'error parsing specified platform: "bogus": unknown operating system or architecture: invalid argument' \
    --platform bogus
nothing_created

note "--pull: never and missing use the image here; missing and always pull (from 127.0.0.1:9, closed)"
expect_out ok ferry run --rm --pull never bb:1 echo ok
expect_out ok ferry run --rm --pull missing bb:1 echo ok
refused() { echo "ferry: error: GET \`http://127.0.0.1:9/v2/$1\`: dial tcp 127.0.0.1:9: connect: connection refused"; }
expect_fail 125 "Unable to find image '127.0.0.1:9/nosuch:latest' locally
$(refused nosuch/manifests/latest)" \
    ferry run --rm 127.0.0.1:9/nosuch true
expect_fail 125 "Unable to find image '127.0.0.1:9/nosuch:1' locally
$(refused nosuch/manifests/1)" \
    ferry create 127.0.0.1:9/nosuch:1
expect_fail 125 'ferry: error: no such image `nosuch`' ferry run --rm --pull never nosuch true
ferry tag bb:1 127.0.0.1:9/bb:1
expect_fail 125 "$(refused bb/manifests/1)" ferry run --rm --pull always 127.0.0.1:9/bb:1 true
ferry rmi 127.0.0.1:9/bb:1 >/dev/null
expect_fail 125 "ferry: error: invalid pull option: 'bogus': must be one of \"always\", \"missing\" or \"never\"" \
    ferry run --rm --pull bogus bb:1 true
# (Not compared: docker 20.10's CLI does not check the value, 28.2's only when the image is
# missing, its current source always, with these words.)
nothing_created

note "--runtime: runc and ferry are ferry's own; nvidia reads NVIDIA_VISIBLE_DEVICES"
expect_out ok ferry run --rm --runtime runc bb:1 echo ok
ctr_create rt --runtime runc bb:1 true
expect_eq "$(host_field rt Runtime)" '"runc"' "HostConfig.Runtime"
ferry rm rt >/dev/null
# Without the variable no GPU is asked for: it runs anywhere.
expect_out ok ferry run --rm --runtime nvidia bb:1 echo ok
if [ ! -e /proc/driver/nvidia/version ]; then
    # With it, the GPUs it names are asked for, as --gpus would: here no driver answers.
    expect_fail 125 'ferry: error: could not select device driver "" with capabilities: [[gpu]]: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)' \
        ferry run --rm --runtime nvidia -e NVIDIA_VISIBLE_DEVICES=all bb:1 true
fi
# docker 23+'s daemon words it so; dockerd 20.10 says `Unknown runtime specified bogus`.
expect_fail 125 'ferry: error: unknown or invalid runtime name: bogus' ferry run --rm --runtime bogus bb:1 true
expect_docker_error_has 'bogus' --runtime bogus
nothing_created

note "relative -v sources (docker 23+): resolved against the current directory"
mkdir -p "$TEST_TMP/rel/sub"
echo relfile >"$TEST_TMP/rel/f"
cd "$TEST_TMP/rel"
expect_out relfile ferry run --rm -v ./f:/f bb:1 cat /f
# Compared with a docker client of 23 or later when there is one (20.10's takes ./f for a volume).
NEW_DOCKER=$(command -v docker || true)
if [ -n "$DOCKER_BB" ] && [ -n "$NEW_DOCKER" ] &&
    ! "$NEW_DOCKER" version -f '{{.Client.Version}}' 2>/dev/null | grep -q '^\(1\|20\|21\|22\)\.'; then
    expect_eq "$("$NEW_DOCKER" run --rm --network none -v ./f:/f "$DOCKER_BB" cat /f)" relfile "docker 23+ -v ./f"
fi
(cd sub && expect_out relfile ferry run --rm -v ../f:/f:ro bb:1 cat /f)
expect_out "f sub" ferry run --rm -v .:/w bb:1 sh -c 'cd /w && echo $(ls)'
id=$(ferry create -v ./sub/../f:/f:ro bb:1 true)
expect_eq "$(host_field "$id" Binds)" "[\"$TEST_TMP/rel/f:/f:ro\"]" "HostConfig.Binds of a relative source"
ferry rm "$id" >/dev/null
cd "$TEST_TMP"
