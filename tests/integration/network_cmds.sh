# `ferry network`: create, ls, inspect, rm, prune, connect, disconnect, with docker's output and
# messages. Records only (no bridge or rule is made); the errors and the listing are compared
# with docker's when a docker daemon answers, with networks of this test's own that are removed
# at the end.

source "$FERRY_SRC/tests/integration/container_lib.sh"

note "predefined networks"
out=$(ferry network ls)
expect_eq "$(sed 's/^[0-9a-f]\{12\}   //' <<<"$out")" "$(printf 'NETWORK ID     NAME      DRIVER    SCOPE\nbridge    bridge    local\nhost      host      local\nnone      null      local')" "ls of a new store"
expect_eq "$(head -1 <<<"$out")" "NETWORK ID     NAME      DRIVER    SCOPE"
expect_eq "$(ferry network inspect -f '{{.Name}} {{.Driver}} {{json .IPAM.Config}} {{.IPAM.Options}}' bridge host none)" \
    "$(printf '%s\n' 'bridge bridge [{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}] map[]' \
        'host host [] map[]' 'none null [] map[]')"
bridge_id=$(ferry network inspect -f '{{.Id}}' bridge)
[[ "$bridge_id" =~ ^[0-9a-f]{64}$ ]] || fail "bridge ID: [$bridge_id]"
expect_eq "$(ferry network inspect -f '{{.Id}}' bridge)" "$bridge_id" "the predefined IDs stay"
expect_eq "$(ferry network ls -q --no-trunc -f name=bridge)" "$bridge_id"

note "create"
id1=$(ferry network create net1)
[[ "$id1" =~ ^[0-9a-f]{64}$ ]] || fail "create printed [$id1]"
expect_eq "$(ferry network inspect -f '{{json .IPAM}}' net1)" \
    '{"Driver":"default","Options":{},"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]}'
ferry network create --subnet 10.231.0.5/16 --label team=ml -o com.docker.network.bridge.name=ft0 --internal net2 >/dev/null
expect_eq "$(ferry network inspect -f '{{json .IPAM.Config}} {{.Internal}} {{.Labels}} {{.Options}}' net2)" \
    '[{"Subnet":"10.231.0.5/16"}] true map[team:ml] map[com.docker.network.bridge.name:ft0]'
ferry network create --subnet 10.232.0.0/16 --ip-range 10.232.1.0/24 --gateway 10.232.0.254 --ipv6 --subnet fd00:ab::/64 net3 >/dev/null
expect_eq "$(ferry network inspect -f '{{json .IPAM.Config}} {{.EnableIPv6}}' net3)" \
    '[{"Subnet":"10.232.0.0/16","IPRange":"10.232.1.0/24","Gateway":"10.232.0.254"},{"Subnet":"fd00:ab::/64"}] true'
out=$(ferry network inspect net1)
for key in '"Name": "net1",' "\"Id\": \"$id1\"," '"Scope": "local",' '"Driver": "bridge",' \
    '"EnableIPv6": false,' '"Attachable": false,' '"Ingress": false,' '"ConfigOnly": false,' \
    '"Containers": {},' '"Labels": {}'; do
    expect_contains "$out" "$key"
