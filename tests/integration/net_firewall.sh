# src/net's firewall for real, driven by ferry-fw-test: ferry's own nftables tables with bridges
# and veths the test makes with `ip` (namespaces stand for containers and for the outside world).
# Published ports answer on 127.0.0.1 and on a host address, over TCP and UDP, from the host and
# from containers on the bridge (hairpin, own and sibling); networks are isolated, --internal
# reaches nothing outside; a running dockerd's container with -p keeps working beside ferry's,
# and docker's tables are the same before ferry's add and after its remove. At the end no rule of
# ferry's is left.

source "$FERRY_SRC/tests/integration/container_lib.sh"

FW=$FERRY_BUILD/ferry-fw-test
ECHO=$FERRY_SRC/tests/integration/net_echo.py
[ -x "$FW" ] || skip "ferry-fw-test is not built (cmake --build build --target ferry-fw-test)"
command -v nft >/dev/null || skip "nft is not installed"
[ -e /usr/lib/x86_64-linux-gnu/libnftables.so.1 ] || ldconfig -p | grep libnftables.so.1 >/dev/null ||
    skip "libnftables.so.1 is not installed"
nft list tables >/dev/null 2>&1 || skip "nftables cannot be used here"
"$FW" list | grep . >/dev/null && skip "ferry's firewall already holds ports (a ferry in use on this host)"

