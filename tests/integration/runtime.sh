# The runtime library as root: namespaces, mounts, devices, capabilities, seccomp, cgroup limits,
# rlimits, read-only root, masked paths, terminal, exec, overlay and exit statuses, on real
# containers made of busybox.
source "$FERRY_SRC/tests/integration/runtime_lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (runtime_rootless.sh covers other users)"

ROOT=$TEST_TMP/rootfs
full_rootfs "$ROOT"
S=$TEST_TMP/spec.json

note "namespaces and the process"
make_spec "$S" "$ROOT" -- sh -c 'echo pid=$$; hostname; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; id -u; pwd; cat /proc/self/cgroup | head -1'
expect_run 0 "$S"
expect_contains "$OUT" "pid=1"
expect_contains "$OUT" "ferry-test"
[ "$(printf '%s\n' "$OUT" | sed -n 3p)" = lo ] || fail "network namespace has more than lo: [$OUT]"
expect_contains "$OUT" "$(printf '0\n/')"
[[ "$OUT" == *":/" ]] || fail "the container's cgroup is not its root: [$OUT]"

note "environment, working directory, user, umask"
make_spec "$S" "$ROOT" -- sh -c 'echo $FOO; pwd; id; umask'
edit_spec "$S" '.process.env += ["FOO=bar"] | .process.cwd = "/work/dir" | .process.user = {uid: 65534, gid: 65534, umask: 63, additionalGids: [5]}'
expect_run 0 "$S"
expect_eq "$OUT" "$(printf 'bar\n/work/dir\nuid=65534(nobody) gid=65534(nogroup) groups=5\n0077')"

note "default mounts and devices"
make_spec "$S" "$ROOT" -- sh -c 'mount | cut -d" " -f1-5 | sort; ls /dev | tr "\n" " "; head -c 3 /dev/urandom | wc -c; df -k /dev/shm | tail -1'
expect_run 0 "$S"
for m in "proc on /proc type proc" "tmpfs on /dev type tmpfs" "devpts on /dev/pts type devpts" \
         "sysfs on /sys type sysfs" "mqueue on /dev/mqueue type mqueue" "shm on /dev/shm type tmpfs"; do
    expect_contains "$OUT" "$m"
done
expect_contains "$OUT" "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
expect_contains "$OUT" "65536"
make_spec "$S" "$ROOT" -- sh -c 'touch /sys/x 2>&1; ls /sys/fs/cgroup'
expect_run 0 "$S"
expect_contains "$OUT" "Read-only file system"

note "docker's capabilities, and --cap-add/--cap-drop as a spec says them"
make_spec "$S" "$ROOT" -- sh -c 'grep -E "^Cap(Eff|Bnd|Prm|Inh|Amb)" /proc/self/status'
expect_run 0 "$S"
expect_contains "$OUT" "CapEff:	00000000a80425fb"
expect_contains "$OUT" "CapBnd:	00000000a80425fb"
expect_contains "$OUT" "CapInh:	0000000000000000"
edit_spec "$S" '.process.capabilities |= with_entries(.value -= ["CAP_NET_RAW"]) | .process.capabilities.ambient = ["CAP_KILL"] | .process.capabilities.inheritable = ["CAP_KILL"]'
expect_run 0 "$S"
expect_contains "$OUT" "CapEff:	00000000a80405fb"
expect_contains "$OUT" "CapAmb:	0000000000000020"
make_spec "$S" "$ROOT" -- sh -c 'grep CapEff /proc/self/status'
edit_spec "$S" '.process.user.uid = 1000'
expect_run 0 "$S"
expect_contains "$OUT" "CapEff:	0000000000000000"  # a non-root user keeps none across exec, as docker

note "seccomp: docker's profile blocks unshare even with CAP_SYS_ADMIN"
make_spec "$S" "$ROOT" -- sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; unshare -m true && echo unshared; true'
edit_spec "$S" '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
expect_run 0 "$S"
expect_contains "$OUT" "Seccomp:	2"
expect_contains "$OUT" "Operation not permitted"
[[ "$OUT" != *unshared* ]] || fail "unshare was allowed: [$OUT]"
edit_spec "$S" 'del(.linux.seccomp)'
expect_run 0 "$S"
expect_contains "$OUT" "unshared"
make_spec "$S" "$ROOT" -- sh -c 'grep NoNewPrivs /proc/self/status'
edit_spec "$S" '.process.noNewPrivileges = true'
expect_run 0 "$S"
expect_contains "$OUT" "NoNewPrivs:	1"

note "cgroup limits are visible and enforced"
make_spec "$S" "$ROOT" -- sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
edit_spec "$S" '.linux.resources.memory = {limit: 33554432, swap: 33554432} | .linux.resources.pids = {limit: 20}'
expect_run 0 "$S"
expect_eq "$OUT" "$(printf '33554432\n20')"
make_spec "$S" "$ROOT" -- dd if=/dev/zero of=/dev/null bs=100M count=1
edit_spec "$S" '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
expect_run 137 "$S"  # the OOM killer's SIGKILL: 128+9
make_spec "$S" "$ROOT" -- sh -c 'i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done 2>&1; echo started'
edit_spec "$S" '.linux.resources.pids = {limit: 10}'
run_spec "$S"
expect_contains "$OUT" "can't fork: Resource temporarily unavailable"
[[ "$OUT" != *started* ]] || fail "30 processes started under a limit of 10"

