# Where the store is: FERRY_ROOT, the global --root DIR (which wins over FERRY_ROOT), relative
# paths made absolute, the layout a new store gets, and a store path that cannot be used.
# (The rootless default, $XDG_DATA_HOME/ferry or ~/.local/share/ferry, is in rootless.sh; the
# root default /var/lib/ferry is not touched by tests.)

fixture make_layer_variants.py var >/dev/null
read -r id _ < <(archive_ids var/docker-archive.tar)

note "FERRY_ROOT: the store named by the environment, with its layout"
export FERRY_ROOT="$TEST_TMP/env-store"
ferry load -q -i var/docker-archive.tar >/dev/null
expect_out "${id:7:12}" ferry images -q
expect_eq "$(cd "$FERRY_ROOT" && find . -maxdepth 2 -type d | sort)" ".
./blobs
./blobs/sha256
./events
./layers
./layers/$(ls "$FERRY_ROOT/layers")
./tmp" "layout of a new store"
expect_eq "$(ls "$FERRY_ROOT/events")" journal "the events journal (ferry events)"
expect_eq "$(stat -c %a "$FERRY_ROOT" "$FERRY_ROOT/blobs" "$FERRY_ROOT/layers" "$FERRY_ROOT/tmp")" "700
700
700
700" "modes of the store's directories"

note "--root DIR wins over FERRY_ROOT; --root=DIR; relative paths"
expect_out "" ferry --root "$TEST_TMP/other" images -q
[ -d "$TEST_TMP/other/layers" ] || fail "--root did not create its store"
expect_out "" ferry --root="$TEST_TMP/other" images -q
mkdir sub
(cd sub && "$FERRY" --root ../rel-store load -q -i ../var/docker-archive.tar >/dev/null)
expect_out "${id:7:12}" ferry --root rel-store images -q
expect_out "${id:7:12}" ferry --root "$TEST_TMP/rel-store/" images -q
lower=$(ferry --root rel-store image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$id")
[[ $lower == "$TEST_TMP/rel-store/layers/"*/diff ]] || fail "layer path of a relative --root: $lower"
expect_out "${id:7:12}" env FERRY_ROOT=rel-store "$FERRY" images -q
expect_out "" env FERRY_ROOT=rel-store "$FERRY" --root "$TEST_TMP/other" images -q
expect_out "${id:7:12}" ferry images -q

note "a store path that cannot be used"
touch afile
expect_fail 125 "ferry: error: open store \`$TEST_TMP/afile\`: create directory \`$TEST_TMP/afile/blobs\`: Not a directory" \
    ferry --root afile images
expect_fail 125 "ferry: error: open store \`$TEST_TMP/afile/sub\`: create directory \`$TEST_TMP/afile/sub\`: Not a directory" \
    env FERRY_ROOT=afile/sub "$FERRY" images
expect_fail 125 'ferry: error: flag needs an argument: --root' ferry --root
expect_fail 125 'ferry: error: unknown log level `loud`' ferry --log-level loud images
mkdir broken && mkdir -p broken/blobs/sha256 broken/layers broken/tmp && echo '{' >broken/images.json
expect_fail 125 "ferry: error: image index \`$TEST_TMP/broken/images.json\` is damaged (truncated or malformed JSON): run \`ferry system check --repair\`" \
    ferry --root broken images
