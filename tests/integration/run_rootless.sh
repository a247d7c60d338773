# ferry run and the container commands as unprivileged users the test creates (issue 3, point
# 4): one with /etc/subuid and /etc/subgid ranges (newuidmap/newgidmap map the whole id space)
# and one without (a single mapping of its own ids). Each works with its own default store
# (~/.local/share/ferry) and, without XDG_RUNTIME_DIR, the run root /tmp/ferry-UID: import,
# load, run (--rm, -d, -it through a terminal), ps, logs, exec, stop, rm, commit (the result
# runs), export, cp, named volumes and bind mounts, --userns=keep-id, ids other than root in the
# container, and resource limits, which cannot be delegated here (warning, the container runs).
#
# What a user sees inside: layers are unpacked with best-effort ownership (rootless.sh), so
# every file of the image belongs to the user on the host, which is root in the container: `ls
# -ln /` shows 0 0 everywhere, a file the layer gives to uid 1000 included (asserted below).
source "$FERRY_SRC/tests/integration/run_lib.sh"
command -v useradd >/dev/null && command -v runuser >/dev/null || skip "useradd and runuser are needed"
command -v newuidmap >/dev/null || skip "uidmap (newuidmap) is not installed"
command -v script >/dev/null || skip "script (bsdutils) is not installed"
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" != 0 ] || skip "user namespaces are disabled"

SUB="ferryrs$$"
SINGLE="ferryrn$$"
USERS=()
remove_users() {
    local u uid home
    for u in "${USERS[@]}"; do
        uid=$(id -u "$u") home=$(getent passwd "$u" | cut -d: -f6)
        run_cleanup "$home/.local/share/ferry" "/tmp/ferry-$uid"
        rm -rf "/tmp/ferry-$uid"
        userdel -r "$u" >/dev/null 2>&1 || userdel "$u" >/dev/null 2>&1 || true
        sed -i "/^$u:/d" /etc/subuid /etc/subgid
    done
}
RUN_CLEANUPS+=(remove_users)
for u in "$SUB" "$SINGLE"; do
    useradd -m -s /bin/sh "$u" || fail "useradd $u"
    USERS+=("$u")
done
sed -i "/^$SINGLE:/d" /etc/subuid /etc/subgid
if ! grep -q "^$SUB:" /etc/subuid; then
    echo "$SUB:1400000:65536" >>/etc/subuid
    echo "$SUB:1400000:65536" >>/etc/subgid
fi
SUB_START=$(awk -F: -v u="$SUB" '$1 == u {print $2; exit}' /etc/subuid)

# The binary and the fixtures where the users can read them.
PUB=$TEST_TMP/pub
mkdir -m 755 "$PUB"
cp "$FERRY" "$PUB/ferry"
bb_image ferry-it/bb:1
cp "$TEST_TMP/bb.tar" "$PUB/bb.tar"
ferry save -q -o "$PUB/bb-image.tar" ferry-it/bb:1
(cd "$PUB" && fixture make_layer_variants.py var >/dev/null)
chmod -R a+rX "$PUB"

# as_user USER [VAR=VALUE...] CMD...: CMD as USER in a clean environment (no XDG_RUNTIME_DIR).
as_user() {
    local user=$1
    shift
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$(getent passwd "$user" | cut -d: -f6)" \
        SHELL=/bin/sh "$@"
}
# uf USER ARGS...: the user's ferry.
uf() { local user=$1; shift; as_user "$user" "$PUB/ferry" "$@"; }

for who in SUB SINGLE; do
    user=${!who}
    uid=$(id -u "$user") gid=$(id -g "$user")
    home=$(getent passwd "$user" | cut -d: -f6)
    store=$home/.local/share/ferry
    run_dir=/tmp/ferry-$uid
    if [ "$who" = SUB ]; then
        maps=" 0 $uid 1
 1 $SUB_START 65536"
    else
        maps=" 0 $uid 1"
    fi

    note "$who: load and import into the default store"
    expect_out "Loaded image: ferry-it/bb:1" uf "$user" load -q -i "$PUB/bb-image.tar"
    uf "$user" import -q -c 'CMD ["/bin/sh"]' "$PUB/bb.tar" ferry-it/imp:1 >/dev/null
    [ -d "$store/layers" ] || fail "no store in $store"

    note "$who: run --rm: root in a user namespace, overlay with userxattr, image files owned by root"
    expect_out "0
