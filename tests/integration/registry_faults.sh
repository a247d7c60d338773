# Registry faults (issue 9, points 5, 8, 10), a spec written against docker: CLIENT=docker runs
# it with docker's CLI, CLIENT=ferry (default) with ferry.
#   - the registry killed in the middle of a layer (registry_proxy.py slows that blob and says
#     when 1 MiB of it has gone), then restarted on the same port and storage: the pull that
#     was running finishes (docker retries; ferry must retry with back-off and resume with a
#     Range request), or failing that a second pull works; the image is whole (its ID, /big's
#     sha256);
#   - a blob corrupted in the registry's storage: the pull fails with the digest mismatch,
#     nothing of it is kept (ferry: the store as before);
#   - a credential helper that fails: docker's CLI lets its stderr pass and ignores the
#     failure, so the pull goes on anonymously and is denied; ferry does the same after one
#     warning line naming the helper and its words. One that hands out a stale password:
#     `unauthorized: incorrect username or password`.
# Standalone: CLIENT=docker FERRY=build/ferry tests/integration/run_one.sh tests/integration/registry_faults.sh

source "$FERRY_SRC/tests/integration/container_lib.sh"
source "$FERRY_SRC/tests/integration/registry_lib.sh"
client_init
RUN_CLEANUPS=(client_cleanup "${RUN_CLEANUPS[@]}")

note "registry killed mid-layer, then restarted"
start_registry plain
big=$(push_by_hand faults/big:1 --big-mb 24 2>&1 >/dev/null | sed -n 's/^big //p')
[ -n "$big" ] || fail "no big layer digest"
id=$(config_digest faults/big:1)
want_sha=$(python3 -c 'import random, hashlib; print(hashlib.sha256(random.Random(24).randbytes(24 << 20)).hexdigest())')
start_proxy "$big" 2097152
ref=$PROXY/faults/big:1
client_rmi "$id"  # (a run before may have left it: its layers would not be fetched)
status=0
client pull -q "$ref" >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
pull_pid=$!
wait_for_file "$PROXY_MARK" 60
stop_registry
note "registry killed after $(grep -c . "$PROXY_LOG") requests"
restart_registry
wait "$pull_pid" || status=$?
note "the interrupted pull: status $status, $(cat "$TEST_TMP/bg.err")"
sed -n "\\#blobs/$big#p" "$PROXY_LOG" >&2  # (whether a Range resumed it)
if [ "$CLIENT" = ferry ]; then
    expect_eq "$status" 0 "ferry's interrupted pull (retried and resumed)"
    grep -q "^GET /v2/faults/big/blobs/$big range=bytes=[1-9][0-9]*-" "$PROXY_LOG" ||
        fail "ferry did not resume the blob with a Range request: $(grep "blobs/$big" "$PROXY_LOG")"
elif [ "$status" != 0 ]; then
    expect_out "$ref" client pull -q "$ref"
fi
expect_eq "$(client image inspect -f '{{.Id}}' "$ref")" "$id" "image ID after the interrupted pull"
expect_eq "$(client run --rm --network none "$ref" /bin/busybox sha256sum /big | cut -c1-64)" "$want_sha" "/big after the interrupted pull"

if [ "$CLIENT" = ferry ]; then
    # docker's daemon keeps no partial pull of a killed client (the daemon goes on); ferry has
    # no daemon: a pull killed with SIGKILL keeps the layers it finished for the next pull.
    note "ferry pull killed with SIGKILL, then pulled again"
    ferry rmi -f "$id" >/dev/null
    start_proxy "$big" 1048576
    ref=$PROXY/faults/big:1
    "$FERRY" pull -q "$ref" >/dev/null 2>"$TEST_TMP/killed.err" &
    pull_pid=$!
    wait_for_file "$PROXY_MARK" 60
    small=""
    for _ in $(seq 100); do  # the busybox layer is small: finished long before the slowed one
        small=$(find "$FERRY_ROOT/tmp" -path '*/pull-*/b-*.done' -printf '%f\n' | sed 's/^b-//; s/\.done$//')
        [ -n "$small" ] && break
        sleep 0.1
    done
    [ -n "$small" ] || fail "no finished layer recorded while the big one was slowed"
    kill -9 "$pull_pid"
    wait "$pull_pid" 2>/dev/null || true
    expect_eq "$(ferry system check 2>&1)" "no problems found" "system check after a killed pull"
    ferry images -q >/dev/null  # a command's clean-up of tmp/ keeps the interrupted pull
    [ -n "$(find "$FERRY_ROOT/tmp" -path "*/pull-*/b-$small.done")" ] ||
        fail "the clean-up of tmp/ removed the killed pull's finished layer"
    gets_before=$(grep -c "^GET /v2/faults/big/blobs/sha256:$small " "$PROXY_LOG")
    start_proxy ""
    expect_out "$PROXY/faults/big:1" ferry pull -q "$PROXY/faults/big:1"
    expect_eq "$(grep -c "^GET /v2/faults/big/blobs/sha256:$small " "$PROXY_LOG")" "$gets_before" \
        "GETs of the layer the killed pull finished"
    expect_eq "$(ferry image inspect -f '{{.Id}}' "$PROXY/faults/big:1")" "$id" "image ID after the resumed pull"
    expect_eq "$(ferry run --rm --network none "$PROXY/faults/big:1" /bin/busybox sha256sum /big | cut -c1-64)" \
        "$want_sha" "/big after the resumed pull"
    expect_eq "$(find "$FERRY_ROOT/tmp" -name 'pull-*')" "" "tmp/ after the resumed pull"
    expect_eq "$(store_garbage)" "" "store garbage after the resumed pull"
