# ps and images filters as docker's daemon applies them: the same containers and images made in
# ferry and in docker, the same queries, the same answers (docker's names carry the test's
# prefix, taken off before comparing; without a daemon ferry's answers are checked alone).
# Repeated values of one filter are ORed, different filters ANDed; only a status filter implies
# -a; docker's errors and status.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true
P=$DOCKER_PREFIX

# ps_both WANT ARGS...: `ferry ps ARGS` and `docker ps ARGS` list the names WANT (space
# separated, newest first). In ARGS, @ stands for docker's name prefix and IMG for the image.
ps_both() {
    local want=$1 a f=() d=()
    shift
    for a in "$@"; do
        f+=("${a//@/}")
        a=${a//@/$P-}
        d+=("${a//IMG/$DOCKER_BB}")
    done
    f=("${f[@]//IMG/bb:1}")
    expect_eq "$(ferry ps "${f[@]}" --format '{{.Names}}' | tr '\n' ' ' | sed 's/ $//')" "$want" "ferry ps ${f[*]}"
    [ -n "$DOCKER_BB" ] || return 0
    expect_eq "$("$DOCKER" ps "${d[@]}" --format '{{.Names}}' | sed -n "s/^$P-//p" | tr '\n' ' ' | sed 's/ $//')" \
        "$want" "docker ps ${d[*]}"
}

note "the same containers in both"
# make ENGINE PREFIX IMAGE FLAGS...: created, exited 0, exited 3, a label, a volume, a running one.
make() {
    local e=$1 p=$2 img=$3 status=0
    shift 3
    $e create "$@" --name "${p}c-old" "$img" >/dev/null
    $e run "$@" --name "${p}c-exit0" "$img" true
    $e run "$@" --name "${p}c-exit3" "$img" sh -c 'exit 3' || status=$?
    expect_eq "$status" 3 "$e run's status"
    $e create "$@" --name "${p}c-lab" -l tier=web -l other=1 "$img" >/dev/null
    $e create "$@" --name "${p}c-vol" -v "${p}vname:/data" "$img" >/dev/null
    $e run -d "$@" --name "${p}c-run" "$img" sleep 100 >/dev/null
}
make ferry "" bb:1
if [ -n "$DOCKER_BB" ]; then
    RUN_CLEANUPS+=("$DOCKER volume rm -f $P-vname >/dev/null 2>&1")
    make "$DOCKER" "$P-" "$DOCKER_BB" --network none
fi
expect_eq "$(ferry inspect -f '{{.State.ExitCode}}' c-exit3)" 3

note "status (implies -a), exited (only with -a), ORed values"
ps_both "c-run"
ps_both "c-exit3 c-exit0" --filter status=exited
ps_both "c-run c-vol c-lab c-old" --filter status=created --filter status=running
ps_both "" --filter exited=0
ps_both "c-exit0" -a --filter exited=0
ps_both "c-exit3 c-exit0" -a --filter exited=3 --filter exited=0

note "name (a regular expression), id, label (every value must match), AND across names"
ps_both "c-exit3 c-exit0" -a --filter name=@c-exit
ps_both "c-lab c-exit0" -a --filter name=@c-lab --filter name=@c-exit0
ps_both "c-lab" -a --filter label=tier=web
ps_both "c-lab" -a --filter label=tier --filter label=other=1
ps_both "" -a --filter label=tier --filter label=other=2
ps_both "" -a --filter label=tier --filter status=exited
id=$(ferry inspect -f '{{.Id}}' c-lab)
expect_eq "$(ferry ps -a --filter "id=${id:0:10}" --format '{{.Names}}')" c-lab

note "before and since a container, volume (name or destination), ancestor, health, network"
ps_both "c-exit0 c-old" -a --filter before=@c-exit3
ps_both "c-run c-vol c-lab c-exit3" -a --filter since=@c-exit0
ps_both "c-vol c-lab" -a --filter since=@c-exit3 --filter before=@c-run
ps_both "c-vol" -a --filter volume=@vname
ps_both "c-vol" -a --filter volume=/data
ps_both "c-run c-vol c-lab c-exit3 c-exit0 c-old" -a --filter ancestor=IMG
ps_both "c-run c-vol c-lab c-exit3 c-exit0 c-old" -a --filter health=none
ps_both "" -a --filter health=healthy
expect_eq "$(ferry ps -a --filter network=bridge --format '{{.Names}}' | wc -l)" 6 "the default network"
expect_eq "$(ferry ps -a --filter network=host --format '{{.Names}}' | wc -l)" 0 "the host's network"
expect_eq "$(ferry ps -a -n 2 --format '{{.Names}}' | tr '\n' ' ')" "c-run c-vol "
expect_eq "$(ferry ps -l --format '{{.Names}}')" c-run

note "errors: docker's daemon words, exit status 1"
for args in "bogus=1|Invalid filter 'bogus'" "status=bogus|Invalid filter 'status=bogus'" \
            "health=bogus|Unrecognised filter value for health: bogus" \
            'exited=x|strconv.Atoi: parsing "x": invalid syntax' "before=nosuch|no such container nosuch"; do
    expect_fail 1 "ferry: error: ${args#*|}" ferry ps --filter "${args%%|*}"
    if [ -n "$DOCKER_BB" ]; then
        got=$("$DOCKER" ps --filter "${args%%|*}" 2>&1) && fail "docker ps --filter ${args%%|*} succeeded"
        expect_eq "${got#Error response from daemon: }" "${args#*|}" "docker's message"
    fi
done

note "images: patterns (docker's path.Match on the short and full names), reference, before, since, label"
# images_both WANT ARGS...: `ferry images ARGS` and `docker images ARGS` list REPO:TAG WANT (sorted).
images_both() {
    local want=$1 a f=() d=()
    shift
    for a in "$@"; do
        f+=("${a//@/}")
        d+=("${a//@/$P/}")
    done
    expect_eq "$(ferry images "${f[@]}" --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ' | sed 's/ $//')" \
        "$want" "ferry images ${f[*]}"
    [ -n "$DOCKER_BB" ] || return 0
    expect_eq "$("$DOCKER" images "${d[@]}" --format '{{.Repository}}:{{.Tag}}' | sed -n "s|^$P/||p" | sort | tr '\n' ' ' | sed 's/ $//')" \
        "$want" "docker images ${d[*]}"
}
imgs() {  # imgs ENGINE PREFIX
    $1 import -c 'LABEL k=v' "$TEST_TMP/bb.tar" "${2}cmp/a:1" >/dev/null
    $1 import "$TEST_TMP/bb.tar" "${2}cmp/b:2" >/dev/null
    $1 tag "${2}cmp/b:2" "${2}cmp/b:latest"
    $1 import "$TEST_TMP/bb.tar" "${2}other/c:3" >/dev/null
}
imgs ferry ""
if [ -n "$DOCKER_BB" ]; then
    imgs "$DOCKER" "$P/"
    RUN_CLEANUPS=("$DOCKER rmi -f $P/cmp/a:1 $P/cmp/b:2 $P/cmp/b:latest $P/other/c:3 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
fi
images_both "cmp/a:1 cmp/b:2 cmp/b:latest" '@cmp/*'
images_both "cmp/a:1" '@cmp/*:1'
images_both "cmp/b:2 cmp/b:latest" '@cmp/b'
images_both "" '@cmp*'
images_both "cmp/a:1 cmp/b:2" --filter 'reference=@cmp/a' --filter 'reference=@cmp/b:2'
images_both "cmp/a:1 cmp/b:2 cmp/b:latest other/c:3" --filter 'reference=@*/*'
images_both "cmp/a:1 cmp/b:2 cmp/b:latest other/c:3" '@cmp/*' --filter 'reference=@*/c:*'
images_both "cmp/a:1" --filter label=k=v --filter 'reference=@*/*'
images_both "cmp/b:2 cmp/b:latest other/c:3" --filter since=@cmp/a:1 --filter 'reference=@*/*'
images_both "cmp/a:1 cmp/b:2 cmp/b:latest" --filter before=@other/c:3 --filter 'reference=@*/*'