$maps
userxattr
0 0
hi" uf "$user" run --rm ferry-it/imp:1 sh -c 'id -u; tr -s " " </proc/self/uid_map; mount | grep " / " | grep -o userxattr; stat -c "%u %g" /bin/busybox; echo hi'
    expect_eq "$(stat -c '%U %a' "$run_dir")" "$user 700" "the run root without XDG_RUNTIME_DIR"

    note "$who: -d, ps, logs, exec, stop, rm"
    uf "$user" run -d --name d1 ferry-it/bb:1 sh -c 'trap "exit 0" TERM; echo started; sleep 1000 & wait' >/dev/null
    id=$(uf "$user" inspect -f '{{.Id}}' d1)
    for _ in $(seq 50); do [ "$(uf "$user" logs d1)" = started ] && break; sleep 0.1; done
    expect_out started uf "$user" logs d1
    expect_eq "$(uf "$user" ps --format '{{.Names}} {{.Status}}' | cut -c1-5)" "d1 Up"
    [ -S "$run_dir/$id/attach.sock" ] || fail "no attach socket in $run_dir/$id"
    expect_out "0
sh -c trap \"exit 0\" TERM; echo started; sleep 1000 & wait" uf "$user" exec d1 sh -c 'id -u; tr "\0" " " </proc/1/cmdline | sed "s/ \$//"'
    expect_out d1 uf "$user" stop d1
    expect_eq "$(uf "$user" ps -a --format '{{.Names}} {{.Status}}' | sed 's/) .*/)/')" "d1 Exited (0)"
    expect_out d1 uf "$user" rm d1
    expect_eq "$(ls -A "$store/containers")" "" "containers after rm"
    [ ! -e "$run_dir/$id" ] || fail "the run directory of a removed container is left"

    note "$who: -it through a terminal"
    out=$(as_user "$user" script -qec "$PUB/ferry run -it --rm ferry-it/bb:1 sh -c 'tty; echo in-tty'" /dev/null </dev/null)
    # script echoes the end of its empty input as ^@ (as it does for docker run -it).
    expect_eq "$(printf '%s' "$out" | tr -d '\r' | sed 's/^^@//')" "/dev/pts/0
in-tty" "run -it"

    note "$who: commit of added, changed and deleted files; the image runs; export"
    uf "$user" run --name c1 ferry-it/bb:1 sh -c 'echo new >/newfile; mkdir /newdir; rm /etc/group; echo more >>/etc/passwd' >/dev/null
    uf "$user" commit c1 ferry-it/committed:1 >/dev/null
    expect_out "new
dir
no group
more" uf "$user" run --rm ferry-it/committed:1 sh -c 'cat /newfile; [ -d /newdir ] && echo dir; [ -e /etc/group ] || echo no group; tail -1 /etc/passwd'
    listing=$(uf "$user" export c1 | tar -t)
    expect_contains "$listing" "newfile"
    [[ "$listing" != *etc/group* ]] || fail "export has the deleted /etc/group"

    note "$who: cp in and out of a running container; a stopped one needs root"
    uf "$user" run -d --name cp1 ferry-it/bb:1 sleep 1000 >/dev/null
    echo payload >"$PUB/payload-$who"
    chmod 644 "$PUB/payload-$who"
    uf "$user" cp "$PUB/payload-$who" cp1:/tmp/payload
    expect_out payload uf "$user" exec cp1 cat /tmp/payload
    expect_eq "$(uf "$user" cp cp1:/etc/passwd - | tar -xO)" "$(cat "$TEST_TMP/bb-rootfs/etc/passwd")"
    uf "$user" stop -t 0 cp1 >/dev/null
    expect_fail 125 "ferry: error: copying to or from a stopped container needs root; start it first" \
        uf "$user" cp cp1:/tmp/payload -
    uf "$user" rm c1 cp1 >/dev/null

    note "$who: a named volume outlives its container; bind-mounted files are the user's on the host"
    mkdir -p "$TEST_TMP/bind-$who"
    chown "$user:" "$TEST_TMP/bind-$who"
    uf "$user" run --rm -v vol:/data -v "$TEST_TMP/bind-$who:/bind" ferry-it/bb:1 \
        sh -c 'echo kept >/data/f; echo written >/bind/by-root; touch /bind/other; chown 1000:1000 /bind/other 2>&1; true' >"$TEST_TMP/chown.out"
    expect_out kept uf "$user" run --rm -v vol:/data ferry-it/bb:1 cat /data/f
    expect_out "DRIVER    VOLUME NAME
