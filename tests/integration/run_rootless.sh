# ferry run and the container commands as unprivileged users the test creates (issue 3, point
# 4): one with /etc/subuid and /etc/subgid ranges (newuidmap/newgidmap map the whole id space)
# and one without (a single mapping of its own ids). Each works with its own default store
# (~/.local/share/ferry) and, without XDG_RUNTIME_DIR, the run root /tmp/ferry-UID: import,
# load, run (--rm, -d, -it through a terminal), ps, logs, exec, stop, rm, commit (the result
# runs), build (owners kept, a cache mount), export, cp, named volumes and bind mounts, --userns=keep-id, ids other than root in the
# container, and resource limits, which cannot be delegated here (warning, the container runs).
#
# What a user sees inside. With subordinate ids, the store commands run in a user namespace with
# the containers' mappings (runtime/store_userns.hpp): layers keep the image's owners (uid 1000
# in the tar is uid 1000 in the container, subordinate id start+999 on the host), and files
# containers give to those ids are committed with them, saved, and removed by rm, rmi and the
# prunes (nothing of theirs is left in the store). Without them, layers are unpacked with
# best-effort ownership (rootless.sh): every file of the image belongs to the user on the host,
# which is root in the container, a file the layer gives to uid 1000 included (asserted below).
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
        # Whatever a failed test left running as the user (a holder, pasta, Xvnc).
        pkill -KILL -u "$uid" 2>/dev/null || true
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
    start=$(free_subid_start)
    echo "$SUB:$start:65536" >>/etc/subuid
    echo "$SUB:$start:65536" >>/etc/subgid
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
# own.tar: busybox plus files of other owners (a 0640 file of group 42, a 0700 home of uid 1000
# with a 0600 file), imported and saved by root as own-image.tar; far.tar: an owner beyond the
# subordinate range.
OWN=$TEST_TMP/own-rootfs
cp -a "$TEST_TMP/bb-rootfs" "$OWN"
echo owned >"$OWN/etc/owned"
chown 1000:1000 "$OWN/etc/owned"
echo secret >"$OWN/etc/shadowlike"
chown 0:42 "$OWN/etc/shadowlike"
chmod 640 "$OWN/etc/shadowlike"
mkdir -p "$OWN/home/user"
echo private >"$OWN/home/user/private"
chown -R 1000:1000 "$OWN/home/user"
chmod 700 "$OWN/home/user"
chmod 600 "$OWN/home/user/private"
tar --numeric-owner -C "$OWN" -cf "$PUB/own.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$PUB/own.tar" ferry-it/own:1 >/dev/null
ferry save -q -o "$PUB/own-image.tar" ferry-it/own:1
python3 - "$PUB/far.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    i = tarfile.TarInfo("etc"); i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
    i = tarfile.TarInfo("etc/far"); i.uid = 70000; i.gid = 0; i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
PY
# dev-image.tar: busybox plus /dev/console, /dev/null and a hard link to a node, as a
# debootstrap base has them (made and saved by root, who can make the nodes).
DEV=$TEST_TMP/dev-rootfs
cp -a "$TEST_TMP/bb-rootfs" "$DEV"
mkdir -p "$DEV/dev"
mknod -m 600 "$DEV/dev/console" c 5 1
mknod -m 666 "$DEV/dev/null" c 1 3
ln "$DEV/dev/null" "$DEV/dev/null-link"
echo kept >"$DEV/etc/kept"
tar --numeric-owner --sort=name -C "$DEV" -cf "$PUB/dev.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$PUB/dev.tar" ferry-it/dev:1 >/dev/null
ferry save -q -o "$PUB/dev-image.tar" ferry-it/dev:1
chmod -R a+rX "$PUB"

# layer_owners ARCHIVE: `name uid:gid mode` of each entry of the last layer of a docker archive.
layer_owners() {
    python3 - "$1" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    layers = json.load(t.extractfile("manifest.json"))[0]["Layers"]
    with tarfile.open(fileobj=t.extractfile(layers[-1])) as layer:
        for m in layer.getmembers():
            print(m.name, "%d:%d" % (m.uid, m.gid), "%o" % m.mode)
PY
}

