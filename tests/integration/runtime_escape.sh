# Escapes from runc and crun's CVE history, tried against the runtime library as root; each must
# fail: symlinked mount destinations (CVE-2021-30465 family), the /proc/self/exe overwrite
# (CVE-2019-5736), leaked descriptors and a working directory through them (CVE-2024-21626),
# writes to /proc and /sys, mount and ptrace of what is not the container's own, devices outside
# the allowlist, a working directory outside the rootfs through a symlink.
source "$FERRY_SRC/tests/integration/runtime_lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root"

ROOT=$TEST_TMP/rootfs
full_rootfs "$ROOT"
S=$TEST_TMP/spec.json
# The runtime under attack is a copy, so a successful overwrite cannot break the build.
cp "$FET" "$TEST_TMP/fet"
FET=$TEST_TMP/fet
before=$(sha256sum <"$FET")

note "symlinked mount destinations resolve inside the rootfs"
mkdir -p "$TEST_TMP/canary" "$TEST_TMP/src"
echo mounted >"$TEST_TMP/src/marker"
ln -s /etc "$ROOT/data"
ln -s ../../../../../../.. "$ROOT/up"
ln -s "$TEST_TMP/canary" "$ROOT/hostdir"
make_spec "$S" "$ROOT" -- sh -c 'cat /etc/marker; ls /up/ | head -3; ls -d /mnt-through-up; cat /etc/passwd | head -1'
edit_spec "$S" --arg src "$TEST_TMP/src" '.mounts += [
    {destination: "/data", type: "bind", source: $src, options: ["rbind"]},
    {destination: "/up/mnt-through-up", type: "tmpfs", source: "tmpfs", options: []}]'
expect_run 0 "$S"
expect_contains "$OUT" "mounted"                 # /data -> /etc is the rootfs's /etc
expect_contains "$OUT" "/mnt-through-up"          # `..` stopped at the rootfs
[ ! -e /etc/marker ] || fail "a bind mount landed on the host's /etc"
[ ! -e "$ROOT/../mnt-through-up" ] && [ ! -e /mnt-through-up ] || fail "a mount point was created outside the rootfs"
make_spec "$S" "$ROOT" -- true
edit_spec "$S" '.mounts += [{destination: "/hostdir/sub", type: "tmpfs", source: "tmpfs", options: []}]'
expect_run 125 "$S"
expect_eq "$OUT" 'ferry-exec-test: error: container init: mount `tmpfs` on `/hostdir/sub`: open `/hostdir`: No such file or directory'
[ -z "$(ls -A "$TEST_TMP/canary")" ] || fail "something was created in a host directory named by an image symlink"

note "a working directory outside the rootfs, through a symlink or a leaked descriptor"
ln -s /../../../../etc "$ROOT/wd"
make_spec "$S" "$ROOT" -- sh -c 'pwd -P; ls'
edit_spec "$S" '.process.cwd = "/wd"'
expect_run 0 "$S"
expect_contains "$OUT" "/etc"
expect_contains "$OUT" "passwd"
[[ "$OUT" != *os-release* ]] || fail "the working directory is the host's /etc: [$OUT]"
make_spec "$S" "$ROOT" -- pwd
edit_spec "$S" '.process.cwd = "/proc/self/fd/7"'
exec 7</
run_spec "$S"
exec 7<&-
expect_eq "$STATUS" 125
expect_contains "$OUT" 'container init: chdir to `/proc/self/fd/7`'

note "no descriptor of ferry's reaches the container"
exec 8</etc/hostname 9>"$TEST_TMP/leak"
make_spec "$S" "$ROOT" -- sh -c 'cd /proc/self/fd && echo *; sleep 2 & sleep 0.2; echo child: $(ls /proc/$!/fd)'
expect_run 0 "$S"
exec 8<&- 9>&-
expect_eq "$(printf '%s\n' "$OUT" | head -1)" "0 1 2 3"  # 3: the directory sh lists
expect_eq "$(printf '%s\n' "$OUT" | tail -1)" "child: 0 1 2"