done
[[ "$out" =~ \"Created\":\ \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\" ]] || fail "Created: [$out]"

before=$(tree_snapshot "$FERRY_ROOT/networks")
expect_fail 1 "ferry: error: network with name net1 already exists" ferry network create net1
expect_fail 1 "ferry: error: Pool overlaps with other one on this address space" ferry network create --subnet 10.231.128.0/17 x1
expect_fail 1 "ferry: error: Pool overlaps with other one on this address space" ferry network create --subnet 172.17.0.0/24 x1
expect_fail 1 "ferry: error: no matching subnet for gateway 10.98.0.1" ferry network create --subnet 10.99.0.0/16 --gateway 10.98.0.1 x1
expect_fail 1 "ferry: error: no matching subnet for range 10.91.0.0/24" ferry network create --subnet 10.90.0.0/16 --ip-range 10.91.0.0/24 x1
expect_fail 1 "ferry: error: every ip-range or gateway must have a corresponding subnet" ferry network create --gateway 10.1.1.1 x1
expect_fail 1 "ferry: error: Invalid subnet 10.99.0.0/33 : invalid CIDR address: 10.99.0.0/33" ferry network create --subnet 10.99.0.0/33 x1
expect_fail 1 "ferry: error: Invalid subnet foo : invalid CIDR address: foo" ferry network create --subnet foo x1
expect_fail 1 'ferry: error: plugin "foo" not found' ferry network create -d foo x1
expect_fail 1 'ferry: error: only one instance of "host" network is allowed' ferry network create -d host x1
expect_fail 1 "ferry: error: could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network" \
    ferry network create --ipv6 x1
expect_eq "$(tree_snapshot "$FERRY_ROOT/networks")" "$before" "networks after refused creates"

note "ls"
expect_eq "$(ferry network ls --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.IPv6}} {{.Labels}}')" \
    "$(printf '%s\n' 'bridge bridge local false false ' 'host host local false false ' \
        'net1 bridge local false false ' 'net2 bridge local true false team=ml' \
        'net3 bridge local false true ' 'none null local false false ')"
expect_eq "$(ferry network ls -q -f type=custom | wc -l)" "3"
expect_eq "$(ferry network ls --format '{{.Name}}' -f type=builtin | tr '\n' ' ')" "bridge host none "
expect_eq "$(ferry network ls --format '{{.Name}}' -f label=team=ml)" "net2"
expect_eq "$(ferry network ls --format '{{.Name}}' -f name=net -f driver=bridge | tr '\n' ' ')" "net1 net2 net3 "
expect_eq "$(ferry network ls --format '{{.Name}}' -f dangling=true | tr '\n' ' ')" "net1 net2 net3 "
expect_eq "$(ferry network ls -q -f id="${id1:0:10}")" "${id1:0:12}"
[[ "$(ferry network ls --format '{{.CreatedAt}}' -f name=net1)" =~ ^[0-9-]{10}\ [0-9:.]+\ \+0000\ UTC$ ]] || fail "CreatedAt"
expect_fail 1 "ferry: error: Invalid filter 'foo'" ferry network ls -f foo=bar

note "inspect, rm"
expect_fail 1 "ferry: error: No such network: nosuch" ferry network inspect nosuch
expect_eq "$(cat "$TEST_TMP/.out")" "[]" "inspect of a missing network (stdout)"
expect_eq "$(ferry network inspect -f '{{.Name}}' "${id1:0:12}")" "net1" "by ID prefix"
expect_fail 1 "ferry: error: bridge is a pre-defined network and cannot be removed" ferry network rm bridge
expect_fail 1 "ferry: error: No such network: nosuch" ferry network rm nosuch
expect_eq "$(ferry network rm -f nosuch)" "" "rm -f of a missing network"
expect_eq "$(ferry network rm net3)" "net3"

note "connect, disconnect"
bb_image bb:1
ctr_create c-host --network host bb:1 true
ctr_create c-none --network none bb:1 true
expect_fail 1 "ferry: error: container sharing network namespace with another container or host cannot be connected to any other network" \
    ferry network connect net1 c-host
expect_fail 1 "ferry: error: container cannot be connected to multiple networks with one of the networks in private (none) mode" \
    ferry network connect net1 c-none
# A container on a bridge network, as the default will be: its record says so.
ctr_create c1 --network none bb:1 true
cid=$(ferry inspect -f '{{.Id}}' c1)
sed -i 's/"network":"none"/"network":"bridge"/' "$FERRY_ROOT/containers/$cid/config.json"
expect_fail 1 "ferry: error: network nosuch not found" ferry network connect nosuch c1
expect_fail 1 "ferry: error: user specified IP address is supported only when connecting to networks with user configured subnets" \
    ferry network connect --ip 172.18.0.9 net1 c1
expect_fail 1 "ferry: error: invalid address 10.9.0.9: It does not belong to any of this network's subnets" \
    ferry network connect --ip 10.9.0.9 net2 c1
ferry network connect --ip 10.231.0.9 --alias web --alias www net2 c1
ferry network connect net1 c1
expect_fail 1 "ferry: error: endpoint with name c1 already exists in network net1" ferry network connect net1 c1
expect_eq "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["endpoints"]))' "$FERRY_ROOT/containers/$cid/config.json")" \
    "[{\"network\": \"net2\", \"network_id\": \"$(ferry network inspect -f '{{.Id}}' net2)\", \"ipv4\": \"10.231.0.9\", \"ipv6\": \"\", \"aliases\": [\"web\", \"www\"]}, {\"network\": \"net1\", \"network_id\": \"$id1\", \"ipv4\": \"\", \"ipv6\": \"\", \"aliases\": []}]"
ferry network disconnect net2 c1
expect_fail 1 "ferry: error: container $cid is not connected to the network net2" ferry network disconnect net2 c1

note "a network with leases is in use (held by a live process: this test's shell)"
python3 - "$FERRY_ROOT/networks/leases/$id1.json" "$cid" $$ <<'PY'
import json, sys
pid = int(sys.argv[3])
start = int(open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[19])
json.dump({sys.argv[2]: {"IPv4Address": "172.18.0.2/16", "IPv6Address": "", "MacAddress": "02:42:ac:12:00:02",
                         "HolderPid": pid, "HolderStart": start}}, open(sys.argv[1], "w"))
PY
expect_fail 1 "ferry: error: error while removing network: network net1 id $id1 has active endpoints" ferry network rm net1
expect_eq "$(ferry network inspect -f '{{range $id, $e := .Containers}}{{$id}} {{$e.Name}} {{$e.IPv4Address}} {{$e.MacAddress}}{{end}}' net1)" \
    "$cid c1 172.18.0.2/16 02:42:ac:12:00:02"
expect_eq "$(ferry network ls --format '{{.Name}}' -f dangling=true)" "net2"

note "prune"
ferry network create --label keep=1 net4 >/dev/null
out=$(echo n | ferry network prune)
expect_eq "$out" "WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue? [y/N] "
expect_eq "$(ferry network prune -f --filter label!=keep)" "$(printf 'Deleted Networks:\nnet2')"
expect_eq "$(ferry network ls --format '{{.Name}}' | tr '\n' ' ')" "bridge host net1 net4 none "
expect_fail 1 "ferry: error: Invalid filter 'foo'" ferry network prune -f --filter foo=1
ferry network disconnect net1 c1
expect_eq "$(ls "$FERRY_ROOT/networks/leases")" "" "disconnect gives the lease back"
out=$(ferry system prune -f)
expect_contains "$out" "$(printf 'Deleted Networks:\nnet1\nnet4\n\nTotal reclaimed space:')"
expect_eq "$(ferry network ls --format '{{.Name}}' | tr '\n' ' ')" "bridge host none " "after system prune"

note "system check names a damaged record"
ferry network create net5 >/dev/null
id5=$(ferry network inspect -f '{{.Id}}' net5)
printf '{"Name":' >"$FERRY_ROOT/networks/$id5.json"
expect_fail_match 125 "ferry: error: network record *$id5.json* is damaged (*" ferry network ls
out=$(ferry system check 2>&1) && fail "system check passed a damaged network record"
expect_contains "$out" "network record \`$FERRY_ROOT/networks/$id5.json\` is damaged"
ferry system check --repair >/dev/null
expect_eq "$(ferry network ls --format '{{.Name}}' | tr '\n' ' ')" "bridge host none "

note "the errors above are docker's: its words and status 1"
docker_up || skip "$DOCKER_WHY: errors not compared with docker (the checks of ferry above passed)"
dn=$DOCKER_PREFIX-net
docker_net_cleanup() { "$DOCKER" network rm "$dn" "$dn-b" >/dev/null 2>&1 || true; }
RUN_CLEANUPS=(docker_net_cleanup "${RUN_CLEANUPS[@]}")
"$DOCKER" network create --subnet 10.231.0.5/16 "$dn" >/dev/null || fail "docker network create failed"
expect_eq "$("$DOCKER" network inspect -f '{{json .IPAM.Config}}' "$dn")" '[{"Subnet":"10.231.0.5/16"}]' "docker's IPAM.Config"
expect_eq "$("$DOCKER" network ls -f type=builtin | sed "s/^[0-9a-f]\{12\}   //")" "$(sed "s/^[0-9a-f]\{12\}   //" <<<"$(ferry network ls -f type=builtin)")" "ls of the predefined networks"
expect_docker_fail 1 "network with name $dn already exists" network create "$dn"
expect_docker_fail 1 "Pool overlaps with other one on this address space" network create --subnet 10.231.128.0/17 "$dn-b"
expect_docker_fail 1 "no matching subnet for gateway 10.98.0.1" network create --subnet 10.99.0.0/16 --gateway 10.98.0.1 "$dn-b"
expect_docker_fail 1 "no matching subnet for range 10.91.0.0/24" network create --subnet 10.90.0.0/16 --ip-range 10.91.0.0/24 "$dn-b"
expect_docker_fail 1 "every ip-range or gateway must have a corresponding subnet" network create --gateway 10.1.1.1 "$dn-b"
expect_docker_fail 1 "Invalid subnet 10.99.0.0/33 : invalid CIDR address: 10.99.0.0/33" network create --subnet 10.99.0.0/33 "$dn-b"
expect_docker_fail 1 'plugin "foo" not found' network create -d foo "$dn-b"
expect_docker_fail 1 "No such network: nosuch-$$" network inspect "nosuch-$$"
expect_docker_fail 1 "No such network: nosuch-$$" network rm "nosuch-$$"
expect_docker_fail 1 "Invalid filter 'foo'" network prune -f --filter foo=1
expect_docker_fail 1 "bridge is a pre-defined network and cannot be removed" network rm bridge
expect_docker_fail 1 "Invalid filter 'foo'" network ls -f foo=bar
docker_bb
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d --name "$dn-c" --network "$dn" "$DOCKER_BB" sleep 60 >/dev/null ||
        fail "docker run on $dn failed"
    RUN_CLEANUPS=("\"\$DOCKER\" rm -f \"$dn-c\" >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    expect_docker_fail 1 "error while removing network: network $dn id $("$DOCKER" network inspect -f '{{.Id}}' "$dn") has active endpoints" \
        network rm "$dn"
fi
