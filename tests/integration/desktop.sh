# ferry run --desktop, as root: an Xvnc of the container's own outside it, reached by an RFB
# client on its unix socket (tests/integration/rfb_client.py), with a real X client in the
# container (xclient.c, the X11 protocol by hand, static): its pixels reach the frame, keys typed
# through RFB reach it, a resize from the viewer changes its screen, the clipboard crosses both
# ways (RFB cut text and the X CLIPBOARD selection). Only the owner reaches the
# socket and the cookie; a container without --desktop has no X socket; the server goes with
# the container (stop, restart, kill -9 of everything, rm); `ferry desktop`; bad input.
source "$FERRY_SRC/tests/integration/container_lib.sh"

command -v Xvnc >/dev/null || skip "Xvnc (tigervnc-standalone-server) is not installed"
[ -x /usr/bin/websockify ] && [ -f /usr/share/novnc/vnc.html ] ||
    skip "websockify and novnc (the desktop's web page) are not installed"
gcc -static -O2 -o "$TEST_TMP/xclient" "$FERRY_SRC/tests/integration/xclient.c" ||
    skip "no static C toolchain for the X client"
bb_image bb:1
rfb() { timeout 20 python3 "$FERRY_SRC/tests/integration/rfb_client.py" "$@"; }
XCLIENT=(-v "$TEST_TMP/xclient:/xclient:ro")
# server_of SOCKET: the pid of the Xvnc serving SOCKET ("" when none).
server_of() { pgrep -f -- "-rfbunixpath $1( |\$)" || true; }
# wait_log NAME TEXT: waits (5 s at most) until the container's log has a line TEXT.
wait_log() {
    for _ in $(seq 50); do
        ferry logs "$1" 2>/dev/null | grep -qx "$2" && return 0
        sleep 0.1
    done
    fail "no line [$2] in the log of $1: [$(ferry logs "$1" 2>&1)]"
}
# x_socket_of PID: the path of the X socket process PID listens on (/tmp/.X11-unix/XN).
x_socket_of() {
    local inodes
    inodes=$(find /proc/"$1"/fd -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
    awk -v want="$(echo $inodes)" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
        ok[$7] && $8 ~ /^\/tmp\/.X11-unix\/X/ { print $8; exit }' /proc/net/unix
}
nothing_created() { expect_eq "$(ferry ps -aq)" "" "containers after a failed create"; }

note "bad input: one line, status 125, nothing created"
expect_fail 125 'ferry: error: invalid --desktop geometry "big": expected WIDTHxHEIGHT, such as 1920x1080' \
    ferry run --rm --desktop=big bb:1 true
expect_fail 125 'ferry: error: invalid --desktop geometry "0x600": expected WIDTHxHEIGHT, such as 1920x1080' \
    ferry create --desktop=0x600 bb:1 true
expect_fail 125 'ferry: error: --desktop geometry 9000x600 is too large: at most 8192x8192' \
    ferry run --rm --desktop=9000x600 bb:1 true
expect_fail 125 "ferry: error: image bb:1 has no desktop session (LXDE, LXQt, Xfce, MATE) and no xterm: give the command to run in the desktop" \
    ferry run -d --desktop bb:1
mkdir -p "$TEST_TMP/nobin"
expect_fail 125 "ferry: error: --desktop needs TigerVNC's Xvnc, which is not installed: install Debian's tigervnc-standalone-server" \
    env PATH="$TEST_TMP/nobin" "$FERRY" run --rm --network none --desktop bb:1 true
expect_fail 125 "ferry: error: --desktop-listen needs --desktop" ferry create --desktop-listen 0.0.0.0:5901 bb:1 true
expect_fail 125 'ferry: error: invalid --desktop-listen "5901": expected ADDR:PORT, such as 0.0.0.0:5901' \
    ferry create --desktop --desktop-listen 5901 bb:1 true
expect_fail 125 'ferry: error: invalid --desktop-listen "::1:5901": expected ADDR:PORT, such as 0.0.0.0:5901' \
    ferry create --desktop --desktop-listen ::1:5901 bb:1 true
# `--desktop IMAGE` takes no value: the image stays the image.
expect_fail 125 'ferry: error: no such image `800x600`' ferry create --pull never --desktop 800x600 true
nothing_created

note "the default command: the image's desktop session, else an xterm under ferry's window manager"
root="$TEST_TMP/session-rootfs"
busybox_rootfs "$root"
mkdir -p "$root/usr/bin"
printf '#!/bin/sh\n' >"$root/usr/bin/xterm"
chmod 755 "$root/usr/bin/xterm"
tar -C "$root" -cf "$TEST_TMP/xterm.tar" .
cp "$root/usr/bin/xterm" "$root/usr/bin/startlxde"
tar -C "$root" -cf "$TEST_TMP/lxde.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/xterm.tar" xt:1 >/dev/null
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/lxde.tar" lxde:1 >/dev/null
ctr_create xt --desktop xt:1
expect_eq "$(ferry inspect -f '{{.Path}} {{json .Config.Cmd}}' xt)" '/dev/ferry-wm ["/dev/ferry-wm","xterm"]' \
    "xterm under the window manager by default"
ctr_create lx --desktop=1280x800 lxde:1
expect_eq "$(ferry inspect -f '{{.Path}} {{json .Desktop}}' lx)" \
    "startlxde {\"Geometry\":\"1280x800\",\"Listen\":\"\",\"Socket\":\"$(ferry inspect -f '{{.Desktop.Socket}}' lx)\"}" \
    "the session first, and the desktop in inspect"
expect_eq "$(ferry inspect -f '{{json .Config.Env}}' lx)" \
    '["DISPLAY=:0","XAUTHORITY=/tmp/.X11-unix/Xauthority"]' \
    "the display's environment"
expect_eq "$(ferry inspect -f '{{.HostConfig.ShmSize}}' lx)" 1073741824 "/dev/shm for browsers"
expect_fail 1 "ferry: error: Container $(ferry inspect -f '{{.Id}}' lx) is not running" ferry desktop lx
ferry rm lx xt >/dev/null
ferry create --desktop --network host xt:1 2>"$TEST_TMP/warn" >/dev/null
expect_eq "$(cat "$TEST_TMP/warn")" "ferry: warning: --desktop with --network host: the container can reach the abstract X sockets of this host's other X servers (its own desktop has none)" \
    "--network host"
ferry rm "$(ferry ps -lq)" >/dev/null

note "ferry's window manager: maps, focuses and moves the xterm's window; its status is the session's"
# The "xterm" draws a managed window (xclient window: 200x150 at 500,50, focus left to the
# window manager); the pointer is nowhere near it, so only a focus given reaches it with keys.
printf '#!/bin/sh\nexec /xclient window 3366cc\n' >"$root/usr/bin/xterm"
rm "$root/usr/bin/startlxde"
tar -C "$root" -cf "$TEST_TMP/wm.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/wm.tar" wm:1 >/dev/null
ctr_run wm --desktop=800x600 --network none "${XCLIENT[@]}" wm:1
wait_log wm mapped
WSOCK=$(ferry inspect -f '{{.Desktop.Socket}}' wm)
expect_eq "$(ferry exec wm cat /proc/1/cmdline | tr '\0' ' ')" "/dev/ferry-wm xterm " "the session's first process"
expect_eq "$(rfb "$WSOCK" frame)" "800x600 2e3440" "the window manager's background"
expect_eq "$(rfb "$WSOCK" pixel 600 100)" 3366cc "the window, mapped where it asked"
rfb "$WSOCK" keys ok >/dev/null
wait_log wm "key 0x6b"
rfb "$WSOCK" drag 600 100 300 400 >/dev/null
for _ in $(seq 20); do  # (the window manager moves it on its own time)
    moved="$(rfb "$WSOCK" pixel 600 100) $(rfb "$WSOCK" pixel 300 400)"
    [ "$moved" = "2e3440 3366cc" ] && break
    sleep 0.1
done
expect_eq "$moved" "2e3440 3366cc" "the window after Alt+drag"
# `stop` reaches the session through it (SIGTERM passed on: 128+15, not a kill after -t).
ferry stop -t 20 wm >/dev/null
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' wm)" 143 "the session's status after stop"
ferry rm -f wm >/dev/null
# The control: the same window without a window manager gets no keys (the focus stays with the
# pointer's root) and Alt+drag moves nothing.
ctr_run nowm --desktop=800x600 --network none "${XCLIENT[@]}" bb:1 /xclient window 3366cc
wait_log nowm mapped
WSOCK=$(ferry inspect -f '{{.Desktop.Socket}}' nowm)
rfb "$WSOCK" keys ok >/dev/null
rfb "$WSOCK" drag 600 100 300 400 >/dev/null
expect_eq "$(ferry logs nowm | tr '\n' ' ')$(rfb "$WSOCK" pixel 600 100)" "mapped 3366cc" \
    "the window without a window manager"
ferry rm -f nowm >/dev/null
printf '#!/bin/sh\nexit 3\n' >"$root/usr/bin/xterm"
tar -C "$root" -cf "$TEST_TMP/wm3.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/wm3.tar" wm:3 >/dev/null
expect_fail 3 "" ferry run --rm --desktop=320x200 --network none wm:3

note "X locks in an image's layers (committed after a hard stop) are hidden at start, nothing else"
ctr_run lk --network none bb:1 sh -c 'mkdir -p /tmp/.X11-unix && touch /tmp/.X5-lock /tmp/.X11-unix/X5 /tmp/keep'
ctr_wait_exit lk
ferry commit lk bb:locked >/dev/null
ferry rm lk >/dev/null
expect_out "/tmp/keep" ferry run --rm --network none bb:locked sh -c 'ls /tmp/.X5-lock /tmp/.X11-unix/X5 /tmp/keep 2>/dev/null; true'
ferry rmi bb:locked >/dev/null

note "an X client in the container draws; the RFB client reads its pixels"
ctr_run d1 --desktop=800x600 --network none "${XCLIENT[@]}" bb:1 /xclient fill 3366cc
wait_log d1 mapped
SOCK=$(ferry inspect -f '{{.Desktop.Socket}}' d1)
expect_eq "$(rfb "$SOCK" frame)" "800x600 3366cc" "the frame"
expect_out ":0 /tmp/.X11-unix/Xauthority" ferry exec d1 sh -c 'echo $DISPLAY $XAUTHORITY'
expect_contains "$(ferry ps)" "desktop 800x600" "ps's PORTS"

note "in a browser: noVNC on 127.0.0.1, only with the desktop's token, which no log holds"
URL=$(ferry desktop --format json d1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["URL"])')
[[ $URL =~ ^http://127\.0\.0\.1:([0-9]+)/vnc\.html\?path=websockify%3Ftoken%3D([0-9a-f]{32})\&autoconnect=1\&resize=remote$ ]] ||
    fail "the browser's address: $URL"
WEB_PORT=${BASH_REMATCH[1]} TOKEN=${BASH_REMATCH[2]}
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/vnc.html" && break; sleep 0.1; done
expect_contains "$(curl -sf "http://127.0.0.1:$WEB_PORT/vnc.html")" "noVNC" "noVNC's page"
expect_eq "$(rfb "ws://127.0.0.1:$WEB_PORT/websockify?token=$TOKEN" frame)" "800x600 3366cc" \
    "the frame through the WebSocket"
expect_fail_match 1 "rfb_client: refused: *" \
    python3 "$FERRY_SRC/tests/integration/rfb_client.py" "ws://127.0.0.1:$WEB_PORT/websockify" frame
expect_fail_match 1 "rfb_client: refused: *" \
    python3 "$FERRY_SRC/tests/integration/rfb_client.py" "ws://127.0.0.1:$WEB_PORT/websockify?token=nosuch" frame
# Headless Chromium (Debian's) opens noVNC's page: the desktop is on the screenshot; the same
# page without the token shows none of it.
shot() {  # shot URL PNG: the number of the X client's pixels (#3366cc) on the page
    timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$TEST_TMP/chromium" \
        --screenshot="$2" --window-size=1024,768 --virtual-time-budget=8000 "$1" >/dev/null 2>&1
    /usr/bin/python3 -c 'import sys; from PIL import Image
print(sum(1 for p in Image.open(sys.argv[1]).convert("RGB").getdata() if p == (0x33, 0x66, 0xcc)))' "$2"
}
if command -v chromium >/dev/null && /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
    pixels=$(shot "$URL" "$TEST_TMP/with-token.png")
    [ "$pixels" -gt 400000 ] || fail "the desktop on noVNC's page: $pixels pixels of it"
    expect_eq "$(shot "${URL/token%3D$TOKEN/token%3Dnosuch}" "$TEST_TMP/no-token.png")" 0 \
        "the desktop on the page with another token"
else
    note "no chromium or PIL: the page is not looked at"
fi
DESKTOP_DIR=$(find /run/ferry -path "*/$(ferry inspect -f '{{.Id}}' d1)/desktop" | head -1)
expect_eq "$(cat "$DESKTOP_DIR"/*.log | grep -c "$TOKEN" || true)" 0 "the token in a log"
expect_eq "$(ps -eo args | grep -v grep | grep -c "$TOKEN" || true)" 0 "the token on a command line"
expect_eq "$(stat -c %a "$DESKTOP_DIR/tokens")" 600 "the token file"

note "keys typed through RFB reach the X client; a resize from the viewer changes its screen"
rfb "$SOCK" keys hi >/dev/null
wait_log d1 "key 0x69"
expect_eq "$(ferry logs d1 | grep key | tr '\n' ' ')" "key 0x68 key 0x69 " "the keys"
expect_eq "$(rfb "$SOCK" resize 1024 768)" "resized 1024x768" "SetDesktopSize"
expect_out 1024x768 ferry exec d1 /xclient size

note "the clipboard both ways: the viewer's text is the container's CLIPBOARD, and back"
expect_out "(none)" ferry exec d1 /xclient paste
rfb "$SOCK" clip-send "from the viewer" >"$TEST_TMP/clip-send" &
clip_pid=$!
for _ in $(seq 100); do grep -q sent "$TEST_TMP/clip-send" && break; sleep 0.1; done
expect_out "from the viewer" ferry exec d1 /xclient paste
kill "$clip_pid"
wait "$clip_pid" 2>/dev/null || true
rfb "$SOCK" clip-recv >"$TEST_TMP/clip-recv" &
clip_pid=$!
for _ in $(seq 100); do grep -q ready "$TEST_TMP/clip-recv" && break; sleep 0.1; done
ferry exec -d d1 /xclient copy "from the container"
for _ in $(seq 100); do [ "$(wc -l <"$TEST_TMP/clip-recv")" -ge 2 ] && break; sleep 0.1; done
kill "$clip_pid" 2>/dev/null || true
wait "$clip_pid" 2>/dev/null || true
expect_eq "$(sed -n 2p "$TEST_TMP/clip-recv")" "from the container" "the container's clipboard in the viewer"

note "only the owner: the socket and the cookie are out of another user's reach"
expect_eq "$(stat -c %a "$SOCK") $(stat -c %a "$(dirname "$SOCK")")" "600 700" "socket and its directory"
COOKIE=$(find /run/ferry -path "*/$(ferry inspect -f '{{.Id}}' d1)/desktop/Xauthority" | head -1)
expect_eq "$(stat -c %a "$(dirname "$COOKIE")")" 700 "the cookie's directory"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
expect_fail_match 1 "*Permission denied*" as_nobody /usr/bin/python3 "$FERRY_SRC/tests/integration/rfb_client.py" "$SOCK" frame
expect_fail_match 1 "*Permission denied*" as_nobody cat "$COOKIE"
# The X socket itself is everyone's (as every X server's); without the cookie X says no.
x_socket=$(x_socket_of "$(server_of "$SOCK")")
[ -n "$x_socket" ] || fail "no X socket of Xvnc $(server_of "$SOCK")"
expect_fail_match 1 "xclient: the X server refused:*" \
    env -u XAUTHORITY DISPLAY=":${x_socket#/tmp/.X11-unix/X}" setpriv --reuid 65534 --regid 65534 --clear-groups "$TEST_TMP/xclient" size

note "no abstract X socket anywhere; a container without --desktop has no X socket"
expect_eq "$(grep -c '@/tmp/.X11-unix' /proc/net/unix || true)" 0 "abstract X sockets on the host"
expect_out 0 ferry exec d1 sh -c 'grep -c "@/tmp/.X11-unix" /proc/net/unix || true'
expect_out "no socket
0" ferry run --rm bb:1 sh -c 'ls /tmp/.X11-unix 2>/dev/null || echo no socket; grep -c X11 /proc/net/unix || true'
expect_out "no socket
0" ferry run --rm --network none bb:1 sh -c 'ls /tmp/.X11-unix 2>/dev/null || echo no socket; grep -c X11 /proc/net/unix || true'

note "ferry desktop: the socket, the lines to reach it; open starts a viewer"
NAME=d1
expect_out "Desktop of $NAME: 800x600 (it follows the viewer's size)
  socket:         $SOCK
  on this host:   ferry desktop open $NAME   (or: vncviewer $SOCK)
  from elsewhere: ssh -L 5901:$SOCK $(id -un)@$(hostname)   then: vncviewer localhost:5901
  in a browser:   $URL" ferry desktop d1
expect_out "{\"Container\":\"d1\",\"Geometry\":\"800x600\",\"Socket\":\"$SOCK\",\"URL\":\"$URL\"}" ferry desktop --format json d1
mkdir -p "$TEST_TMP/viewer"
printf '#!/bin/sh\necho viewer "$@"\n' >"$TEST_TMP/viewer/vncviewer"
chmod 755 "$TEST_TMP/viewer/vncviewer"
expect_out "viewer $SOCK" env PATH="$TEST_TMP/viewer:$PATH" "$FERRY" desktop open d1
expect_fail 125 "ferry: error: no VNC viewer is installed: install Debian's tigervnc-viewer, or point a viewer at $SOCK" \
    env PATH="$TEST_TMP/nobin" "$FERRY" desktop open d1
ctr_create plain bb:1 true
expect_fail 1 "ferry: error: container plain has no desktop: create it with --desktop" ferry desktop plain
ferry rm plain >/dev/null

note "--desktop-listen: over TCP only with TLS and the password; the socket as before"
LPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ctr_run d3 --desktop=640x480 --desktop-listen "127.0.0.1:$LPORT" --network none "${XCLIENT[@]}" bb:1 /xclient fill 112233
wait_log d3 mapped
ferry desktop --format json d3 >"$TEST_TMP/d3.json"
read -r PASSWORD CERT FP < <(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["Password"], j["Certificate"], j["Fingerprint"])' "$TEST_TMP/d3.json")
[[ $PASSWORD =~ ^[A-Za-z2-9]{8}$ ]] || fail "the password: [$PASSWORD]"
expect_eq "$FP" "$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | sed 's/^.*=//')" "the fingerprint"
expect_eq "$(stat -c %a "$(dirname "$CERT")") $(stat -c %a "$(dirname "$CERT")/password") $(stat -c %a "$(dirname "$CERT")/key.pem")" \
    "700 600 600" "the TLS directory, password and key"
tls() { RFB_CA=$CERT RFB_PASSWORD=$1 timeout 20 python3 "$FERRY_SRC/tests/integration/rfb_client.py" "tls://127.0.0.1:$LPORT" frame; }
expect_eq "$(tls "$PASSWORD")" "640x480 112233" "the frame over TLS"
expect_fail 1 "rfb_client: security failed: Authentication failed" tls wrong
expect_fail_match 1 "rfb_client: TLS: CERTIFICATE_VERIFY_FAILED" \
    env RFB_CA=/etc/ssl/certs/ca-certificates.crt RFB_PASSWORD="$PASSWORD" python3 "$FERRY_SRC/tests/integration/rfb_client.py" "tls://127.0.0.1:$LPORT" frame
# A client that asks for anything but VeNCrypt is offered nothing else.
expect_eq "$(python3 -c 'import socket, sys; s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(12); s.sendall(b"RFB 003.008\n"); n = s.recv(1)[0]; print(list(s.recv(n)))' "$LPORT")" "[19]" "the security types offered"
expect_eq "$(rfb "$(ferry inspect -f '{{.Desktop.Socket}}' d3)" frame)" "640x480 112233" "the frame by the socket"
expect_eq "$(ferry inspect -f '{{.Desktop.Listen}}' d3)" "127.0.0.1:$LPORT" "inspect's Desktop.Listen"
expect_out "Desktop of d3: 640x480 (it follows the viewer's size)
  socket:         $(ferry inspect -f '{{.Desktop.Socket}}' d3)
  on this host:   ferry desktop open d3   (or: vncviewer $(ferry inspect -f '{{.Desktop.Socket}}' d3))
  from elsewhere: ssh -L 5901:$(ferry inspect -f '{{.Desktop.Socket}}' d3) $(id -un)@$(hostname)   then: vncviewer localhost:5901
  in a browser:   $(ferry desktop --format json d3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["URL"])')
  over TLS:       127.0.0.1:$LPORT (VeNCrypt X509Vnc), password $PASSWORD
                  certificate $CERT
                  SHA-256 $FP
                  then: vncviewer -X509CA $CERT HOST::$LPORT" ferry desktop d3
expect_fail 125 "ferry: error: --desktop-listen 127.0.0.1:$LPORT: bind: address already in use" \
    ferry run -d --desktop --desktop-listen "127.0.0.1:$LPORT" --network none bb:1 sleep 1
ferry rm "$(ferry ps -lq)" >/dev/null
ferry restart -t 1 d3 >/dev/null
expect_eq "$(tls "$PASSWORD")" "640x480 112233" "the frame over TLS after a restart (same certificate and password)"
ferry stop -t 1 d3 >/dev/null
expect_fail 1 "rfb_client: connect to 127.0.0.1:$LPORT: Connection refused" tls "$PASSWORD"
ferry rm d3 >/dev/null

note "the server lives and dies with the container: stop, start, restart, kill -9 of everything"
first=$(server_of "$SOCK")
[ -n "$first" ] || fail "no Xvnc serves $SOCK"
ferry stop -t 1 d1 >/dev/null
expect_eq "$(server_of "$SOCK")" "" "Xvnc after stop"
expect_eq "$(pgrep -f -- "--token-source $DESKTOP_DIR/tokens" || true)" "" "websockify after stop"
[ ! -e "$SOCK" ] || fail "the socket outlived the stop"
ctr_start d1
wait_log d1 mapped
expect_eq "$(rfb "$SOCK" frame)" "800x600 3366cc" "the frame after a start"
ferry restart -t 1 d1 >/dev/null
expect_eq "$(rfb "$SOCK" frame)" "800x600 3366cc" "the frame after a restart"
kill -9 "$(ferry inspect -f '{{.State.Pid}}' d1)" "$(server_of "$SOCK")" "$(pgrep -f "ferry-monitor --state $FERRY_ROOT/containers/$(ferry inspect -f '{{.Id}}' d1)/")"
ctr_wait_exit d1
ctr_start d1
expect_eq "$(rfb "$SOCK" frame)" "800x600 3366cc" "the frame after kill -9 of everything"
ctr_start_twice() {
    ctr_run d2 --desktop=640x480 --network none "${XCLIENT[@]}" bb:1 /xclient fill 00ff00
    wait_log d2 mapped
    expect_eq "$(rfb "$(ferry inspect -f '{{.Desktop.Socket}}' d2)" frame)" "640x480 00ff00" "a second desktop"
}
ctr_start_twice
expect_eq "$(rfb "$SOCK" frame)" "800x600 3366cc" "the first desktop beside the second"

note "an X server in the image (vncserver's way): its lock and socket do not outlive the run"
ctr_create own bb:1 sh -c 'if [ -e /tmp/keep ]; then ls -a /tmp /tmp/.X11-unix | tr "\n" " "; exit 0; fi
    mkdir -p /tmp/.X11-unix
    touch /tmp/.X1-lock /tmp/.X1-lockx /tmp/keep /tmp/.X11-unix/X1 /tmp/.X11-unix/other
    echo made; sleep 100'
ctr_start own
wait_log own made
kill -9 "$(ferry inspect -f '{{.State.Pid}}' own)"
ctr_wait_exit own
ctr_start own
ctr_wait_exit own
expect_eq "$(ferry logs own | tail -1)" "/tmp: . .. .X1-lockx .X11-unix keep  /tmp/.X11-unix: . .. other " \
    "what the next run finds after a kill -9"
ferry rm -f own >/dev/null

note "rm: nothing of the desktop is left"
server=$(server_of "$SOCK")
ferry rm -f d1 d2 >/dev/null
expect_eq "$(server_of "$SOCK")" "" "Xvnc after rm -f"
[ ! -e "$SOCK" ] || fail "the socket outlived rm"
expect_eq "$(pgrep -f -- "-rfbunixpath $(dirname "$SOCK")/" || true)" "" "any Xvnc of this store left"
ferry run --rm --desktop=320x200 --network none "${XCLIENT[@]}" bb:1 /xclient size >"$TEST_TMP/size"
expect_eq "$(cat "$TEST_TMP/size")" 320x200 "run --rm --desktop"
expect_eq "$(pgrep -f -- "-rfbunixpath $(dirname "$SOCK")/" || true)" "" "Xvnc after run --rm"
