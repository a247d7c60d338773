# Images in use are protected (issue 8, point 1), with docker's rules and words (moby's
# daemon/images/image_delete.go, compared with dockerd when one answers): `rmi` of the last name
# of an image a container uses, or of its ID, fails while the container exists, running or
# stopped; `rmi -f` untags, keeps the image for a running container and deletes only the record
# for a stopped one, never the layers the container needs (they go with the last container, removed
# by `rm`, by its monitor for `run --rm` or by `container prune`); `image prune -a` skips images
# in use. Then the race: `rmi -f` in parallel with `create` and `run` of the same image, many
# times; every container that was created starts and sees its files.

source "$FERRY_SRC/tests/integration/container_lib.sh"
bb_image ferry-it/use:1
id=$(ferry image inspect -f '{{.Id}}' ferry-it/use:1)
short=${id:7:12}
chains() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["chain_ids"]))' \
    "$FERRY_ROOT/containers/$1/config.json"; }
# layers_present ID: every layer directory the container's record names exists.
layers_present() {
    local c
    for c in $(chains "$1"); do [ -d "$FERRY_ROOT/layers/$c/diff" ] || return 1; done
}

note "rmi of the last name of an image a stopped container uses: refused, must force"
ctr_create stopped ferry-it/use:1 cat /data/from-image
cid=$(full_id stopped)
expect_fail 1 "ferry: error: conflict: unable to remove repository reference \"ferry-it/use:1\" (must force) - container ${cid:0:12} is using its referenced image $short" \
    ferry rmi ferry-it/use:1
expect_fail 1 "ferry: error: conflict: unable to delete $short (must be forced) - image is being used by stopped container ${cid:0:12}" \
    ferry rmi "$short"
expect_out "$short" ferry images -q ferry-it/use:1

note "rmi of one of two names: untagged, as docker, the container keeps its image"
expect_out "" ferry tag ferry-it/use:1 ferry-it/use:2
expect_out "Untagged: ferry-it/use:2" ferry rmi ferry-it/use:2

note "image prune -a skips an image a container uses"
expect_out "Total reclaimed space: 0B" ferry image prune -a -f
expect_out "$short" ferry images -q ferry-it/use:1

note "a running container: rmi by ID cannot be forced; rmi -f of the last name only untags"
ctr_run running ferry-it/use:1 sleep 1000
rid=$(full_id running)
wait_state running running
expect_fail 1 "ferry: error: conflict: unable to delete $short (cannot be forced) - image is being used by running container ${rid:0:12}" \
    ferry rmi "$short"
expect_fail 1 "ferry: error: conflict: unable to delete $short (cannot be forced) - image is being used by running container ${rid:0:12}" \
    ferry rmi -f "$short"
expect_out "Untagged: ferry-it/use:1" ferry rmi -f ferry-it/use:1
expect_out "<none>:<none> $short" ferry images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}'
expect_out "image-data" ferry exec running cat /data/from-image

note "rmi -f of a dangling image a stopped container uses: the record goes, the layers stay"
ferry rm -f running >/dev/null
expect_out "Deleted: $id" ferry rmi -f "$short"
expect_out "" ferry images -a -q
layers_present "$cid" || fail "rmi -f deleted the layers of a stopped container"
expect_out "image-data" ferry start -a stopped
expect_out "no problems found" ferry system check

note "the layers go with the last container that used them"
expect_out "stopped" ferry rm stopped
expect_out "" store_garbage
note "... removed by its monitor (run --rm)"
bb_image ferry-it/use:1
ferry create --rm --name auto ferry-it/use:1 cat /data/from-image >/dev/null
expect_out "Untagged: ferry-it/use:1
Deleted: $(ferry image inspect -f '{{.Id}}' ferry-it/use:1)" ferry rmi -f ferry-it/use:1
expect_out "image-data" ferry start -a auto
expect_out "" ferry ps -a -q
expect_out "" store_garbage
note "... removed by container prune"
bb_image ferry-it/use:1
ctr_create pruned ferry-it/use:1 true
expect_out "Untagged: ferry-it/use:1
Deleted: $(ferry image inspect -f '{{.Id}}' ferry-it/use:1)" ferry rmi -f ferry-it/use:1
ferry container prune -f >/dev/null
expect_out "" ferry ps -a -q
expect_out "" store_garbage