fi

note "corrupted blob"
push_by_hand faults/corrupt:1 --big-mb 2 2>"$TEST_TMP/corrupt.err" >/dev/null
bad=$(sed -n 's/^big //p' "$TEST_TMP/corrupt.err")
corrupt_blob "$bad"
[ "$CLIENT" = ferry ] && before=$(tree_snapshot "$FERRY_ROOT")
expect_client_fail 1 "*$bad*" pull -q "$REG/faults/corrupt:1"
case $CLIENT_ERR in
    "filesystem layer verification failed for digest $bad"* | *"digest mismatch"* | *"does not match"*) ;;
    *) fail "corrupt blob: [$CLIENT_ERR] says nothing of a digest mismatch" ;;
esac
if client image inspect "$REG/faults/corrupt:1" >/dev/null 2>&1; then fail "the corrupt image was stored"; fi
note "corrupt blob: $CLIENT_ERR"
if [ "$CLIENT" = ferry ]; then
    expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after a corrupt pull"
    expect_eq "$(store_garbage)" "" "store garbage after a corrupt pull"
fi

note "credential helpers"
REG_GRANTS='alice * pull,push
bob private/* pull' start_registry token tok
push_by_hand private/x:1 --user alice:alice-pw >/dev/null
export DOCKER_CONFIG=$TEST_TMP/docker-config
mkdir -p "$DOCKER_CONFIG" "$TEST_TMP/bin"
export PATH=$TEST_TMP/bin:$PATH
printf '#!/bin/sh\ncat >/dev/null\necho "credentials expired" >&2\nexit 1\n' >"$TEST_TMP/bin/docker-credential-ferryfail"
printf '#!/bin/sh\ncat >/dev/null\necho "{\\"ServerURL\\":\\"%s\\",\\"Username\\":\\"bob\\",\\"Secret\\":\\"stale\\"}"\n' "$REG" \
    >"$TEST_TMP/bin/docker-credential-ferrystale"
chmod +x "$TEST_TMP/bin/"*
printf '{"credHelpers":{"%s":"ferryfail"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
if [ "$CLIENT" = docker ]; then
    status=0
    "$DOCKER" pull -q "$REG/private/x:1" >/dev/null 2>"$TEST_TMP/helper.err" || status=$?
    expect_eq "$status" 1 "docker pull with a failing helper"
    expect_eq "$(cat "$TEST_TMP/helper.err")" "credentials expired
Error response from daemon: pull access denied for $REG/private/x, repository does not exist or may require 'docker login': denied: requested access to the resource is denied" \
        "docker pull with a failing helper"
else
    status=0
    ferry pull -q "$REG/private/x:1" >/dev/null 2>"$TEST_TMP/helper.err" || status=$?
    expect_eq "$status" 1 "ferry pull with a failing helper"
    expect_eq "$(cat "$TEST_TMP/helper.err")" "WARNING: credential helper \`docker-credential-ferryfail\` get: credentials expired (exit status 1); going on without credentials
ferry: error: pull access denied for $REG/private/x, repository does not exist or may require 'docker login': denied: requested access to the resource is denied" \
        "ferry pull with a failing helper"
fi
printf '{"credHelpers":{"%s":"ferrystale"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
expect_client_fail 1 "*unauthorized: incorrect username or password" pull -q "$REG/private/x:1"
if grep -q stale "$REG_TOKEN_LOG"; then fail "the stale password reached the token log"; fi
