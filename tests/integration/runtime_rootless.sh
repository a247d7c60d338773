# The runtime library run by unprivileged users the test creates: one without /etc/subuid
# ranges (a single mapping of its own ids) and one with them (newuidmap/newgidmap), plus
# --userns=keep-id. Namespaces, capabilities, seccomp, devices, overlay in the user namespace,
# file ownership on the host, exec, and resource limits that cannot be delegated.
source "$FERRY_SRC/tests/integration/runtime_lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to create the test users"
command -v newuidmap >/dev/null || skip "uidmap (newuidmap) is not installed"
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" != 0 ] || skip "user namespaces are disabled"

ROOT=$TEST_TMP/rootfs
full_rootfs "$ROOT"
cp "$FET" "$TEST_TMP/fet"
chmod 755 "$TEST_TMP/fet"
FET=$TEST_TMP/fet

SINGLE=ferryit-single-$$
SUB=ferryit-sub-$$
make_user "$SINGLE"
make_user "$SUB"
sed -i "/^$SINGLE:/d" /etc/subuid /etc/subgid
if ! grep -q "^$SUB:" /etc/subuid; then
    start=$(free_subid_start)
    echo "$SUB:$start:65536" >>/etc/subuid
    echo "$SUB:$start:65536" >>/etc/subgid
fi
SUB_START=$(awk -F: -v u="$SUB" '$1 == u {print $2; exit}' /etc/subuid)
SINGLE_UID=$(id -u "$SINGLE")
SUB_UID=$(id -u "$SUB")

# user_spec USER FILE [spec flags] -- ARGS...: the spec as USER makes it (its own mappings).
user_spec() {
    local user=$1 file=$2
    shift 2
    local args=() a
    for a in "$@"; do args+=("$(printf '%q' "$a")"); done
    su -s /bin/sh "$user" -c "cd '$TEST_TMP' && '$FET' spec --rootfs '$ROOT' --userns ${args[*]}" >"$file" ||
        fail "spec as $user"
}
# user_run USER FILE [run flags]: runs the container as USER; sets OUT and STATUS.
user_run() {
    local user=$1 file=$2
    shift 2
    STATUS=0
    OUT=$(su -s /bin/sh "$user" -c "cd '$TEST_TMP' && FERRY_SECCOMP_CACHE='$TEST_TMP/cache-$user' '$FET' run $* '$file'" 2>&1 </dev/null) || STATUS=$?
}
expect_user_run() {
    local want=$1
    shift
    user_run "$@"
    [ "$STATUS" = "$want" ] || fail "container exited $STATUS, expected $want; output: [$OUT]"
}

S=$TEST_TMP/spec.json
note "single mapping: the user is root inside, with docker's capabilities"
user_spec "$SINGLE" "$S" -- sh -c 'id; tr -s " " </proc/self/uid_map; cat /proc/self/setgroups; grep -E "^(CapEff|Seccomp):" /proc/self/status; echo pid=$$; hostname; cd /proc/self/fd && echo fds *'
expect_user_run 0 "$SINGLE" "$S"
expect_contains "$OUT" "uid=0(root) gid=0(root)"
expect_contains "$OUT" "0 $SINGLE_UID 1"
expect_contains "$OUT" "deny"
expect_contains "$OUT" "CapEff:	00000000a80425fb"
expect_contains "$OUT" "Seccomp:	2"
expect_contains "$OUT" "pid=1"
expect_contains "$OUT" "ferry-test"
expect_contains "$OUT" "fds 0 1 2 3"

note "single mapping: devices, proc, sys and a blocked syscall"
user_spec "$SINGLE" "$S" -- sh -c 'echo x >/dev/null && head -c 2 /dev/urandom | wc -c; ls /dev/pts/ptmx; mount | grep -c -E " on /(proc|sys) "; unshare -U true 2>&1; touch /sys/x 2>&1; true'
expect_user_run 0 "$SINGLE" "$S"
expect_contains "$OUT" "2"
expect_contains "$OUT" "/dev/pts/ptmx"
expect_contains "$OUT" "Operation not permitted"
expect_contains "$OUT" "Read-only file system"

note "single mapping: overlay in the user namespace; new files belong to the user"
OV=$TEST_TMP/ov-single
mkdir -p "$OV/upper" "$OV/work" "$OV/mnt"
cp -a "$ROOT" "$OV/lower"  # layers of a rootless store belong to the user
chown -R "$SINGLE:$SINGLE" "$OV"
user_spec "$SINGLE" "$S" -- sh -c 'echo hi >/created; rm /bin/vi && echo removed; rm /etc/passwd 2>&1; mount | grep " / "'
edit_spec "$S" --arg r "$OV/mnt" '.root.path = $r'
expect_user_run 0 "$SINGLE" "$S" --overlay "$OV/lower,$OV/upper,$OV/work"
expect_contains "$OUT" "userxattr"
expect_contains "$OUT" "removed"
expect_eq "$(stat -c %u "$OV/upper/created")" "$SINGLE_UID"
[ -L "$OV/lower/bin/vi" ] || fail "the lower layer changed"
[ "$(stat -c %F "$OV/upper/bin/vi" 2>/dev/null)" = "character special file" ] || fail "no whiteout for /bin/vi"
# In the root-owned rootfs, root in the namespace is nobody: it cannot remove the host's files.
mkdir -p "$OV/upper2" "$OV/work2"
chown "$SINGLE" "$OV/upper2" "$OV/work2"
user_spec "$SINGLE" "$S" -- sh -c 'rm /bin/vi 2>&1; true'
edit_spec "$S" --arg r "$OV/mnt" '.root.path = $r'
expect_user_run 0 "$SINGLE" "$S" --overlay "$ROOT,$OV/upper2,$OV/work2"
expect_contains "$OUT" "Permission denied"