note "docker's words for the same steps"
if docker_bb; then
    dctr=$("$DOCKER" create "$DOCKER_BB" cat /data/from-image)
    RUN_CLEANUPS=("$DOCKER rm -f $dctr >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    did=$("$DOCKER" image inspect -f '{{.Id}}' "$DOCKER_BB")
    bb_image ferry-it/use:1
    ctr_create again ferry-it/use:1 cat /data/from-image
    fid=$(ferry image inspect -f '{{.Id}}' ferry-it/use:1)
    fctr=$(full_id again)
    # alike: the two outputs with IDs and names replaced, error prefixes dropped.
    alike() {
        sed -e "s/${did:7}/IMAGE/g; s/${did:7:12}/IMAGE/g; s/${dctr:0:12}/CTR/g; s#$DOCKER_BB#REF#g" \
            -e "s/${fid:7}/IMAGE/g; s/${fid:7:12}/IMAGE/g; s/${fctr:0:12}/CTR/g" \
            -e 's#ferry-it/use:1#REF#g; s/^Error response from daemon: //; s/^ferry: error: //'
    }
    for args in "rmi REF" "rmi ID" "rmi -f REF"; do
        dargs=${args//REF/$DOCKER_BB}
        fargs=${args//REF/ferry-it/use:1}
        d=$("$DOCKER" ${dargs//ID/${did:7:12}} 2>&1) || true
        f=$(ferry ${fargs//ID/${fid:7:12}} 2>&1) || true
        expect_eq "$(alike <<<"$f")" "$(alike <<<"$d")" "ferry $args against docker"
    done
    ferry rm again >/dev/null
fi

note "rmi -f racing create and run of the same image: every container keeps its layers"
# Each round imports an image with a layer of its own (the round number in /data/round), then
# removes it while a create and a run --rm of it start. Either a container claims the image
# first (and keeps its layers) or the image is gone first (`no such image`: --pull never, as ferry has no registry client to try).
rootfs=$TEST_TMP/bb-rootfs
created=()
for round in $(seq 30); do
    echo "$round" >"$rootfs/data/round"
    tar -C "$rootfs" -cf round.tar .
    ferry import -q round.tar ferry-it/race:1 >/dev/null
    ferry rmi -f ferry-it/race:1 >rmi.out 2>&1 &
    rmi_pid=$!
    ferry run --pull never --rm ferry-it/race:1 cat /data/round >run.out 2>&1 &
    run_pid=$!
    if ferry create --pull never --name "race$round" ferry-it/race:1 cat /data/round >/dev/null 2>create.err; then
        created+=("race$round")
    else
        expect_eq "$(cat create.err)" "ferry: error: no such image \`ferry-it/race:1\`" "create in round $round"
    fi
    wait "$rmi_pid" || fail "rmi -f in round $round: $(cat rmi.out)"
    if wait "$run_pid"; then
        expect_eq "$(cat run.out)" "$round" "run --rm in round $round"
    else
        expect_eq "$(cat run.out)" "ferry: error: no such image \`ferry-it/race:1\`" "run --rm in round $round"
    fi
done
note "${#created[@]} of 30 creates won the race"
for name in "${created[@]}"; do
    layers_present "$(full_id "$name")" || fail "$name lost its layers to rmi -f"
    expect_out "${name#race}" ferry start -a "$name"
done
expect_out "no problems found" ferry system check
for name in "${created[@]}"; do ferry rm "$name" >/dev/null; done
expect_out "" store_garbage

note "a --rm container that cannot start is removed, and the layers of its deleted image with it"
ferry import -q round.tar ferry-it/nostart:1 >/dev/null
ferry create --rm --name nostart ferry-it/nostart:1 /nosuch >/dev/null
ferry rmi -f ferry-it/nostart:1 >/dev/null
expect_fail 127 "ferry: error: container init: exec \`/nosuch\`: No such file or directory" ferry start -a nostart
expect_fail 1 'ferry: error: no such container `nostart`' ferry container inspect nostart
expect_out "no problems found" ferry system check
expect_out "" store_garbage
