# Named and anonymous volumes through `ferry run`, with docker's rules (as dockerd 20.10 applies
# them, observed when this test was written; docker is not run here): a named volume outlives its containers, `rm -v` removes only the anonymous volumes
# (issue 3 says "survive rm unless -v"; docker never removes a named volume with rm -v, and
# neither does ferry), `rm` alone keeps them (dangling, for `volume prune`), `run --rm` removes
# them before it returns; a new volume gets the image's files at its path (copy-up), an old one
# keeps its own. Then a commit round trip: a container that added, changed and deleted files and
# directories is committed, saved, loaded into another store and run there: the same tree
# (whiteouts and opaque directories applied), without what went to its volume.
source "$FERRY_SRC/tests/integration/run_lib.sh"

# The image: busybox, /d1 and /d2 to change, VOLUME /vol with a file, and /tree.sh, which lists
# the file system (type, mode, owner, size, checksum; link targets) without the mounts.
root=$TEST_TMP/vc-rootfs
busybox_rootfs "$root"
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/d1/sub" "$root/d2" "$root/vol"
for a in $(busybox --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
echo one >"$root/d1/f"
echo deep >"$root/d1/sub/f"
echo two >"$root/d2/g"
echo keep >"$root/d2/keep"
echo from-image >"$root/vol/f"
cat >"$root/tree.sh" <<'SH'
#!/bin/sh
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /vol -o -path /tree.sh \) -prune -o -print |
    sort | while read -r p; do
        case "$p" in /etc/hostname | /etc/hosts | /etc/resolv.conf | /proc | /sys | /dev | /vol | /tree.sh) continue ;; esac
        if [ -L "$p" ]; then
            echo "$(stat -c '%n %F %u:%g' "$p") -> $(readlink "$p")"
        elif [ -f "$p" ]; then
            echo "$(stat -c '%n %F %a %u:%g %s' "$p") $(md5sum <"$p" | cut -c1-12)"
        else
            echo "$(stat -c '%n %F %a %u:%g' "$p")"
        fi
    done
SH
chmod 755 "$root/tree.sh"
tar -C "$root" -cf "$TEST_TMP/vc.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' -c 'VOLUME /vol' "$TEST_TMP/vc.tar" vc:1 >/dev/null

# volumes_of NAME: "DESTINATION NAME" for each volume mount of the container, sorted.
volumes_of() {
    ferry inspect "$1" | python3 -c '
import json, sys
for m in sorted(json.load(sys.stdin)[0]["Mounts"], key=lambda m: m["Destination"]):
    if m["Type"] == "volume":
        print(m["Destination"], m["Name"])'
}
# volume_names: the store's volumes, one a line.
volume_names() { ferry volume ls -q; }

note "a named volume outlives its container; the next one sees its files"
ferry run --name v1 -v keep:/data vc:1 sh -c 'echo kept >/data/n' >/dev/null
read -r _ image_vol < <(volumes_of v1 | grep '^/vol ')
expect_out v1 ferry rm v1
expect_eq "$(volume_names | sort)" "$(printf '%s\n' "$image_vol" keep | sort)" "volumes after rm"
ferry volume prune -f >/dev/null
expect_out kept ferry run --rm -v keep:/data vc:1 cat /data/n
expect_eq "$(volume_names)" keep "volumes after run --rm"

note "rm -v removes the anonymous volumes (explicit and the image's VOLUME), never a named one"
ferry run --name v2 -v keep:/data -v /anon vc:1 true
read -r _ anon < <(volumes_of v2 | grep '^/anon ')
read -r _ image_vol < <(volumes_of v2 | grep '^/vol ')
[ -n "$anon" ] && [ -n "$image_vol" ] || fail "no anonymous volumes: $(volumes_of v2)"
expect_eq "$(volume_names | sort)" "$(printf '%s\n' "$anon" "$image_vol" keep | sort)"
expect_out v2 ferry rm -v v2
expect_eq "$(volume_names)" keep "volumes after rm -v"

note "rm alone keeps anonymous volumes (dangling); volume prune takes them, not named ones"
ferry run --name v3 -v /anon vc:1 true
read -r _ anon < <(volumes_of v3 | grep '^/anon ')
expect_out v3 ferry rm v3
volume_names | grep -x "$anon" >/dev/null || fail "rm without -v removed the anonymous volume"
ferry volume prune -f >/dev/null
expect_eq "$(volume_names)" keep "volumes after prune"

