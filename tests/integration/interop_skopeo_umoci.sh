# Interop with skopeo and umoci, both ways (issue 2, point 9):
#   - archives skopeo writes (docker-archive: and oci-archive:) load in ferry, with the image ID
#     and diff IDs the archive names, and ferry saves them back unchanged;
#   - archives ferry writes pass `skopeo inspect` and `skopeo copy` to an oci: layout, keeping
#     the image ID;
#   - umoci unpacks ferry's oci-archive (copied by skopeo, and extracted as it is) to the same
#     tree ferry unpacked: paths, types, modes, owners, sizes, sha256 and link targets.
# The source image is built with umoci from the host's busybox: one layer with setuid, hard link,
# symlink and foreign-owner entries (compared with ferry's layer directory), then two more layers,
# one with a whiteout (compared with an overlay mount of ferry's layers, when overlay mounts).
# Standalone: FERRY=build/ferry tests/integration/run_one.sh tests/integration/interop_skopeo_umoci.sh

src=${FERRY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ids() { python3 "$src/tests/fixtures/archive_ids.py" "$@"; }

command -v skopeo >/dev/null || skip "skopeo is not installed"
command -v umoci >/dev/null || skip "umoci is not installed"
[ "$(id -u)" = 0 ] || skip "needs root (umoci unpack keeps owners; overlay mount)"

# tree_listing DIR: one line per entry below DIR (not DIR itself), sorted: path, type, mode,
# owner, and for regular files size and sha256, for symlinks the target.
tree_listing() {
    (cd "$1" && find . -mindepth 1 -print0 | sort -z |
        while IFS= read -r -d '' p; do
            if [ -L "$p" ]; then
                printf '%s %s -> %s\n' "$p" "$(stat -c '%F %a %u:%g' "$p")" "$(readlink "$p")"
            elif [ -f "$p" ]; then
                printf '%s %s %s\n' "$p" "$(stat -c '%F %a %u:%g %s' "$p")" \
                    "$(sha256sum <"$p" | cut -c1-64)"
            else
                printf '%s %s\n' "$p" "$(stat -c '%F %a %u:%g' "$p")"
            fi
        done)
}

# expect_same_tree WHAT A B: the listings of two trees are equal (the diff is shown if not).
expect_same_tree() {
    tree_listing "$2" >"$TEST_TMP/tree.a"
    tree_listing "$3" >"$TEST_TMP/tree.b"
    [ -s "$TEST_TMP/tree.a" ] || fail "$1: $2 is empty"
    diff -u "$TEST_TMP/tree.a" "$TEST_TMP/tree.b" >&2 || fail "$1: trees differ"
}

# chain_dirs DIFF_ID...: ferry's layer directories (layers/<chain-hex>/diff), bottom first.
chain_dirs() {
    local chain="" d
    for d in "$@"; do
        if [ -z "$chain" ]; then
            chain=$d
        else
            chain="sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -c1-64)"
        fi
        echo "$FERRY_ROOT/layers/${chain#sha256:}/diff"
    done
}

# inspect REF KEY: a field of `ferry image inspect REF` (Id, or RootFS.Layers joined by commas).
inspect() {
    ferry image inspect "$1" | python3 -c '
import json, sys
doc = json.load(sys.stdin)[0]
value = doc
for part in sys.argv[1].split("."):
    value = value[part]
print(",".join(value) if isinstance(value, list) else value)' "$2"
}

note "build the source image with umoci: busybox plus setuid, hard link and owned entries"
busybox_rootfs rootfs
printf 'suid\n' >rootfs/bin/suid-tool && chmod 4755 rootfs/bin/suid-tool
ln rootfs/etc/passwd rootfs/etc/passwd.hardlink
mkdir -p rootfs/home/user && printf 'mine\n' >rootfs/home/user/notes && chown -R 1000:1000 rootfs/home/user
ln -s ../etc/passwd rootfs/root/passwd-link
umoci init --layout oci
umoci new --image oci:one
umoci insert --image oci:one rootfs /
umoci config --image oci:one --config.cmd sh
skopeo copy --quiet oci:oci:one oci:oci:three
mkdir -p extra/sub && printf 'added\n' >extra/sub/added.txt
umoci insert --image oci:three extra /opt/extra
umoci insert --image oci:three --whiteout /etc/group

note "skopeo writes docker-archive and oci-archive; ferry loads them"
skopeo copy --quiet oci:oci:one docker-archive:skopeo-docker.tar:ferry-it/skopeo:one
skopeo copy --quiet oci:oci:three docker-archive:skopeo-docker3.tar:ferry-it/skopeo:three
skopeo copy --quiet oci:oci:one oci-archive:skopeo-oci.tar:ferry-it/skopeo:oci
read -r one_id _ one_diffs < <(ids skopeo-docker.tar)
read -r three_id _ three_diffs < <(ids skopeo-docker3.tar)
read -r oci_id _ _ < <(ids skopeo-oci.tar)
expect_eq "$oci_id" "$one_id" "image ID of skopeo's oci-archive"
ferry load -i skopeo-docker.tar
ferry load -i skopeo-docker3.tar
ferry load -i skopeo-oci.tar
expect_eq "$(inspect ferry-it/skopeo:one Id)" "$one_id" "image ID after loading skopeo's docker-archive"
expect_eq "$(inspect ferry-it/skopeo:one RootFS.Layers)" "$one_diffs" "diff IDs"
expect_eq "$(inspect ferry-it/skopeo:three Id)" "$three_id" "image ID of the three-layer image"
expect_eq "$(inspect ferry-it/skopeo:three RootFS.Layers)" "$three_diffs" "diff IDs (three layers)"
expect_eq "$(inspect "${oci_id#sha256:}" Id)" "$one_id" "image loaded from skopeo's oci-archive, by ID"

note "ferry saves skopeo's images back unchanged"
ferry save -o ferry-docker.tar ferry-it/skopeo:one
ferry save -o ferry-docker3.tar ferry-it/skopeo:three
ferry save --format oci-archive -o ferry-oci.tar ferry-it/skopeo:one
ferry save --format oci-archive -o ferry-oci3.tar ferry-it/skopeo:three
ids skopeo-docker.tar ferry-docker.tar >/dev/null || fail "ferry's docker-archive differs from skopeo's"
ids skopeo-docker3.tar ferry-docker3.tar >/dev/null || fail "ferry's docker-archive differs (three layers)"
ids skopeo-docker.tar ferry-oci.tar >/dev/null || fail "ferry's oci-archive differs from skopeo's"
ids skopeo-docker3.tar ferry-oci3.tar >/dev/null || fail "ferry's oci-archive differs (three layers)"

note "skopeo inspects and copies ferry's archives"
for a in docker-archive:ferry-docker.tar docker-archive:ferry-docker3.tar \
         oci-archive:ferry-oci.tar oci-archive:ferry-oci3.tar; do
    skopeo inspect "$a" >/dev/null || fail "skopeo inspect $a"
done
config_id() { echo "sha256:$(skopeo inspect --raw --config "$1" | sha256sum | cut -c1-64)"; }
expect_eq "$(config_id docker-archive:ferry-docker.tar)" "$one_id" "skopeo's view of ferry's docker-archive"
expect_eq "$(config_id oci-archive:ferry-oci.tar)" "$one_id" "skopeo's view of ferry's oci-archive"
expect_eq "$(config_id oci-archive:ferry-oci3.tar)" "$three_id" "skopeo's view of ferry's oci-archive (three layers)"
skopeo copy --quiet docker-archive:ferry-docker.tar oci:copied:from-docker
# skopeo re-encodes a docker config when it converts to OCI, so compare with its own conversion.
skopeo copy --quiet docker-archive:skopeo-docker.tar oci:copied:from-skopeo-docker
skopeo copy --quiet oci-archive:ferry-oci.tar oci:copied:one
skopeo copy --quiet oci-archive:ferry-oci3.tar oci:copied:three
expect_eq "$(config_id oci:copied:one)" "$one_id" "image ID after skopeo copy of ferry's oci-archive"
expect_eq "$(config_id oci:copied:from-docker)" "$(config_id oci:copied:from-skopeo-docker)" \
    "image ID after skopeo copy of ferry's docker-archive"

note "umoci unpacks ferry's oci-archive to the tree ferry unpacked"
umoci unpack --image copied:one bundle-one >/dev/null
mapfile -t one_dirs < <(chain_dirs ${one_diffs//,/ })
[ -d "${one_dirs[0]}" ] || fail "ferry's layer directory ${one_dirs[0]} is missing"
expect_same_tree "umoci unpack (via skopeo copy) vs ferry's layer" "bundle-one/rootfs" "${one_dirs[0]}"
mkdir extracted && tar -C extracted -xf ferry-oci.tar
ref=$(python3 -c '
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    name = (m.get("annotations") or {}).get("org.opencontainers.image.ref.name")
    if name:
        print(name)
        break' extracted/index.json)
[ -n "$ref" ] || fail "ferry's oci-archive index.json has no org.opencontainers.image.ref.name"
umoci unpack --image "extracted:$ref" bundle-extracted >/dev/null
expect_same_tree "umoci unpack (extracted archive) vs ferry's layer" "bundle-extracted/rootfs" "${one_dirs[0]}"

note "three layers with a whiteout: umoci's tree equals an overlay mount of ferry's layers"
umoci unpack --image copied:three bundle-three >/dev/null
mapfile -t three_dirs < <(chain_dirs ${three_diffs//,/ })
lower=""
for d in "${three_dirs[@]}"; do lower="$d${lower:+:$lower}"; done
mkdir merged
if mount -t overlay overlay -o "lowerdir=$lower" merged 2>/dev/null; then
    status=0
    ( expect_same_tree "umoci unpack vs overlay of ferry's layers" bundle-three/rootfs merged ) || status=$?
    umount merged
    [ $status = 0 ] || exit $status
else
    note "overlay mount refused here; merged-view comparison skipped"
fi
[ ! -e bundle-three/rootfs/etc/group ] || fail "umoci kept /etc/group despite the whiteout"
