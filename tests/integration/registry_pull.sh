# `pull` from Debian's docker-registry on 127.0.0.1 (issue 9, points 1, 2, 10), a spec written
# against docker: CLIENT=docker runs it with docker's CLI, CLIENT=ferry (default) with ferry.
#   - images pushed by docker, skopeo (schema 2, OCI, signed schema 1), podman, and by hand
#     (zstd and uncompressed layers, a manifest list and an OCI index for amd64 and arm64) are
#     pulled with the image ID their config names (schema 1: converted), and run;
#   - pull's output as docker's on a non-terminal, `-q`, `Image is up to date`, `-a`,
#     `--platform`, pulls by digest and by tag plus digest, `images` and `images --digests`;
#   - docker's errors: manifest unknown (tag, digest, repository), no matching platform, a
#     registry that is not there, an invalid reference.
# Standalone: CLIENT=docker FERRY=build/ferry tests/integration/run_one.sh tests/integration/registry_pull.sh

source "$FERRY_SRC/tests/integration/container_lib.sh"
source "$FERRY_SRC/tests/integration/registry_lib.sh"
client_init
command -v skopeo >/dev/null || skip "skopeo is not installed"
start_registry plain
RUN_CLEANUPS=(client_cleanup "${RUN_CLEANUPS[@]}")

note "fixtures"
[ $DOCKER_OK = 1 ] && push_with_docker bb/docker:1
push_with_skopeo bb/skopeo:v2s2
push_with_skopeo bb/skopeo:oci --format oci
push_with_skopeo bb/skopeo:v2s1 --format v2s1
expect_eq "$(manifest_media_type bb/skopeo:v2s1)" schema1-signed "skopeo's v2s1 push"
push_by_hand bb/hand:zstd --compression zstd >/dev/null
push_by_hand bb/hand:none --compression none >/dev/null
push_by_hand bb/hand:list --index amd64,arm64 >/dev/null
push_by_hand bb/hand:index --index amd64,arm64 --oci >/dev/null
have_podman=0
if command -v podman >/dev/null; then push_with_podman bb/podman:1; have_podman=1; fi