note "single mapping: limits that cannot be delegated are skipped with a warning"
user_spec "$SINGLE" "$S" -- sh -c 'echo ran'
edit_spec "$S" '.linux.resources.memory = {limit: 33554432} | .linux.resources.pids = {limit: 50}'
expect_user_run 0 "$SINGLE" "$S"
expect_contains "$OUT" "ran"
if [[ "$OUT" == *"resource limits ignored"* ]]; then
    expect_contains "$OUT" "ferry: warning: resource limits ignored: cgroup \`/ferry-test/"
    expect_contains "$OUT" "\` is not delegated to this user"
fi

note "single mapping: exit statuses and errors"
user_spec "$SINGLE" "$S" -- no-such-command
expect_user_run 127 "$SINGLE" "$S"
expect_eq "$OUT" 'ferry-exec-test: error: container init: exec `no-such-command`: executable file not found in $PATH'

note "single mapping: exec into the user's running container"
user_spec "$SINGLE" "$S" -- sleep 30
PIDFILE=$OV/pid  # a directory the user may write
su -s /bin/sh "$SINGLE" -c "cd '$TEST_TMP' && '$FET' run --pid-file '$PIDFILE' '$S'" </dev/null >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
E=$TEST_TMP/exec.json
user_spec "$SINGLE" "$E" -- sh -c 'id -u; hostname; cat /proc/1/cmdline | tr "\0" " "'
out=$(su -s /bin/sh "$SINGLE" -c "'$FET' exec --pid $(cat "$PIDFILE") '$E'" 2>&1) || fail "exec as $SINGLE: $out"
expect_contains "$out" "$(printf '0\nferry-test\nsleep 30')"
kill -KILL "$(cat "$PIDFILE")"
wait $bg || true

note "subordinate ranges: the whole id space through newuidmap"
user_spec "$SUB" "$S" -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; cat /proc/self/setgroups; id'
expect_user_run 0 "$SUB" "$S"
expect_contains "$OUT" "0 $SUB_UID 1"
expect_contains "$OUT" "1 $SUB_START 65536"
expect_contains "$OUT" "allow"
expect_contains "$OUT" "uid=0(root) gid=0(root)"

note "subordinate ranges: container ids land in the user's range on the host"
OV=$TEST_TMP/ov-sub
mkdir -p "$OV/upper" "$OV/work" "$OV/mnt"
chown -R "$SUB" "$OV"
user_spec "$SUB" "$S" -- sh -c 'touch /mine /theirs && chown 1000:1000 /theirs && echo chowned'
edit_spec "$S" --arg r "$OV/mnt" '.root.path = $r'
expect_user_run 0 "$SUB" "$S" --overlay "$ROOT,$OV/upper,$OV/work"
expect_contains "$OUT" "chowned"
expect_eq "$(stat -c %u "$OV/upper/mine")" "$SUB_UID"
expect_eq "$(stat -c %u:%g "$OV/upper/theirs")" "$((SUB_START + 999)):$((SUB_START + 999))"

note "--userns=keep-id: the user keeps its uid; files on a bind mount stay its own"
VOL=$TEST_TMP/vol-sub
mkdir -p "$VOL"
chown "$SUB" "$VOL"
user_spec "$SUB" "$S" --keep-id -- sh -c 'id -u; tr -s " " </proc/self/uid_map; echo data >/mnt/file'
edit_spec "$S" --arg v "$VOL" '.mounts += [{destination: "/mnt", type: "bind", source: $v, options: ["rbind"]}]'
expect_user_run 0 "$SUB" "$S"
expect_contains "$OUT" "$SUB_UID"
expect_contains "$OUT" "$SUB_UID $SUB_UID 1"
expect_contains "$OUT" "0 $SUB_START $SUB_UID"
expect_eq "$(stat -c %u "$VOL/file")" "$SUB_UID"
user_spec "$SINGLE" "$S" --keep-id -- sh -c 'id -u; tr -s " " </proc/self/uid_map'
expect_user_run 0 "$SINGLE" "$S"
expect_contains "$OUT" "$(printf '%s\n' "$SINGLE_UID")"
expect_contains "$OUT" "$SINGLE_UID $SINGLE_UID 1"
