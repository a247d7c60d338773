# ferry run/create, the flags that shape the process: -i, -t, -d, --rm, --name, -e/--env-file,
# -w, -u, --entrypoint, -h, --network, --label, --restart, --userns; each proved from inside
# the container, with docker's environment (PATH, HOSTNAME, HOME and USER from the image's
# /etc/passwd, TERM only with -t) and docker's error texts.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
PATH_LINE=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

note "the environment: docker's, plus USER and HOME from the image's passwd (host network: the host's name)"
expect_out "$(printf '%s\nHOSTNAME=%s\nIMG=1\nHOME=/root\nUSER=root' "$PATH_LINE" "$(hostname)")" \
    ferry run --rm --network host bb:1 env
expect_out "$(printf '%s\nHOSTNAME=%s\nIMG=1\nHOME=/home/user\nUSER=user' "$PATH_LINE" "$(hostname)")" \
    ferry run --rm --network host -u user bb:1 env
expect_out "$(printf '%s\nHOSTNAME=%s\nIMG=1\nHOME=/' "$PATH_LINE" "$(hostname)")" \
    ferry run --rm --network host -u 4242 bb:1 env

note "-e and --env-file: files first, then -e; KEY alone takes the value from our environment"
printf 'A=file\nB=file\n# a comment\n\nFROM_ENV\nUNSET_KEY\nIMG=2\n' >"$TEST_TMP/env"
out=$(FROM_ENV=outer ferry run --rm --network host --env-file "$TEST_TMP/env" -e B=flag -e C= -e FROM_ENV2 bb:1 env)
# docker's order (compared with docker 20.10): the image's IMG=1 gives way to the file's IMG=2
expect_eq "$out" "$(printf '%s\nHOSTNAME=%s\nA=file\nB=flag\nFROM_ENV=outer\nIMG=2\nC=\nHOME=/root\nUSER=root' "$PATH_LINE" "$(hostname)")"
expect_out "x y" env FROM_ENV2="x y" "$FERRY" run --rm -e FROM_ENV2 bb:1 sh -c 'echo $FROM_ENV2'
expect_out "/bin /h u" ferry run --rm -e PATH=/bin -e HOME=/h -e USER=u bb:1 sh -c 'echo $PATH $HOME $USER'
expect_fail 125 "ferry: error: open \`$TEST_TMP/nope\`: No such file or directory" \
    ferry run --rm --env-file "$TEST_TMP/nope" bb:1 true
printf 'A B=1\n' >"$TEST_TMP/badenv"
expect_fail 125 "ferry: error: poorly formatted environment: variable 'A B' contains whitespaces" \
    ferry run --rm --env-file "$TEST_TMP/badenv" bb:1 true
expect_fail 125 'ferry: error: invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x (see `ferry run --help`)' \
    ferry run --rm -e =x bb:1 true

note "-i: stdin piped through; without -i the container's stdin is empty"
expect_eq "$(printf 'one\ntwo\n' | ferry run --rm -i bb:1 sh -c 'cat; echo end')" "$(printf 'one\ntwo\nend')"
expect_eq "$(echo lost | ferry run --rm bb:1 sh -c 'cat; echo end')" "end"

note "-t: a terminal with TERM=xterm and the caller's window size"
if command -v script >/dev/null; then
    out=$(script -qec "stty rows 33 cols 99; '$FERRY' run --rm -t bb:1 sh -c 'tty; echo \$TERM; stty size; test -t 0 && test -t 1 && test -t 2 && echo all-tty'" /dev/null </dev/null | tr -d '\r')
    expect_eq "$out" "$(printf '/dev/pts/0\nxterm\n33 99\nall-tty')" "run -t"
    out=$(script -qec "'$FERRY' run --rm -t bb:1 sh -c 'exit 3'" /dev/null </dev/null) && fail "run -t: exit status 0"
    expect_eq "$(script -qec "'$FERRY' run --rm -t bb:1 sh -c 'exit 3'" /dev/null </dev/null >/dev/null; echo $?)" 3 "run -t exit status"
else
    note "skipped: script (bsdutils) is not installed"
fi
expect_out "$(printf 'no-term\nnot a tty')" ferry run --rm bb:1 sh -c 'echo ${TERM:-no-term}; tty || true'

note "-d: the full ID at once, the container runs on"
id=$(ferry run -d --name d1 bb:1 sleep 100)
[[ "$id" =~ ^[0-9a-f]{64}$ ]] || fail "run -d printed [$id]"
expect_eq "$(ctr_status d1)" running
expect_eq "$(ferry inspect -f '{{.Id}}' d1)" "$id"
expect_eq "$(ferry ps -q --no-trunc -f name=d1)" "$id"

note "--name: docker's conflict message; create makes a container in the Created state"
expect_fail 125 "ferry: error: Conflict. The container name \"/d1\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name." \
    ferry run --name d1 bb:1 true