note "/proc and /sys cannot be written"
make_spec "$S" "$ROOT" -- sh -c 'echo 1 >/proc/sys/kernel/domainname 2>&1; echo x >/sys/kernel/uevent_helper 2>&1; touch /sys/fs/cgroup/x 2>&1; [ -e /proc/sysrq-trigger ] && echo c >/proc/sysrq-trigger 2>&1; true'
expect_run 0 "$S"
[ "$(printf '%s\n' "$OUT" | grep -c -E 'Read-only file system|Permission denied')" -ge 3 ] || fail "a write to /proc or /sys was allowed: [$OUT]"

note "mount, namespaces and ptrace of anything but the container's own are denied"
make_spec "$S" "$ROOT" -- sh -c 'mount -t tmpfs none /mnt 2>&1; unshare -m true 2>&1; nsenter -t 1 -m true 2>&1; kill -0 1 && echo own-init; ls /proc | grep -c "^[0-9]"'
expect_run 0 "$S"
expect_eq "$(printf '%s\n' "$OUT" | grep -c -i -E 'not permitted|permission denied')" 3
expect_contains "$OUT" "own-init"
expect_eq "$(printf '%s\n' "$OUT" | tail -1)" "3"  # sh, ls and grep: no host pids

note "a device outside the allowlist cannot be opened, even made with mknod"
read -r major minor < <(stat -L -c '%t %T' "$(findmnt -n -o SOURCE / | sed 's/\[.*//')" 2>/dev/null || echo "8 0")
make_spec "$S" "$ROOT" -- sh -c "mknod /disk b $((16#$major)) $((16#$minor)) && dd if=/disk of=/dev/null bs=512 count=1 2>&1; mknod /mem c 1 1 && head -c 1 /mem 2>&1; true"
expect_run 0 "$S"
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'Operation not permitted')" 2

note "/proc/self/exe never leads to ferry's binary"
# A command of /proc/self/exe, and a #! script naming it, end in the trampoline's refusal.
make_spec "$S" "$ROOT" -- /proc/self/exe run /dev/null
expect_run 126 "$S"
[[ "$OUT" != *usage* && "$OUT" != *ferry-exec-test:* ]] || fail "ferry's binary ran in the container: [$OUT]"
printf '#!/proc/self/exe\n' >"$ROOT/bin/evil"
chmod 755 "$ROOT/bin/evil"
make_spec "$S" "$ROOT" -- evil spec
expect_run 126 "$S"
[[ "$OUT" != *ociVersion* ]] || fail "ferry's binary ran through a #! line: [$OUT]"
# While `exec` starts processes in it, a container process hunts for a handle on any process's
# executable that is not its own image's, as the CVE-2019-5736 exploit does.
if build_attacker "$ROOT/bin/attacker"; then
    rm -f "$TEST_TMP/pid"
    make_spec "$S" "$ROOT" -- sh -c 'attacker 8 >/tmp/result.tmp 2>&1; mv /tmp/result.tmp /tmp/result; sleep 30'
    "$FET" run --pid-file "$TEST_TMP/pid" "$S" & bg=$!
    for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
    E=$TEST_TMP/exec.json
    make_spec "$E" "$ROOT" -- true
    for _ in $(seq 60); do "$FET" exec --pid "$(cat "$TEST_TMP/pid")" "$E" || fail "exec failed with $?"; done
    make_spec "$E" "$ROOT" -- evil
    for _ in $(seq 10); do "$FET" exec --pid "$(cat "$TEST_TMP/pid")" "$E" 2>/dev/null && fail "evil ran"; done
    make_spec "$E" "$ROOT" -- test -s /tmp/result
    for _ in $(seq 200); do "$FET" exec --pid "$(cat "$TEST_TMP/pid")" "$E" && break; sleep 0.1; done
    make_spec "$E" "$ROOT" -- cat /tmp/result
    result=$("$FET" exec --pid "$(cat "$TEST_TMP/pid")" "$E")
    note "attacker: $result"
    expect_contains "$result" "foreign=0"
    [[ "$result" != *FOREIGN* ]] || fail "a container process held ferry's executable: $result"
    [[ "$result" =~ opened=[1-9] ]] || fail "the attacker never saw a process: $result"
    kill -KILL "$(cat "$TEST_TMP/pid")"
    wait $bg || true
else
    note "gcc with a static libc is missing: the live attacker is not run"
fi
expect_eq "$(sha256sum <"$FET")" "$before" "ferry-exec-test's binary after the attacks"
