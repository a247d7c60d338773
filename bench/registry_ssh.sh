# The ssh moves of bench/registry.sh (sourced by it after the pulls; uses its $work, $cache,
# $archive, $tag, $DOCKER, $FERRY, $have_ferry_push, bench, note, at_exit): an sshd of its own on
# 127.0.0.1 (host and user keys made here, root by key only, FERRY_ROOT accepted from the
# client: the far ferry's store; FERRY_SSH_REMOTE names the far binary), reached as host `far`
# through a ProxyCommand that counts the bytes crossing the connection; `ssh` on the PATH of the
# timed commands is a wrapper that adds `-F` with that configuration. Sets ssh_report: lines separated by `;`.

ssh_dir=$work/ssh
mkdir -p "$ssh_dir/bin" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/user_key"
cp "$ssh_dir/user_key.pub" "$ssh_dir/authorized_keys"
ssh_port=$(free_port)
far_store=$work/far-store
cat >"$ssh_dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $ssh_dir/host_key
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
AcceptEnv FERRY_ROOT
PidFile $ssh_dir/sshd.pid
EOF
/usr/sbin/sshd -D -f "$ssh_dir/sshd_config" -E "$ssh_dir/sshd.log" &
sshd_pid=$!
at_exit "kill $sshd_pid"
cat >"$ssh_dir/count.py" <<'EOF'
# ProxyCommand: relays stdin/stdout to HOST:PORT and adds the bytes both ways to COUNT_FILE.
# (ssh may end it with SIGHUP or SIGTERM when it exits: the total is written then too)
import os, selectors, signal, socket, sys
host, port, count = sys.argv[1], int(sys.argv[2]), sys.argv[3]
total = 0
def finish(*_):
    with open(count, "a") as f:
        print(total, file=f)
    os._exit(0)
signal.signal(signal.SIGHUP, finish)
signal.signal(signal.SIGTERM, finish)
sock = socket.create_connection((host, port))
sel = selectors.DefaultSelector()
sel.register(0, selectors.EVENT_READ)
sel.register(sock, selectors.EVENT_READ)
total = 0
open_in = True
while True:
    done = False
    for key, _ in sel.select():
        if key.fileobj == 0:
            data = os.read(0, 1 << 16)
            if not data:
                sel.unregister(0); sock.shutdown(socket.SHUT_WR); open_in = False
                continue
            sock.sendall(data)
        else:
            data = sock.recv(1 << 16)
            if not data:
                done = True; break
            os.write(1, data)
        total += len(data)
    if done:
        break
finish()
EOF
cat >"$ssh_dir/config" <<EOF
Host far
  HostName 127.0.0.1
  Port $ssh_port
  User root
  IdentityFile $ssh_dir/user_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  Compression no
  SetEnv FERRY_ROOT=$far_store
  ProxyCommand $python $ssh_dir/count.py 127.0.0.1 $ssh_port $ssh_dir/count
EOF
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$ssh_dir/config" >"$ssh_dir/bin/ssh"
chmod +x "$ssh_dir/bin/ssh"
for _ in $(seq 50); do "$ssh_dir/bin/ssh" far true 2>/dev/null && break; sleep 0.1; done
"$ssh_dir/bin/ssh" far true || die "the benchmark's sshd does not answer (see $ssh_dir/sshd.log)"

# count_bytes COMMAND: runs COMMAND (sh -c) once more and prints the bytes its ssh moved.
count_bytes() {
    rm -f "$ssh_dir/count"
    sh -c "$1" >/dev/null || { note "failed: $1"; failed=1; echo 0; return; }
    awk '{ s += $1 } END { print s + 0 }' "$ssh_dir/count"
}

# The image to move: the base plus a new 10 MB layer (docker run + commit).
plus=ferry-bench/env-plus:1
"$DOCKER" image inspect "$tag" >/dev/null 2>&1 || "$DOCKER" load -q -i "$archive" >/dev/null
"$DOCKER" rm -f ferry-bench-plus >/dev/null 2>&1 || true
"$DOCKER" run --name ferry-bench-plus --network none "$tag" \
    sh -c 'head -c 10485760 /dev/urandom >/new-layer' || die "docker run for the new layer failed"
"$DOCKER" commit ferry-bench-plus "$plus" >/dev/null
"$DOCKER" rm ferry-bench-plus >/dev/null
at_exit "$DOCKER rmi -f $plus $tag >/dev/null 2>&1"

docker_move="$DOCKER save $plus | $ssh_dir/bin/ssh far $DOCKER load -q"
bench ssh-docker "sh -c '$docker_move'" --runs "$ssh_runs" --prepare sync
docker_bytes=$(count_bytes "$docker_move")
ssh_report="ssh move of the image + a new 10 MB layer (far side has the base):"
ssh_report+=";  docker save | ssh far docker load: $(median_of ssh-docker) s, $((docker_bytes / 1000000)) MB on the wire"

if [ $have_ferry_push = 1 ]; then
    "$DOCKER" save -o "$work/plus.tar" "$plus"
    $FERRY_CMD load -q -i "$work/plus.tar" >/dev/null
    FERRY_ROOT=$far_store "$FERRY" load -q -i "$archive" >/dev/null
    rm -f "$work/plus.tar"
    ferry_move="PATH=$ssh_dir/bin:\$PATH FERRY_SSH_REMOTE=$FERRY $FERRY_CMD push -q $plus ssh://far"
    bench ssh-ferry "sh -c '$ferry_move'" --runs "$ssh_runs" \
        --prepare "sh -c 'FERRY_ROOT=$far_store $FERRY rmi -f $plus >/dev/null 2>&1; sync'"
    FERRY_ROOT=$far_store "$FERRY" rmi -f "$plus" >/dev/null 2>&1 || true
    ferry_bytes=$(count_bytes "$ferry_move")
    verdict=MISSED
    [ "$ferry_bytes" -gt 0 ] && [ "$ferry_bytes" -lt 20000000 ] && verdict=met
    [ "$ferry_bytes" -gt 0 ] || verdict="MISSED: the move failed"
    ssh_report+=";  ferry push IMG ssh://far: $(median_of ssh-ferry) s, $((ferry_bytes / 1000000)) MB on the wire   target < 20 MB ($verdict)"
else
    ssh_report+=";  ferry push IMG ssh://far: skipped (\`ferry push\` does not work yet), target < 20 MB on the wire"
fi