# ---------------------------------------------------------------------------------------------
note "pull's output (not a terminal) and images"
ref=$REG/bb/skopeo:v2s2
id=$(config_digest bb/skopeo:v2s2)
digest=$(manifest_digest bb/skopeo:v2s2)
layer=$(raw_manifest bb/skopeo:v2s2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
client pull "$ref" >"$TEST_TMP/pull.out" 2>"$TEST_TMP/pull.err" || fail "pull $ref: $(cat "$TEST_TMP/pull.err")"
[ ! -s "$TEST_TMP/pull.err" ] || fail "pull $ref wrote on stderr: $(cat "$TEST_TMP/pull.err")"
expect_eq "$(head -1 "$TEST_TMP/pull.out")" "v2s2: Pulling from bb/skopeo" "pull's first line"
expect_eq "$(tail -3 "$TEST_TMP/pull.out")" "Digest: $digest
Status: Downloaded newer image for $ref
$ref" "pull's last lines"
grep -qx "$(short_id "$layer"): Pull complete" "$TEST_TMP/pull.out" ||
    fail "pull: no [$(short_id "$layer"): Pull complete] line: $(cat "$TEST_TMP/pull.out")"
expect_eq "$(client image inspect -f '{{.Id}}' "$ref")" "$id" "image ID of $ref"
expect_eq "$(client image inspect -f '{{join .RepoDigests ","}}' "$ref")" "$REG/bb/skopeo@$digest" "RepoDigests"
expect_out "v2s2: Pulling from bb/skopeo
Digest: $digest
Status: Image is up to date for $ref
$ref" client pull "$ref"
expect_out "$ref" client pull -q "$ref"
expect_out "$REG/bb/skopeo v2s2 $(short_id "$id")" client images --format '{{.Repository}} {{.Tag}} {{.ID}}' "$REG/bb/skopeo"
expect_out "$REG/bb/skopeo v2s2 $digest" client images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REG/bb/skopeo"
expect_out "ran" client run --rm --network none "$ref" echo ran
if [ "$CLIENT" = ferry ]; then  # dockerd's setting, as a flag of ferry's and in daemon.json
    ferry rmi -f "$ref" >/dev/null
    expect_out "$ref" ferry pull -q --max-concurrent-downloads 1 "$ref"
    expect_client_fail 125 "invalid max concurrent downloads: -1" pull --max-concurrent-downloads -1 "$ref"
    echo '{"max-concurrent-downloads": -2}' >"$TEST_TMP/daemon.json"
    FERRY_DAEMON_JSON=$TEST_TMP/daemon.json expect_client_fail 1 \
        "reading \`$TEST_TMP/daemon.json\`: invalid max concurrent downloads: -2" pull "$ref"
fi

note "every fixture: pull -q, its image ID, run"
check_fixture() {  # REPO:TAG [ARCH]
    local ref=$REG/$1
    expect_out "$ref" client pull -q "$ref"
    [ "$(manifest_media_type "$1")" = schema1-signed ] ||
        expect_eq "$(client image inspect -f '{{.Id}}' "$ref")" "$(config_digest "$1")" "image ID of $ref"
    expect_eq "$(client image inspect -f '{{.Os}}/{{.Architecture}}' "$ref")" linux/amd64 "platform of $ref"
    expect_out "ran" client run --rm --network none "$ref" echo ran
}
[ $DOCKER_OK = 1 ] && check_fixture bb/docker:1
check_fixture bb/skopeo:oci
check_fixture bb/skopeo:v2s1
check_fixture bb/hand:zstd
check_fixture bb/hand:none
check_fixture bb/hand:list
check_fixture bb/hand:index
[ $have_podman = 1 ] && check_fixture bb/podman:1
# schema 1: converted; the layers are the same as schema 2's, so the diff IDs are.
expect_eq "$(client image inspect -f '{{join .RootFS.Layers ","}}' "$REG/bb/skopeo:v2s1")" \
    "$(client image inspect -f '{{join .RootFS.Layers ","}}' "$REG/bb/skopeo:v2s2")" "schema 1 diff IDs"

note "--platform"
expect_out "$REG/bb/hand:list" client pull -q --platform linux/arm64 "$REG/bb/hand:list"
expect_eq "$(client image inspect -f '{{.Id}} {{.Architecture}}' "$REG/bb/hand:list")" \
    "$(config_digest bb/hand:list arm64) arm64" "the arm64 entry of the list"
expect_out "$REG/bb/hand:index" client pull -q --platform linux/arm64 "$REG/bb/hand:index"
expect_eq "$(client image inspect -f '{{.Id}} {{.Architecture}}' "$REG/bb/hand:index")" \
    "$(config_digest bb/hand:index arm64) arm64" "the arm64 entry of the OCI index"
expect_client_fail 1 "no matching manifest for linux/s390x in the manifest list entries" \
    pull -q --platform linux/s390x "$REG/bb/hand:list"

note "by digest, tag plus digest, -a"
client_rmi "$ref"
expect_out "$REG/bb/skopeo@$digest" client pull -q "$REG/bb/skopeo@$digest"
expect_eq "$(client images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REG/bb/skopeo" | grep -F '<none>')" \
    "$REG/bb/skopeo <none> $digest" "images --digests of a pull by digest"
expect_out "$REG/bb/skopeo:v2s2@$digest" client pull -q "$REG/bb/skopeo:v2s2@$digest"
client_rmi "$REG/bb/skopeo@$digest"
client pull -a "$REG/bb/hand" >"$TEST_TMP/all.out" || fail "pull -a failed"
expect_eq "$(grep -c ': Pulling from bb/hand$' "$TEST_TMP/all.out")" 4 "pull -a: one line per tag"
expect_eq "$(tail -2 "$TEST_TMP/all.out")" "Status: Downloaded newer image for $REG/bb/hand
$REG/bb/hand" "pull -a's last lines"
expect_out "$REG/bb/hand:index
$REG/bb/hand:list
$REG/bb/hand:none
$REG/bb/hand:zstd" client images --format '{{.Repository}}:{{.Tag}}' "$REG/bb/hand"

note "errors"
expect_client_fail 1 "manifest for $REG/bb/skopeo:nope not found: manifest unknown: manifest unknown" \
    pull "$REG/bb/skopeo:nope"
expect_client_fail 1 "manifest for $REG/bb/nothere:latest not found: manifest unknown: manifest unknown" \
    pull "$REG/bb/nothere"
expect_eq "$CLIENT_OUT" "Using default tag: latest" "pull's stdout without a tag"
zero=sha256:0000000000000000000000000000000000000000000000000000000000000000
expect_client_fail 1 "manifest for $REG/bb/skopeo@$zero not found: manifest unknown: manifest unknown" \
    pull "$REG/bb/skopeo@$zero"
expect_client_fail 1 "invalid reference format: repository name must be lowercase" pull "$REG/BAD"
port=$(free_port)
expect_client_fail 1 "*127.0.0.1:$port*connection refused" pull "127.0.0.1:$port/bb/x:1"
