# ssh moves (issue 9, point 7): `ferry push REF ssh://user@host:port` and `ferry pull
# ssh://user@host:port/REF` between root's store and a rootless user's, through a real sshd the
# test starts on 127.0.0.1 (its own host key, config and port) and the system ssh (wrapped to
# use the test's config and to count the bytes it sends). Proves: only the layer the far side
# lacks crosses (bytes counted), the image ID is the same on both sides, the image runs there,
# pull works, a receiver killed half-way leaves its store as it was, and a missing image, a bad
# host and a far side without ferry each give one line and status 125.

[ "$(id -u)" = 0 ] || skip "needs root to create a user and run sshd"
[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed"
command -v ssh-keygen >/dev/null && command -v useradd >/dev/null || skip "ssh-keygen and useradd are needed"

user="ferryssh$$"
while id "$user" >/dev/null 2>&1; do user="${user}x"; done
sshd_pid=""
cleanup() {
    [ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null || true
    userdel -r "$user" >/dev/null 2>&1 || userdel "$user" >/dev/null 2>&1 || true
    sed -i "/^$user:/d" /etc/subuid /etc/subgid 2>/dev/null || true
}
trap cleanup EXIT
useradd -m -s /bin/sh "$user"
usermod -p "*" "$user"  # no password, but not locked: sshd refuses locked accounts
home=$(getent passwd "$user" | cut -d: -f6)

mkdir -m 755 "$TEST_TMP/pub"
cp "$FERRY" "$TEST_TMP/pub/ferry"
chmod 755 "$TEST_TMP/pub/ferry"
uferry() { runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" "$TEST_TMP/pub/ferry" "$@"; }
ustore="$home/.local/share/ferry"

note "sshd on 127.0.0.1 with the test's own keys"
ssh_dir="$TEST_TMP/sshd"
mkdir -m 700 "$ssh_dir"
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/client_key"
install -d -m 700 -o "$user" "$home/.ssh"
install -m 600 -o "$user" "$ssh_dir/client_key.pub" "$home/.ssh/authorized_keys"
mkdir -p /run/sshd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$ssh_dir/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $ssh_dir/host_key
PidFile $ssh_dir/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowUsers $user
CFG
/usr/sbin/sshd -D -f "$ssh_dir/sshd_config" -E "$ssh_dir/sshd.log" &
sshd_pid=$!
printf '[127.0.0.1]:%s %s\n' "$port" "$(cat "$ssh_dir/host_key.pub")" >"$ssh_dir/known_hosts"
cat >"$ssh_dir/ssh_config" <<CFG
Host *
  IdentityFile $ssh_dir/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $ssh_dir/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
CFG
# The ssh ferry runs: the system one with the test's config, counting what goes to the far side
# (dd's report, written when ferry closes ssh's input; ssh is exec'd so that nothing else holds
# its output open once it ends).
mkdir "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/ssh" <<WRAP
#!/bin/bash
exec /usr/bin/ssh -F "$ssh_dir/ssh_config" "\$@" < <(exec dd bs=65536 2>"$ssh_dir/sent")
WRAP
chmod 755 "$TEST_TMP/bin/ssh"
export PATH="$TEST_TMP/bin:$PATH"
export FERRY_SSH_REMOTE="$TEST_TMP/pub/ferry"
sent_bytes() {
    for _ in $(seq 1 100); do
        grep -q ' bytes' "$ssh_dir/sent" && break
        sleep 0.05
    done
    sed -n 's/^\([0-9]*\) bytes.*/\1/p' "$ssh_dir/sent"
}
for _ in $(seq 1 100); do
    ssh -p "$port" "$user@127.0.0.1" true 2>/dev/null && break
    sleep 0.1
done
ssh -p "$port" "$user@127.0.0.1" true || fail "sshd does not answer (log: $(cat "$ssh_dir/sshd.log"))"
far="ssh://$user@127.0.0.1:$port"

note "a base image (6 MB of random bytes) and one with a new 10 MB layer on top"
busybox_rootfs rootfs
head -c 6000000 /dev/urandom >rootfs/base-data
tar -C rootfs -cf base.tar .
ferry import -q base.tar ferry-it/base:1 >/dev/null
ferry run --name sshmove ferry-it/base:1 sh -c 'head -c 10485760 /dev/urandom >/big' >/dev/null
ferry commit sshmove ferry-it/app:1 >/dev/null
ferry rm sshmove >/dev/null
base_id=$(ferry images --no-trunc -q ferry-it/base:1)
app_id=$(ferry images --no-trunc -q ferry-it/app:1)
read -r base_diff top_diff < <(inspect_field ferry-it/app:1 RootFS.Layers | tr , ' ')

note "push the base, then the app: only the new layer crosses"
expect_out "The push refers to repository [docker.io/ferry-it/base]
${base_diff:7:12}: Pushed
1: digest: $(python3 -c 'import json,sys; print([i["manifest"] for i in json.load(open(sys.argv[1]))["images"] if i["id"]==sys.argv[2]][0])' "$FERRY_ROOT/images.json" "$base_id") size: 422" \
    ferry push ferry-it/base:1 "$far"
expect_eq "$(uferry images --no-trunc -q ferry-it/base:1)" "$base_id" "base image ID on the far side"
ferry push ferry-it/app:1 "$far" >"$TEST_TMP/push.out"
expect_eq "$(sed -n 2,3p "$TEST_TMP/push.out")" "${base_diff:7:12}: Layer already exists
${top_diff:7:12}: Pushed" "push lines"
sent=$(sent_bytes)
note "bytes sent for the app: $sent"
[ "$sent" -gt 10000000 ] && [ "$sent" -lt 12000000 ] ||
    fail "bytes sent for a 10 MB new layer over a 6 MB base the far side has: $sent"
expect_eq "$(uferry images --no-trunc -q ferry-it/app:1)" "$app_id" "app image ID on the far side"
expect_eq "$(uferry run --rm ferry-it/app:1 wc -c /big)" "10485760 /big" "the image runs on the far side"
expect_out "docker.io/ferry-it/app:1" ferry push -q ferry-it/app:1 "$far"

note "pull ssh:// into root's store"
ferry rmi ferry-it/app:1 >/dev/null
expect_out "1: Pulling from ferry-it/app
${base_diff:7:12}: Already exists
${top_diff:7:12}: Pulling fs layer
${top_diff:7:12}: Pull complete
Digest: $(uferry image inspect -f '{{.Id}}' ferry-it/app:1 >/dev/null; python3 -c 'import json,sys; print([i["manifest"] for i in json.load(open(sys.argv[1]))["images"] if i["id"]==sys.argv[2]][0])' "$ustore/images.json" "$app_id")
Status: Downloaded newer image for ferry-it/app:1
docker.io/ferry-it/app:1" ferry pull "$far/ferry-it/app:1"
expect_eq "$(ferry images --no-trunc -q ferry-it/app:1)" "$app_id" "pulled image ID"
expect_out "docker.io/ferry-it/app:1" ferry pull -q "$far/ferry-it/app:1"
expect_eq "$(ferry system check)" "no problems found" "root's store after the moves"

note "a rootless user pushes to a second store of its own (ssh runs as the user, outside the store's namespace)"
install -m 600 -o "$user" "$ssh_dir/client_key" "$home/.ssh/id_ed25519"
install -m 644 -o "$user" "$ssh_dir/known_hosts" "$home/.ssh/known_hosts"
printf 'Host 127.0.0.1\n  BatchMode yes\n  LogLevel ERROR\n' | install -m 600 -o "$user" /dev/stdin "$home/.ssh/config"
runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" \
    FERRY_SSH_REMOTE="$TEST_TMP/pub/ferry --root $home/second" \
    "$TEST_TMP/pub/ferry" push -q ferry-it/app:1 "$far" >"$TEST_TMP/user-push.out"
expect_eq "$(cat "$TEST_TMP/user-push.out")" "docker.io/ferry-it/app:1" "the user's push -q"
expect_eq "$(uferry --root "$home/second" images --no-trunc -q ferry-it/app:1)" "$app_id" \
    "image ID in the user's second store"

note "a receiver killed half-way: its store stays as it was"
ferry run --name sshmove2 ferry-it/base:1 sh -c 'head -c 10485760 /dev/urandom >/big2' >/dev/null
ferry commit sshmove2 ferry-it/app:2 >/dev/null
ferry rm sshmove2 >/dev/null
cat >"$TEST_TMP/pub/killed" <<KILL
#!/bin/bash
# Passes 3 MB of the stream to the receiver (dd: head would keep it in stdio buffers), then
# stalls it; kills it -9 once it has staged
# part of the new layer.
exec 3<&0
fifo=\$(mktemp -u "\$HOME/feed.XXXXXX")
mkfifo "\$fifo"
"$TEST_TMP/pub/ferry" "\$@" <"\$fifo" &
receiver=\$!
{ dd bs=65536 iflag=count_bytes count=3000000 status=none <&3; exec sleep 60; } >"\$fifo" &
feeder=\$!
for _ in \$(seq 1 600); do
    compgen -G "$ustore/tmp/*/L*/diff/big2" >/dev/null && break
    sleep 0.05
done
kill -9 "\$receiver" "\$feeder"
wait
rm -f "\$fifo"
exit 137
KILL
chmod 755 "$TEST_TMP/pub/killed"
uferry images >/dev/null
before=$(tree_snapshot "$ustore")
FERRY_SSH_REMOTE="$TEST_TMP/pub/killed" expect_fail_match 125 \
    "ferry: error: pushing to $far: ssh \`$user@127.0.0.1\` exited with status 137*" \
    ferry push ferry-it/app:2 "$far"
uferry images >/dev/null
expect_eq "$(tree_snapshot "$ustore")" "$before" "far store after a killed receive"
expect_eq "$(uferry system check)" "no problems found" "far store check"

note "errors: one line, status 125"
expect_fail 125 "ferry: error: pushing to $far: An image does not exist locally with the tag: ferry-it/nope:1" \
    ferry push ferry-it/nope:1 "$far"
expect_fail 125 "ferry: error: pulling from $far: An image does not exist locally with the tag: ferry-it/nope:1" \
    ferry pull "$far/ferry-it/nope:1"
expect_fail_match 125 "ferry: error: pushing to ssh://127.0.0.1:1: ssh \`127.0.0.1\` exited with status 255: ssh: connect to host 127.0.0.1 port 1: Connection refused*" \
    ferry push ferry-it/base:1 ssh://127.0.0.1:1
FERRY_SSH_REMOTE=/nonexistent/ferry expect_fail_match 125 \
    "ferry: error: pushing to $far: ssh \`$user@127.0.0.1\` exited with status 127: *nonexistent/ferry*not found (is ferry installed there? FERRY_SSH_REMOTE names the far side's)" \
    ferry push ferry-it/base:1 "$far"
