# ferry rename (stopped and running containers, docker's errors, the name claim under races, a
# renamed --rm container freeing its new name) and ferry diff / container diff (A/C/D from the
# upper directory over the image: whiteouts, opaque directories, metadata changes), with ps -s
# sizes; compared with docker where a daemon answers.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

# docker_msg CMD...: the first line docker prints for a failing CMD, without its prefixes.
docker_msg() {
    local out
    out=$("$DOCKER" "$@" 2>&1) && fail "docker $*: succeeded"
    printf '%s\n' "$out" | head -1 | sed -e 's/^Error response from daemon: //' -e 's/^Error: //'
}

note "rename a stopped container: the record, the name link and ps follow; the old name is free"
ctr_create r1 bb:1
id=$(ferry inspect -f '{{.Id}}' r1)
expect_out "" ferry rename r1 r2
expect_eq "$(ferry inspect -f '{{.Name}} {{.Id}}' r2)" "/r2 $id"
expect_eq "$(ferry ps -a --format '{{.Names}}')" r2
expect_fail 1 'ferry: error: no such container `r1`' ferry container inspect r1
ctr_create r1 bb:1
expect_out "" ferry rename /r2 r3  # a leading slash is docker's own form of a name
expect_eq "$(readlink "$FERRY_ROOT/container-names/r3")" "$id"
[ ! -e "$FERRY_ROOT/container-names/r2" ] || fail "the old name is still claimed"

note "errors: docker's daemon and client words, exit status 1, nothing changed"
other=$(ferry inspect -f '{{.Id}}' r1)
expect_fail 1 'ferry: error: Renaming a container with the same name as its current name' ferry rename r3 r3
expect_fail 1 'ferry: error: Renaming a container with the same name as its current name' ferry rename r3 /r3
expect_fail 1 'ferry: error: Error when allocating new name: Invalid container name (/bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' \
    ferry rename r3 bad/name
expect_fail 1 'ferry: error: Error when allocating new name: Invalid container name (/a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' \
    ferry rename r3 a
expect_fail 1 "ferry: error: Error when allocating new name: Conflict. The container name \"/r1\" is already in use by container \"$other\". You have to remove (or rename) that container to be able to reuse that name." \
    ferry rename r3 r1
expect_fail 1 'ferry: error: Neither old nor new names may be empty' ferry rename r3 ''
expect_fail 1 'ferry: error: Neither old nor new names may be empty' ferry rename '' x
expect_fail 1 'ferry: error: no such container `nosuch`' ferry rename nosuch x1
expect_eq "$(ferry ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "r1 r3 "
if [ -n "$DOCKER_BB" ]; then
    p=$DOCKER_PREFIX
    "$DOCKER" create --network none --name "$p-r3" "$DOCKER_BB" >/dev/null
    "$DOCKER" create --network none --name "$p-r1" "$DOCKER_BB" >/dev/null
    dother=$("$DOCKER" inspect -f '{{.Id}}' "$p-r1")
    expect_eq "$(docker_msg rename "$p-r3" "$p-r3")" 'Renaming a container with the same name as its current name'
    expect_eq "$(docker_msg rename "$p-r3" bad/name)" 'Error when allocating new name: Invalid container name (/bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'
    expect_eq "$(docker_msg rename "$p-r3" a)" 'Error when allocating new name: Invalid container name (/a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'
    expect_eq "$(docker_msg rename "$p-r3" "$p-r1")" "Error when allocating new name: Conflict. The container name \"/$p-r1\" is already in use by container \"$dother\". You have to remove (or rename) that container to be able to reuse that name."
    expect_eq "$(docker_msg rename "$p-r3" '')" 'Neither old nor new names may be empty'
    status=0
    "$DOCKER" rename "$p-r3" "$p-r3" 2>/dev/null || status=$?
    expect_eq "$status" 1 "docker rename's status"
fi

note "rename a running container: it runs on, its hostname stays, stop finds it by the new name"
ferry run -d --name run1 bb:1 sleep 100 >/dev/null
host=$(ferry exec run1 hostname)
expect_out "" ferry rename run1 run2
expect_eq "$(ctr_status run2)" running
expect_eq "$(ferry exec run2 hostname)" "$host" "hostname after rename"
expect_eq "$(ferry inspect -f '{{.Config.Hostname}}' run2)" "$host"
expect_out "run2" ferry stop -t 0 run2

note "a renamed run --rm container: its monitor frees the new name (and leaves the old one alone)"
ferry run -d --rm --name rm1 bb:1 sleep 100 >/dev/null
expect_out "" ferry rename rm1 rm2
ctr_create rm1 bb:1  # the old name, taken by another container meanwhile
ferry stop -t 0 rm2 >/dev/null
for _ in $(seq 100); do
    [ ! -e "$FERRY_ROOT/container-names/rm2" ] && break
    sleep 0.1