expect_fail 125 "ferry: error: Conflict. The container name \"/d1\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name." \
    ferry create --name /d1 bb:1 true
expect_fail 125 'ferry: error: Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' \
    ferry run --name 'a b' bb:1 true
cid=$(ferry create --name c1 bb:1 echo created)
[[ "$cid" =~ ^[0-9a-f]{64}$ ]] || fail "create printed [$cid]"
expect_eq "$(ctr_status c1)" created
expect_eq "$(ferry start -a c1)" created

note "--rm: the container and its name are gone when run returns"
expect_out "bye" ferry run --rm --name gone bb:1 echo bye
expect_fail 1 'ferry: error: no such object `gone`' ferry inspect gone
expect_out "again" ferry run --rm --name gone bb:1 echo again
for _ in $(seq 50); do [ -z "$(ls "$FERRY_ROOT/tmp")" ] && break; sleep 0.1; done
expect_eq "$(ls "$FERRY_ROOT/tmp")" "" "the monitor deletes the files after run returns"
status=0
ferry run --rm --name gone bb:1 sh -c 'exit 7' || status=$?
expect_eq "$status" 7 "--rm exit status"
expect_fail 1 'ferry: error: no such object `gone`' ferry inspect gone
expect_fail 125 'ferry: error: conflicting options: cannot specify both --restart and --rm' \
    ferry run --rm --restart always bb:1 true

note "-w: created when missing (owned by root, as docker), relative refused"
expect_out "$(printf '/new/dir\n0:0')" ferry run --rm -u user -w /new/dir bb:1 sh -c 'pwd; stat -c %u:%g /new/dir'
expect_out "/home/user" ferry run --rm -w /home/user bb:1 pwd
expect_fail 125 "ferry: error: the working directory 'rel' is invalid, it needs to be an absolute path" \
    ferry run --rm -w rel bb:1 true

note "-u: names, uids, uid:gid, group names; supplementary groups only without a group"
expect_out "uid=1000(user) gid=1000(grp) groups=1000(grp),2000(extra)" ferry run --rm -u user bb:1 id
expect_out "uid=1000(user) gid=1000(grp) groups=1000(grp),2000(extra)" ferry run --rm -u 1000 bb:1 id
expect_out "uid=1000(user) gid=2000(extra) groups=2000(extra)" ferry run --rm -u user:extra bb:1 id
expect_out "uid=1234 gid=55 groups=55" ferry run --rm -u 1234:55 bb:1 id
expect_out "uid=65534(nobody) gid=0(root) groups=0(root)" ferry run --rm -u nobody:0 bb:1 id
expect_fail 125 'ferry: error: unable to find user nosuch: no matching entries in passwd file' \
    ferry run --rm -u nosuch bb:1 true
expect_fail 125 'ferry: error: unable to find group nosuch: no matching entries in group file' \
    ferry run --rm -u 0:nosuch bb:1 true
expect_fail 125 'ferry: error: unable to find user nosuch: no matching entries in passwd file' \
    ferry create -u nosuch bb:1 true

note "--entrypoint: replaces the image's, and resets its CMD, as docker"
expect_out "a b" ferry run --rm --entrypoint echo bb:1 a b
expect_out "" ferry run --rm --entrypoint echo bb:1
expect_out "hi" ferry run --rm --entrypoint "" bb:1 echo hi
expect_fail 125 'ferry: error: no command specified' ferry run --rm --entrypoint "" bb:1
expect_eq "$(ferry create --name ep --entrypoint /bin/echo bb:1 x y >/dev/null; ferry inspect -f '{{.Path}} {{json .Args}} {{json .Config.Entrypoint}} {{json .Config.Cmd}}' ep)" \
    '/bin/echo ["x","y"] ["/bin/echo"] ["x","y"]'

