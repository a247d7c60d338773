# The kill -9 test (issue 2, point 5): `ferry load` of a ~300 MB archive is killed with SIGKILL
# at chosen moments: early (waiting for layers.lock, its staging just made), mid-stream and
# after the last byte (reading from a FIFO the test feeds), at the very end (layers and blobs
# installed, waiting for images.lock to name the image), and at fractions of the measured load
# time. After each kill: no image is visible, the store holds nothing but its layout plus
# leftovers in tmp/ (installed-but-unnamed layers and blobs only when tmp/ records them), and
# after the next ferry command tmp/ is empty and nothing unreferenced remains. The same at the
# very end of a load into a store that already holds images sharing its base layer, and of an
# import whose layer is already stored. A killed `ferry save -o out.tar` leaves no out.tar and
# nothing beside it.

command -v flock >/dev/null || skip "flock (util-linux) is needed to hold the store's locks"
free=$(df -Pk "$TEST_TMP" | awk 'NR == 2 { print $4 }')
[ "$free" -gt $((2 * 1024 * 1024)) ] || skip "needs 2 GB free in $TEST_TMP"

python3 - "$FERRY_SRC/tests/fixtures" big.tar <<'PY'
import os, random, sys
sys.path.insert(0, sys.argv[1])
import imagelib
from imagelib import TarBuilder, Blob
out = sys.argv[2]
rng = random.Random(1)
with open(out + ".layer", "wb") as f:
    tar = TarBuilder(f)
    tar.dir("data")
    for i in range(30):
        tar.file(f"data/random-{i:02d}", rng.randbytes(10 << 20))
    tar.close()
image = imagelib.image_from_layers(
    [imagelib.busybox_layer(imagelib.find_busybox()), Blob(path=out + ".layer")], ["ferry-it/big:1"])
with open(out, "wb") as f:
    imagelib.write_docker_archive(f, [image])
os.unlink(out + ".layer")
PY
size=$(stat -c %s big.tar)
read -r big_id _ big_diffs < <(archive_ids big.tar)

