# Concurrency (issue 2, point 5): two loads of different archives sharing a base layer at once,
# two loads of the same archive at once, and `rmi` of image A while a load of image B (sharing
# A's base layer) runs. Overlaps are forced by feeding the loads through FIFOs (one load waits
# half-way while the other runs to the end), then repeated as plain races. Afterwards the store
# is consistent: every image's layers exist, the shared layer is stored once, `ferry save` of
# each image round-trips, and nothing is left in tmp/. `ferry images` run meanwhile always
# succeeds (images.json is replaced atomically).

python3 - "$FERRY_SRC/tests/fixtures" <<'PY'
import random, sys
sys.path.insert(0, sys.argv[1])
import imagelib
from imagelib import TarBuilder, Blob
rng = random.Random(2)
base = TarBuilder()
base.dir("base")
for i in range(8):
    base.file(f"base/blob-{i}", rng.randbytes(8 << 20))
base = Blob(base.close())
for name in ("a", "b"):
    top = TarBuilder()
    top.file(f"{name}.txt", f"image {name}\n".encode())
    image = imagelib.image_from_layers([base, Blob(top.close())], [f"ferry-it/{name}:1"])
    with open(f"{name}.tar", "wb") as f:
        imagelib.write_docker_archive(f, [image])
PY
read -r id_a _ diffs_a < <(archive_ids a.tar)
read -r id_b _ diffs_b < <(archive_ids b.tar)
size_a=$(stat -c %s a.tar)
mkfifo fifo-a fifo-b

# consistent IMAGE...: exactly these images (ferry-it/NAME:1), every layer of each present, no
# garbage, tmp/ empty, and each saves back to its original archive.
consistent() {
    local n
    expect_eq "$(ferry images --format '{{.Repository}}:{{.Tag}}' | sort | paste -sd' ')" \
        "$(for n in "$@"; do echo "ferry-it/$n:1"; done | sort | paste -sd' ')" "images in the store"
    expect_out "" store_garbage
    for n in "$@"; do
        ferry save -q -o "saved-$n.tar" "ferry-it/$n:1"
        archive_ids "$n.tar" "saved-$n.tar" >/dev/null || fail "ferry-it/$n:1 does not round-trip"
        rm "saved-$n.tar"
    done
}
# reset: a new empty store (the reader below moves to it; the old one is removed).
store_number=0
reset() {
    local old=$FERRY_ROOT
    store_number=$((store_number + 1))
    export FERRY_ROOT="$TEST_TMP/store-$store_number"
    flock -x reader.lock bash -c 'echo "$1" >current-store && rm -rf "$2"' _ "$FERRY_ROOT" "$old"
}
# layers: the number of layer directories.
layers() { ls "$FERRY_ROOT/layers" | wc -l; }

# A reader that lists the current store's images in a loop until told to stop; any failure is
# recorded. It holds reader.lock shared while it runs, so that reset never removes its store
# from under it.
reader() {
    while [ ! -e stop-reader ]; do
        flock -s reader.lock bash -c 'FERRY_ROOT=$(cat current-store) "$FERRY" images -q' \
            >/dev/null 2>>reader.err || echo "ferry images failed" >>reader.err
    done
}
command -v flock >/dev/null || skip "flock (util-linux) is needed"
echo "$FERRY_ROOT" >current-store
reader &
reader_pid=$!
trap 'kill "$reader_pid" 2>/dev/null || true' EXIT

note "two loads sharing a base layer: B runs to the end while A waits half-way"
"$FERRY" load -q -i fifo-a >load-a.out &
pid_a=$!
exec 8>fifo-a
head -c $((size_a / 2)) a.tar >&8
expect_out "Loaded image: ferry-it/b:1" ferry load -q -i b.tar
cat <(tail -c +$((size_a / 2 + 1)) a.tar) >&8
exec 8>&-
wait "$pid_a" || fail "the load of a.tar failed"
expect_eq "$(cat load-a.out)" "Loaded image: ferry-it/a:1" "output of the load of a.tar"
expect_eq "$(layers)" 3 "layers: the shared base once, two tops"
consistent a b