P=ft$$  # namespace and link prefix, unique to this run
BR0=fb0$$ BR1=fb1$$ BR2=fb2$$
for b in $BR0 $BR1 $BR2; do [ ${#b} -le 15 ] || skip "pid too long for a bridge name"; done
NET0=10.213.7 NET1=10.213.8 NET2=10.213.9 OUT=10.213.10
ip route | grep '^10\.213\.' >/dev/null && skip "10.213.0.0/16 is routed on this host already"
HOSTADDR=$(ip -4 -o addr show scope global | awk '$2 != "docker0" {sub("/.*", "", $4); print $4; exit}')
[ -n "$HOSTADDR" ] || skip "the host has no global IPv4 address"

SERVERS=()
fw_cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; done
    for n in c1 c2 c3 c4 out; do ip netns del "ferrytest-$P$n" 2>/dev/null; done
    for b in $BR0 $BR1 $BR2 ${P}o; do ip link del "$b" 2>/dev/null; done
    "$FW" remove-all >/dev/null 2>&1
    return 0
}
RUN_CLEANUPS=(fw_cleanup "${RUN_CLEANUPS[@]}")

# ns NAME CMD...: runs CMD in the test's namespace NAME.
ns() { ip netns exec "ferrytest-$P$1" "${@:2}"; }

# bridge BR NET: a bridge with NET.1/24, up.
bridge() {
    ip link add "$1" type bridge
    ip addr add "$2.1/24" dev "$1"
    ip link set "$1" up
}

# container NAME BR NET HOST: a namespace with a veth on BR at NET.HOST, default route via NET.1.
container() {
    ip netns add "ferrytest-$P$1"
    ip link add "$P$1h" type veth peer name eth0 netns "ferrytest-$P$1"
    ip link set "$P$1h" master "$2" up
    # hairpin on the bridge port, as docker sets with its userland proxy off: a container's own
    # published port through the host address comes back out the port it went in by
    ip link set "$P$1h" type bridge_slave hairpin on
    ns "$1" ip link set lo up
    ns "$1" ip addr add "$3.$4/24" dev eth0
    ns "$1" ip link set eth0 up
    ns "$1" ip route add default via "$3.1"
}

# serve NAME PROTO PORT TAG: a server in namespace NAME; waits (bounded) until it listens.
serve() {
    # ip netns exec execs python: $! is the server itself; its output is not the test's
    ip netns exec "ferrytest-$P$1" python3 "$ECHO" serve "$2" "$3" "$4" >/dev/null 2>&1 &
    SERVERS+=($!)
    local flag=-ltn
    [ "$2" = udp ] && flag=-lun
    for _ in $(seq 100); do
        ns "$1" ss -H "$flag" "sport = :$3" | grep . >/dev/null && return 0
        sleep 0.05
    done
    fail "the $2 server in $1 does not listen on $3"
}

# reach PROTO HOST PORT TAG [NS]: the server tagged TAG answers at HOST:PORT (from NS or the host).
reach() {
    local got
    if [ -n "${5:-}" ]; then got=$(ns "$5" python3 "$ECHO" ask "$1" "$2" "$3")
    else got=$(python3 "$ECHO" ask "$1" "$2" "$3"); fi || fail "no $1 answer at $2:$3${5:+ from $5}"
    expect_eq "$got" "$4"
}
# unreachable PROTO HOST PORT [NS]: nothing answers at HOST:PORT (from NS or the host).
unreachable() {
    if [ -n "${4:-}" ]; then ns "$4" python3 "$ECHO" ask "$1" "$2" "$3" 2>/dev/null
    else python3 "$ECHO" ask "$1" "$2" "$3" 2>/dev/null; fi && fail "$1 $2:$3 answers${4:+ from $4}"
    return 0
}

docker_tables() { nft -s list table ip nat; nft -s list table ip filter; }

note "docker beside: a busybox httpd with -p"
bb_image bb
docker_bb
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d --name "$DOCKER_PREFIX-web" -p 18090:8000 "$DOCKER_BB" \
        httpd -f -p 8000 -h /data >/dev/null || fail "docker run -p failed"
    for _ in $(seq 100); do
        python3 "$ECHO" http "$HOSTADDR" 18090 /from-image >/dev/null 2>&1 && break
        sleep 0.05
    done
    expect_eq "$(python3 "$ECHO" http "$HOSTADDR" 18090 /from-image)" image-data
fi
nft list tables | grep '^table ip filter$' >/dev/null && docker_before=$(docker_tables)

note "networks: two bridges, an internal one, an outside world"
bridge $BR0 $NET0; bridge $BR1 $NET1; bridge $BR2 $NET2
container c1 $BR0 $NET0 2; container c2 $BR0 $NET0 3; container c3 $BR1 $NET1 2
container c4 $BR2 $NET2 2
ip netns add "ferrytest-${P}out"
ip link add "${P}o" type veth peer name eth0 netns "ferrytest-${P}out"
ip addr add "$OUT.1/30" dev "${P}o"; ip link set "${P}o" up
ns out ip link set lo up; ns out ip addr add "$OUT.2/30" dev eth0; ns out ip link set eth0 up
"$FW" add-network $BR0 $NET0.0/24
"$FW" add-network $BR1 $NET1.0/24
"$FW" add-network $BR2 $NET2.0/24 --internal
"$FW" add-network $BR0 $NET0.0/24  # again: changes nothing
expect_eq "$(nft list chain ip ferry forward | grep -c vmap)" 2
expect_eq "$(nft list map ip ferry fwd_in | grep -o '"fb[0-9]*"' | sort | tr '\n' ' ')" \
    "\"$BR0\" \"$BR1\" \"$BR2\" "
expect_eq "$(cat /proc/sys/net/ipv4/conf/$BR0/route_localnet)" 1

serve c1 tcp 80 c1; serve c1 udp 81 u1; serve c2 tcp 80 c2; serve c3 tcp 80 c3
serve c4 tcp 80 c4; serve out tcp 9000 outside

note "publish: c1's 80/tcp on 18080 (any address), 81/udp on 18081 (any), 80/tcp on 18082 (127.0.0.1 only)"
"$FW" publish ",18080,$NET0.2,80,tcp" ",18081,$NET0.2,81,udp" "127.0.0.1,18082,$NET0.2,80,tcp"
reach tcp 127.0.0.1 18080 c1
reach tcp "$HOSTADDR" 18080 c1
reach udp 127.0.0.1 18081 u1
reach udp "$HOSTADDR" 18081 u1
reach tcp 127.0.0.1 18082 c1
unreachable tcp "$HOSTADDR" 18082
note "hairpin: c1 reaches its own published port, c2 its sibling's, through the host address"
reach tcp "$HOSTADDR" 18080 c1 c1
reach tcp "$HOSTADDR" 18080 c1 c2
reach udp "$HOSTADDR" 18081 u1 c2
reach tcp "$NET0.1" 18080 c1 c2
note "published ports answer from another network too (as docker), but its addresses do not"
reach tcp "$HOSTADDR" 18080 c1 c3
unreachable tcp "$NET0.2" 80 c3
unreachable tcp "$NET1.2" 80 c1
note "the host reaches containers directly; containers on one bridge reach each other"
reach tcp "$NET0.2" 80 c1
reach tcp "$NET0.3" 80 c2 c1
note "outside: masqueraded from a bridge, nothing from --internal"
reach tcp "$OUT.2" 9000 outside c1
unreachable tcp "$OUT.2" 9000 c4
"$FW" publish ",18083,$NET2.2,80,tcp"  # on --internal: the host itself gets in (as docker)
unreachable tcp "$NET2.2" 80 c1
"$FW" unpublish ",18083,$NET2.2,80,tcp"

note "list, and a port already published for another container"
expect_eq "$("$FW" list | sort | tr '\n' ' ')" \
    ",18080,$NET0.2,80,tcp ,18081,$NET0.2,81,udp 127.0.0.1,18082,$NET0.2,80,tcp "
expect_fail_match 125 "ferry-fw-test: publishing ports: nftables: Error: Could not process rule: File exists" \
    "$FW" publish ",18090,$NET0.3,80,tcp" ",18080,$NET0.3,80,tcp"
expect_eq "$("$FW" list | grep -c ',18090,')" 0
"$FW" publish ",18080,$NET0.2,80,tcp"  # the same mapping again changes nothing
expect_fail_match 125 "ferry-fw-test: setting up the firewall of \`bad name\`: invalid bridge name \`bad name\`" \
    "$FW" add-network "bad name" 10.213.11.0/24
expect_fail_match 125 "ferry-fw-test: publishing ports: invalid container IP \`10.213.7\`" \
    "$FW" publish ",18085,10.213.7,80,tcp"

if [ -n "${docker_before:-}" ]; then
    note "docker: DOCKER-USER accepts ferry's bridges, as iptables-nft lists; docker's -p still works"
    nft list chain ip filter DOCKER-USER | grep "DOCKER-USER" >/dev/null || fail "no DOCKER-USER chain"
    expect_eq "$(iptables-nft -S DOCKER-USER | grep -c -- "-m comment --comment \"ferry bridge $BR0\" -j ACCEPT")" 2
    iptables-nft -L -n >/dev/null 2>"$TEST_TMP/ipt.err" || fail "iptables-nft cannot list: $(cat "$TEST_TMP/ipt.err")"
    [ -n "$DOCKER_BB" ] && expect_eq "$(python3 "$ECHO" http "$HOSTADDR" 18090 /from-image)" image-data
