# ferry run/create's network flags: -p, -P, --expose, --network, --add-host, --dns*, --ip,
# --ip6, --mac-address, --network-alias. Bad values fail with docker's words and status 125,
# creating nothing; good ones are recorded as docker's inspect shows them for a created
# container (compared with docker's own `create`, which needs no start, where a daemon answers);
# `port` and ps's PORTS from the live settings a start records; /etc/hosts and /etc/resolv.conf
# as docker writes them. (Traffic through the wired networks: net_bridge.sh.)
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb
# The words are those of docker's CLI 23+ (go-connections/nat's lower-case errors, net.JoinHostPort
# in `port`): compared with such a client when there is one, else with none.
NEW_DOCKER=$(command -v docker || true)
if [ -n "$DOCKER_BB" ]; then
    if [ -n "$NEW_DOCKER" ] &&
        ! "$NEW_DOCKER" version -f '{{.Client.Version}}' 2>/dev/null | grep -q '^\(1\|20\|21\|22\)\.'; then
        DOCKER=$NEW_DOCKER
    else
        note "no docker client of 23 or later: the comparisons with docker are skipped"
        DOCKER_BB=""
    fi
fi

nothing_created() { expect_eq "$(ferry ps -aq)" "" "containers after a failed create"; }

note "invalid -p, --expose, --mac-address, --add-host, --dns, --ip and network modes"
# bad_flags MESSAGE FLAGS...: ferry create fails with MESSAGE (status 125); docker too.
bad_flags() {
    local want=$1
    shift
    expect_fail 125 "ferry: error: $want" ferry create "$@" bb:1 true
    nothing_created
    [ -z "$DOCKER_BB" ] || expect_docker_fail 125 "$want" create "$@" "$DOCKER_BB" true
}
bad_flags "invalid containerPort: abc" -p abc
bad_flags "invalid containerPort: abc" -p 80:abc
bad_flags "invalid hostPort: abc" -p abc:80
bad_flags "invalid hostPort: 99999" -p 99999:80
bad_flags "invalid hostPort: 80-79" -p 80-79:80
bad_flags "invalid proto: xyz" -p 80/xyz
bad_flags "invalid ranges specified for container and host Ports: 80-85 and 8000-8010" -p 8000-8010:80-85
bad_flags "invalid IP address: 1.2.3.x" -p 1.2.3.x:80:80
bad_flags "invalid IP address: 1.2.3.4:80" -p 1.2.3.4:80:80:90
bad_flags "no port specified: <empty>" -p ""
bad_flags "no port specified: 80:<empty>" -p 80:
bad_flags "invalid port format for --expose: 1:2" --expose 1:2
bad_flags "zz is not a valid mac address" --mac-address zz
# pflag-level errors: ferry points to --help, docker to its usage; the words are the same.
bad_pflag() {
    local flag=$1 value=$2 msg=$3
    expect_fail 125 "ferry: error: invalid argument \"$value\" for \"$flag\" flag: $msg (see \`ferry create --help\`)" \
        ferry create "$flag" "$value" bb:1 true
    [ -z "$DOCKER_BB" ] || expect_docker_fail 125 "invalid argument \"$value\" for \"$flag\" flag: $msg" \
        create "$flag" "$value" "$DOCKER_BB" true
}
bad_pflag --add-host x 'bad format for add-host: "x"'
bad_pflag --add-host a:b 'invalid IP address in add-host: "b"'
bad_pflag --dns x "IP address is not correctly formatted: x"
bad_pflag --dns-search 123 "123 is not a valid domain"
expect_fail 125 "ferry: error: conflicting options: port publishing and the container type network mode" \
    ferry create --network container:x -p 80 bb:1 true
expect_fail 125 "ferry: error: conflicting options: hostname and the network mode" \
    ferry create --network container:x -h box bb:1 true
nothing_created

note "-p with --network host: docker's warning, the ports recorded and never published"
id=$(ferry create --network host -p 8080:80 bb:1 true 2>"$TEST_TMP/warn")
expect_eq "$(cat "$TEST_TMP/warn")" "ferry: warning: Published ports are discarded when using host network mode" "host network warning"
expect_eq "$(ferry inspect -f '{{json .HostConfig.PortBindings}}' "$id")" '{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}' "host PortBindings"
ferry rm "$id" >/dev/null

note "the record, as docker's inspect shows a created container"
FLAGS=(--network bridge -p 8080:80 -p '[::1]::53/udp' -p 7000-7002:80-82/udp -p 9000-9001:5000
    --expose 6000-6001 -P --add-host foo:1.2.3.4 --add-host 'bar=[::1]' --add-host gw:host-gateway
    --dns 8.8.8.8 --dns 0:0::1 --dns-search example.com --dns-option ndots:2)