local     vol" uf "$user" volume ls
    expect_eq "$(stat -c '%u:%g' "$TEST_TMP/bind-$who/by-root")" "$uid:$gid" "a file root wrote on a bind mount"
    if [ "$who" = SUB ]; then
        # Other ids of the container are the user's subordinate ids on the host.
        expect_eq "$(cat "$TEST_TMP/chown.out")" "" "chown 1000 with subordinate ids"
        expect_eq "$(stat -c '%u:%g' "$TEST_TMP/bind-$who/other")" "$((SUB_START + 999)):$((SUB_START + 999))"
    else
        # A single mapping has no other id to give.
        expect_eq "$(cat "$TEST_TMP/chown.out")" "chown: /bind/other: Invalid argument"
    fi
    expect_out vol uf "$user" volume rm vol

    note "$who: --userns=keep-id: the user's own uid inside, and on the bind mount"
    expect_out "$uid $gid" uf "$user" run --rm --userns=keep-id -v "$TEST_TMP/bind-$who:/bind" ferry-it/bb:1 \
        sh -c 'echo x >/bind/kept; echo "$(id -u) $(id -g)"'
    expect_eq "$(stat -c '%u:%g' "$TEST_TMP/bind-$who/kept")" "$uid:$gid" "a file written with keep-id"

    note "$who: resource limits cannot be delegated: a warning, and the container runs"
    uf "$user" run -d --name lim --memory 64m --pids-limit 50 ferry-it/bb:1 echo ran >/dev/null 2>"$TEST_TMP/lim.err"
    id=$(uf "$user" inspect -f '{{.Id}}' lim)
    expect_eq "$(cat "$TEST_TMP/lim.err")" "ferry: warning: resource limits ignored: cgroup \`/ferry/$id\` is not delegated to this user"
    for _ in $(seq 50); do [ "$(uf "$user" inspect -f '{{.State.Status}}' lim)" = exited ] && break; sleep 0.1; done
    expect_out ran uf "$user" logs lim
    expect_eq "$(uf "$user" inspect -f '{{.State.ExitCode}}' lim)" 0
    uf "$user" rm lim >/dev/null

    note "$who: a layer's other owners, inside: all root (best-effort ownership when unpacking)"
    expect_out "Loaded image: ferry-test/features:1" uf "$user" load -q -i "$PUB/var/features.tar"
    expect_out "0 0 600 /features/owned-1000
0 0 644 /features/owned-nobody
0 0 4755 /features/setuid" uf "$user" run --rm ferry-test/features:1 \
        stat -c '%u %g %a %n' /features/owned-1000 /features/owned-nobody /features/setuid
done

note "XDG_RUNTIME_DIR, when set, holds the run root"
mkdir -m 700 "$TEST_TMP/xdg"
chown "$SINGLE:" "$TEST_TMP/xdg"
id=$(as_user "$SINGLE" XDG_RUNTIME_DIR="$TEST_TMP/xdg" "$PUB/ferry" run -d ferry-it/bb:1 sleep 1000)
[ -S "$TEST_TMP/xdg/ferry/$id/attach.sock" ] || fail "no attach socket under \$XDG_RUNTIME_DIR/ferry"
expect_out "$id" as_user "$SINGLE" XDG_RUNTIME_DIR="$TEST_TMP/xdg" "$PUB/ferry" rm -f "$id"

note "a /tmp/ferry-UID made by another user is refused"
sub_uid=$(id -u "$SUB")
rm -rf "/tmp/ferry-$sub_uid"
as_user "$SINGLE" mkdir -m 777 "/tmp/ferry-$sub_uid"
expect_fail 125 "ferry: error: runtime directory \`/tmp/ferry-$sub_uid\` is not this user's own (owner $(id -u "$SINGLE"), mode 777): remove it or set XDG_RUNTIME_DIR" \
    uf "$SUB" run --rm ferry-it/bb:1 true
rm -rf "/tmp/ferry-$sub_uid"
expect_out ok uf "$SUB" run --rm ferry-it/bb:1 echo ok