# state: the store's entries (layout, layers, blobs, tmp), one per line.
state() { (cd "$FERRY_ROOT" && find . -mindepth 1 -maxdepth 2 -not -path './blobs/sha256' | sort); }
# check_killed WHAT: the store after a kill, before and after the next ferry command.
check_killed() {
    local what=$1 images="[]" recorded
    [ -e "$FERRY_ROOT/images.json" ] &&
        images=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"])' "$FERRY_ROOT/images.json")
    expect_eq "$images" "[]" "$what: images.json right after the kill"
    # Whatever is installed without a name is recorded in a dead staging's intent file.
    recorded=$({ cat "$FERRY_ROOT"/tmp/*/intent 2>/dev/null || true; } | sed 's/^sha256://' | sort -u)
    for entry in $(ls "$FERRY_ROOT/layers") $(ls "$FERRY_ROOT/blobs/sha256"); do
        grep -qx "$entry" <<<"$recorded" ||
            fail "$what: $entry is in the store but in no staging intent: $(state)"
    done
    expect_out "" ferry images -q
    expect_out "" store_garbage
    # (events/: the journal of ferry events, which the reference load and rmi wrote to.)
    expect_eq "$(state | grep -v -e '\.lock$' -e '^\./images\.json\(\.bak\)\?$' -e '^\./events')" "./blobs
./layers
./tmp" "$what: the store after the next command"
}
# kill_now PID: SIGKILL and reap; fails unless the process was still running.
kill_now() {
    kill -0 "$1" 2>/dev/null || fail "ferry (pid $1) ended before it could be killed"
    kill -9 "$1"
    local status=0
    wait "$1" || status=$?
    expect_eq "$status" 137 "exit status of the killed ferry"
}
# wait_for CONDITION...: polls (up to 60 s) until the command succeeds.
wait_for() {
    for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done
    fail "timed out waiting for: $*"
}
has_entries() { [ -n "$(ls -A "$1" 2>/dev/null)" ]; }
blob_count_is() { [ "$(ls "$FERRY_ROOT/blobs/sha256" 2>/dev/null | wc -l)" = "$1" ]; }
layer_count_is() { [ "$(ls "$FERRY_ROOT/layers" 2>/dev/null | wc -l)" = "$1" ]; }
save_started() { has_entries "$FERRY_ROOT/tmp" || [ -e out.tar ]; }  # its staging is made first
tmp_bytes_over() { [ "$(du -sB1 "$FERRY_ROOT/tmp" | cut -f1)" -gt "$1" ]; }

note "a whole load for reference, then rmi"
start=$(date +%s%N)
ferry load -q -i big.tar >/dev/null
load_ms=$(( ($(date +%s%N) - start) / 1000000 ))
note "the load takes ${load_ms} ms"
expect_eq "$(inspect_field ferry-it/big:1 Id)" "$big_id" "image ID of big.tar"
ferry rmi ferry-it/big:1 >/dev/null
expect_out "" store_garbage

note "kill early: waiting for layers.lock, staging just made"
ferry images >/dev/null
exec 8>"$FERRY_ROOT/layers.lock"
flock -x 8
"$FERRY" load -q -i big.tar >/dev/null 2>&1 &
pid=$!
wait_for has_entries "$FERRY_ROOT/tmp"
sleep 0.2
kill_now "$pid"
exec 8>&-
check_killed "killed early"

note "kill mid-stream: half the archive read from a FIFO"
mkfifo in.fifo
"$FERRY" load -q -i in.fifo >/dev/null 2>&1 &
pid=$!
exec 9>in.fifo
head -c $((size / 2)) big.tar >&9
wait_for tmp_bytes_over $((size / 4))
kill_now "$pid"
exec 9>&-
check_killed "killed mid-stream"

note "kill after the last byte: the whole archive read, the input not yet closed"
"$FERRY" load -q -i in.fifo >/dev/null 2>&1 &
pid=$!
exec 9>in.fifo
cat big.tar >&9
wait_for tmp_bytes_over $((size * 9 / 10))
sleep 0.5
kill_now "$pid"
exec 9>&-
check_killed "killed after the last byte"

note "kill at the very end: layers and blobs installed, waiting for images.lock"
exec 8>"$FERRY_ROOT/images.lock"
flock -x 8
"$FERRY" load -q -i big.tar >/dev/null 2>&1 &
pid=$!
wait_for layer_count_is 2
wait_for has_entries "$FERRY_ROOT/blobs/sha256"
sleep 0.3
expect_eq "$(ls "$FERRY_ROOT/blobs/sha256" | wc -l)" 2 "blobs installed before naming the image"
kill_now "$pid"
exec 8>&-
check_killed "killed at the very end"

note "kill at fractions of the load time (a load that finished first is complete)"
for eighth in 1 2 3 4 5 6 7; do
    "$FERRY" load -q -i big.tar >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v ms="$load_ms" -v k="$eighth" 'BEGIN { printf "%.3f", ms * k / 8 / 1000 }')"
    kill -9 "$pid" 2>/dev/null || true
    status=0
    wait "$pid" || status=$?
    # Killed after the atomic rewrite of images.json (removing its staging, journaling the
    # event), a load is as complete as one that exited.
    if [ "$status" = 137 ] && grep -q "$big_id" "$FERRY_ROOT/images.json" 2>/dev/null; then
        note "at $eighth/8 the load was killed after naming the image"
        status=0
    fi
    if [ "$status" = 0 ]; then
        note "at $eighth/8 the load had already finished"
        expect_out "${big_id:7:12}" ferry images -q
        expect_out "" store_garbage
        ferry rmi ferry-it/big:1 >/dev/null
        expect_out "" store_garbage
    else
        expect_eq "$status" 137 "exit status of the load killed at $eighth/8"
        check_killed "killed at $eighth/8 of the load time"
    fi
done

note "kill at the very end of a load into a store with images sharing its base layer"
fixture make_listing_archive.py listing.tar >/dev/null
ferry load -q -i listing.tar >/dev/null
before=$(tree_snapshot "$FERRY_ROOT")
exec 8>"$FERRY_ROOT/images.lock"
flock -x 8
"$FERRY" load -q -i big.tar >/dev/null 2>&1 &
pid=$!
wait_for layer_count_is 4  # busybox (shared), B's, C's, and big's own
sleep 0.3
kill_now "$pid"
exec 8>&-
expect_eq "$(ferry images -q | wc -l)" 5 "rows of the images loaded before"
expect_out "" store_garbage
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "store after the next command"

note "kill at the very end of an import whose layer is already stored: no orphan blob"
busybox_rootfs rootfs
tar -C rootfs -cf rootfs.tar .
ferry import -q rootfs.tar ferry-it/imported:1 >/dev/null
before=$(tree_snapshot "$FERRY_ROOT")
exec 8>"$FERRY_ROOT/images.lock"
flock -x 8
blobs_before=$(ls "$FERRY_ROOT/blobs/sha256" | wc -l)
"$FERRY" import -q --change 'CMD ["true"]' rootfs.tar ferry-it/imported:2 >/dev/null 2>&1 &
pid=$!
wait_for blob_count_is $((blobs_before + 2))
sleep 0.3
kill_now "$pid"
exec 8>&-
expect_out "" ferry images -q ferry-it/imported:2
expect_out "" store_garbage
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "store after the next command"

note "after all that, the archive loads and round-trips"
ferry load -q -i big.tar >/dev/null
ferry save -q -o saved.tar ferry-it/big:1
archive_ids big.tar saved.tar >/dev/null || fail "big.tar did not round-trip after the kills"
rm saved.tar

note "kill a save: neither out.tar nor anything beside it appears"
for attempt in 1 2 3 4 5; do
    ferry images -q >/dev/null  # removes the staging a killed save left
    "$FERRY" save -q -o out.tar ferry-it/big:1 &
    pid=$!
    wait_for save_started
    sleep "0.0$attempt"
    kill -9 "$pid" 2>/dev/null || true
    status=0
    wait "$pid" || status=$?
    if [ "$status" = 0 ]; then
        archive_ids big.tar out.tar >/dev/null || fail "a save that finished wrote a bad out.tar"
    else
        [ ! -e out.tar ] || fail "a killed save left out.tar"
        [ -z "$(compgen -G 'out.tar?*')" ] || fail "a killed save left $(ls out.tar?*)"
    fi
    rm -f out.tar
done
ferry images -q >/dev/null
expect_out "" store_garbage