done
[ ! -e "$FERRY_ROOT/container-names/rm2" ] || fail "the --rm container's new name was not freed"
expect_eq "$(ferry inspect -f '{{.Name}}' rm1)" /rm1 "the other container keeps the old name"

note "races: two renames to one name, or a rename and a create, have one winner; two renames of one container leave one name (20 rounds)"
for i in $(seq 20); do
    ctr_create "ra-$i" bb:1
    ctr_create "rb-$i" bb:1
    sa=0 sb=0
    ferry rename "ra-$i" "won-$i" 2>/dev/null & pa=$!
    ferry rename "rb-$i" "won-$i" 2>/dev/null & pb=$!
    wait $pa || sa=$?
    wait $pb || sb=$?
    expect_eq "$(( (sa == 0) + (sb == 0) ))" 1 "round $i: one rename wins"
    expect_eq "$(ferry ps -a --format '{{.Names}}' | grep -c -E "^(ra-$i|rb-$i|won-$i)$")" 2 \
        "round $i: two containers, each with one name"
    winner=$(ferry inspect -f '{{.Id}}' "won-$i")
    expect_eq "$(readlink "$FERRY_ROOT/container-names/won-$i")" "$winner"
    ctr_create "rc-$i" bb:1
    sa=0 sb=0
    ferry rename "rc-$i" "new-$i" 2>/dev/null & pa=$!
    ferry create --name "new-$i" bb:1 >/dev/null 2>&1 & pb=$!
    wait $pa || sa=$?
    wait $pb || sb=$?
    expect_eq "$(( (sa == 0) + (sb == 0) ))" 1 "round $i: a rename or a create wins"
    # Two renames of one container: it ends with one name, and one link names it.
    ctr_create "rs-$i" bb:1
    id=$(ferry inspect -f '{{.Id}}' "rs-$i")
    ferry rename "rs-$i" "x-$i" 2>/dev/null & pa=$!
    ferry rename "rs-$i" "y-$i" 2>/dev/null & pb=$!
    wait $pa || true  # either may find the old name gone: only the outcome counts
    wait $pb || true
    links=$(find "$FERRY_ROOT/container-names" -lname "$id" -printf '%f\n')
    expect_eq "$(echo "$links" | wc -l)" 1 "round $i: one name link after two renames ($links)"
    expect_eq "$(ferry inspect -f '{{.Name}}' "$id")" "/$links" "round $i: the record's name"
done

note "diff: docker's A/C/D over the image; a fresh container has none"
ctr_create fresh bb:1
expect_out "" ferry diff fresh
cmd='echo hi > /data/new; echo more >> /data/from-image; rm /etc/group; mkdir -p /d3/x; rm -rf /home/user; mkdir /home/user; touch /home/user/q; chmod 700 /root'
ferry run --name df bb:1 sh -c "$cmd"
want="A /d3
A /d3/x
C /data
C /data/from-image
A /data/new
C /etc
D /etc/group
C /home
C /home/user
A /home/user/q
C /root"
expect_out "$want" ferry diff df
expect_out "$want" ferry container diff df
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run --network none --name "$DOCKER_PREFIX-df" "$DOCKER_BB" sh -c "$cmd"
    # docker lists siblings in a Go map's order: compare the sets.
    expect_eq "$("$DOCKER" diff "$DOCKER_PREFIX-df" | sort)" "$(sort <<<"$want")" "docker diff"
fi

note "diff of a running container; ps -s: the changes' size and the image's"
ferry run -d --name dr bb:1 sh -c 'printf 12345 > /tmp/f; sleep 100' >/dev/null
ctr_wait_file dr /tmp/f
expect_out "C /tmp
A /tmp/f" ferry diff dr
size=$(ferry ps -s --filter name=dr --format '{{.Size}}')
[[ "$size" =~ ^5B\ \(virtual\ [0-9.]+[kM]B\)$ ]] || fail "ps -s: [$size]"
expect_eq "$(ferry ps -a -s --filter name=df --format '{{.Size}}' | cut -d' ' -f1)" 19B
expect_eq "$(ferry ps -a -s --filter name=fresh --format '{{.Size}}' | cut -d' ' -f1)" 0B
expect_eq "$(ferry ps -a -s --filter name=fresh | head -1 | awk '{print $NF}')" SIZE "the SIZE column"
if [ -n "$DOCKER_BB" ]; then
    expect_eq "$("$DOCKER" ps -a -s --filter "name=$DOCKER_PREFIX-df" --format '{{.Size}}' | cut -d' ' -f1)" 19B \
        "docker's SizeRw"
fi
ferry stop -t 0 dr >/dev/null
expect_fail 1 'ferry: error: no such container `nosuch`' ferry diff nosuch