FIELDS='{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}} {{.HostConfig.PublishAllPorts}} {{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.ExtraHosts}} {{.HostConfig.NetworkMode}} {{json .NetworkSettings.Ports}} {{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Gateway}}|{{.NetworkSettings.MacAddress}}'
id=$(ferry create --name web "${FLAGS[@]}" bb:1 true)
got=$(ferry inspect -f "$FIELDS" web)
expect_eq "$got" '{"5000/tcp":[{"HostIp":"","HostPort":"9000-9001"}],"53/udp":[{"HostIp":"::1","HostPort":""}],"80/tcp":[{"HostIp":"","HostPort":"8080"}],"80/udp":[{"HostIp":"","HostPort":"7000"}],"81/udp":[{"HostIp":"","HostPort":"7001"}],"82/udp":[{"HostIp":"","HostPort":"7002"}]} {"5000/tcp":{},"53/udp":{},"6000/tcp":{},"6001/tcp":{},"80/tcp":{},"80/udp":{},"81/udp":{},"82/udp":{}} true ["8.8.8.8","::1"] ["example.com"] ["ndots:2"] ["foo:1.2.3.4","bar:::1","gw:host-gateway"] bridge {} ||' "inspect of the network flags"
expect_eq "$(ferry inspect -f '{{json .NetworkSettings.Networks}}' web)" \
    '{"bridge":{"IPAMConfig":null,"Links":null,"Aliases":null,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","DriverOpts":null}}' \
    "a created container's endpoint"
if [ -n "$DOCKER_BB" ]; then
    did=$("$DOCKER" create "${FLAGS[@]}" "$DOCKER_BB" true) || fail "docker create ${FLAGS[*]}"
    expect_eq "$("$DOCKER" inspect -f "$FIELDS" "$did")" "$got" "docker's inspect of the same flags"
    "$DOCKER" rm "$did" >/dev/null
fi
# (docker 28's client refuses --mac-address with a daemon older than API 1.44: ferry's alone.)
expect_eq "$(ferry inspect -f '{{.Config.MacAddress}}' "$(ferry create --network bridge --mac-address 02:42:ac:11:00:02 bb:1 true)")" \
    02:42:ac:11:00:02 "Config.MacAddress"
expect_eq "$(ferry inspect -f '{{json .NetworkSettings.Networks.mynet.IPAMConfig}} {{json .NetworkSettings.Networks.mynet.Aliases}}' \
    "$(ferry create --network mynet --ip 172.30.0.5 --network-alias db bb:1 true)")" \
    '{"IPv4Address":"172.30.0.5"} ["db"]' "a user-defined network's endpoint config"

note "port and ps PORTS: nothing until a start records the live ports"
expect_out "" ferry port web
expect_fail 1 "ferry: error: No public port '80' published for web" ferry port web 80
expect_eq "$(ferry ps -a --filter name=web --format '{{.Ports}}|{{.Networks}}')" "|bridge" "ps PORTS of a created container"
if [ -n "$DOCKER_BB" ]; then
    did=$("$DOCKER" create -p 8080:80 "$DOCKER_BB" true)
    expect_docker_fail 1 "No public port '80' published for $did" port "$did" 80
    expect_eq "$("$DOCKER" port "$did")" "" "docker port of a created container"
    "$DOCKER" rm "$did" >/dev/null
fi
# The settings a start writes (runtime/network_record.hpp): port reads their Ports.
cat >"$FERRY_ROOT/containers/$id/network.json" <<'EOF'
{"Ports":{"443/tcp":null,"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}],"9/udp":[{"HostIp":"0.0.0.0","HostPort":"49153"}]}}
EOF
expect_out "$(printf '9/udp -> 0.0.0.0:49153\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080')" ferry port web
expect_out "$(printf '0.0.0.0:8080\n[::]:8080')" ferry port web 80/tcp
expect_fail 1 "ferry: error: No public port '443' published for web" ferry port web 443
rm "$FERRY_ROOT/containers/$id/network.json"

note "--network container:NAME joins a running container's network; an unknown network"
ferry run -d --name holder bb:1 sleep 60 >/dev/null
addr() { awk '{print $4}'; }
expect_eq "$(ferry run --rm --network container:holder bb:1 ip -4 -o addr show eth0 | addr)" \
    "$(ferry exec holder ip -4 -o addr show eth0 | addr)" "the address in container:holder"
expect_eq "$(ferry run --rm --network container:holder bb:1 cat /etc/hosts)" \
    "$(ferry exec holder cat /etc/hosts)" "the hosts file in container:holder"
ferry stop -t 0 holder >/dev/null
expect_fail 125 "ferry: error: cannot join network of a non running container: holder" \
    ferry run --rm --network container:holder bb:1 true
expect_fail 125 "ferry: error: network nosuchnet not found" ferry run --rm --network nosuchnet bb:1 true
ferry rm -f holder >/dev/null

note "/etc/hosts and /etc/resolv.conf as docker writes them"
ETC_CMD=(sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf')
# expect_etc FLAGS...: ferry and docker give the container the same two files.
expect_etc() {
    local got
    got=$(ferry run --rm "$@" bb:1 "${ETC_CMD[@]}") || fail "ferry run $*: $got"
    expect_docker_out "$got" "$@" -- "${ETC_CMD[@]}"
}
expect_eq "$(ferry run --rm --network host bb:1 cat /etc/hosts)" "$(cat /etc/hosts)" "host network: the host's hosts"
expect_etc --network none
expect_etc --network none --dns 1.1.1.1 --dns-search a.example --dns-option ndots:2
expect_etc --network none --dns-search .
expect_etc --network none --add-host foo:1.2.3.4 --add-host 'bar=[::1]'
expect_etc --network host --add-host foo:1.2.3.4
expect_etc --network host --dns 1.1.1.1
out=$(ferry run --rm --network host --add-host gw:host-gateway bb:1 tail -1 /etc/hosts)
expect_eq "$out" "$(printf '127.0.0.1\tgw')" "host-gateway on the host's network"
ferry rm -f $(ferry ps -aq) >/dev/null
