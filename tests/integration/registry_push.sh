# `push` to Debian's docker-registry on 127.0.0.1 (issue 9, points 1, 6, 10), a spec written
# against docker: CLIENT=docker runs it with docker's CLI, CLIENT=ferry (default) with ferry.
#   - push's output as docker's on a non-terminal: Preparing/Pushed, `Layer already exists` on
#     the second push, `Mounted from` for a blob of another repository, the digest line, `-q`;
#   - what was pushed is a schema 2 manifest with gzip layers whose config is the image ID;
#     skopeo, podman and docker (when the client is ferry) pull it with that image ID and run it;
#   - ferry only: `push --compression zstd` writes an OCI manifest with a tar+zstd layer that
#     docker pulls with the same image ID;
#   - errors: a tag that does not exist locally, a push without a tag (`latest` missing).
# Standalone: CLIENT=docker FERRY=build/ferry tests/integration/run_one.sh tests/integration/registry_push.sh

source "$FERRY_SRC/tests/integration/container_lib.sh"
source "$FERRY_SRC/tests/integration/registry_lib.sh"
client_init
command -v skopeo >/dev/null || skip "skopeo is not installed"
start_registry plain
RUN_CLEANUPS=(client_cleanup "client_rmi ferry-fixture/busybox:latest" "${RUN_CLEANUPS[@]}")
fixture_archive
expect_out "Loaded image: ferry-fixture/busybox:latest" client load -q -i "$FIXTURE_ARCHIVE"
id=$(client image inspect -f '{{.Id}}' ferry-fixture/busybox:latest)
diff_id=$(client image inspect -f '{{index .RootFS.Layers 0}}' ferry-fixture/busybox:latest)
layer=$(short_id "$diff_id")

note "push's output"
ref=$REG/pushed/x:1
client tag ferry-fixture/busybox:latest "$ref"
client push "$ref" >"$TEST_TMP/push.out" 2>"$TEST_TMP/push.err" || fail "push: $(cat "$TEST_TMP/push.err")"
[ ! -s "$TEST_TMP/push.err" ] || fail "push wrote on stderr: $(cat "$TEST_TMP/push.err")"
digest=$(manifest_digest pushed/x:1)
size=$(raw_manifest pushed/x:1 | wc -c)
expect_eq "$(cat "$TEST_TMP/push.out")" "The push refers to repository [$REG/pushed/x]
$layer: Preparing
$layer: Pushed
1: digest: $digest size: $size" "push's output"
expect_out "The push refers to repository [$REG/pushed/x]
$layer: Preparing
$layer: Layer already exists
1: digest: $digest size: $size" client push "$ref"
expect_out "$ref" client push -q "$ref"
client tag ferry-fixture/busybox:latest "$REG/other/y:2"
expect_out "The push refers to repository [$REG/other/y]
$layer: Preparing
$layer: Mounted from pushed/x
2: digest: $digest size: $size" client push "$REG/other/y:2"
expect_eq "$(client image inspect -f '{{join .RepoDigests ","}}' "$ref")" \
    "$REG/other/y@$digest,$REG/pushed/x@$digest" "RepoDigests after the pushes"

note "what the registry holds"
expect_eq "$(manifest_media_type pushed/x:1)" application/vnd.docker.distribution.manifest.v2+json "manifest type"
expect_eq "$(config_digest pushed/x:1)" "$id" "the pushed config is the image ID"
expect_eq "$(raw_manifest pushed/x:1 | jq -r '.layers[].mediaType')" \
    application/vnd.docker.image.rootfs.diff.tar.gzip "layer type (gzip by default)"
# (skopeo verifies every digest it copies; dir: keeps the manifest and config as they are)
# shellcheck disable=SC2046
skopeo copy -q $(skopeo_src_tls | sed s/--tls-verify/--src-tls-verify/) "docker://$ref" "dir:$TEST_TMP/dir" >/dev/null || fail "skopeo copy of the pushed image"
expect_eq "$(jq -r .config.digest "$TEST_TMP/dir/manifest.json")" "$id" "skopeo's copy: the config"

note "pulled back by the other tools"
if command -v podman >/dev/null; then
    RUN_CLEANUPS=(podman_cleanup "${RUN_CLEANUPS[@]}")
    podman_cmd pull -q --tls-verify=false "$ref" >/dev/null || fail "podman pull of the pushed image"
    expect_eq "sha256:$(podman_cmd image inspect -f '{{.Id}}' "$ref")" "$id" "podman's image ID"
    expect_eq "$(podman_cmd run --rm --network none "$ref" echo ran 2>&1)" ran "podman run of the pushed image"
fi
if [ "$CLIENT" != docker ] && [ $DOCKER_OK = 1 ]; then
    "$DOCKER" pull -q "$ref" >/dev/null || fail "docker pull of the pushed image"
    RUN_CLEANUPS=("\"$DOCKER\" rmi -f $ref $REG/other/y:2 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    expect_eq "$("$DOCKER" image inspect -f '{{.Id}}' "$ref")" "$id" "docker's image ID"
    expect_eq "$("$DOCKER" run --rm --network none "$ref" echo ran)" ran "docker run of the pushed image"
fi

if [ "$CLIENT" = ferry ]; then
    note "ferry push --compression zstd (ferry only: docker's CLI has no such flag)"
    client tag ferry-fixture/busybox:latest "$REG/zstd/x:1"
    expect_out "$REG/zstd/x:1" client push -q --compression zstd "$REG/zstd/x:1"
    expect_eq "$(raw_manifest zstd/x:1 | jq -r '.mediaType, .layers[].mediaType')" \
        "application/vnd.oci.image.manifest.v1+json
application/vnd.oci.image.layer.v1.tar+zstd" "zstd push: OCI manifest, zstd layer"
    expect_eq "$(config_digest zstd/x:1)" "$id" "zstd push: the config is the image ID"
    if [ $DOCKER_OK = 1 ]; then
        "$DOCKER" pull -q "$REG/zstd/x:1" >/dev/null || fail "docker pull of the zstd push"
        RUN_CLEANUPS=("\"$DOCKER\" rmi -f $REG/zstd/x:1 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
        expect_eq "$("$DOCKER" image inspect -f '{{.Id}}' "$REG/zstd/x:1")" "$id" "docker's ID of the zstd push"
    fi
fi

note "errors"
expect_client_fail 1 "An image does not exist locally with the tag: $REG/pushed/nothere" \
    push "$REG/pushed/nothere:1"
expect_eq "$CLIENT_OUT" "The push refers to repository [$REG/pushed/nothere]" "push's stdout before the error"
expect_client_fail 1 "tag does not exist: $REG/pushed/x:latest" push "$REG/pushed/x"
expect_eq "$CLIENT_OUT" "Using default tag: latest
The push refers to repository [$REG/pushed/x]" "push's stdout without a tag"
