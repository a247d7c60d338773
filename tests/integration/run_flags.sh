# ferry run/create, the flags of isolation and mounts as root: --cap-add/--cap-drop,
# --privileged, --security-opt (no-new-privileges, seccomp=PATH, seccomp=unconfined),
# --read-only, --tmpfs, --mount type=tmpfs|bind, --shm-size, --ipc, --pid, --init, --hostname
# and --device; each proved from inside the container (/proc/self/status, /proc/self/mountinfo,
# the device cgroup, an operation that must fail or succeed) and compared with docker where a
# daemon answers. Bad values fail with docker's words and status 125, creating nothing.
# (run_limits.sh covers the resource flags.)
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb

# proc_status FLAGS...: the capability sets, NoNewPrivs and Seccomp of a container's process.
STATUS_CMD=(awk '/^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):/ {printf "%s%s%s", sep, $1, $2; sep=" "} END {print ""}' /proc/self/status)
proc_status() { ferry run --rm "$@" bb:1 "${STATUS_CMD[@]}"; }
# expect_status WANT FLAGS...: proc_status prints WANT, in ferry and in docker.
expect_status() {
    local want=$1
    shift
    expect_eq "$(proc_status "$@")" "$want" "status with [$*]"
    expect_docker_out "$want" "$@" -- "${STATUS_CMD[@]}"
}
# caps HEX: the status line of a root process whose permitted, effective and bounding sets are HEX.
caps() { echo "CapPrm:$1 CapEff:$1 CapBnd:$1 CapAmb:0000000000000000 NoNewPrivs:${2:-0} Seccomp:${3:-2}"; }
# nothing_created: no container was left by a failed create.
nothing_created() { expect_eq "$(ferry ps -aq)" "" "containers after a failed create"; }

DEFAULT=00000000a80425fb  # docker's default set
HOST_BND=$(awk '/^CapBnd/ {print $2}' /proc/self/status)

note "--cap-add / --cap-drop: the sets docker gives, proved by an operation"
expect_status "$(caps $DEFAULT)"
expect_status "$(caps 00000000a80425fa)" --cap-drop CHOWN
expect_status "$(caps 00000000a82425fb)" --cap-add SYS_ADMIN
expect_status "$(caps 00000000a82425fb)" --cap-add cap_sys_admin
expect_status "$(caps 0000000000000000)" --cap-drop ALL
expect_status "$(caps 0000000000000001)" --cap-drop all --cap-add chown
expect_status "CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:00000000a82425fb CapAmb:0000000000000000 NoNewPrivs:0 Seccomp:2" \
    -u 1000 --cap-add SYS_ADMIN
expect_out "changed" ferry run --rm bb:1 sh -c 'chown 1000 /etc/passwd && echo changed'
expect_out "chown: /etc/passwd: Operation not permitted" \
    ferry run --rm --cap-drop CHOWN bb:1 sh -c 'chown 1000 /etc/passwd 2>&1 || true'
# SYS_ADMIN opens mount(2), in the capability sets and in the default seccomp profile alike.
expect_out "mount: permission denied (are you root?)" \
    ferry run --rm bb:1 sh -c 'mount -t tmpfs t /tmp 2>&1 || true'
expect_out "mounted" ferry run --rm --cap-add SYS_ADMIN bb:1 sh -c 'mount -t tmpfs t /tmp && echo mounted'
expect_fail 125 'ferry: error: invalid CapAdd: unknown capability: "CAP_NOPE"' ferry run --rm --cap-add NOPE bb:1 true
expect_fail 125 'ferry: error: invalid CapDrop: unknown capability: "CAP_NOPE"' ferry create --cap-drop nope bb:1 true
expect_docker_error 'invalid CapAdd: unknown capability: "CAP_NOPE"' --cap-add NOPE
expect_fail 125 'ferry: error: invalid CapDrop: unknown capability: "CAP_NOPE"' ferry run --rm --privileged --cap-drop NOPE bb:1 true
expect_docker_error 'invalid CapDrop: unknown capability: "CAP_NOPE"' --privileged --cap-drop NOPE
nothing_created
# A capability ferry's own bounding set lacks cannot be given (docker's runc fails the same way:
# `unable to apply caps: operation not permitted`); the error names it.
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
    LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
    SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
    SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
    WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
