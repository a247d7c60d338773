# ferry commit: a running container's changes become a layer with docker's diff rules, docker's
# child config, the container keeps running (paused only meanwhile), and the image saves and
# loads byte for byte, and runs.
source "$FERRY_SRC/tests/integration/container_lib.sh"

base_image bb:1
CHANGES='echo hi > /tmp/new; rm -rf /d1; mkdir /d1; echo z > /d1/n; rm /d2/g; ln /tmp/new /tmp/hl;
mkfifo /tmp/fifo; dd if=/dev/zero of=/tmp/zeros bs=1M count=8 2>/dev/null; touch /tmp/done;
exec sleep 1000'
ctr_run c1 -e B=2 -w /tmp bb:1 sh -c "$CHANGES"
ctr_wait_file c1 /tmp/done

note "commit a running container"
id=$(ferry commit -m "my msg" -a "me <me@x>" -c 'LABEL k=v' -c 'ENV C=3' c1 out/img:v1)
[[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "commit printed [$id]"
expect_eq "$(ctr_status c1)" running "status after commit"
cid=$(ferry inspect -f '{{.Id}}' c1)
# Every container has a freezer once committed (runtime/freezer.hpp), thawed again.
expect_eq "$(freezer_state "$(ferry inspect -f '{{.State.Pid}}' c1)")" THAWED "freezer after commit"
expect_eq "$(ferry image inspect -f '{{.Id}}' out/img:v1)" "$id"

note "the config is docker's child image"
ferry save -q -o "$TEST_TMP/img.tar" out/img:v1
mkdir "$TEST_TMP/img" && tar -C "$TEST_TMP/img" -xf "$TEST_TMP/img.tar"
cfg="$TEST_TMP/img/${id#sha256:}.json"
[ -f "$cfg" ] || cfg="$TEST_TMP/img/blobs/sha256/${id#sha256:}"
expect_eq "$(json_get "$cfg" 'd["author"]')" "me <me@x>"
expect_eq "$(json_get "$cfg" '"comment" in d')" False "top-level comment"
expect_eq "$(json_get "$cfg" 'd["container"]')" "$cid"
expect_eq "$(json_get "$cfg" 'd["config"]["Labels"]')" "{'k': 'v'}"
expect_eq "$(json_get "$cfg" 'd["container_config"]["Labels"]')" "{}"
# (no PATH: docker adds none to the Env of a container whose image has none, checked with docker 20.10)
expect_eq "$(json_get "$cfg" 'd["config"]["Env"]')" "['B=2', 'A=1', 'C=3']"
expect_eq "$(json_get "$cfg" 'd["config"]["WorkingDir"]')" /tmp
expect_eq "$(json_get "$cfg" 'd["config"]["Image"]')" bb:1
expect_eq "$(json_get "$cfg" 'd["history"][-1]["created_by"]')" "sh -c $CHANGES"
expect_eq "$(json_get "$cfg" 'd["history"][-1]["comment"]')" "my msg"
expect_eq "$(json_get "$cfg" 'd["history"][-1]["created"] == d["created"]')" True
expect_eq "$(json_get "$cfg" 'len(d["rootfs"]["diff_ids"])')" 2

note "the layer follows docker's diff rules"
layer=$(json_get "$TEST_TMP/img/manifest.json" 'd[0]["Layers"][1]')
tar -tvf "$TEST_TMP/img/$layer" | awk '{print $1, $6, $7, $8}' >"$TEST_TMP/layer.txt"
for want in "drwxr-xr-x d1/" "-rwxr-xr-x d1/.wh..wh..opq" "-rw-r--r-- d1/n" \
            "-rw------- d2/.wh.g" "prw-r--r-- tmp/fifo" "-rw-r--r-- tmp/hl" \
            "hrw-r--r-- tmp/new link to"; do
    grep -qF -- "$want" "$TEST_TMP/layer.txt" || fail "layer lacks [$want]: $(cat "$TEST_TMP/layer.txt")"
done
grep -q "d2/keep" "$TEST_TMP/layer.txt" && fail "unchanged file in the layer"
expect_eq "$(sha256sum <"$TEST_TMP/img/$layer" | cut -d' ' -f1)" \
          "$(json_get "$cfg" 'd["rootfs"]["diff_ids"][1][7:]')" "diff ID"
zeros=$(find "$FERRY_ROOT/layers" -path '*/diff/tmp/zeros' | head -1)
[ -n "$zeros" ] || fail "committed layer not found in the store"
[ "$(stat -c %b "$zeros")" -lt 1024 ] || fail "zero blocks were written out, not left as holes"

note "save / load round trip is byte-exact"
FERRY_ROOT="$TEST_TMP/store2" ferry load -q -i "$TEST_TMP/img.tar" >/dev/null
expect_eq "$(FERRY_ROOT="$TEST_TMP/store2" ferry image inspect -f '{{.Id}}' out/img:v1)" "$id"
FERRY_ROOT="$TEST_TMP/store2" ferry save -q -o "$TEST_TMP/img2.tar" out/img:v1
cmp "$TEST_TMP/img.tar" "$TEST_TMP/img2.tar" || fail "save after load differs"

note "the committed image runs"
ctr_run c2 out/img:v1 sh -c 'echo $A$B$C > /tmp/out'
ctr_wait_exit c2
expect_eq "$(ferry cp c2:/tmp/out - | tar -xO)" 123
expect_eq "$(ferry cp c2:/d1/n - | tar -xO)" z
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker load -q -i "$TEST_TMP/img.tar" >/dev/null
    out=$(docker run --rm out/img:v1 sh -c 'cat /d1/n /tmp/new; ls /d1 /d2; echo $B$C')
    docker rmi -f out/img:v1 >/dev/null
    expect_eq "$out" "$(printf 'z\nhi\n/d1:\nn\n\n/d2:\nkeep\n23')" "docker run of the committed image"
fi

note "the container is frozen during a commit; Ctrl-C thaws it"
ctr_run big bb:1 sh -c 'dd if=/dev/urandom of=/big bs=1M count=300 2>/dev/null; touch /done; exec sleep 1000'
ctr_wait_file big /done
bigpid=$(ferry inspect -f '{{.State.Pid}}' big)
expect_eq "$(freezer_state "$bigpid")" "$([ -d /sys/fs/cgroup/freezer ] && [ ! -d /sys/fs/cgroup/unified ] && echo NONE || echo THAWED)" "freezer before the commit"
ferry commit big >/dev/null 2>"$TEST_TMP/int.err" &
commit=$!
seen=0
for _ in $(seq 3000); do
    [ "$(freezer_state "$bigpid")" = FROZEN ] && { seen=1; break; }
    kill -0 "$commit" 2>/dev/null || break
done
[ "$seen" = 1 ] || fail "the container was never seen frozen during its commit"
kill -INT "$commit"
status=0
wait "$commit" || status=$?
# The commit may have finished first; either way the container must be running, thawed.
if [ "$status" != 0 ]; then
    expect_eq "$status" 125
    expect_eq "$(cat "$TEST_TMP/int.err")" 'ferry: error: commit `big`: interrupted'
fi
expect_eq "$(freezer_state "$bigpid")" THAWED "freezer after an interrupted commit"
expect_eq "$(ctr_status big)" running

note "--pause=false, and a container that changed nothing"
ferry commit --pause=false c1 >/dev/null
ctr_create idle bb:1 true
idle=$(ferry commit idle)
expect_eq "$(ferry image inspect -f '{{json .RootFS.Layers}}' "$idle" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1 "layers of an empty commit"

note "errors"
expect_fail 1 'ferry: error: no such container `nosuch`' ferry commit nosuch
expect_fail 125 'ferry: error: --change `COPY a b`: COPY is not a valid change command (valid: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)' ferry commit -c 'COPY a b' c1
expect_fail 125 'ferry: error: `Bad:tag`: invalid reference format: repository name must be lowercase' ferry commit c1 Bad:tag
expect_fail 125 "ferry: error: \`x@sha256:$(printf '0%.0s' $(seq 64))\`: cannot commit to a digest reference" ferry commit c1 "x@sha256:$(printf '0%.0s' $(seq 64))"
