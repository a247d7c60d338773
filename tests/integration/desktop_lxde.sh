# A real desktop image: Debian 12 with LXDE and TigerVNC's vncserver, built from Debian's
# packages by tests/fixtures/lxde_image.sh and cached between runs ($FERRY_TEST_CACHE, default
# /var/cache/ferry-test).
#   - `ferry run -d --desktop IMAGE` runs the image's LXDE session (startlxde) on ferry's own X
#     server: its panel (lxpanel) draws, the frame an RFB client reads shows it;
#   - the classic recipe, docker's way: the image's own vncserver published with -p, USER and
#     HOME set for it, an RFB client reads its frame over TCP; after a kill (a hard stop) the
#     container starts again with no stale /tmp/.X1-lock ("display already in use"), and so
#     does a container of an image committed after the kill, which holds the lock.
source "$FERRY_SRC/tests/integration/container_lib.sh"

command -v Xvnc >/dev/null || skip "Xvnc (tigervnc-standalone-server) is not installed"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
cache=${FERRY_TEST_CACHE:-/var/cache/ferry-test}
note "the LXDE image (built once from Debian's packages, then cached in $cache)"
tarball=$("$FERRY_SRC/tests/fixtures/lxde_image.sh" "$cache") ||
    skip "the LXDE image could not be built (Debian's archive out of reach?)"
ferry import -q -c 'CMD ["/bin/bash"]' "$tarball" lxde:it >/dev/null
rfb() { timeout 30 python3 "$FERRY_SRC/tests/integration/rfb_client.py" "$@"; }
# colours SOCKET: how many colours the frame has (a bare X screen has one or two).
colours() {
    rfb "$1" pixels 2>/dev/null || echo 0
}
# wait_colours SOCKET MIN: waits (60 s at most) until the frame has MIN colours.
wait_colours() {
    local n=0
    for _ in $(seq 120); do
        n=$(colours "$1")
        if [ "$n" -ge "$2" ]; then
            note "the frame of $1: $n colours"
            return 0
        fi
        sleep 0.5
    done
    fail "the frame of $1 has $n colours, expected $2 or more"
}

note "--desktop: the image's LXDE session on ferry's X server"
ctr_run lx --desktop=1024x768 --network none lxde:it
expect_eq "$(ferry inspect -f '{{json .Config.Cmd}}' lx)" '["startlxde"]' "the default command"
wait_colours "$(ferry inspect -f '{{.Desktop.Socket}}' lx)" 8
for _ in $(seq 50); do ferry exec lx pgrep -x lxpanel >/dev/null && break; sleep 0.2; done
ferry exec lx pgrep -x lxpanel >/dev/null || fail "no lxpanel in the session: $(ferry exec lx ps -e -o comm)"
ferry rm -f lx >/dev/null

note "the classic recipe: the image's vncserver, published with -p; no stale lock after a kill"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
recipe='mkdir -p ~/.vnc && printf "#!/bin/sh\nexec startlxde\n" >~/.vnc/xstartup && chmod 755 ~/.vnc/xstartup &&
exec vncserver :1 -fg -geometry 800x600 -localhost no -SecurityTypes None --I-KNOW-THIS-IS-INSECURE'
ctr_run classic -p "127.0.0.1:$port:5901" lxde:it bash -c "$recipe"
expect_eq "$(ferry exec classic sh -c 'echo $USER $HOME')" "root /root" "USER and HOME"
wait_colours "tcp://127.0.0.1:$port" 8
ferry kill classic >/dev/null
ctr_wait_exit classic
# The server's lock and socket are left in the container's layer, as after any hard stop.
expect_contains "$(ferry diff classic)" "A /tmp/.X1-lock" "the stale lock after the kill"
ctr_start classic
wait_colours "tcp://127.0.0.1:$port" 8
expect_eq "$(ctr_status classic)" running "the classic recipe after a kill and a start"
# docker's workflow commits after a hard stop: the image then holds the lock; a container of it
# starts its vncserver all the same (a whiteout hides the image's lock), and the image is kept.
ferry kill classic >/dev/null
ctr_wait_exit classic
ferry commit classic lxde:locked >/dev/null
ferry rm -f classic >/dev/null
ctr_create locked -p "127.0.0.1:$port:5901" lxde:locked bash -c "$recipe"
ferry cp locked:/tmp/.X1-lock "$TEST_TMP/lock" || fail "no lock in the committed image"
ctr_start locked
wait_colours "tcp://127.0.0.1:$port" 8
ferry rm -f locked >/dev/null
ferry rmi lxde:locked lxde:it >/dev/null
