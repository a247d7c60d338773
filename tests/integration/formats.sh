# Every archive shape `ferry load` must accept (tests/fixtures/make_layer_variants.py): docker
# 20-24 and >= 25 layouts, OCI with plain/gzip/zstd layers, a whole archive gzip- or
# zstd-compressed, several images and tags in one archive. For each: the image IDs and names
# loaded; the load -> save -> load round trip keeps image IDs and diff IDs byte for byte in both
# output formats; the store's disk use stays within 5% of the unpacked layers. features.tar's
# unpacked layers match features.expected (owners, modes, set-id bits, xattrs, hard links, long
# names, a FIFO, a whiteout and an opaque directory), and the sparse file keeps its holes.

fixture make_layer_variants.py var
[ "$(id -u)" = 0 ] || skip "needs root (owners, security.capability and trusted.* xattrs)"

# familiar NAME: docker's short form of a full reference (as `ferry images` shows it).
familiar() { sed -E 's#^docker\.io/library/([^/]*)$#\1#; s#^docker\.io/##'; }
# ids_and_tags ARCHIVE: `ID tag,tag` per image, tags in familiar form and sorted.
ids_and_tags() {
    archive_ids "$1" | while read -r image tags _; do
        echo "$image $(tr , '\n' <<<"$tags" | familiar | sort | paste -sd,)"
    done | sort
}
# loaded STORE: what a store holds as `ID tag,tag` lines, as ids_and_tags.
loaded() {
    FERRY_ROOT=$1 "$FERRY" images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' |
        sort | awk '{ t[$1] = t[$1] ? t[$1] "," $2 : $2 } END { for (i in t) print i, t[i] }' | sort
}
# disk_use_ok STORE: the store's disk use is within 5% of its unpacked layer trees'.
disk_use_ok() {
    local diff total
    diff=$(du -scB1 "$1"/layers/*/diff | tail -1 | cut -f1)
    total=$(du -sB1 "$1" | cut -f1)
    [ $((total * 100)) -le $((diff * 105)) ] ||
        fail "$1: the store uses $total bytes for $diff bytes of unpacked layers (over 5% more)"
}

while IFS=$'\t' read -r file want_ids want_tags description; do
    note "$file: $description"
    store="$TEST_TMP/store-$file"
    want=$(ids_and_tags "var/$file")
    expect_eq "$(cut -d' ' -f1 <<<"$want" | paste -sd,)" "$(tr , '\n' <<<"$want_ids" | sort | paste -sd,)" \
        "image IDs that archive_ids finds in $file"
    expected_output=$(tr , '\n' <<<"$want_tags" | sed 's/^/Loaded image: /')
    expect_out "$expected_output" env FERRY_ROOT="$store" "$FERRY" load -q -i "var/$file"
    expect_eq "$(loaded "$store")" "$want" "images loaded from $file"
    disk_use_ok "$store"
    FERRY_ROOT=$store expect_out "" store_garbage
    refs=${want_tags//,/ }
    for format in docker-archive oci-archive; do
        # shellcheck disable=SC2086
        FERRY_ROOT=$store "$FERRY" save -q --format "$format" -o "saved-$format.tar" $refs
        archive_ids "var/$file" "saved-$format.tar" >/dev/null ||
            fail "$file saved as $format: other image IDs or layers than the original"
        expect_eq "$(ids_and_tags "saved-$format.tar")" "$want" "IDs and tags of $file saved as $format"
        again="$TEST_TMP/again-$file-$format"
        FERRY_ROOT=$again "$FERRY" load -q -i "saved-$format.tar" >/dev/null
        expect_eq "$(loaded "$again")" "$want" "$file loaded back from its $format"
        # shellcheck disable=SC2086
        FERRY_ROOT=$again "$FERRY" save -q --format "$format" -o "again-$format.tar" $refs
        archive_ids "var/$file" "again-$format.tar" >/dev/null ||
            fail "$file: the second round trip through $format changed it"
        rm -rf "$again"
    done
    [ "$file" = multi.tar ] && expect_eq "$(ls "$store/layers" | wc -l)" 3 "layers of multi.tar (the base once)"
    [ "$file" = features.tar ] || [ "$file" = sparse.tar ] || rm -rf "$store"
done <var/variants.tsv

note "every variant in one store: each layer stored once, disk use within 5%"
for file in $(cut -f1 var/variants.tsv); do ferry load -q -i "var/$file" >/dev/null; done
expect_eq "$(ls "$FERRY_ROOT/layers" | wc -l)" 6 "distinct layers of all the variants"
disk_use_ok "$FERRY_ROOT"
expect_out "" store_garbage

note "features.tar, layer 1: tar features on disk"
IFS=, read -r f1 f2 <<<"$(FERRY_ROOT="$TEST_TMP/store-features.tar" inspect_field ferry-test/features:1 RootFS.Layers)"
FERRY_ROOT="$TEST_TMP/store-features.tar"
l1=$(chain_dir_of "$f1")/diff
l2=$(chain_dir_of "$f1" "$f2")/diff
expect_eq "$(getfattr --absolute-names -n security.capability -e hex --only-values "$l1/features/ping" | od -An -tx1 | tr -d ' \n')" \
    "0100000200200000000000000000000000000000" "security.capability of features/ping (cap_net_raw+ep)"
expect_eq "$(getfattr --absolute-names -n user.ferry --only-values "$l1/features/ping")" "xattr value" \
    "user.ferry of features/ping"
expect_eq "$(stat -c %i "$l1/features/hardlink.txt")" "$(stat -c %i "$l1/features/hardlink-target.txt")" \
    "hard link and its target share one inode"
expect_eq "$(stat -c %h "$l1/features/hardlink.txt")" 2 "link count of the hard-linked file"
expect_eq "$(stat -c '%F %a %u:%g %s' "$l1/features/remove-me.txt")" "regular file 644 0:0 33" \
    "layer 1 keeps the file layer 2 deletes"
expect_eq "$(ls "$l1/features/opaque" | paste -sd,)" "old-dir,old.txt" "layer 1's opaque/ contents"

note "features.tar, layer 2: a whiteout (char 0:0) and an opaque directory (trusted.overlay.opaque)"
expect_eq "$(stat -c '%F %t:%T' "$l2/features/remove-me.txt")" "character special file 0:0" \
    "the whiteout of features/remove-me.txt"
expect_eq "$(getfattr --absolute-names -n trusted.overlay.opaque --only-values "$l2/features/opaque")" "y" \
    "opaque marker of features/opaque"
[ ! -e "$l2/features/opaque/.wh..wh..opq" ] || fail "the opaque marker file was kept as a file"
[ ! -e "$l2/features/.wh.remove-me.txt" ] || fail "the whiteout file was kept as a file"
expect_eq "$(ls "$l2/features/opaque")" "new.txt" "layer 2's opaque/ contents"

note "features.tar: the merged view equals features.expected"
# listing DIR: features.expected's format for DIR/features (path, type, mode, owner, size and
# sha256 of files, symlink targets).
listing() {
    (cd "$1" && find features -print0 | sort -z | while IFS= read -r -d '' p; do
        case $(stat -c %F "$p") in
            directory) printf '%s\tdir\t%s\t%s\t\t\n' "$p" "$(stat -c %a "$p")" "$(stat -c %u:%g "$p")" ;;
            "regular file"|"regular empty file")
                printf '%s\tfile\t%s\t%s\t%s\t%s\n' "$p" "$(stat -c %a "$p")" "$(stat -c %u:%g "$p")" \
                    "$(stat -c %s "$p")" "$(sha256sum <"$p" | cut -c1-64)" ;;
            "symbolic link")
                printf '%s\tsymlink\t%s\t%s\t\t%s\n' "$p" 777 "$(stat -c %u:%g "$p")" "$(readlink "$p")" ;;
            fifo) printf '%s\tfifo\t%s\t%s\t\t\n' "$p" "$(stat -c %a "$p")" "$(stat -c %u:%g "$p")" ;;
            *) printf '%s\t%s\n' "$p" "$(stat -c %F "$p")" ;;
        esac
    done) | LC_ALL=C sort
}
mkdir merged
if mount -t overlay overlay -o "lowerdir=$l2:$l1" merged 2>/dev/null; then
    status=0
    listing merged >merged.list || status=$?
    umount merged
    [ $status = 0 ] || fail "listing the overlay mount"
else
    note "overlay mounts are refused here: merging the layers by their whiteouts instead"
    [ -d "$l1" ] && [ -d "$l2" ] || fail "layer directories of features.tar not found"
    cp -a "$l1/." merged/
    python3 - "$l2" merged <<'EOF'
import os, shutil, stat, sys
upper, out = sys.argv[1:]
for root, dirs, files in os.walk(upper):
    target = os.path.join(out, os.path.relpath(root, upper))
    try:
        opaque = os.getxattr(root, "trusted.overlay.opaque", follow_symlinks=False) == b"y"
    except OSError:
        opaque = False
    if opaque and os.path.isdir(target):
        shutil.rmtree(target)
    for name in files:
        st = os.lstat(os.path.join(root, name))
        dst = os.path.join(target, name)
        if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
            if os.path.isdir(dst) and not os.path.islink(dst):
                shutil.rmtree(dst)
            elif os.path.lexists(dst):
                os.unlink(dst)
EOF
    cp -a "$l2/." merged/
    find merged -type c -delete
    listing merged >merged.list
fi
grep -v '^#' var/features.expected | LC_ALL=C sort >expected.list
diff -u expected.list merged.list >&2 || fail "merged view of features.tar differs from features.expected"

note "sparse.tar: the file keeps its holes"
FERRY_ROOT="$TEST_TMP/store-sparse.tar"
sparse_dir=$(chain_dir_of "$(inspect_field ferry-test/sparse:1 RootFS.Layers)")/diff
listing "$sparse_dir" >sparse.list
diff -u <(LC_ALL=C sort var/sparse.expected) sparse.list >&2 || fail "sparse.tar's tree differs from sparse.expected"
expect_eq "$(stat -c %s "$sparse_dir/features/sparse.bin")" 1048576 "apparent size of the sparse file"
used=$(du -B1 "$sparse_dir/features/sparse.bin" | cut -f1)
[ "$used" -le 65536 ] || fail "the sparse file uses $used bytes on disk: its holes were filled"