note "-h: the host name inside; the host's network shares the host's name"
expect_out "$(printf 'myhost\nmyhost\nmyhost')" ferry run --rm -h myhost bb:1 sh -c 'hostname; echo $HOSTNAME; cat /etc/hostname'
expect_out "$(hostname)" ferry run --rm --network host bb:1 hostname
expect_eq "$(ferry run --rm --network host bb:1 readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/net)" "host network namespace"
[ "$(ferry run --rm bb:1 readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
    fail "the default network is a namespace of the container's own"
expect_eq "$(ferry run --rm --network host bb:1 cat /etc/resolv.conf)" "$(cat /etc/resolv.conf)" "resolv.conf"
# veths left out: the kernel removes those of an exited container (the default-network one
# above) in the background, so one may come or go between the two listings.
expect_eq "$(ferry run --rm --network host bb:1 ls /sys/class/net | grep -v '^veth' | sort)" \
    "$(ls /sys/class/net | grep -v '^veth' | sort)" "--network host"
out=$(ferry run --rm --network none bb:1 sh -c 'ls /sys/class/net; hostname; cat /etc/hosts')
host=$(printf '%s\n' "$out" | sed -n 2p)
[[ "$host" =~ ^[0-9a-f]{12}$ ]] || fail "--network none host name: [$out]"
# docker's (libnetwork's) file: no line of the container's own without an address.
expect_eq "$out" "$(printf 'lo\n%s\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters' "$host")"
ns=$(ferry run --rm --net=none bb:1 readlink /proc/self/ns/net)
[[ $ns == net:\[[0-9]*\] ]] || fail "--net=none: network namespace [$ns]"
[ "$ns" != "$(readlink /proc/self/ns/net)" ] || fail "--net=none shares the host's network namespace"

note "--network none: lo is up with 127.0.0.1 and ::1, as docker's (ping, and nc through each)"
LOOPBACK_CMD='ip -o addr show lo | awk "{print \$3, \$4}"
ping -c1 -W2 127.0.0.1 >/dev/null && echo ping 127.0.0.1
ping -c1 -W2 ::1 >/dev/null && echo ping ::1
for a in 127.0.0.1 ::1; do
    nc -l -p 7000 -e sh -c "cat >/tmp/got" & n=$!  # the data kept before nc ends
    i=0
    until grep -q ":1B58 [0-9A-F]*:0000 0A" /proc/net/tcp /proc/net/tcp6 || [ $i = 100 ]; do sleep 0.05; i=$((i+1)); done
    echo "nc $a" | nc $a 7000 || kill $n
    wait $n
    cat /tmp/got
done'
LOOPBACK_OUT=$(printf 'inet 127.0.0.1/8\ninet6 ::1/128\nping 127.0.0.1\nping ::1\nnc 127.0.0.1\nnc ::1')
if [ -e /proc/sys/net/ipv6 ]; then
    expect_out "$LOOPBACK_OUT" ferry run --rm --network none bb:1 sh -c "$LOOPBACK_CMD"
else
    note "no IPv6 in this kernel: only 127.0.0.1 is checked"
    expect_out "$(printf 'inet 127.0.0.1/8\nping 127.0.0.1')" ferry run --rm --network none bb:1 sh -c "$(printf '%s\n' "$LOOPBACK_CMD" | head -2)"
fi
# The bridge: eth0 beside lo; --rm leaves nothing.
expect_eq "$(ferry run --rm --name br --network bridge bb:1 ls /sys/class/net | tr '\n' ' ')" "eth0 lo " \
    "--network bridge"
expect_eq "$(ferry ps -aq --filter name=br)" "" "a --rm container on the bridge"

note "--label, --restart: recorded in the container's config"
ferry create --name lab -l a=1 --label b --restart on-failure:3 bb:1 true >/dev/null
expect_eq "$(ferry inspect -f '{{json .Config.Labels}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' lab)" \
    '{"a":"1","b":""} on-failure 3'
printf 'from=file\n' >"$TEST_TMP/labels"
ferry create --name lab2 --label-file "$TEST_TMP/labels" -l x=y --restart unless-stopped bb:1 true >/dev/null
expect_eq "$(ferry inspect -f '{{json .Config.Labels}} {{.HostConfig.RestartPolicy.Name}}' lab2)" '{"from":"file","x":"y"} unless-stopped'
expect_eq "$(ferry inspect -f '{{.HostConfig.RestartPolicy.Name}}' c1)" no
expect_fail 125 "ferry: error: invalid restart policy 'bogus'" ferry create --restart bogus bb:1 true
expect_fail 125 'ferry: error: invalid restart policy format: maximum retry count must be an integer' \
    ferry create --restart on-failure:x bb:1 true
expect_fail 125 "ferry: error: invalid argument \"=v\" for \"-l, --label\" flag: invalid label '=v': empty name (see \`ferry create --help\`)" \
    ferry create -l =v bb:1 true

note "--userns=keep-id is for rootless stores; root is told so"
expect_fail 125 'ferry: error: --userns=keep-id is only supported rootless' ferry run --rm --userns=keep-id bb:1 true
expect_fail 125 'ferry: error: invalid USER mode: bogus' ferry run --rm --userns=bogus bb:1 true
expect_out "ok" ferry run --rm --userns=host bb:1 echo ok

note "nothing of the failed creates is left"
expect_eq "$(ferry ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "c1 d1 ep lab lab2 "

note "rm: a missing container fails the command; with -f it is reported and the rest removed"
expect_fail 1 'ferry: error: no such container `nosuch`' ferry rm nosuch
status=0
out=$(ferry rm -f nosuch lab 2>"$TEST_TMP/rm.err") || status=$?
expect_eq "$status:$out" "0:lab" "rm -f with a missing name"
expect_eq "$(cat "$TEST_TMP/rm.err")" 'ferry: error: no such container `nosuch`'
expect_fail 1 'ferry: error: no such container `lab`' ferry inspect --type container lab
