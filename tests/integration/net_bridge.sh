# Bridge networks with real traffic (rootful): the default bridge, published ports (TCP and UDP,
# given, ranged and random host ports) from the host's addresses and 127.0.0.1, hairpin, container
# to container by name and alias on a user-defined network (aardvark-dns), a server in a network
# namespace this test makes as the outside world, isolation between networks, --internal,
# restarts, docker's errors for a port already taken, and leases reclaimed after a kill -9 of
# every ferry process. After each part, `ip link`, `nft list ruleset` and the store hold nothing
# of the containers that are gone. Traffic goes only to this machine's addresses and to the
# namespace the test makes.
source "$FERRY_SRC/tests/integration/container_lib.sh"

command -v nft >/dev/null || skip "nftables is not installed"
[ -e /usr/lib/x86_64-linux-gnu/libnftables.so.1 ] || ls /usr/lib/*/libnftables.so.1 >/dev/null 2>&1 ||
    skip "libnftables is not installed"

bb_image bb:1
mkdir -p "$TEST_TMP/www"
echo hello >"$TEST_TMP/www/index.html"
# The host's own address (its default route's interface), else its first global one.
dev=$(ip -4 route show default | awk '{print $5; exit}')
HOSTIP=$(ip -4 -o addr show ${dev:+dev "$dev"} scope global | awk '{split($4, a, "/"); print a[1]; exit}')
[ -n "$HOSTIP" ] || skip "the host has no global IPv4 address"

# http_get HOST PORT: the body's last line, from the host.
http_get() { curl -s -m 3 "http://$1:$2/" || true; }
# ctr_get NETWORK HOST PORT: the last line a container on NETWORK reads from HOST:PORT.
ctr_get() {
    ferry run --rm --network "$1" bb:1 sh -c \
        "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 3 nc $2 $3 2>/dev/null | tail -1" || true
}
web() {  # web NAME FLAGS...: an httpd serving $TEST_TMP/www on port 80
    local name=$1
    shift
    ferry run -d --name "$name" -v "$TEST_TMP/www:/www:ro" "$@" bb:1 httpd -f -p 80 -h /www >/dev/null
}
ip_of() { ferry inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
leases() { cat "$FERRY_ROOT"/networks/leases/*.json 2>/dev/null || true; }
# nothing_left: no lease, published port, veth or aardvark-dns of the store's containers.
nothing_left() {
    expect_eq "$(leases)" "" "leases after $1"
    expect_eq "$(nft list map ip ferry pub_any 2>/dev/null | grep -c 'elements' || true)" "0" \
        "published ports after $1"
    # A container's veth pair goes with its network namespace, which the kernel dismantles
    # asynchronously (its cleanup_net work) once the last process has left: a moment later.
    for _ in $(seq 30); do
        [ "$(ip -br link show type veth | grep -c '^veth' || true)" = 0 ] && break
        sleep 0.1
    done
    expect_eq "$(ip -br link show type veth | grep -c '^veth' || true)" "0" "veths after $1"
    for _ in $(seq 30); do pgrep -x ferry-proxy >/dev/null || break; sleep 0.1; done
    expect_eq "$(pgrep -x ferry-proxy || true)" "" "port proxies after $1"
}
RUN_CLEANUPS=("pkill -f 'aardvark-dns --config $RUN_DIR/dns' || true" "${RUN_CLEANUPS[@]}")

note "the default network is the bridge: an address, a route, the hosts file"
out=$(ferry run --rm bb:1 sh -c 'ip -4 -o addr show eth0; ip route; tail -1 /etc/hosts; hostname')
bridge=$(ferry network inspect -f '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}' bridge)
subnet=${bridge% *}
gateway=${bridge#* }
[[ $out == *"inet ${subnet%.0.0/16}."* ]] || fail "no address of $subnet in: $out"
[[ $out == *"default via $gateway dev eth0"* ]] || fail "no default route via $gateway in: $out"
name=$(tail -1 <<<"$out")
[[ $out == *"	$name"* ]] || fail "/etc/hosts has no line for the container's own name: $out"
if ip -4 route | grep -q '^172\.17\.0\.0/16'; then
    [ "$subnet" != 172.17.0.0/16 ] || fail "the default bridge took 172.17.0.0/16 beside docker0"
fi
nothing_left "a run --rm"

note "published ports: the host's address, 127.0.0.1, hairpin, another container through the host"
web w1 -p 18080:80 -p 18081-18083:80/tcp -p 80
expect_eq "$(http_get 127.0.0.1 18080)" hello "127.0.0.1:18080"
expect_eq "$(http_get "$HOSTIP" 18080)" hello "$HOSTIP:18080"
ranged=$(ferry port w1 80/tcp | sed -n 's/^0.0.0.0:\(1808[1-3]\)$/\1/p')
[ -n "$ranged" ] || fail "no port of 18081-18083 in: $(ferry port w1)"
expect_eq "$(http_get 127.0.0.1 "$ranged")" hello "the ranged port $ranged"
random=$(ferry port w1 80/tcp | sed -n 's/^0.0.0.0://p' | grep -v '^1808[0-3]$')
[ -n "$random" ] || fail "no random host port in: $(ferry port w1)"
expect_eq "$(http_get "$HOSTIP" "$random")" hello "the random port $random"
expect_contains "$(ferry ps --format '{{.Ports}}' --filter name=w1)" "0.0.0.0:18080->80/tcp"
# On every address means IPv6 too: [::]:18080 through the proxy to the container's IPv4 address,
# as docker's userland proxy answers; a port on one address has no IPv6 side.
if [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then
    expect_eq "$(http_get '[::1]' 18080)" hello "[::1]:18080"
    expect_contains "$(ferry ps --format '{{.Ports}}' --filter name=w1)" ":::18080->80/tcp"
    expect_contains "$(ferry port w1 80/tcp)" "[::]:18080"
    expect_eq "$(http_get '[::1]' "$random")" hello "the random port on [::1]"
fi
expect_eq "$(ferry exec w1 sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 3 nc $HOSTIP 18080 | tail -1")" \
    hello "hairpin: the container through its own published port"
expect_eq "$(ctr_get bridge "$HOSTIP" 18080)" hello "another container through the host's address"
expect_eq "$(ctr_get bridge "$(ip_of w1 bridge)" 80)" hello "another container on the bridge"
expect_eq "$(ferry inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}' w1)" \
    "$(ip_of w1 bridge) $gateway" "inspect's top-level address"

note "UDP: an echo server in the container (busybox has none: a static one built here)"
gcc -static -O2 -o "$TEST_TMP/udpecho" "$FERRY_SRC/tests/integration/udpecho.c" || skip "no static C toolchain for the UDP server"
ferry run -d --name u1 -p 18053:53/udp -v "$TEST_TMP/udpecho:/udpecho:ro" bb:1 /udpecho >/dev/null
udp_echo() {  # udp_echo HOST PORT: what comes back for "udp-ping", retried for 3 s
    python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for _ in range(15):
    s.sendto(b"udp-ping", (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(64).decode())
        break
    except socket.timeout:
        pass
PY
}
expect_eq "$(udp_echo 127.0.0.1 18053)" udp-ping "UDP through 127.0.0.1"
expect_eq "$(udp_echo "$HOSTIP" 18053)" udp-ping "UDP through $HOSTIP"

note "a port taken: by another container (docker's words), by a host process; nothing kept"
expect_fail_match 125 "ferry: error: driver failed programming external connectivity on endpoint w2 ([0-9a-f]*): Bind for 0.0.0.0:18080 failed: port is already allocated" \
    ferry run -d --name w2 -p 18080:80 bb:1 true
python3 -c 'import socket, time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 18090)); s.listen(); time.sleep(30)' &
holder=$!
RUN_CLEANUPS=("kill $holder" "${RUN_CLEANUPS[@]}")
for _ in $(seq 100); do [ -n "$(ss -ltnH 'sport = :18090')" ] && break; sleep 0.05; done
expect_fail_match 125 "ferry: error: driver failed programming external connectivity on endpoint w3 ([0-9a-f]*): Error starting userland proxy: listen tcp4 0.0.0.0:18090: bind: address already in use" \
    ferry run -d --name w3 -p 18090:80 bb:1 true
kill $holder
expect_eq "$(ferry port w2)" "" "no ports for the failed container"
expect_eq "$(http_get 127.0.0.1 18080)" hello "w1 still answers"
ferry rm -f w2 w3 >/dev/null

note "restart keeps the published ports working"
ferry restart -t 1 w1 >/dev/null
expect_eq "$(http_get 127.0.0.1 18080)" hello "after a restart"
ferry rm -f w1 u1 >/dev/null
nothing_left "rm -f"

note "user-defined networks: names and aliases, isolation, --internal, the outside world"
ferry network create n1 >/dev/null
ferry network create n2 >/dev/null
ferry network create --internal n3 >/dev/null
web srv --network n1 --network-alias db
web other --network n2
expect_eq "$(ctr_get n1 srv 80)" hello "n1 -> srv by name"
expect_eq "$(ctr_get n1 db 80)" hello "n1 -> srv by alias"
expect_eq "$(ctr_get n1 "$(ferry inspect -f '{{.Id}}' srv | cut -c1-12)" 80)" hello "n1 -> srv by short ID"
expect_eq "$(ctr_get n2 "$(ip_of srv n1)" 80)" "" "n2 -> n1 is refused"
expect_eq "$(ctr_get n1 "$(ip_of other n2)" 80)" "" "n1 -> n2 is refused"
expect_eq "$(ctr_get bridge srv 80)" "" "no name resolution on the default bridge"
# A started later (and restarted with a new address) is found by name.
web late --network n1
expect_eq "$(ctr_get n1 late 80)" hello "a container started later"
# The outside world: a server in a network namespace of the test's own, routed from the host.
OUT=fyout$$
outside_world $OUT fyo$$ 10.250.77 python3 -m http.server -d "$TEST_TMP/www" 80
for _ in $(seq 50); do ip netns exec $OUT sh -c 'exec 3<>/dev/tcp/127.0.0.1/80' 2>/dev/null && break; sleep 0.1; done
expect_eq "$(ctr_get n1 10.250.77.2 80)" hello "n1 -> the outside world"
expect_eq "$(ctr_get bridge 10.250.77.2 80)" hello "bridge -> the outside world"
expect_eq "$(ctr_get n3 10.250.77.2 80)" "" "--internal cannot reach the outside world"
web inner --network n3
expect_eq "$(ctr_get n3 inner 80)" hello "--internal: containers reach each other"
note "network connect and disconnect of a running container"
ferry run -d --name cc bb:1 sleep 60 >/dev/null
ferry network connect --alias cc1 n1 cc
out=$(ferry exec cc ip -4 -o addr show eth1)
[[ $out == *"inet $(ip_of cc n1)/"* ]] || fail "no n1 address on eth1 after connect: $out"
expect_eq "$(ferry exec cc sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 3 nc $(ip_of srv n1) 80 | tail -1")" \
    hello "cc -> srv on the connected network"
expect_eq "$(ctr_get n1 cc1 80 >/dev/null; ferry run --rm --network n1 bb:1 nslookup cc1 | grep -c "$(ip_of cc n1)")" 1 \
    "the connected container's alias resolves on n1"
ferry network disconnect n1 cc
expect_eq "$(ferry exec cc ls /sys/class/net | tr '\n' ' ')" "eth0 lo " "eth1 gone after disconnect"
expect_eq "$(ferry inspect -f '{{len .NetworkSettings.Networks}}' cc)" 1 "one network left"
ferry network connect n1 cc   # again, then the container stops with it: the monitor hands over
ferry rm -f cc >/dev/null
expect_eq "$(leases | grep -c "$(ferry network inspect -f '{{.Id}}' n1 | cut -c1-12)" || true)" 0 "no lease of cc"

expect_fail 1 "ferry: error: error while removing network: network n1 id $(ferry network inspect -f '{{.Id}}' n1) has active endpoints" \
    ferry network rm n1
ferry rm -f srv other late inner >/dev/null
nothing_left "the user networks' containers"
for n in n1 n2 n3; do br="br-$(ferry network inspect -f '{{.Id}}' $n | cut -c1-12)"; brs+=" $br"; done
ferry network rm n1 n2 n3 >/dev/null
for br in $brs; do
    ! ip link show "$br" >/dev/null 2>&1 || fail "bridge $br outlived its network"
    ! nft list ruleset | grep -q "$br" || fail "the firewall still names $br"
done

note "beside a running dockerd: docker's -p and ferry's -p both answer, then ferry's alone"
docker_bb
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d --name "$DOCKER_PREFIX-web" -p 18110:80 -v "$TEST_TMP/www:/www:ro" "$DOCKER_BB" \
        httpd -f -p 80 -h /www >/dev/null
    web dw -p 18111:80
    for _ in $(seq 50); do [ "$(http_get 127.0.0.1 18110)" = hello ] && break; sleep 0.1; done
    expect_eq "$(http_get "$HOSTIP" 18110)" hello "docker's published port beside ferry's"
    expect_eq "$(http_get "$HOSTIP" 18111)" hello "ferry's published port beside docker's"
    expect_eq "$(ctr_get bridge "$HOSTIP" 18110)" hello "a ferry container reaches docker's port"
    "$DOCKER" rm -f "$DOCKER_PREFIX-web" >/dev/null
    expect_eq "$(http_get "$HOSTIP" 18111)" hello "ferry's port after docker's container went"
    ferry rm -f dw >/dev/null
    nothing_left "the containers beside docker's"
fi

note "a kill -9 of every ferry process: the next start reclaims the lease and the port"
web k1 -p 18095:80
expect_eq "$(http_get 127.0.0.1 18095)" hello "before the kill"
id=$(full_id k1)
kill -KILL "$(state_key "$id" monitor_pid)"
for _ in $(seq 50); do [ -e "/proc/$(state_key "$id" pid)" ] || break; sleep 0.1; done
[ -n "$(leases)" ] || fail "the dead container's lease is already gone"
expect_eq "$(ferry system check | head -1)" \
    "network bridge: the address lease of container ${id:0:12} is held by no running process" \
    "system check after the kill"
web k2 -p 18095:80
expect_eq "$(http_get 127.0.0.1 18095)" hello "the port again, for another container"
expect_eq "$(leases | grep -c "$id" || true)" 0 "the dead container's lease reclaimed"
ferry rm -f k1 k2 >/dev/null
nothing_left "the reclaim"
expect_eq "$(ferry system check)" "no problems found" "system check at the end"

note "a store deleted while its bridge was up, then made again: teardown takes the old rules too"
again=$TEST_TMP/again
RUN_CLEANUPS=("$FERRY --root $again __network-teardown >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
"$FERRY" --root "$again" import -q "$TEST_TMP/bb.tar" bb:1 >/dev/null
"$FERRY" --root "$again" run --rm bb:1 true
br=$("$FERRY" --root "$again" network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge)
first=$("$FERRY" --root "$again" network inspect -f '{{(index .IPAM.Config 0).Subnet}}' bridge)
rm -rf "$again"  # no teardown: the bridge and its rules stay, as after `rm -rf ~/.local/share/ferry`
"$FERRY" --root "$again" import -q "$TEST_TMP/bb.tar" bb:1 >/dev/null
"$FERRY" --root "$again" run --rm bb:1 true
second=$("$FERRY" --root "$again" network inspect -f '{{(index .IPAM.Config 0).Subnet}}' bridge)
[ "$first" != "$second" ] || note "the same subnet again ($first): the old element is the new one"
"$FERRY" --root "$again" __network-teardown || fail "teardown of a store made again"
expect_eq "$(ip -br link | grep -c "^$br " || true)" 0 "the bridge after the teardown"
expect_eq "$(nft list ruleset | grep -c "$br" || true)" 0 "rules of the bridge after the teardown"