note "run --rm: anonymous volumes are gone when it returns, named ones stay"
ferry run --rm -v /anon -v keep:/data vc:1 sh -c 'echo again >/data/m'
expect_eq "$(volume_names)" keep "volumes right after run --rm"
expect_out again ferry run --rm -v keep:/data vc:1 cat /data/m

note "copy-up: a new volume gets the image's files at its path, an old one keeps its own"
expect_out from-image ferry run --rm vc:1 cat /vol/f
expect_out from-image ferry run --rm -v fresh:/vol vc:1 sh -c 'cat /vol/f; rm /vol/f'
expect_out "gone" ferry run --rm -v fresh:/vol vc:1 sh -c 'cat /vol/f 2>/dev/null || echo gone'
mkdir -p "$TEST_TMP/bind"
expect_out "" ferry run --rm -v "$TEST_TMP/bind:/vol" vc:1 ls /vol

note "volume mounts: read-only, and in use"
expect_out "sh: can't create /data/x: Read-only file system" \
    ferry run --rm --mount type=volume,src=keep,dst=/data,readonly vc:1 sh -c '{ echo x >/data/x; } 2>&1; true'
ferry create --name user -v keep:/data vc:1 >/dev/null
expect_fail 1 "ferry: error: remove keep: volume is in use - [$(full_id user)]" ferry volume rm keep
ferry rm user >/dev/null
expect_out keep ferry volume rm keep
ferry volume rm fresh >/dev/null

note "commit round trip: added, changed, deleted files and directories, into another store"
CHANGES='echo new >/newfile; mkdir -p /newdir/sub; echo deeper >/newdir/sub/f; echo changed >>/etc/passwd;
rm /etc/group; rm -rf /d1; mkdir /d1; echo replaced >/d1/n; rm /d2/g; chmod 600 /d2/keep;
ln -s /newfile /newlink; echo in-volume >/vol/inside; mkfifo /fifo; touch /tmp/done'
ferry run -d --name c1 vc:1 sh -c "$CHANGES; exec sleep 1000" >/dev/null
for _ in $(seq 100); do ferry exec c1 test -e /tmp/done 2>/dev/null && break; sleep 0.05; done
tree1=$(ferry exec c1 /tree.sh)
for want in "/newfile regular file 644" "/newdir/sub/f regular file 644" "/d1/n regular file" \
            "/d2/keep regular file 600" "/newlink symbolic link 0:0 -> /newfile" "/fifo fifo"; do
    expect_contains "$tree1" "$want" "the container's tree"
done
for gone in "/etc/group " "/d1/f " "/d1/sub" "/d2/g "; do
    [[ "$tree1" != *"$gone"* ]] || fail "the container still has $gone"
done
id=$(ferry commit c1 vc:committed)
ferry stop -t 0 c1 >/dev/null
ferry commit c1 vc:stopped >/dev/null
expect_eq "$(inspect_field vc:stopped RootFS.Layers)" "$(inspect_field vc:committed RootFS.Layers)" \
    "layers of the running and the stopped container's commits"
ferry save -q -o "$TEST_TMP/committed.tar" vc:committed

store2=$TEST_TMP/store2
cleanup_store2() { run_cleanup "$store2" "$(run_dir_of "$store2")"; }
RUN_CLEANUPS+=(cleanup_store2)
FERRY_ROOT=$store2 ferry load -q -i "$TEST_TMP/committed.tar" >/dev/null
expect_eq "$(FERRY_ROOT=$store2 ferry image inspect -f '{{.Id}}' vc:committed)" "$id" "the image ID in the other store"
tree2=$(FERRY_ROOT=$store2 ferry run --rm vc:committed /tree.sh)
if [ "$tree2" != "$tree1" ]; then
    diff -u <(printf '%s\n' "$tree1") <(printf '%s\n' "$tree2") >&2 || true
    fail "the committed image's tree differs from the container's (diff above)"
fi
expect_out "from-image
no inside" env FERRY_ROOT="$store2" "$FERRY" run --rm vc:committed sh -c 'cat /vol/f; [ -e /vol/inside ] || echo no inside'
ferry rm c1 >/dev/null
