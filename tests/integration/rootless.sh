# Rootless (issue 2, point 6): an unprivileged user the test creates (useradd; removed at the end
# whatever happens) works with its own store, at the default location ($XDG_DATA_HOME/ferry, else
# ~/.local/share/ferry) or --root: import, load, images, save (byte for byte), rmi. A layer with a
# device node is refused with its message, the store unchanged. Files owned by other users do not
# make a load fail: without a subordinate ID mapping (the test removes the user's /etc/subuid
# and /etc/subgid ranges, which useradd gives on Debian; run_rootless.sh covers a user with
# them), ownership is best effort. What the unpacked
# tree then looks like (asserted below):
#   - every entry belongs to the user (chown to another owner is not permitted), whatever the tar
#     says; set-user-ID and set-group-ID bits are kept (on the user's own files: harmless);
#   - security.* and trusted.* xattrs are dropped (security.capability needs CAP_SETFCAP), user.*
#     xattrs are kept;
#   - whiteouts are character devices 0:0 (which unprivileged users may create, Linux >= 5.8) and
#     opaque directories carry user.overlay.opaque=y (for an overlay mount with userxattr);
#   - the tar-split record keeps the original headers, so `ferry save` gives back the very same
#     layers (owners included) and image IDs.

[ "$(id -u)" = 0 ] || skip "needs root to create a user"
command -v useradd >/dev/null && command -v runuser >/dev/null || skip "useradd and runuser are needed"

user="ferryit$$"
while id "$user" >/dev/null 2>&1; do user="${user}x"; done
cleanup_user() {
    userdel -r "$user" >/dev/null 2>&1 || userdel "$user" >/dev/null 2>&1 || true
    sed -i "/^$user:/d" /etc/subuid /etc/subgid 2>/dev/null || true
}
trap cleanup_user EXIT
useradd -m -s /bin/sh "$user"
sed -i "/^$user:/d" /etc/subuid /etc/subgid 2>/dev/null || true
home=$(getent passwd "$user" | cut -d: -f6)
uid=$(id -u "$user") gid=$(id -g "$user")

# The binary and the fixtures where the user can read them (the build tree may not be).
mkdir -m 755 "$TEST_TMP/pub"
cp "$FERRY" "$TEST_TMP/pub/ferry"
chmod 755 "$TEST_TMP/pub/ferry"
cd "$TEST_TMP/pub"
fixture make_layer_variants.py var >/dev/null
fixture make_bad_archives.py bad >/dev/null
rm -f bad/oversized-manifest.tar
busybox_rootfs rootfs
tar -C rootfs -cf rootfs.tar .
chmod -R a+rX "$TEST_TMP/pub"

# as_user CMD...: runs CMD as the user, in a clean environment, from $TEST_TMP/pub.
as_user() {
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" ${XDG:+XDG_DATA_HOME=$XDG} "$@"
}
# uferry ARGS...: the user's ferry.
uferry() { as_user "$TEST_TMP/pub/ferry" "$@"; }
# expect_user_out EXPECTED ARGS...: the user's ferry prints exactly EXPECTED, nothing on stderr.
expect_user_out() { local want=$1; shift; expect_out "$want" uferry "$@"; }

note "the default store: ~/.local/share/ferry, created by the first command, owned by the user"
XDG=""
expect_user_out "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" images
store="$home/.local/share/ferry"
expect_eq "$(stat -c '%U %a' "$store" "$store/layers" "$store/blobs" "$store/tmp")" "$user 700
$user 700
$user 700
$user 700" "owner and modes of the user's store"

note "import and load as the user"
id=$(uferry import -q rootfs.tar ferry-it/rootless:1)
expect_user_out "${id:7:12}" images -q
read -r features_id _ < <(archive_ids var/features.tar)
expect_user_out "Loaded image: ferry-test/features:1" load -q -i var/features.tar
expect_user_out "Loaded image: ferry-test/multi-a:1
Loaded image: ferry-test/multi-a:latest
Loaded image: ferry-test/multi-b:1" load -q <var/multi.tar
expect_user_out "ferry-it/rootless:1
ferry-test/features:1
ferry-test/multi-a:1
ferry-test/multi-a:latest
ferry-test/multi-b:1" images --format '{{.Repository}}:{{.Tag}}'
expect_eq "$(find "$store" -not -user "$user" | head -5)" "" "entries of the store not owned by the user"

