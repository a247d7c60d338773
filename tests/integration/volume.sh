# `ferry volume`: create, ls, inspect, rm, prune, with docker's output and messages (its error
# texts and statuses checked against docker's when a docker daemon answers), and a volume in use
# (a container spec mounting it) protected from rm and prune.

note "create"
expect_eq "$(ferry volume create data1)" "data1"
expect_eq "$(ferry volume create --label team=ml --label bare data2)" "data2"
expect_eq "$(ferry volume create data1)" "data1" "creating an existing volume"
gen=$(ferry volume create)
[[ "$gen" =~ ^[0-9a-f]{64}$ ]] || fail "generated name: [$gen]"
[ -d "$FERRY_ROOT/volumes/data1/_data" ] || fail "no _data directory"
expect_eq "$(stat -c %a "$FERRY_ROOT/volumes/data1")" "701" "volume directory mode"
expect_eq "$(stat -c %a "$FERRY_ROOT/volumes/data1/_data")" "755" "_data mode"

before=$(tree_snapshot "$FERRY_ROOT")
expect_fail 1 "ferry: error: create a: volume name is too short, names should be at least two alphanumeric characters" \
    ferry volume create a
expect_fail 1 'ferry: error: create _x: "_x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path' \
    ferry volume create _x
expect_fail 1 'ferry: error: create data3: error looking up volume plugin nfs: plugin "nfs" not found' \
    ferry volume create -d nfs data3
expect_fail 125 'ferry: error: `ferry volume create` requires at most 1 argument (see `ferry volume create --help`)' \
    ferry volume create a1 b1
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "store after failed creates"

note "ls"
# (sorted by name: the generated name may come before or after data1 and data2)
sorted=$(printf '%s\n' "$gen" data1 data2 | LC_ALL=C sort)
expect_eq "$(ferry volume ls)" "$(printf 'DRIVER    VOLUME NAME\n%s' "$(sed 's/^/local     /' <<<"$sorted")")"
expect_eq "$(ferry volume ls -q)" "$sorted"
expect_eq "$(ferry volume ls --format '{{.Name}} {{.Labels}}' -f name=data)" "$(printf 'data1 \ndata2 bare=,team=ml')"
expect_eq "$(ferry volume ls -q -f label=team=ml)" "data2"
expect_eq "$(ferry volume ls -q -f label=team -f name=2)" "data2"
expect_eq "$(ferry volume ls -q -f label=team=other)" ""
line=$(ferry volume ls --format json -f name=data1)
expect_eq "$line" "{\"Availability\":\"N/A\",\"Driver\":\"local\",\"Group\":\"N/A\",\"Labels\":\"\",\"Links\":\"N/A\",\"Mountpoint\":\"$FERRY_ROOT/volumes/data1/_data\",\"Name\":\"data1\",\"Scope\":\"local\",\"Size\":\"N/A\",\"Status\":\"N/A\"}"
expect_fail 125 'ferry: error: invalid filter `bogus=1` (supported: dangling=true|false, driver=NAME, label=KEY[=VALUE], name=NAME)' \
    ferry volume ls -f bogus=1

note "inspect"
out=$(ferry volume inspect data2)
expect_contains "$out" '"Driver": "local",'
expect_contains "$out" "$(printf '"Labels": {\n            "bare": "",\n            "team": "ml"\n        },')"
expect_contains "$out" "\"Mountpoint\": \"$FERRY_ROOT/volumes/data2/_data\","
expect_contains "$out" '"Options": null,'
[[ "$out" =~ \"CreatedAt\":\ \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\" ]] || fail "CreatedAt: [$out]"
expect_eq "$(ferry volume inspect -f '{{.Name}} {{.Scope}}' data1 data2)" "$(printf 'data1 local\ndata2 local')"
expect_eq "$(ferry volume inspect -f '{{.Labels}}' data2)" "map[bare: team:ml]"
expect_fail 1 "ferry: error: No such volume: nope" ferry volume inspect nope
expect_eq "$(cat "$TEST_TMP/.out")" "[]" "inspect of a missing volume (stdout)"

note "a volume in use cannot be removed"
mkdir -p "$FERRY_ROOT/containers/c0ffee"
cat >"$FERRY_ROOT/containers/c0ffee/spec.json" <<EOF
{"ociVersion":"1.1.0","root":{"path":"rootfs"},"mounts":[{"destination":"/d","type":"bind","source":"$FERRY_ROOT/volumes/data1/_data","options":["rbind"]}]}
EOF
expect_fail 1 "ferry: error: remove data1: volume is in use - [c0ffee]" ferry volume rm data1
expect_eq "$(ferry volume ls -q -f dangling=false)" "data1"
expect_eq "$(ferry volume ls -q -f dangling=true)" "$(printf '%s\ndata2' "$gen" | LC_ALL=C sort)"  # docker lists by name

note "rm"
expect_fail 1 "ferry: error: No such volume: nope" ferry volume rm nope
expect_eq "$(ferry volume rm -f nope 2>&1)" "nope" "rm -f of a missing volume"
expect_eq "$(ferry volume rm "$gen")" "$gen"
[ ! -e "$FERRY_ROOT/volumes/$gen" ] || fail "removed volume still there"

note "prune"
# An anonymous volume, as `ferry run -v /path` leaves one.
expect_eq "$(ferry volume create anon1)" "anon1"
sed -i 's/"Anonymous":false/"Anonymous":true/' "$FERRY_ROOT/volumes/anon1/meta.json"
printf 'hello' >"$FERRY_ROOT/volumes/anon1/_data/f"
out=$(echo n | ferry volume prune)
expect_eq "$out" "WARNING! This will remove anonymous local volumes not used by at least one container.
Are you sure you want to continue? [y/N] "
expect_eq "$(ferry volume ls -q | tr '\n' ' ')" "anon1 data1 data2 " "after a declined prune"
expect_eq "$(ferry volume prune -f)" "$(printf 'Deleted Volumes:\nanon1\n\nTotal reclaimed space: 5B')"
out=$(echo y | ferry volume prune -a)
expect_eq "$out" "$(printf 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] Deleted Volumes:\ndata2\n\nTotal reclaimed space: 0B')"
expect_eq "$(ferry volume ls -q)" "data1" "the volume in use survives prune -a"
rm -r "$FERRY_ROOT/containers/c0ffee"
expect_eq "$(ferry volume rm data1)" "data1"
expect_eq "$(ferry volume prune -af)" "Total reclaimed space: 0B"
expect_eq "$(ls "$FERRY_ROOT/tmp")" "" "nothing left in tmp"

note "the errors above are docker's: its words and status 1"
cleanup() { docker_down; }
trap cleanup EXIT
docker_up || skip "$DOCKER_WHY: errors not compared with docker (the checks of ferry above passed)"
expect_docker_fail 1 "create a: volume name is too short, names should be at least two alphanumeric characters" \
    volume create a
expect_docker_fail 1 'create _x: "_x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path' \
    volume create _x
expect_docker_fail 1 'create data3: error looking up volume plugin nfs: plugin "nfs" not found' \
    volume create -d nfs data3
expect_docker_fail 1 "No such volume: nope-$$" volume inspect "nope-$$"
expect_docker_fail 1 "No such volume: nope-$$" volume rm "nope-$$"