note "two loads sharing a base layer, both read to the end, then finished together"
reset
"$FERRY" load -q -i fifo-a >load-a.out &
pid_a=$!
"$FERRY" load -q -i fifo-b >load-b.out &
pid_b=$!
exec 8>fifo-a 9>fifo-b
cat a.tar >&8
cat b.tar >&9
exec 8>&- 9>&-
wait "$pid_a" || fail "the load of a.tar failed"
wait "$pid_b" || fail "the load of b.tar failed"
expect_eq "$(layers)" 3 "layers: the shared base once, two tops"
consistent a b

note "two loads sharing a base layer, racing freely (5 times)"
for _ in 1 2 3 4 5; do
    reset
    "$FERRY" load -q -i a.tar >/dev/null &
    pid_a=$!
    "$FERRY" load -q -i b.tar >/dev/null &
    pid_b=$!
    wait "$pid_a" || fail "the load of a.tar failed"
    wait "$pid_b" || fail "the load of b.tar failed"
    expect_eq "$(layers)" 3 "layers: the shared base once, two tops"
    consistent a b
done

note "two loads of the same archive at once"
reset
"$FERRY" load -q -i fifo-a >load-1.out &
pid_1=$!
exec 8>fifo-a
head -c $((size_a / 2)) a.tar >&8
expect_out "Loaded image: ferry-it/a:1" ferry load -q -i a.tar
cat <(tail -c +$((size_a / 2 + 1)) a.tar) >&8
exec 8>&-
wait "$pid_1" || fail "the second load of a.tar failed"
expect_eq "$(cat load-1.out)" "Loaded image: ferry-it/a:1" "output of the second load"
expect_eq "$(layers)" 2 "layers of a.tar loaded twice at once"
consistent a
for _ in 1 2 3 4 5; do
    reset
    pids=()
    for i in 1 2 3; do
        "$FERRY" load -q -i a.tar >"race-$i.out" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || fail "a racing load of a.tar failed"; done
    for i in 1 2 3; do expect_eq "$(cat "race-$i.out")" "Loaded image: ferry-it/a:1" "output of racing load $i"; done
    expect_eq "$(layers)" 2 "layers of a.tar loaded three times at once"
    consistent a
done

note "rmi of A while a load of B (sharing A's base layer) runs"
reset
ferry load -q -i a.tar >/dev/null
manifest_a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"][0]["manifest"])' \
    "$FERRY_ROOT/images.json")
"$FERRY" load -q -i fifo-b >load-b.out &
pid_b=$!
exec 9>fifo-b
head -c $(($(stat -c %s b.tar) / 2)) b.tar >&9
# The load holds the layers pinned: rmi removes the image, and leaves its layers to the next
# collection (it never waits for a load, and a load never waits for it).
expect_out "Untagged: ferry-it/a:1
Deleted: $id_a" ferry rmi ferry-it/a:1
[ -d "$(chain_dir_of "${diffs_a%%,*}")" ] || fail "the base layer went while a load was using it"
# What the rmi could not collect it recorded in tmp/ for the next command that can (the reader's
# `images` collect as soon as the load unpins the layers).
top_a=$(basename "$(chain_dir_of ${diffs_a//,/ })")
[ -d "$FERRY_ROOT/layers/$top_a" ] || fail "A's top layer went while a load pinned the layers"
cat <(tail -c +$(($(stat -c %s b.tar) / 2 + 1)) b.tar) >&9
exec 9>&-
wait "$pid_b" || fail "the load of b.tar failed"
expect_eq "$(cat load-b.out)" "Loaded image: ferry-it/b:1" "output of the load of b.tar"
expect_out "" ferry images -q ferry-it/a
expect_out "" store_garbage
[ ! -e "$FERRY_ROOT/blobs/sha256/${manifest_a#sha256:}" ] || fail "A's manifest outlived the next command"
consistent b

note "rmi of A and a load of B racing freely (5 times)"
for _ in 1 2 3 4 5; do
    reset
    ferry load -q -i a.tar >/dev/null
    "$FERRY" rmi ferry-it/a:1 >/dev/null &
    pid_r=$!
    "$FERRY" load -q -i b.tar >/dev/null &
    pid_b=$!
    wait "$pid_r" || fail "rmi failed"
    wait "$pid_b" || fail "the load of b.tar failed"
    ferry image prune -f >/dev/null  # collects what the rmi left while the load held layers
    expect_eq "$(layers)" 2 "layers of b.tar"
    consistent b
done

touch stop-reader
wait "$reader_pid"
[ ! -s reader.err ] || fail "ferry images failed while the store changed: $(sort -u reader.err)"