note "what a layer with other owners looks like, unpacked rootless"
export FERRY_ROOT=$store  # for the helpers: store_garbage and chain_dir_of read it as root,
ferry() { uferry "$@"; }  # inspect_field runs ferry, as the user
IFS=, read -r f1 f2 <<<"$(inspect_field ferry-test/features:1 RootFS.Layers)"
l1=$(chain_dir_of "$f1")/diff
l2=$(chain_dir_of "$f1" "$f2")/diff
expect_eq "$(stat -c '%n %u:%g %a' "$l1/features/owned-1000" "$l1/features/owned-nobody" \
                 "$l1/features/setuid" "$l1/features/setgid" "$l1/bin/busybox")" \
    "$l1/features/owned-1000 $uid:$gid 600
$l1/features/owned-nobody $uid:$gid 644
$l1/features/setuid $uid:$gid 4755
$l1/features/setgid $uid:$gid 2755
$l1/bin/busybox $uid:$gid 755" "owners and modes in the rootless layer"
expect_eq "$(getfattr --absolute-names -d -m - "$l1/features/ping" 2>/dev/null | grep -v '^#' | grep .)" \
    'user.ferry="xattr value"' "xattrs of features/ping (security.capability dropped)"
expect_eq "$(stat -c '%F %t:%T' "$l2/features/remove-me.txt")" "character special file 0:0" \
    "a whiteout, rootless"
expect_eq "$(getfattr --absolute-names -n user.overlay.opaque --only-values "$l2/features/opaque")" "y" \
    "the opaque marker, rootless"
expect_eq "$(getfattr --absolute-names -d -m 'trusted\.' "$l2/features/opaque" 2>/dev/null)" "" \
    "no trusted.* xattr in a rootless layer"
expect_eq "$(stat -c %i "$l1/features/hardlink.txt")" "$(stat -c %i "$l1/features/hardlink-target.txt")" \
    "hard links, rootless"

note "save as the user: the same layers and IDs as the original archives"
as_user "$TEST_TMP/pub/ferry" save -q -o "$home/features.tar" ferry-test/features:1
archive_ids var/features.tar "$home/features.tar" >/dev/null || fail "rootless save of features.tar differs"
uferry save ferry-test/multi-a ferry-test/multi-b >multi-saved.tar
archive_ids var/multi.tar multi-saved.tar >/dev/null || fail "rootless save of multi.tar differs"
uferry save --format oci-archive ferry-test/features:1 >features-oci.tar
archive_ids var/features.tar features-oci.tar >/dev/null || fail "rootless oci-archive of features.tar differs"

note "a device node is skipped rootless with one warning, as rootless podman does"
tar -xOf bad/device-node.tar manifest.json >/dev/null  # the fixture is there
expect_fail 0 "ferry: warning: device nodes in the image are not created (\`dev/ferry-null\` and any other): a rootless user cannot make them" \
    uferry load -q -i bad/device-node.tar
dev_image=$(tar -xOf bad/device-node.tar manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["RepoTags"][0])')
[ ! -e "$(chain_dir_of "$(inspect_field "$dev_image" RootFS.Layers)")/dev/ferry-null" ] ||
    fail "the device node was made rootless"
uferry rmi "$dev_image" >/dev/null
expect_out "" store_garbage

note "rmi as the user"
expect_user_out "Untagged: ferry-it/rootless:1
Deleted: $id
Deleted: sha256:$(basename "$(chain_dir_of "$(inspect_field "$id" RootFS.Layers)")")" rmi ferry-it/rootless:1
uferry rmi ferry-test/features:1 ferry-test/multi-a:1 ferry-test/multi-a:latest ferry-test/multi-b:1 >/dev/null
expect_user_out "" images -q
expect_out "" store_garbage

note "\$XDG_DATA_HOME/ferry when XDG_DATA_HOME is set; --root; the stores are apart"
XDG="$home/xdg"
expect_user_out "Loaded image: ferry-test/variant:1" load -q -i var/docker-archive.tar
[ -d "$home/xdg/ferry/layers" ] || fail "no store in \$XDG_DATA_HOME/ferry"
expect_eq "$(ls "$store/layers" | wc -l)" 0 "layers in ~/.local/share/ferry after loading into the XDG store"
expect_user_out "Loaded image: ferry-test/sparse:1" --root "$home/other" load -q -i var/sparse.tar
expect_user_out "ferry-test/sparse:1" --root "$home/other" images --format '{{.Repository}}:{{.Tag}}'
expect_user_out "ferry-test/variant:1" images --format '{{.Repository}}:{{.Tag}}'
XDG=""
expect_user_out "" images -q
expect_eq "$(stat -c %U "$home/other/layers")" "$user" "owner of the --root store"
