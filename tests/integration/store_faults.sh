# No crash and no leftovers on faults (issue 8, point 4): a load, an import and a commit on a
# full file system (a small tmpfs with 0 bytes free) fail with one line ending in `No space left
# on device` and exit 125, leaving the store as it was; `save -o` killed half-way leaves nothing
# beside the target, and killed between linking and renaming leaves a `.tmp-` file the next
# command removes; the recovery of a dead load that is itself killed keeps the load's intent
# until the garbage is gone; a layer's files are synced (syncfs) before its name appears.

source "$FERRY_SRC/tests/integration/run_lib.sh"
command -v strace >/dev/null || skip "strace is needed to stop ferry at chosen system calls"

busybox_rootfs rootfs
mkdir -p rootfs/data rootfs/proc rootfs/sys rootfs/dev
head -c 300000 /dev/urandom >rootfs/data/blob
tar -C rootfs -cf rootfs.tar .
ferry import -q rootfs.tar ferry-it/src:1 >/dev/null
ferry save -o src.tar ferry-it/src:1

# killed_at SYSCALL N CMD...: runs CMD under strace, killed (SIGKILL) at the Nth SYSCALL of any of
# its threads; fails unless it was killed.
killed_at() {
    local sc=$1 n=$2 status=0
    shift 2
    { strace -f -o /dev/null -e trace="$sc" -e inject="$sc:signal=SIGKILL:when=$n" "$FERRY" "$@" \
        >/dev/null 2>&1 || status=$?; } 2>/dev/null
    expect_eq "$status" 137 "exit status of \`ferry $*\` killed at $sc #$n"
}

note "a full file system: load, import and commit fail cleanly"
mkdir full
mount -t tmpfs -o size=6m tmpfs full
RUN_CLEANUPS+=("umount -l $TEST_TMP/full")
full=$TEST_TMP/full/store
mk_full() {
    rm -rf "$full" full/filler
    "$FERRY" --root "$full" import -q rootfs.tar ferry-it/base:1 >/dev/null
    "$FERRY" --root "$full" create --name c1 ferry-it/base:1 true >/dev/null
    head -c 200000 /dev/urandom >"$full/containers/$("$FERRY" --root "$full" inspect -f '{{.Id}}' c1)/upper/new"
    dd if=/dev/zero of=full/filler bs=4k 2>/dev/null || true
    [ "$(df -B1 --output=avail full | tail -1 | tr -d ' ')" = 0 ] || fail "the tmpfs is not full"
}
mk_full
before=$(tree_snapshot "$full")
expect_fail_match 125 'ferry: error: loading `src.tar`: *No space left on device' \
    "$FERRY" --root "$full" load -i src.tar
expect_fail_match 125 'ferry: error: *No space left on device' \
    "$FERRY" --root "$full" import -q rootfs.tar ferry-it/again:1
expect_fail_match 125 'ferry: error: *No space left on device' \
    "$FERRY" --root "$full" commit c1 ferry-it/committed:1
expect_eq "$(tree_snapshot "$full")" "$before" "the full store after the failed commands"
rm full/filler
expect_out "no problems found" "$FERRY" --root "$full" system check
"$FERRY" --root "$full" rm c1 >/dev/null

note "save -o killed while writing: nothing beside the target"
killed_at fsync 1 save -o out.tar ferry-it/src:1
expect_eq "$(ls | grep '^out\.tar' || true)" "" "files beside out.tar after a killed save"
note "save -o over an existing file, killed between linking and renaming: the next command cleans up"
echo old >out.tar
killed_at rename 1 save -o out.tar ferry-it/src:1
expect_eq "$(cat out.tar)" "old" "the target of a killed save"
compgen -G 'out.tar.tmp-*' >/dev/null || fail "no temporary file: the kill missed the rename"
ferry images -q >/dev/null
expect_eq "$(ls | grep '^out\.tar' || true)" "out.tar" "files beside out.tar after the next command"
expect_out "" store_garbage
ferry save -o out.tar ferry-it/src:1
archive_ids src.tar out.tar >/dev/null || fail "a save over an existing file wrote a different archive"

note "a dead load whose recovery is killed: the intent survives until the garbage is gone"
ferry rmi ferry-it/src:1 >/dev/null
expect_out "" store_garbage
# The load dies at its last rename(2), installing its last blob: its layer and a blob are in
# the store, images.json does not name them, its staging's intent does.
n=$(strace -f -e trace=rename "$FERRY" load -q -i src.tar 2>&1 >/dev/null | grep -c 'rename(' || true)
ferry rmi ferry-it/src:1 >/dev/null
killed_at rename "$n" load -q -i src.tar
[ -n "$(ls "$FERRY_ROOT/layers")" ] || fail "the killed load installed no layer"
grep -q . "$FERRY_ROOT"/tmp/*/intent || fail "the killed load left no intent"
# Its recovery (the next command's clean-up) dies at its first move of garbage to the trash.
killed_at rename 1 images -q
[ -n "$(ls "$FERRY_ROOT/layers")$(ls "$FERRY_ROOT/blobs/sha256")" ] ||
    fail "the recovery was killed after it had collected everything"
grep -q . "$FERRY_ROOT"/tmp/*/intent || fail "the killed recovery lost the intent"
expect_out "" ferry images -q
expect_out "" store_garbage
ferry load -q -i src.tar >/dev/null

note "layer files are synced before the layer is installed"
ferry rmi ferry-it/src:1 >/dev/null
strace -f -e trace=syncfs,rename -o trace.txt "$FERRY" load -q -i src.tar >/dev/null
python3 - trace.txt <<'PY' || fail "no syncfs before a layer's rename: $(cat trace.txt)"
import re, sys
calls = [l for l in open(sys.argv[1]) if "syncfs(" in l or "rename(" in l]
layer = [i for i, l in enumerate(calls) if re.search(r'rename\(".*/tmp/[^"]*", ".*/layers/[0-9a-f]{64}"\)', l)]
assert layer, "no layer rename traced"
for i in layer:
    assert i > 0 and "syncfs(" in calls[i - 1], calls[max(0, i - 1)]
PY
expect_out "no problems found" ferry system check