# as_user USER [VAR=VALUE...] CMD...: CMD as USER in a clean environment (no XDG_RUNTIME_DIR).
as_user() {
    local user=$1
    shift
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$(getent passwd "$user" | cut -d: -f6)" \
        SHELL=/bin/sh "$@"
}
# uf USER ARGS...: the user's ferry.
uf() { local user=$1; shift; as_user "$user" "$PUB/ferry" "$@"; }

# A user-defined network rootless (issue 10, point 4), as rootless podman's: the networks live in
# one namespace of the user's (rootless_netns.hpp) that pasta connects to the host; names and
# aliases resolve, ports are proxied (TCP and UDP, on 127.0.0.1 and the host's address, again
# after a restart), other networks are out of reach, --internal has no way out, a server in a
# namespace the test makes as the outside world answers; and after the last container nothing
# of the user's is left running.
# --desktop rootless: the user's own Xvnc; an X client in the container draws, an RFB client on
# the user's socket reads the frame, and over TLS with --desktop-listen; the server goes with
# the container.
rootless_desktop() {
    local who=$1 user=$2 id sock port password cert
    command -v Xvnc >/dev/null || return 0
    note "$who: --desktop: the user's own X server, a frame through its socket"
    if [ ! -x "$PUB/xclient" ]; then
        gcc -static -O2 -o "$PUB/xclient" "$FERRY_SRC/tests/integration/xclient.c" ||
            skip "no static C toolchain for the X client"
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    id=$(uf "$user" run -d --desktop=640x480 --desktop-listen "127.0.0.1:$port" --network none \
        -v "$PUB/xclient:/xclient:ro" ferry-it/bb:1 /xclient fill ff0000)
    for _ in $(seq 50); do [ "$(uf "$user" logs "$id")" = mapped ] && break; sleep 0.1; done
    sock=$(uf "$user" inspect -f '{{.Desktop.Socket}}' "$id")
    expect_eq "$(stat -c '%U %a' "$sock")" "$user 600" "$who: the RFB socket"
    expect_eq "$(as_user "$user" timeout 20 python3 "$FERRY_SRC/tests/integration/rfb_client.py" "$sock" frame)" \
        "640x480 ff0000" "$who: the frame"
    expect_eq "$(pgrep -u "$user" -x Xvnc | wc -l)" 1 "$who: one Xvnc, the user's"
    # --desktop-listen: the user's own front, with the user's certificate and password.
    uf "$user" desktop --format json "$id" >"$TEST_TMP/desktop-$user.json"
    read -r password cert < <(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["Password"], j["Certificate"])' "$TEST_TMP/desktop-$user.json")
    expect_eq "$(stat -c %U "$cert")" "$user" "$who: the certificate's owner"
    expect_eq "$(RFB_CA=$cert RFB_PASSWORD=$password timeout 20 \
        python3 "$FERRY_SRC/tests/integration/rfb_client.py" "tls://127.0.0.1:$port" frame)" \
        "640x480 ff0000" "$who: the frame over TLS"
    uf "$user" rm -f "$id" >/dev/null
    # X locks an image's layers hold are hidden at start rootless too (a user's whiteout).
    id=$(uf "$user" run -d --network none ferry-it/bb:1 sh -c 'mkdir -p /tmp/.X11-unix && touch /tmp/.X5-lock /tmp/.X11-unix/X5 /tmp/keep')
    uf "$user" wait "$id" >/dev/null
    uf "$user" commit "$id" ferry-it/locked:1 >/dev/null
    uf "$user" rm "$id" >/dev/null
    expect_eq "$(uf "$user" run --rm --network none ferry-it/locked:1 sh -c 'ls /tmp/.X5-lock /tmp/.X11-unix/X5 /tmp/keep 2>/dev/null')" \
        /tmp/keep "$who: an image's X locks"
    uf "$user" rmi ferry-it/locked:1 >/dev/null
    for _ in $(seq 50); do pgrep -u "$user" -x Xvnc >/dev/null || break; sleep 0.1; done
    ! pgrep -u "$user" -x Xvnc >/dev/null || fail "$who: Xvnc outlived its container"
}