lacking=""
for n in $(seq 0 "$(cat /proc/sys/kernel/cap_last_cap)"); do
    [ "$n" -lt ${#CAP_NAMES[@]} ] && [ $((0x$HOST_BND >> n & 1)) = 0 ] && { lacking=${CAP_NAMES[$n]}; break; }
done
if [ -n "$lacking" ]; then
    expect_fail 125 "ferry: error: container init: set capabilities: Operation not permitted (not in ferry's bounding set: CAP_$lacking)" \
        ferry run --rm --cap-add "$lacking" bb:1 true
    nothing_created
else
    note "ferry's bounding set holds every capability: none to fail with"
fi

note "--privileged: every capability of the bounding set, no seccomp, the host's devices"
# Not compared with docker: dockerd asks runc for every capability it knows and fails where its
# own bounding set lacks one (`unable to apply caps: operation not permitted`).
expect_eq "$(proc_status --privileged)" "$(caps "$HOST_BND" 0 0)" "--privileged"
expect_eq "$(proc_status --privileged --cap-drop ALL)" "$(caps "$HOST_BND" 0 0)" "--privileged --cap-drop ALL"
out=$(ferry run --rm --privileged bb:1 sh -c 'grep -c " /proc/keys " /proc/self/mountinfo; awk "\$5 == \"/sys\" {split(\$6, o, \",\"); print o[1]}" /proc/self/mountinfo; ls /dev | grep -c .')
expect_eq "$(printf '%s\n' "$out" | head -2)" "$(printf '0\nrw')" "--privileged: masked paths, /sys"
[ "$(printf '%s\n' "$out" | tail -1)" -gt 20 ] || fail "--privileged: few devices in /dev: [$out]"
# The device cgroup (v1 only: on v2 the allowlist is a BPF program).
V1_DEVICES=""
[ -d /sys/fs/cgroup/devices ] && V1_DEVICES=1
[ -z "$V1_DEVICES" ] || expect_out "a *:* rwm" ferry run --rm --privileged bb:1 cat /sys/fs/cgroup/devices/devices.list
expect_eq "$(ferry run --rm bb:1 grep -c ' /proc/keys ' /proc/self/mountinfo)" 1 "/proc/keys masked without --privileged"

note "--security-opt no-new-privileges"
expect_status "$(caps $DEFAULT 1)" --security-opt no-new-privileges
expect_status "$(caps $DEFAULT 1)" --security-opt no-new-privileges=true
expect_status "$(caps $DEFAULT 0)" --security-opt no-new-privileges=false
expect_fail 125 'ferry: error: invalid --security-opt 2: "no-new-privileges=maybe"' \
    ferry run --rm --security-opt no-new-privileges=maybe bb:1 true
expect_fail 125 'ferry: error: Invalid --security-opt: "bogus"' ferry run --rm --security-opt bogus bb:1 true
nothing_created

note "--security-opt seccomp=PATH and seccomp=unconfined"
cat >"$TEST_TMP/deny.json" <<'EOF'
{
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
        {"names": ["chmod", "fchmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}
    ]
}
EOF
probe='mkdir /newdir 2>&1; chmod 600 /etc/passwd 2>&1; touch /made && echo touched; grep "^Seccomp:" /proc/self/status'
want=$(printf "mkdir: can't create directory '/newdir': Operation not permitted\nchmod: /etc/passwd: Permission denied\ntouched\nSeccomp:\t2")
expect_out "$want" ferry run --rm --security-opt "seccomp=$TEST_TMP/deny.json" bb:1 sh -c "$probe"
expect_docker_out "$want" --security-opt "seccomp=$TEST_TMP/deny.json" -- sh -c "$probe"
expect_out "$want" ferry run --rm --security-opt seccomp=deny.json bb:1 sh -c "$probe"
expect_status "$(caps $DEFAULT 0 0)" --security-opt seccomp=unconfined
expect_out "$(printf 'made\nSeccomp:\t0')" \
    ferry run --rm --privileged --security-opt "seccomp=$TEST_TMP/deny.json" bb:1 sh -c 'mkdir /newdir && echo made; grep "^Seccomp:" /proc/self/status'
expect_fail 125 'ferry: error: opening seccomp profile (/nonexistent/p.json) failed: open /nonexistent/p.json: no such file or directory' \
    ferry run --rm --security-opt seccomp=/nonexistent/p.json bb:1 true
echo '{"defaultAction": ' >"$TEST_TMP/broken.json"
expect_fail 125 'ferry: error: seccomp profile: invalid JSON' \
    ferry run --rm --security-opt "seccomp=$TEST_TMP/broken.json" bb:1 true
nothing_created

note "--read-only: the root and the network files read-only; /dev, /dev/shm, volumes and tmpfs writable"
mkdir -p "$TEST_TMP/rw"
probe='for f in /x /tmp/x /etc/hostname /dev/x /dev/shm/x /data/x /scratch/x; do touch $f 2>/dev/null && echo "$f rw" || echo "$f ro"; done'
expect_out "$(printf '/x ro\n/tmp/x ro\n/etc/hostname ro\n/dev/x rw\n/dev/shm/x rw\n/data/x rw\n/scratch/x rw')" \
    ferry run --rm --read-only -v "$TEST_TMP/rw:/data" --tmpfs /scratch bb:1 sh -c "$probe"
expect_out "/x rw" ferry run --rm bb:1 sh -c 'touch /x && echo "/x rw"'
# Which mounts are read-only, as docker has them.
MOUNTS_CMD=(awk 'BEGIN {split("/ /dev /dev/pts /dev/shm /dev/mqueue /proc /sys /sys/fs/cgroup /etc/hostname /etc/hosts /etc/resolv.conf /data /scratch", l, " "); for (i in l) want[l[i]] = 1} want[$5] {split($6, o, ","); print $5, o[1]}' /proc/self/mountinfo)
for flags in "--read-only" ""; do
    # shellcheck disable=SC2086
    out=$(ferry run --rm $flags -v "$TEST_TMP/rw:/data" --tmpfs /scratch bb:1 "${MOUNTS_CMD[@]}" | sort)
    ro=ro
    [ -n "$flags" ] || ro=rw
    expect_eq "$out" "$(printf '%s\n' "/ $ro" "/data rw" "/dev rw" "/dev/mqueue rw" "/dev/pts rw" "/dev/shm rw" "/etc/hostname $ro" "/etc/hosts $ro" "/etc/resolv.conf $ro" "/proc rw" "/scratch rw" "/sys ro" "/sys/fs/cgroup ro")" \
        "read-only mounts with [$flags]"
    # docker's runc (1.1) leaves the tmpfs that holds the cgroup v1 mounts writable, against the
    # spec's "ro" (ferry does not); the rest must agree.
    # shellcheck disable=SC2086
    [ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none $flags -v "$TEST_TMP/rw:/data" --tmpfs /scratch "$DOCKER_BB" "${MOUNTS_CMD[@]}" | sort | grep -v '^/sys/fs/cgroup ')" \
        "$(printf '%s\n' "$out" | grep -v '^/sys/fs/cgroup ')" "read-only mounts with [$flags] in docker"
done

note "--tmpfs PATH[:OPTIONS] and --mount type=tmpfs: docker's options, noexec unless exec"
TMPFS_CMD=(sh -c 'awk "\$2 == \"/t\" {print \$4}" /proc/self/mounts; stat -c %a /t')
expect_out "$(printf 'rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700\n700')" \
    ferry run --rm --tmpfs /t:size=1m,mode=700 bb:1 "${TMPFS_CMD[@]}"
expect_docker_out "$(printf 'rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700\n700')" \
    --tmpfs /t:size=1m,mode=700 -- "${TMPFS_CMD[@]}"
expect_out "$(printf 'rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770\n1770')" \
    ferry run --rm --mount type=tmpfs,dst=/t,tmpfs-size=2m,tmpfs-mode=1770 bb:1 "${TMPFS_CMD[@]}"
expect_docker_out "$(printf 'rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770\n1770')" \
    --mount type=tmpfs,dst=/t,tmpfs-size=2m,tmpfs-mode=1770 -- "${TMPFS_CMD[@]}"
expect_out "$(printf 'ro,nosuid,nodev,noexec,relatime\n1777')" \
    ferry run --rm --mount type=tmpfs,dst=/t,readonly bb:1 "${TMPFS_CMD[@]}"
expect_out "sh: /t/echo: Permission denied" \
    ferry run --rm --tmpfs /t bb:1 sh -c 'cp /bin/busybox /t/echo; /t/echo x 2>&1; true'
expect_out "ran" ferry run --rm --tmpfs /t:exec bb:1 sh -c 'cp /bin/busybox /t/echo && /t/echo ran'
out=$(ferry run --rm --tmpfs /t:size=1m bb:1 sh -c 'dd if=/dev/zero of=/t/f bs=1024 count=2048 2>&1; true')
expect_contains "$out" "No space left on device" "a write beyond --tmpfs size"
expect_fail 125 'ferry: error: invalid tmpfs option "foo"' ferry run --rm --tmpfs /t:foo bb:1 true
expect_fail 125 "ferry: error: invalid mount path: 'rel' mount path must be absolute" \
    ferry run --rm --tmpfs rel bb:1 true
expect_fail 125 'ferry: error: invalid mount config for type "tmpfs": field Source must not be specified' \
    ferry run --rm --mount type=tmpfs,src=x,dst=/t bb:1 true
nothing_created

note "--mount type=bind, read-only and read-write"
mkdir -p "$TEST_TMP/src"
echo from-host >"$TEST_TMP/src/f"
expect_out "$(printf 'from-host\ntouch: /b/new: Read-only file system')" \
    ferry run --rm --mount "type=bind,src=$TEST_TMP/src,dst=/b,readonly" bb:1 sh -c 'cat /b/f; touch /b/new 2>&1; true'
expect_out "written" ferry run --rm --mount "type=bind,source=$TEST_TMP/src,target=/b" bb:1 sh -c 'echo x >/b/new && echo written'
expect_eq "$(cat "$TEST_TMP/src/new")" x "a file written through a read-write bind"
expect_fail 125 'ferry: error: invalid mount config for type "bind": bind source path does not exist: /nonexistent/dir' \
    ferry run --rm --mount type=bind,src=/nonexistent/dir,dst=/b bb:1 true
expect_docker_error 'invalid mount config for type "bind": bind source path does not exist: /nonexistent/dir' \
    --mount type=bind,src=/nonexistent/dir,dst=/b
nothing_created

note "--shm-size: the size of /dev/shm (64 MB by default, as docker's)"
SHM_CMD=(awk '$2 == "/dev/shm" {print $4}' /proc/self/mounts)
expect_out "rw,nosuid,nodev,noexec,relatime,size=65536k" ferry run --rm bb:1 "${SHM_CMD[@]}"
expect_docker_out "rw,nosuid,nodev,noexec,relatime,size=65536k" -- "${SHM_CMD[@]}"
expect_out "rw,nosuid,nodev,noexec,relatime,size=131072k" ferry run --rm --shm-size 128m bb:1 "${SHM_CMD[@]}"
expect_docker_out "rw,nosuid,nodev,noexec,relatime,size=131072k" --shm-size 128m -- "${SHM_CMD[@]}"
expect_out "rw,nosuid,nodev,noexec,relatime,size=65536k" ferry run --rm --shm-size 0 bb:1 "${SHM_CMD[@]}"
expect_docker_out "rw,nosuid,nodev,noexec,relatime,size=65536k" --shm-size 0 -- "${SHM_CMD[@]}"
out=$(ferry run --rm --shm-size 1m bb:1 sh -c 'dd if=/dev/zero of=/dev/shm/f bs=1024 count=2048 2>&1; true')
expect_contains "$out" "No space left on device" "a write beyond --shm-size"
expect_fail 125 "ferry: error: invalid argument \"1x\" for \"--shm-size\" flag: invalid size: '1x' (see \`ferry run --help\`)" \
    ferry run --rm --shm-size 1x bb:1 true
nothing_created

note "--ipc: private (the default), shareable, none, host"
host_ipc=$(readlink /proc/self/ns/ipc)
for mode in "" "--ipc shareable"; do
    # shellcheck disable=SC2086
    ns=$(ferry run --rm $mode bb:1 readlink /proc/self/ns/ipc)
    [[ $ns == ipc:\[[0-9]*\] ]] || fail "ipc namespace [$ns] with [$mode]"
    [ "$ns" != "$host_ipc" ] || fail "the ipc namespace with [$mode] is the host's"
done
shm_name=ferry-it-$$-shm
echo host-shm >"/dev/shm/$shm_name"
RUN_CLEANUPS+=("rm -f /dev/shm/$shm_name")
expect_out "$(printf '%s\nhost-shm' "$host_ipc")" \
    ferry run --rm --ipc host bb:1 sh -c "readlink /proc/self/ns/ipc; cat /dev/shm/$shm_name"
expect_out "no file" ferry run --rm bb:1 sh -c "cat /dev/shm/$shm_name 2>/dev/null || echo no file"
out=$(ferry run --rm --ipc none bb:1 sh -c 'readlink /proc/self/ns/ipc; grep -c " /dev/shm " /proc/self/mountinfo || true')
ns=$(printf '%s\n' "$out" | head -1)
[[ $ns == ipc:\[[0-9]*\] && $ns != "$host_ipc" ]] || fail "--ipc none: namespace [$ns], the host's is [$host_ipc]"
expect_eq "$(printf '%s\n' "$out" | tail -1)" 0 "--ipc none: no /dev/shm"
expect_fail 125 'ferry: error: invalid IPC mode: bogus' ferry run --rm --ipc bogus bb:1 true
expect_fail 125 'ferry: error: --ipc container:x: not supported yet' ferry run --rm --ipc container:x bb:1 true
nothing_created

note "--pid host: the host's pid namespace and processes"
expect_out "$(printf '%s\n%s' "$(readlink /proc/self/ns/pid)" "$(cat /proc/1/comm)")" \
    ferry run --rm --pid host bb:1 sh -c 'readlink /proc/self/ns/pid; cat /proc/1/comm'
expect_out "1" ferry run --rm bb:1 sh -c 'echo $$'
expect_fail 125 'ferry: error: invalid PID mode: bogus' ferry run --rm --pid bogus bb:1 true
expect_fail 125 'ferry: error: --pid container:x: not supported yet' ferry run --rm --pid container:x bb:1 true
nothing_created

note "--init: ferry's init is PID 1, reaps orphans, forwards signals, passes the status on"
expect_out "$(printf '/dev/init\n1\nno')" \
    ferry run --rm --init bb:1 sh -c 'readlink /proc/1/exe; echo $PPID; [ $$ = 1 ] && echo yes || echo no'
# An orphan (the child of a subshell that has exited) is re-parented to PID 1, which must reap it.
expect_out "reaped" ferry run --rm --init bb:1 sh -c '
    (sleep 0 & echo $! >/tmp/orphan)
    p=$(cat /tmp/orphan); i=0
    while [ -e /proc/$p ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
    if [ -e /proc/$p ]; then cat /proc/$p/status; else echo reaped; fi'
status=0
ferry run --rm --init bb:1 sh -c 'exit 7' || status=$?
expect_eq "$status" 7 "--init: the command's exit status"
status=0
ferry run --rm --init bb:1 sh -c 'kill -KILL $$' || status=$?
expect_eq "$status" 137 "--init: a command killed by SIGKILL"
# sleep has no handler for SIGTERM: only the init's forwarding makes stop end it before -t.
ctr_run init1 --init bb:1 sleep 1000
ferry stop -t 120 init1 >/dev/null
expect_eq "$(ferry inspect -f '{{.State.ExitCode}} {{.HostConfig.Init}}' init1)" "143 true" "--init: stop's SIGTERM reaches the command"
ctr_run init2 --init bb:1 sleep 1000
ferry kill -s USR1 init2 >/dev/null
ctr_wait_exit init2
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' init2)" 138 "--init: kill -s USR1 reaches the command"
expect_out "$(printf 'no init\nyes')" \
    ferry run --rm --init --pid host bb:1 sh -c '[ -e /dev/init ] && echo init || echo no init; [ "$(cat /proc/1/comm)" = "$(cat /proc/$$/comm)" ] && echo no || echo yes'
ferry rm init1 init2 >/dev/null

note "--hostname (the long form of -h)"
expect_out "$(printf 'long-name\nlong-name')" ferry run --rm --hostname long-name bb:1 sh -c 'hostname; cat /etc/hostname'
expect_out "net-none" ferry run --rm --network none --hostname net-none bb:1 hostname

note "--device HOST[:CONTAINER][:PERMISSIONS]: a node the test makes, outside docker's allowlist"
char_dev=""
for d in /dev/fuse /dev/loop-control /dev/cpu_dma_latency /dev/vcs /dev/tty0; do
    [ -c "$d" ] && (exec 3<>"$d") 2>/dev/null && { char_dev=$d; break; }
done
if [ -z "$char_dev" ]; then
    note "skipped: no character device outside docker's allowlist can be opened here"
else
    read -r maj min < <(stat -c '%t %T' "$char_dev")
    mkdir -p "$TEST_TMP/devs"
    mknod -m 0640 "$TEST_TMP/devs/mydev" c $((16#$maj)) $((16#$min))
    chown 0:5 "$TEST_TMP/devs/mydev"
    node=$TEST_TMP/devs/mydev
    note "device: $char_dev ($((16#$maj)):$((16#$min)))"
    open_probe='stat -c "%F %t:%T %a %u:%g" DEV; (exec 3<DEV) && echo read-ok; (exec 3<>DEV) 2>&1 && echo write-ok; true'
    probe=${open_probe//DEV//dev/mydev}
    expect_out "$(printf 'character special file %s:%s 640 0:5\nread-ok\nwrite-ok' "$maj" "$min")" \
        ferry run --rm --device "$node:/dev/mydev" bb:1 sh -c "$probe"
    expect_out "$(printf "character special file %s:%s 640 0:5\nread-ok\nsh: can't create /dev/mydev: Operation not permitted" "$maj" "$min")" \
        ferry run --rm --device "$node:/dev/mydev:r" bb:1 sh -c "$probe"
    expect_out "$(printf 'character special file %s:%s 640 0:5\nread-ok\nwrite-ok' "$maj" "$min")" \
        ferry run --rm --device "$node" bb:1 sh -c "${open_probe//DEV/$node}"
    expect_out "$(printf 'character special file %s:%s 640 0:5\nread-ok\nwrite-ok' "$maj" "$min")" \
        ferry run --rm --device "$TEST_TMP/devs:/dev/mine" bb:1 sh -c "${open_probe//DEV//dev/mine/mydev}"
    expect_out "absent" ferry run --rm bb:1 sh -c '[ -e /dev/mydev ] && echo present || echo absent'
    # The v1 device cgroup as docker writes it.
    if [ -n "$V1_DEVICES" ]; then
        out=$(ferry run --rm --device "$node:/dev/mydev:rw" bb:1 cat /sys/fs/cgroup/devices/devices.list)
        expect_contains "$out" "c $((16#$maj)):$((16#$min)) rw" "the device cgroup with --device :rw"
        [ -z "$DOCKER_BB" ] || expect_eq "$("$DOCKER" run --rm --network none --device "$node:/dev/mydev:rw" "$DOCKER_BB" cat /sys/fs/cgroup/devices/devices.list | sort)" \
            "$(printf '%s\n' "$out" | sort)" "devices.list in docker"
    fi
    expect_docker_out "$(printf "character special file %s:%s 640 0:5\nread-ok\nsh: can't create /dev/mydev: Operation not permitted" "$maj" "$min")" \
        --device "$node:/dev/mydev:r" -- sh -c "$probe"
fi
echo plain >"$TEST_TMP/plain"
expect_fail 125 'ferry: error: error gathering device information while adding custom device "/nonexistent": no such file or directory' \
    ferry run --rm --device /nonexistent bb:1 true
expect_docker_error 'error gathering device information while adding custom device "/nonexistent": no such file or directory' \
    --device /nonexistent
expect_fail 125 "ferry: error: error gathering device information while adding custom device \"$TEST_TMP/plain\": not a device node" \
    ferry run --rm --device "$TEST_TMP/plain" bb:1 true
expect_fail 125 'ferry: error: rel is not an absolute path' ferry run --rm --device rel bb:1 true
expect_fail 125 'ferry: error: bad mode specified: rwx' ferry run --rm --device /dev/null:/x:rwx bb:1 true
nothing_created
