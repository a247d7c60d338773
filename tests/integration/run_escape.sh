# Escapes from runc and crun's CVE history, tried through `ferry run`, `exec` and `cp` as root
# (runtime_escape.sh tries them on the executor alone); each must fail: image symlinks as mount
# destinations and working directories, /proc/self/exe (CVE-2019-5736, with a live attacker
# while `ferry exec` joins), leaked descriptors (CVE-2024-21626), writes to /proc and /sys,
# mount/unshare/setns/ptrace, devices outside docker's allowlist — made with mknod, shipped in
# an image layer or on a volume, in a container without a cgroup (nodev mounts and seccomp, the
# cgroup v1 default) and in one with a device cgroup (--memory) — and cp through symlinks.
source "$FERRY_SRC/tests/integration/run_lib.sh"

# The binary under attack is a copy, so a successful overwrite cannot break the build.
cp "$FERRY" "$TEST_TMP/ferry"
FERRY=$TEST_TMP/ferry
before=$(sha256sum <"$FERRY")

# A device the host can open that docker's allowlist leaves out, and the root disk's numbers.
char_dev=""
for d in /dev/vcs /dev/tty0 /dev/fuse /dev/loop-control /dev/cpu_dma_latency; do
    [ -c "$d" ] && (exec 3<"$d") 2>/dev/null && { char_dev=$d; break; }