ECHO=$FERRY_SRC/tests/integration/net_echo.py
HOSTIP=$(ip -4 -o addr show scope global | awk '{split($4, a, "/"); print a[1]; exit}')
rootless_networks() {
    local who=$1 user=$2 uid=$3 port web get v6_side
    note "$who: user-defined networks: names, -p, isolation, --internal, the outside world"
    if [ ! -x "$PUB/udpecho" ]; then
        gcc -static -O2 -o "$PUB/udpecho" "$FERRY_SRC/tests/integration/udpecho.c" ||
            skip "no static C toolchain for the UDP server"
    fi
    get='printf "GET /hostname HTTP/1.0\r\n\r\n" | timeout 3 nc $0 80 2>/dev/null | tail -1'
    uf "$user" network create lab >/dev/null
    uf "$user" network create other >/dev/null
    uf "$user" network create --internal closed >/dev/null
    port=$((19200 + uid % 500))
    web=$(uf "$user" run -d --name web --network lab --network-alias www -p $port:80 \
        -p $port:53/udp -v "$PUB/udpecho:/udpecho:ro" ferry-it/imp:1 sh -c 'httpd -p 80 -h /etc; exec /udpecho')
    for _ in $(seq 50); do
        [ "$(curl -s -m 1 "http://127.0.0.1:$port/hostname")" = "${web:0:12}" ] && break
        sleep 0.1
    done
    expect_eq "$(curl -s -m 2 "http://127.0.0.1:$port/hostname")" "${web:0:12}" "$who: -p on 127.0.0.1"
    expect_eq "$(curl -s -m 2 "http://$HOSTIP:$port/hostname")" "${web:0:12}" "$who: -p on $HOSTIP"
    if [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then
        expect_eq "$(curl -s -m 2 "http://[::1]:$port/hostname")" "${web:0:12}" "$who: -p on [::1]"
    fi
    expect_eq "$("$ECHO" ask udp 127.0.0.1 $port)" "?" "$who: -p UDP"
    v6_side=""
    [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" != 0 ] || v6_side=$'\n'"[::]:$port"
    expect_eq "$(uf "$user" port web 80/tcp)" "0.0.0.0:$port$v6_side" "$who: port"
    expect_eq "$(uf "$user" run --rm --network lab ferry-it/imp:1 sh -c "$get" web)" "${web:0:12}" "$who: by name"
    expect_eq "$(uf "$user" run --rm --network lab ferry-it/imp:1 sh -c "$get" www)" "${web:0:12}" "$who: by alias"
    local ip
    ip=$(uf "$user" inspect -f '{{(index .NetworkSettings.Networks "lab").IPAddress}}' web)
    expect_eq "$(uf "$user" run --rm --network other ferry-it/imp:1 sh -c "$get" "$ip")" "" \
        "$who: another network cannot reach $ip"
    expect_eq "$(uf "$user" run --rm --network closed ferry-it/imp:1 sh -c 'ip route | grep -c default')" 0 \
        "$who: --internal has no default route"
    # The outside world: a server in a network namespace of the test's own, routed from the host.
    local out=fyrout$$
    if ! ip netns list | grep -q "^$out"; then
        outside_world $out fyr$$ 10.250.78 python3 "$ECHO" serve tcp 80 outside
        for _ in $(seq 50); do "$ECHO" ask tcp 10.250.78.2 80 >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    expect_eq "$(uf "$user" run --rm --network lab ferry-it/imp:1 sh -c 'printf "" | timeout 3 nc 10.250.78.2 80 | head -1')" \
        outside "$who: the outside world"
    expect_eq "$(uf "$user" run --rm --network closed ferry-it/imp:1 sh -c 'printf "" | timeout 3 nc 10.250.78.2 80 2>/dev/null')" \
        "" "$who: --internal cannot reach the outside world"
    uf "$user" restart -t 0 web >/dev/null
    for _ in $(seq 50); do
        [ "$(curl -s -m 1 "http://127.0.0.1:$port/hostname")" = "${web:0:12}" ] && break
        sleep 0.1
    done
    expect_eq "$(curl -s -m 2 "http://127.0.0.1:$port/hostname")" "${web:0:12}" "$who: -p after a restart"
    uf "$user" rm -f web >/dev/null
    uf "$user" network rm lab other closed >/dev/null
    for _ in $(seq 50); do
        pgrep -u "$user" 'ferry-netns|ferry-proxy|passt|aardvark-dns' >/dev/null || break
        sleep 0.1
    done
    expect_eq "$(pgrep -u "$user" -l 'ferry-netns|ferry-proxy|passt|aardvark-dns')" "" \
        "$who: nothing of the networks left running"
}

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

    if [ -x /usr/bin/pasta ]; then
        note "$who: the default network is pasta's: the host's addresses, -p forwarded, nothing left"
        out=$(uf "$user" run --rm ferry-it/imp:1 sh -c 'ip -o -4 addr show scope global; ip route')
        [[ $out == *"inet "* && $out == *"default via "* ]] || fail "$who: no network from pasta: $out"
        # A pasta without ports is reaped after the exit is reported; one with ports before,
        # so that the next start finds its port free.
        for _ in $(seq 50); do pgrep -u "$user" -f -- --config-net >/dev/null || break; sleep 0.1; done
        ! pgrep -u "$user" -f -- --config-net >/dev/null || fail "$who: pasta outlived run --rm"
        port=$((19000 + uid % 1000))
        for n in 1 2 3; do
            expect_out "$n" uf "$user" run --rm -p $port:80 ferry-it/imp:1 echo $n
        done
        id=$(uf "$user" run -d -p $port:80 ferry-it/imp:1 httpd -f -p 80 -h /etc)
        for _ in $(seq 50); do
            [ "$(curl -s -m 1 "http://127.0.0.1:$port/hostname")" = "${id:0:12}" ] && break
            sleep 0.1
        done
        expect_eq "$(curl -s -m 2 "http://127.0.0.1:$port/hostname")" "${id:0:12}" "$who: 127.0.0.1:$port"
        expect_eq "$(uf "$user" port "$id")" "80/tcp -> 0.0.0.0:$port" "$who: port"
        uf "$user" rm -f "$id" >/dev/null
        for _ in $(seq 50); do pgrep -u "$user" -f -- --config-net >/dev/null || break; sleep 0.1; done
        ! pgrep -u "$user" -f -- --config-net >/dev/null || fail "$who: pasta outlived its container"
        if [ -x /usr/bin/slirp4netns ]; then
            note "$who: --network slirp4netns (the fallback where pasta is missing)"
            expect_contains "$(uf "$user" run --rm --network slirp4netns ferry-it/imp:1 ip -4 -o addr show tap0)" \
                "inet 10.0.2.100/24"
            port=$((19500 + uid % 1000))
            id=$(uf "$user" run -d --network slirp4netns -p $port:80 ferry-it/imp:1 httpd -f -p 80 -h /etc)
            for _ in $(seq 50); do
                [ "$(curl -s -m 1 "http://127.0.0.1:$port/hostname")" = "${id:0:12}" ] && break
                sleep 0.1
            done
            expect_eq "$(curl -s -m 2 "http://127.0.0.1:$port/hostname")" "${id:0:12}" "$who: slirp4netns -p"
            uf "$user" rm -f "$id" >/dev/null
            for _ in $(seq 50); do pgrep -u "$user" -x slirp4netns >/dev/null || break; sleep 0.1; done
            ! pgrep -u "$user" -x slirp4netns >/dev/null || fail "$who: slirp4netns outlived its container"
            [ -z "$(ls "$run_dir"/*/slirp-*.sock 2>/dev/null)" ] || fail "$who: slirp4netns's socket is left"
        fi
        rootless_networks "$who" "$user" "$uid"
    fi
    rootless_desktop "$who" "$user"

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
    expect_fail 1 "ferry: error: copying to or from a stopped container needs root; start it first" \
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

    if [ "$who" = SUB ]; then
        note "$who: a layer's other owners, inside: the image's (the store's user namespace)"
        owners="1000 1000 600 /features/owned-1000
65534 65534 644 /features/owned-nobody
0 0 4755 /features/setuid"
    else
        note "$who: a layer's other owners, inside: all root (best-effort ownership when unpacking)"
        owners="0 0 600 /features/owned-1000
0 0 644 /features/owned-nobody
0 0 4755 /features/setuid"
    fi
    expect_out "Loaded image: ferry-test/features:1" uf "$user" load -q -i "$PUB/var/features.tar"
    expect_out "$owners" uf "$user" run --rm ferry-test/features:1 \
        stat -c '%u %g %a %n' /features/owned-1000 /features/owned-nobody /features/setuid

    note "$who: an image with device nodes loads, the nodes skipped with one warning; it saves unchanged"
    uf "$user" load -q -i "$PUB/dev-image.tar" >"$TEST_TMP/dev.out" 2>"$TEST_TMP/dev.err"
    expect_eq "$(cat "$TEST_TMP/dev.out")" "Loaded image: ferry-it/dev:1"
    expect_eq "$(cat "$TEST_TMP/dev.err")" "ferry: warning: device nodes in the image are not created (\`dev/console\` and any other): a rootless user cannot make them"
    uf "$user" save -o "$home/dev-saved.tar" ferry-it/dev:1
    archive_ids "$PUB/dev-image.tar" "$home/dev-saved.tar" >/dev/null || fail "$who: save of an image with device nodes differs"
    expect_out "kept
crw-rw-rw-" uf "$user" run --rm ferry-it/dev:1 sh -c 'cat /etc/kept; ls -l /dev/null | cut -c1-10'

    note "$who: --network none has its loopback, 127.0.0.1 and ::1"
    expect_out "inet 127.0.0.1/8
ping 127.0.0.1" uf "$user" run --rm --network none ferry-it/bb:1 sh -c 'ip -o -4 addr show lo | awk "{print \$3, \$4}"; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping 127.0.0.1'
    if [ -e /proc/sys/net/ipv6 ]; then
        expect_out "ping ::1" uf "$user" run --rm --network none ferry-it/bb:1 sh -c 'ping -c1 -W2 ::1 >/dev/null && echo ping ::1'
    fi

    note "$who: --userns=keep-id under a 0700 home whose group the namespace does not map"
    mkdir -p "$home/kdir"
    echo in-home >"$home/kdir/f"
    chown -R "$user:" "$home/kdir"
    home_mode=$(stat -c '%a %g' "$home")
    chgrp users "$home"
    chmod 700 "$home"
    expect_out "in-home $uid" uf "$user" run --rm --userns=keep-id -v "$home/kdir:/kdir" ferry-it/bb:1 \
        sh -c 'echo "$(cat /kdir/f) $(id -u)"'
    expect_out "in-home" uf "$user" run --rm -v "$home/kdir:/kdir" ferry-it/bb:1 cat /kdir/f
    chmod "${home_mode% *}" "$home"
    chgrp "${home_mode#* }" "$home"

    note "$who: a --rm container whose monitor is killed is removed by the next command"
    uf "$user" run -d --rm --name orphan ferry-it/bb:1 sleep 1000 >/dev/null
    oid=$(uf "$user" inspect -f '{{.Id}}' orphan)
    kill -KILL "$(sed -n 's/^monitor_pid=//p' "$store/containers/$oid/state")"
    for _ in $(seq 100); do [ -z "$(uf "$user" ps -q --filter name=orphan)" ] && break; sleep 0.05; done
    expect_out "" uf "$user" ps -aq --filter name=orphan
    [ ! -e "$store/containers/$oid" ] || fail "$who: the orphaned --rm container's directory is left"
    expect_out "again" uf "$user" run --rm --name orphan ferry-it/bb:1 echo again
done

# own_inside USER [GLOBAL FLAGS...] IMAGE: owners and modes of own.tar's files in a container.
own_inside() {
    uf "$@" sh -c 'stat -c "%u:%g %a" /etc/owned /etc/shadowlike /home/user /home/user/private; cat /home/user/private'
}
# leftovers STORE USER: up to 5 entries of the store not owned by the user (after waiting up to
# 5 s for background deletions).
leftovers() {
    local _
    for _ in $(seq 50); do
        [ -z "$(find "$1" -not -user "$2" | head -1)" ] && break
        sleep 0.1
    done
    find "$1" -not -user "$2" | head -5
}

note "SINGLE: load and import keep best-effort owners, an owner beyond any range included"
home=$(getent passwd "$SINGLE" | cut -d: -f6)
store=$home/.local/share/ferry
expect_out "Loaded image: ferry-it/own:1" uf "$SINGLE" load -q -i "$PUB/own-image.tar"
uf "$SINGLE" --root "$home/imp" import -q "$PUB/own.tar" ferry-it/own-imp:1 >/dev/null
uf "$SINGLE" import -q "$PUB/far.tar" ferry-it/far:1 >/dev/null
all_root="0:0 644
0:0 640
0:0 700
0:0 600
private"
expect_out "$all_root" own_inside "$SINGLE" run --rm ferry-it/own:1
expect_out "$all_root" own_inside "$SINGLE" --root "$home/imp" run --rm ferry-it/own-imp:1
# (tmp/rm-* are removed containers being deleted in the background: a file gone while find
# looks at it counts as another owner's.)
expect_eq "$(find "$store" "$home/imp" -path '*/tmp/rm-*' -prune -o -not -user "$SINGLE" -print | head -3)" "" \
    "files of other owners in the store of a user without subordinate ids"
[ ! -e "$store/userns" ] || fail "a store without subordinate ids records mappings"
uf "$SINGLE" save -o "$home/own-saved.tar" ferry-it/own:1
archive_ids "$PUB/own-image.tar" "$home/own-saved.tar" >/dev/null || fail "SINGLE: save of own.tar differs"

note "SUB: load and import keep the image's owners; on the host they are subordinate ids"
home=$(getent passwd "$SUB" | cut -d: -f6)
uid=$(id -u "$SUB") gid=$(id -g "$SUB")
store=$home/.local/share/ferry
sub() { echo $((SUB_START + $1 - 1)); }
expect_out "Loaded image: ferry-it/own:1" uf "$SUB" load -q -i "$PUB/own-image.tar"
uf "$SUB" --root "$home/imp" import -q -c 'CMD ["/bin/sh"]' "$PUB/own.tar" ferry-it/own-imp:1 >/dev/null
kept="1000:1000 644
0:42 640
1000:1000 700
1000:1000 600
private"
expect_out "$kept" own_inside "$SUB" run --rm ferry-it/own:1
expect_out "$kept" own_inside "$SUB" --root "$home/imp" run --rm ferry-it/own-imp:1
for s in "$store" "$home/imp"; do
    layer=$(dirname "$(find "$s/layers" -path '*/diff/etc/owned')")/..
    expect_eq "$(stat -c '%u:%g %a' "$layer/etc/owned" "$layer/etc/shadowlike" "$layer/home/user" \
        "$layer/home/user/private")" "$(sub 1000):$(sub 1000) 644
$uid:$(sub 42) 640
$(sub 1000):$(sub 1000) 700
$(sub 1000):$(sub 1000) 600" "owners on the host in $s"
done
expect_eq "$(cat "$store/userns")" "uid 0 $uid 1
uid 1 $SUB_START 65536
gid 0 $gid 1
gid 1 $SUB_START 65536" "the store's record of its mappings"

note "SUB: save reads the files of subordinate ids (0600 in a 0700 directory)"
uf "$SUB" save -o "$home/own-saved.tar" ferry-it/own:1
archive_ids "$PUB/own-image.tar" "$home/own-saved.tar" >/dev/null || fail "SUB: save of own.tar differs"

note "SUB: an owner beyond the subordinate range: podman's error, nothing stored"
before=$(tree_snapshot "$store/layers")
expect_fail 125 "ferry: error: importing \`$PUB/far.tar\`: entry \`etc/far\`: potentially insufficient UIDs or GIDs available in user namespace (requested 70000:0, available uids 0-65536, gids 0-65536): check /etc/subuid and /etc/subgid" \
    uf "$SUB" import -q "$PUB/far.tar" ferry-it/far:1
expect_eq "$(tree_snapshot "$store/layers")" "$before" "layers after the refused import"

note "SUB: commit records the container's owners; the image runs with them"
uf "$SUB" run --name adder ferry-it/own:1 sh -c 'mkdir /home/new && echo n >/home/new/f &&
    chmod 600 /home/new/f && chmod 700 /home/new && chown -R 1000:1000 /home/new &&
    echo more >>/etc/shadowlike && echo more >>/home/user/private'
uf "$SUB" commit adder ferry-it/own-committed:1 >/dev/null
uf "$SUB" save -o "$home/committed.tar" ferry-it/own-committed:1
expect_eq "$(layer_owners "$home/committed.tar")" "etc 0:0 755
etc/shadowlike 0:42 640
home 0:0 755
home/new 1000:1000 700
home/new/f 1000:1000 600
home/user 1000:1000 700
home/user/private 1000:1000 600" "the committed layer"
expect_out "1000:1000 700
1000:1000 600
n
private
more" uf "$SUB" run --rm ferry-it/own-committed:1 sh -c 'stat -c "%u:%g %a" /home/new /home/new/f; cat /home/new/f /home/user/private'
expect_eq "$(uf "$SUB" export adder | python3 -c 'import sys, tarfile
for m in tarfile.open(fileobj=sys.stdin.buffer, mode="r|"):
    name = m.name.lstrip("./").rstrip("/")
    if name == "home" or name.startswith("home/"):
        print(name, "%d:%d" % (m.uid, m.gid), "%o" % m.mode)')" "home 0:0 755
home/new 1000:1000 700
home/new/f 1000:1000 600
home/user 1000:1000 700
home/user/private 1000:1000 600" "export of a stopped container with files of uid 1000"

note "SUB: cp out of a running container reads a file of uid 1000; cp in writes into its directory"
uf "$SUB" run -d --name cpo -u 1000 ferry-it/own:1 sleep 1000 >/dev/null
expect_eq "$(uf "$SUB" cp cpo:/home/user/private - | tar -xO)" "private" "cp of a 0600 file of uid 1000"
echo in >"$PUB/in-file"
chmod 644 "$PUB/in-file"
uf "$SUB" cp "$PUB/in-file" cpo:/home/user/
expect_out "0:0 in" uf "$SUB" exec cpo sh -c 'echo "$(stat -c %u:%g /home/user/in-file) $(cat /home/user/in-file)"'

note "SUB: rm -f of a container running as uid 1000; a volume keeps the image's owners"
expect_out cpo uf "$SUB" rm -f cpo
expect_out "1000:1000 700
1000:1000 600" uf "$SUB" run --rm -v ownvol:/home/user ferry-it/own:1 stat -c '%u:%g %a' /home/user /home/user/private
expect_eq "$(stat -c '%u:%g' "$store/volumes/ownvol/_data/private")" "$(sub 1000):$(sub 1000)" "a volume's file on the host"

note "SUB: run --rm removes what the container gave to subordinate ids"
uf "$SUB" run --rm ferry-it/own:1 sh -c 'mkdir /x && touch /x/f && chmod 700 /x && chown -R 1000:1000 /x'
expect_eq "$(leftovers "$store/tmp" "$SUB")" "" "what run --rm left in tmp/"

note "SUB: build keeps owners (COPY --chown, RUN chown), a cache mount, a secret, stages at once; builder prune leaves nothing"
mkdir -m 755 "$PUB/bctx"
echo copied >"$PUB/bctx/f"
cat >"$PUB/bctx/Dockerfile" <<'EOF'
FROM ferry-it/own:1
COPY --chown=1000:1000 f /home/user/copied
RUN mkdir /built && echo b >/built/f && chmod 600 /built/f && chown -R 1000:42 /built && echo marker-built
RUN --mount=type=cache,target=/cache,uid=1000 echo x >>/cache/n && chown 1000 /cache/n && echo "marker-cache-$(wc -l </cache/n)"
EOF
chmod -R a+rX "$PUB/bctx"
expect_contains "$(uf "$SUB" build -t ferry-it/built:1 "$PUB/bctx")" "marker-cache-1"
expect_out "1000:1000 644
1000:42 600
1000:42 755" uf "$SUB" run --rm ferry-it/built:1 stat -c '%u:%g %a' /home/user/copied /built/f /built
out=$(uf "$SUB" build -t ferry-it/built:1 "$PUB/bctx" | grep -v '^Step ')
case "$out" in *marker-*) fail "a cached rootless build ran a step: $out" ;; esac
expect_contains "$(uf "$SUB" build --no-cache -t ferry-it/built:1 "$PUB/bctx")" "marker-cache-2"
# A secret owned by a container user, and stages built at the same time.
printf 'tok\n' >"$PUB/bctx/secret"
cat >"$PUB/bctx/ms.Dockerfile" <<'EOF'
FROM ferry-it/own:1 AS one
RUN --mount=type=secret,id=s,uid=1000 stat -c '%u %a' /run/secrets/s >/s-perm && cat /run/secrets/s >/s-content
FROM ferry-it/own:1 AS two
RUN echo two >/two
FROM ferry-it/own:1
COPY --from=one /s-perm /s-content /
COPY --from=two /two /
EOF
chmod -R a+rX "$PUB/bctx"
uf "$SUB" build -q -t ferry-it/ms:1 --secret id=s,src="$PUB/bctx/secret" -f "$PUB/bctx/ms.Dockerfile" \
    "$PUB/bctx" >/dev/null
expect_out "1000 400
tok
two" uf "$SUB" run --rm ferry-it/ms:1 cat /s-perm /s-content /two
uf "$SUB" rmi ferry-it/ms:1 >/dev/null
# Without pasta or slirp4netns (hidden in a mount namespace of this test), RUN steps use the
# host's network, and say so.
mkdir -m 755 "$PUB/bctx-net"
printf 'FROM ferry-it/own:1\nRUN echo marker-hostnet\n' >"$PUB/bctx-net/Dockerfile"
chmod 644 "$PUB/bctx-net/Dockerfile"
out=$(unshare -m sh -c 'mount --bind /dev/null /usr/bin/pasta
    if [ -e /usr/bin/slirp4netns ]; then mount --bind /dev/null /usr/bin/slirp4netns; fi
    exec runuser -u "$1" -- env -i PATH=/usr/bin:/bin HOME="$2" SHELL=/bin/sh "$3" build -q "$4" 2>&1' \
    _ "$SUB" "$(getent passwd "$SUB" | cut -d: -f6)" "$PUB/ferry" "$PUB/bctx-net") ||
    fail "a rootless build without pasta: $out"
expect_contains "$out" "ferry: warning: RUN steps use the host's network: rootless networking needs pasta (Debian package passt) or slirp4netns"
expect_out "no problems found" uf "$SUB" system check
uf "$SUB" rmi ferry-it/built:1 >/dev/null
uf "$SUB" builder prune -f >/dev/null
expect_eq "$(leftovers "$store/tmp" "$SUB")" "" "files of other owners left by builds in tmp/"
expect_eq "$(ls -A "$store/build-cache")" "" "cache mounts left by builder prune"

note "SUB: rm, rmi, the prunes and volume rm leave nothing of other owners"
expect_out adder uf "$SUB" rm adder
expect_out ownvol uf "$SUB" volume rm ownvol
uf "$SUB" rmi ferry-it/own-committed:1 ferry-it/own:1 ferry-test/features:1 >/dev/null
uf "$SUB" run --name pruned ferry-it/committed:1 sh -c 'mkdir /y && chown 1000 /y' >/dev/null
uf "$SUB" container prune -f >/dev/null
uf "$SUB" image prune -a -f >/dev/null
uf "$SUB" --root "$home/imp" rmi ferry-it/own-imp:1 >/dev/null
expect_eq "$(leftovers "$store" "$SUB")" "" "files of other owners left in the store"
expect_eq "$(leftovers "$home/imp" "$SUB")" "" "files of other owners left in the --root store"

note "SUB: a store written with other subordinate ids is refused, not misread"
sed -i "s/^$SUB:$SUB_START:/$SUB:$((SUB_START + 100000)):/" /etc/subuid
expect_fail 125 "ferry: error: enter the store's user namespace: the store \`$store\` was written with the ids \`0 $uid 1, 1 $SUB_START 65536\` (uid) and \`0 $gid 1, 1 $SUB_START 65536\` (gid), and /etc/subuid and /etc/subgid now give \`0 $uid 1, 1 $((SUB_START + 100000)) 65536\` and \`0 $gid 1, 1 $SUB_START 65536\`: restore them, or use another store (--root)" \
    uf "$SUB" load -q -i "$PUB/own-image.tar"
sed -i "s/^$SUB:$((SUB_START + 100000)):/$SUB:$SUB_START:/" /etc/subuid
expect_out "Loaded image: ferry-it/bb:1" uf "$SUB" load -q -i "$PUB/bb-image.tar"

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