fi

note "unpublish: gone from 127.0.0.1 and the host address; a second unpublish changes nothing"
"$FW" unpublish ",18080,$NET0.2,80,tcp" ",18081,$NET0.2,81,udp" "127.0.0.1,18082,$NET0.2,80,tcp"
unreachable tcp 127.0.0.1 18080
unreachable tcp "$HOSTADDR" 18080
unreachable udp 127.0.0.1 18081
unreachable tcp "$HOSTADDR" 18080 c2
"$FW" unpublish ",18080,$NET0.2,80,tcp"
expect_eq "$("$FW" list)" ""

note "libnftables missing: a clear error"
expect_fail_match 125 "ferry-fw-test: publishing ports: bridge networking needs nftables (libnftables.so.1): *" \
    unshare -m sh -c "for l in \$(ldconfig -p | awk '/libnftables.so.1 /{print \$NF}'); do
        mount --bind /dev/null \"\$(readlink -f \$l)\"; done; exec \"$FW\" publish ',18080,$NET0.2,80,tcp'"

note "remove: each network, then everything; nothing of ferry's is left"
"$FW" remove-network $BR0 $NET0.0/24
"$FW" remove-network $BR0 $NET0.0/24  # again: changes nothing
"$FW" remove-network $BR1 $NET1.0/24
"$FW" remove-network $BR2 $NET2.0/24 --internal
# (other ferry stores' bridges may be in the maps: only this test's must be gone)
expect_eq "$(nft list map ip ferry fwd_in | grep -c -e "\"$BR0\"" -e "\"$BR1\"" -e "\"$BR2\"")" 0
"$FW" remove-all
nft list ruleset | grep -i ferry && fail "ferry's rules are left"
if [ -n "${docker_before:-}" ]; then
    expect_eq "$(docker_tables)" "$docker_before"
    [ -n "$DOCKER_BB" ] && expect_eq "$(python3 "$ECHO" http "$HOSTADDR" 18090 /from-image)" image-data
fi
echo ok