done
[ -n "$char_dev" ] || skip "no character device outside docker's allowlist can be opened here"
read -r cmaj cmin < <(stat -c '%t %T' "$char_dev")
cmaj=$((16#$cmaj)) cmin=$((16#$cmin))
read -r bmaj bmin < <(stat -L -c '%t %T' "$(findmnt -n -o SOURCE / | sed 's/\[.*//')" 2>/dev/null || echo "8 0")
bmaj=$((16#$bmaj)) bmin=$((16#$bmin))
note "devices tried: $char_dev ($cmaj:$cmin) and the root disk ($bmaj:$bmin)"

note "an image with symlinks to the host's directories and device nodes in its layer"
R=$TEST_TMP/evil-rootfs
busybox_rootfs "$R"
mkdir -p "$R/proc" "$R/sys" "$R/dev"
for a in $(busybox --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
mkdir -p "$TEST_TMP/canary"
ln -s /etc "$R/data"
ln -s ../../../../../../.. "$R/up"
ln -s /../../../../etc "$R/wd"
ln -s "$TEST_TMP/canary" "$R/hostdir"
printf '#!/proc/self/exe\n' >"$R/bin/evil"
chmod 755 "$R/bin/evil"
python3 - "$R" "$TEST_TMP/evil.tar" "$bmaj" "$bmin" "$cmaj" "$cmin" <<'PY'
import sys, tarfile
root, out, bmaj, bmin, cmaj, cmin = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
t = tarfile.open(out, "w")
t.add(root, arcname=".")
for name, kind, major, minor in (("imgdisk", tarfile.BLKTYPE, bmaj, bmin),
                                 ("imgchar", tarfile.CHRTYPE, cmaj, cmin)):
    i = tarfile.TarInfo(name)
    i.type, i.devmajor, i.devminor, i.mode = kind, major, minor, 0o666
    t.addfile(i)
t.close()
PY
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/evil.tar" evil:1 >/dev/null

note "symlinked mount destinations resolve inside the rootfs"
mkdir -p "$TEST_TMP/src"
echo mounted >"$TEST_TMP/src/marker"
host_etc=$(ls /etc | sha256sum)
out=$(ferry run --rm -v "$TEST_TMP/src:/data" evil:1 sh -c 'cat /etc/marker; ls /data/')
expect_contains "$out" "mounted" "a bind on /data -> /etc"
out=$(ferry run --rm -v "$TEST_TMP/src:/up/mnt-up:ro" --tmpfs /up/tmp-up \
    --mount "type=volume,src=evilvol,dst=/up/vol-up" evil:1 sh -c 'cat /mnt-up/marker; ls -d /tmp-up /vol-up; mount | grep -c -E " /(mnt|tmp|vol)-up "')
expect_eq "$out" "mounted
/tmp-up
/vol-up
3" "mounts through ../.. stop at the rootfs"
[ ! -e /etc/marker ] || fail "a bind mount landed on the host's /etc"
for d in /mnt-up /tmp-up /vol-up "$(dirname "$TEST_TMP")/mnt-up"; do
    [ ! -e "$d" ] || fail "a mount point was created on the host: $d"
done
expect_fail 125 'ferry: error: container init: mount `'"$TEST_TMP"'/src` on `/hostdir/sub`: open `/hostdir`: No such file or directory' \
    ferry run --rm -v "$TEST_TMP/src:/hostdir/sub" evil:1 true
expect_eq "$(ls -A "$TEST_TMP/canary")" "" "the host directory an image symlink names"
expect_eq "$(ls /etc | sha256sum)" "$host_etc" "the host's /etc"
ferry volume rm evilvol >/dev/null

note "a working directory outside the rootfs: a symlink, a leaked descriptor"
out=$(ferry run --rm -w /wd evil:1 sh -c 'pwd -P; ls')
expect_eq "$(printf '%s\n' "$out" | head -1)" /etc
expect_contains "$out" passwd
[[ "$out" != *os-release* ]] || fail "the working directory is the host's /etc: [$out]"
exec 7</
expect_fail 125 'ferry: error: container init: chdir to `/proc/self/fd/7`: open `/proc/self/fd/7`: Too many levels of symbolic links' \
    ferry run --rm -w /proc/self/fd/7 evil:1 pwd
ferry run -d --name wd evil:1 sleep 100 >/dev/null
expect_fail 126 'ferry: error: exec in container: chdir to `/proc/self/fd/7`: Too many levels of symbolic links' \
    ferry exec -w /proc/self/fd/7 wd pwd
# exec does not make a missing working directory (runc's exec fails, docker says 126)
expect_fail 126 'ferry: error: exec in container: chdir to `/nope`: No such file or directory' \
    ferry exec -w /nope wd pwd
exec 7<&-
expect_out /etc ferry exec -w /wd wd pwd
ferry rm -f wd >/dev/null

note "no descriptor of ferry's reaches a container: run, -t, -i, -d, exec, exec -t"
exec 8</etc/hostname 9>"$TEST_TMP/leak"
fds='cd /proc/self/fd && echo *; sleep 2 & sleep 0.1; echo child: $(ls /proc/$!/fd)'
expect_out "0 1 2 3
child: 0 1 2" ferry run --rm evil:1 sh -c "$fds"
expect_eq "$(ferry run --rm -t evil:1 sh -c "$fds" </dev/null | tr -d '\r')" "0 1 2 3
child: 0 1 2" "descriptors with -t"
expect_out "0 1 2 3
child: 0 1 2" ferry run --rm -i evil:1 sh -c "$fds" </dev/null
ferry run -d --name fds evil:1 sh -c "$fds; sleep 100" >/dev/null
for _ in $(seq 50); do [ -n "$(ferry logs fds | grep child)" ] && break; sleep 0.1; done
expect_eq "$(ferry logs fds)" "0 1 2 3
child: 0 1 2" "descriptors of a detached container"
expect_out "0 1 2 3
child: 0 1 2" ferry exec fds sh -c "$fds"
expect_eq "$(ferry exec -t fds sh -c "$fds" </dev/null | tr -d '\r')" "0 1 2 3
child: 0 1 2" "descriptors with exec -t"
exec 8<&- 9>&-

note "/proc and /sys cannot be written"
out=$(ferry exec fds sh -c '{ echo 1 >/proc/sys/kernel/domainname; echo x >/sys/kernel/uevent_helper; touch /sys/fs/cgroup/x; echo 1 >/proc/sys/vm/drop_caches; } 2>&1; true')
expect_eq "$(printf '%s\n' "$out" | grep -c -E 'Read-only file system|Permission denied')" 4 "writes refused: [$out]"
if [ -e /proc/sysrq-trigger ]; then
    out=$(ferry exec fds sh -c '{ echo h >/proc/sysrq-trigger; } 2>&1; true')
    expect_contains "$out" "Read-only file system" "a write to /proc/sysrq-trigger"
fi

note "mount, umount, unshare, setns are denied"
out=$(ferry exec fds sh -c 'mount -t tmpfs none /mnt 2>&1; umount /proc 2>&1; umount -l /sys 2>&1; unshare -m true 2>&1; unshare -U true 2>&1; nsenter -t 1 -m true 2>&1; mount --bind /bin /mnt 2>&1; true')
expect_eq "$(printf '%s\n' "$out" | grep -c -i -E 'not permitted|permission denied')" 7 "denied: [$out]"
ferry rm -f fds >/dev/null

note "/proc/self/exe never leads to ferry's binary"
expect_fail 126 "" ferry run --rm evil:1 /proc/self/exe run evil:1
expect_fail 126 "" ferry run --rm evil:1 evil version
ferry run -d --name exe evil:1 sleep 100 >/dev/null
expect_fail 126 "" ferry exec exe /proc/self/exe version
expect_fail 126 "" ferry exec exe evil version
ferry rm -f exe >/dev/null
# A live attacker, as the CVE-2019-5736 exploit: while `ferry exec` starts processes in its
# container, it hunts for a handle on any executable that is not its image's (and tries to write
# it), and for the memory of the processes it cannot see the executable of.
mkdir -p "$TEST_TMP/attack"
if build_attacker "$TEST_TMP/attack/attacker"; then
    ferry run -d --name attacked -v "$TEST_TMP/attack:/attack" evil:1 sh -c '/attack/attacker 6 >/tmp/result.tmp 2>&1; mv /tmp/result.tmp /tmp/result; sleep 100' >/dev/null
    for _ in $(seq 40); do ferry exec attacked true || fail "exec failed with $?"; done
    for _ in $(seq 5); do ferry exec attacked evil 2>/dev/null && fail "evil ran"; done
    for _ in $(seq 100); do ferry exec attacked test -s /tmp/result && break; sleep 0.1; done
    result=$(ferry exec attacked cat /tmp/result)
    note "attacker: $result"
    expect_contains "$result" "foreign=0"
    [[ "$result" != *FOREIGN* ]] || fail "a container process held a foreign executable: $result"
    [[ "$result" =~ opened=[1-9] ]] || fail "the attacker never saw a process: $result"
    ferry rm -f attacked >/dev/null
else
    note "gcc with a static libc is missing: the live attacker is not run"
fi
expect_eq "$(sha256sum <"$FERRY")" "$before" "ferry's binary after the attacks"

note "devices outside the allowlist, without a cgroup and with a device cgroup (--memory)"
mkdir -p "$TEST_TMP/devvol"
mknod "$TEST_TMP/devvol/char" c "$cmaj" "$cmin"
mknod "$TEST_TMP/devvol/disk" b "$bmaj" "$bmin"
probe="mknod /dev/newchar c $cmaj $cmin 2>&1; mknod /newdisk b $bmaj $bmin 2>&1; for f in /dev/newchar /newdisk /imgchar /imgdisk /vol/char /vol/disk; do [ -e \$f ] && (exec 3<\$f && echo \"\$f opened\") 2>&1; done; mknod /dev/null2 c 1 3 && echo allowed-ok; true"
for limits in "" "--memory 64m"; do
    # shellcheck disable=SC2086
    out=$(ferry run --rm $limits -v "$TEST_TMP/devvol:/vol" evil:1 sh -c "$probe")
    [[ "$out" != *opened* ]] || fail "a device outside the allowlist was opened (${limits:-no cgroup}): [$out]"
    expect_contains "$out" allowed-ok "an allowed device (${limits:-no cgroup})"
    # shellcheck disable=SC2086
    ferry run -d --name dev $limits -v "$TEST_TMP/devvol:/vol" evil:1 sleep 100 >/dev/null
    out=$(ferry exec dev sh -c "$probe")
    [[ "$out" != *opened* ]] || fail "exec opened a device outside the allowlist (${limits:-no cgroup}): [$out]"
    expect_contains "$out" allowed-ok "an allowed device in exec (${limits:-no cgroup})"
    if [ -z "$limits" ]; then
        expect_fail 125 "ferry: error: cannot exec --privileged in container $(full_id dev | cut -c1-12): it has no device cgroup (started without resource limits on a cgroup v1 host)" \
            ferry exec --privileged dev true
    fi
    ferry rm -f dev >/dev/null
done

note "cp through symlinks stays in the container, running or stopped"
echo payload >"$TEST_TMP/payload"
ferry run -d --name cpc evil:1 sleep 100 >/dev/null
host_passwd=$(sha256sum </etc/passwd)
for state in running stopped; do
    ferry cp "$TEST_TMP/payload" cpc:/data/payload-$state
    ferry cp "$TEST_TMP/payload" cpc:/up/payload-$state
    expect_fail 1 "ferry: error: No such container:path: cpc:$(dirname "$TEST_TMP/canary")" \
        ferry cp "$TEST_TMP/payload" cpc:/hostdir
    [ ! -e "/etc/payload-$state" ] && [ ! -e "/payload-$state" ] || fail "cp wrote to the host ($state)"
    expect_eq "$(ls -A "$TEST_TMP/canary")" "" "the host directory an image symlink names ($state)"
    expect_eq "$(ferry cp "cpc:/etc/payload-$state" - | tar -xO)" payload
    expect_eq "$(ferry cp "cpc:/payload-$state" - | tar -xO)" payload
    expect_eq "$(ferry cp cpc:/data/passwd - | tar -xO)" "$(cat "$R/etc/passwd")"
    ferry cp cpc:/up/etc/passwd "$TEST_TMP/got-$state"
    expect_eq "$(cat "$TEST_TMP/got-$state")" "$(cat "$R/etc/passwd")" "/up/etc/passwd ($state)"
    ferry stop -t 0 cpc >/dev/null
done
expect_eq "$(sha256sum </etc/passwd)" "$host_passwd" "the host's /etc/passwd"
ferry rm -f cpc >/dev/null