note "device cgroup: a disk node cannot be read, an allowed device can"
read -r major minor < <(stat -c '%t %T' "$(findmnt -n -o SOURCE / | sed 's/\[.*//')" 2>/dev/null || echo "8 0")
make_spec "$S" "$ROOT" -- sh -c "mknod /tmp/disk b $((16#$major)) $((16#$minor)) && head -c 512 /tmp/disk | wc -c"
expect_run 0 "$S"
expect_eq "$OUT" "$(printf 'head: /tmp/disk: Operation not permitted\n0')"
make_spec "$S" "$ROOT" -- sh -c 'ls -l /dev/fuse; exec 3<>/dev/fuse && echo opened'
edit_spec "$S" '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}] | .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rwm"}]'
expect_run 0 "$S"
expect_contains "$OUT" "crw-rw-rw-"
expect_contains "$OUT" "opened"

note "rlimits: lowering works, raising a hard limit needs CAP_SYS_RESOURCE"
make_spec "$S" "$ROOT" -- sh -c 'ulimit -n; ulimit -Hn'
edit_spec "$S" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}]'
expect_run 0 "$S"
expect_eq "$OUT" "$(printf '100\n200')"
hard=$(ulimit -Hn)
edit_spec "$S" ".process.rlimits = [{type: \"RLIMIT_NOFILE\", soft: $((hard + 1)), hard: $((hard + 1))}]"
if (( (16#$(cap_eff) >> 24) & 1 )); then
    expect_run 0 "$S"
else
    expect_run 125 "$S"
    expect_eq "$OUT" "ferry-exec-test: error: container init: set RLIMIT_NOFILE to $((hard + 1)):$((hard + 1)): Operation not permitted (raising a hard limit needs CAP_SYS_RESOURCE)"
fi

note "read-only root, masked and read-only paths"
make_spec "$S" "$ROOT" -- sh -c 'touch /x 2>&1; touch /dev/shm/x && echo shm-ok; echo keys=$(wc -c </proc/keys); touch /proc/acpi/x 2>&1; echo 1 >/proc/sys/kernel/domainname 2>&1; true'
edit_spec "$S" '.root.readonly = true'
expect_run 0 "$S"
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'Read-only file system')" 3
expect_contains "$OUT" "shm-ok"
expect_contains "$OUT" "keys=0"
if [ -e /proc/sysrq-trigger ]; then
    make_spec "$S" "$ROOT" -- sh -c 'echo h >/proc/sysrq-trigger'
    run_spec "$S"
    expect_contains "$OUT" "Read-only file system"
fi

note "mounts from the spec: bind (ro, rw), tmpfs with a size"
mkdir -p "$TEST_TMP/vol"
echo host-data >"$TEST_TMP/vol/in"
make_spec "$S" "$ROOT" -- sh -c 'cat /ro/in; touch /ro/x 2>&1; echo from-container >/rw/out; df -k /scratch | tail -1; cat /etc/hostname-file'
echo "file-bind" >"$TEST_TMP/single"
edit_spec "$S" --arg v "$TEST_TMP/vol" --arg f "$TEST_TMP/single" '.mounts += [
    {destination: "/ro", type: "bind", source: $v, options: ["rbind", "ro"]},
    {destination: "/rw", type: "bind", source: $v, options: ["bind"]},
    {destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=1777"]},
    {destination: "/etc/hostname-file", type: "bind", source: $f, options: ["bind", "ro"]}]'
expect_run 0 "$S"
expect_contains "$OUT" "host-data"
expect_contains "$OUT" "Read-only file system"
expect_contains "$OUT" "1024"
expect_contains "$OUT" "file-bind"
expect_eq "$(cat "$TEST_TMP/vol/out")" "from-container"

note "sysctl in the container's own network namespace"
host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
make_spec "$S" "$ROOT" -- cat /proc/sys/net/ipv4/ip_forward
edit_spec "$S" ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$((1 - host_forward))\"}"
expect_run 0 "$S"
expect_eq "$OUT" "$((1 - host_forward))"
expect_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward"

note "terminal"
make_spec "$S" "$ROOT" --tty -- sh -c 'tty; test -t 0 && test -t 1 && echo both-tty; stty size; ls -l /dev/console | cut -c1'
edit_spec "$S" '.process.consoleSize = {height: 33, width: 99}'
expect_run 0 "$S"
expect_contains "$OUT" "/dev/pts/0"
expect_contains "$OUT" "both-tty"
expect_contains "$OUT" "33 99"
expect_contains "$OUT" "c"

note "exit statuses as docker: 127, 126, 128+N, the command's own"
make_spec "$S" "$ROOT" -- no-such-command
expect_run 127 "$S"
expect_eq "$OUT" 'ferry-exec-test: error: container init: exec `no-such-command`: executable file not found in $PATH'
make_spec "$S" "$ROOT" -- /etc/passwd
expect_run 126 "$S"
expect_eq "$OUT" 'ferry-exec-test: error: container init: exec `/etc/passwd`: Permission denied'
chmod 755 "$ROOT/etc/passwd"
expect_run 126 "$S"
expect_eq "$OUT" 'ferry-exec-test: error: container init: exec `/etc/passwd`: Exec format error'
chmod 644 "$ROOT/etc/passwd"
make_spec "$S" "$ROOT" -- sh -c 'exit 42'
expect_run 42 "$S"
make_spec "$S" "$ROOT" -- sleep 30
fet run --pid-file "$TEST_TMP/pid" "$S" & bg=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
kill -KILL "$(cat "$TEST_TMP/pid")"
status=0; wait $bg || status=$?
expect_eq "$status" 137 "status of a container killed by SIGKILL"

note "exec into a running container"
rm -f "$TEST_TMP/pid"
make_spec "$S" "$ROOT" -- sleep 30
fet run --pid-file "$TEST_TMP/pid" "$S" & bg=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
pid=$(cat "$TEST_TMP/pid")
E=$TEST_TMP/exec.json
make_spec "$E" "$ROOT" -- sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname; grep CapEff /proc/self/status; cd /proc/self/fd && echo fds *; exit 5'
status=0; out=$(fet exec --pid "$pid" "$E" 2>&1) || status=$?
expect_eq "$status" 5
expect_contains "$out" "sleep 30"
expect_contains "$out" "ferry-test"
expect_contains "$out" "CapEff:	00000000a80425fb"
expect_contains "$out" "fds 0 1 2 3"
[[ "$out" != *"fds 0 1 2 3 4"* ]] || fail "a descriptor leaked into exec: [$out]"
make_spec "$E" "$ROOT" --tty -- sh -c 'tty'
out=$(fet exec --pid "$pid" "$E" </dev/null 2>&1)
expect_contains "$out" "/dev/pts/"
make_spec "$E" "$ROOT" -- nope
expect_fail 127 'ferry-exec-test: error: exec in container: exec `nope`: executable file not found in $PATH' fet exec --pid "$pid" "$E"
kill -KILL "$pid"
wait $bg || true

note "joining a running container's namespaces by path"
rm -f "$TEST_TMP/pid"
make_spec "$S" "$ROOT" -- sleep 30
edit_spec "$S" '.hostname = "first"'
fet run --pid-file "$TEST_TMP/pid" "$S" & bg=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
pid=$(cat "$TEST_TMP/pid")
make_spec "$S" "$ROOT" -- sh -c 'hostname; ps -o comm | grep -c sleep; echo mypid=$$'
edit_spec "$S" --arg p "$pid" 'del(.hostname) | .linux.namespaces |= map(if .type == "uts" or .type == "pid" or .type == "ipc" then .path = "/proc/\($p)/ns/\(.type)" else . end)'
expect_run 0 "$S"
expect_contains "$OUT" "$(printf 'first\n1\n')"
[[ "$OUT" != *"mypid=1"* ]] || fail "the second container got a pid namespace of its own: [$OUT]"
kill -KILL "$pid"
wait $bg || true

note "oom score"
make_spec "$S" "$ROOT" -- cat /proc/self/oom_score_adj
edit_spec "$S" '.process.oomScoreAdj = 500'
expect_run 0 "$S"
expect_eq "$OUT" 500

note "overlay root: changes land in the upper directory"
mkdir -p "$TEST_TMP/ov/upper" "$TEST_TMP/ov/work" "$TEST_TMP/ov/mnt" "$TEST_TMP/ov/top"
echo top-layer >"$TEST_TMP/ov/top/layer"
make_spec "$S" "$TEST_TMP/ov/mnt" -- sh -c 'cat /layer; echo new >/created; rm /bin/vi'
expect_run 0 "$S" --overlay "$TEST_TMP/ov/top:$ROOT,$TEST_TMP/ov/upper,$TEST_TMP/ov/work"
expect_contains "$OUT" "top-layer"
expect_eq "$(cat "$TEST_TMP/ov/upper/created")" new
[ -L "$ROOT/bin/vi" ] || fail "the lower layer was changed"
[ "$(stat -c %F "$TEST_TMP/ov/upper/bin/vi")" = "character special file" ] || fail "no whiteout for /bin/vi"
[ -z "$(ls -A "$TEST_TMP/ov/mnt")" ] || fail "the overlay stayed mounted on the host"

note "no cgroup is left behind"
leftover=$(find /sys/fs/cgroup -maxdepth 3 -type d -path '*ferry-test/*' 2>/dev/null | head -1)
[ -z "$leftover" ] || fail "cgroup left behind: $leftover"
