# A damaged store is reported and repaired, never silently emptied (issue 8, point 3): a 0-byte,
# truncated, version-less or unknown-version images.json, a missing one beside layers, a
# truncated container config.json or state file each give one line naming the file and what to
# do; nothing is deleted meanwhile (image prune, rmi, garbage collection); `ferry system check`
# reports every problem (exit 1) and `--repair` fixes them (exit 0): the index rebuilt from the
# manifests and layers (names from images.json.bak, else untagged), damaged container records
# dropped after saying which, damaged state files reset, dead creations, dangling name links,
# unreferenced layers and blobs and dead processes' tmp/ entries removed. A container whose
# record is damaged is removed by name or ID, and its name freed.

source "$FERRY_SRC/tests/integration/run_lib.sh"
# mk_image REF WORD: a busybox image whose /data/word holds WORD (a layer of its own).
mk_image() {
    local root=$TEST_TMP/rootfs-$2
    busybox_rootfs "$root"
    mkdir -p "$root/data" "$root/proc" "$root/sys" "$root/dev"
    echo "$2" >"$root/data/word"
    tar -C "$root" -cf "$root.tar" .
    ferry import -q "$root.tar" "$1" >/dev/null
}
mk_image ferry-it/keep:1 keep
ferry tag ferry-it/keep:1 ferry-it/keep:2
mk_image ferry-it/other:1 other
keep=$(ferry images -q ferry-it/keep:1)
other=$(ferry images -q ferry-it/other:1)
index=$FERRY_ROOT/images.json
images_table() { ferry images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort; }
table=$(images_table)
ferry ps -a >/dev/null  # the container store's directories, made by the first container command
cp "$index" good-index.json
hint='run `ferry system check --repair`'
# chain_of IMAGE: the image's (top) layer directory name.
chain_of() {
    python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["images"] if i["id"].startswith("sha256:" + sys.argv[2])][0]["chain_ids"][-1])' \
        "$index" "$1"
}

# damaged_index DETAIL: every reader of the index fails with the same line; nothing is deleted.
damaged_index() {
    local line="ferry: error: image index \`$index\` is damaged ($1): $hint" before
    before=$(tree_snapshot "$FERRY_ROOT")
    expect_fail 125 "$line" ferry images
    expect_fail 1 "$line" ferry rmi ferry-it/other:1
    expect_fail 125 "$line" ferry image prune -a -f
    expect_fail 125 "$line" ferry run --rm ferry-it/keep:1 true
    expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after commands on a damaged index"
}

note "a 0-byte images.json"
: >"$index"
damaged_index "empty file"
note "a truncated images.json"
head -c 200 good-index.json >"$index"
damaged_index "truncated or malformed JSON"
note "an images.json without a version"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["version"]; print(json.dumps(d))' \
    good-index.json >"$index"
damaged_index 'no `version`'
note "an images.json of another version"
sed 's/"version": 1/"version": 7/' good-index.json >"$index"
expect_fail 125 "ferry: error: image index \`$index\` has unknown version 7: use the ferry that wrote it, or rebuild the index with \`ferry system check --repair\`" \
    ferry images
note "no images.json beside layers"
rm "$index"
damaged_index "missing while the store holds layers or blobs"

note "system check reports it, changes nothing, exits 1"
before=$(tree_snapshot "$FERRY_ROOT")
expect_fail 1 "" ferry system check
expect_eq "$(cat "$TEST_TMP/.out")" "image index \`$index\` is damaged (missing while the store holds layers or blobs)
1 problem found" "system check output"
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after system check"

note "system check --repair rebuilds the index, names from images.json.bak"
expect_out "image index \`$index\` is damaged (missing while the store holds layers or blobs): rebuilt from the manifests in blobs/ (2 images, 3 names from images.json.bak)
1 problem found, 1 repaired" ferry system check --repair
expect_eq "$(images_table)" "$table" "images after the repair"
expect_out "no problems found" ferry system check

note "a damaged index and a damaged copy: every image comes back, untagged"
echo '{' >"$index"
echo '{' >"$index.bak"
out=$(ferry system check --repair) || fail "system check --repair failed: $out"
kept=$(cd "$FERRY_ROOT" && ls -d images.json.damaged-*)
expect_eq "$out" "image index \`$index\` is damaged (truncated or malformed JSON): rebuilt from the manifests in blobs/ (2 images, 0 names from images.json.bak); the old file is kept as \`$FERRY_ROOT/$kept\`
1 problem found, 1 repaired" "system check --repair output"
expect_eq "$(images_table)" "$(printf '<none>:<none> %s\n' "$keep" "$other" | sort)" "untagged images"
expect_eq "$(cat "$FERRY_ROOT/$kept")" "{" "the damaged index, kept"
ferry tag "$keep" ferry-it/keep:1
ferry tag "$keep" ferry-it/keep:2
ferry tag "$other" ferry-it/other:1
rm "$FERRY_ROOT/$kept"

note "a truncated container record: ps lists the others, start and inspect name the file"
ferry create --name healthy ferry-it/keep:1 true >/dev/null
ferry create --name broken ferry-it/keep:1 true >/dev/null
broken=$(ferry inspect -f '{{.Id}}' broken)
record=$FERRY_ROOT/containers/$broken/config.json
head -c 100 "$record" >record.part
cp record.part "$record"
line="container record \`$record\` is damaged (truncated or malformed JSON): remove the container with \`ferry rm ${broken:0:12}\` or run \`ferry system check --repair\`"
ferry ps -a --format '{{.Names}}' >ps.out 2>ps.err
expect_eq "$(cat ps.out)" "healthy" "ps -a with a damaged record"
expect_eq "$(cat ps.err)" "ferry: warning: $line" "ps -a's warning"
expect_fail 1 "ferry: error: $line" ferry start broken
note "rm by name removes it and frees the name"
expect_out "broken" ferry rm broken
ferry create --name broken ferry-it/keep:1 true >/dev/null
expect_out "broken" ferry rm broken
note "rm -f by ID prefix of an empty record"
ferry create --name broken2 ferry-it/keep:1 true >/dev/null
broken2=$(ferry inspect -f '{{.Id}}' broken2)
: >"$FERRY_ROOT/containers/$broken2/config.json"
expect_out "${broken2:0:10}" ferry rm -f "${broken2:0:10}"
expect_eq "$(ls "$FERRY_ROOT/container-names")" "healthy" "names left"

note "while a record cannot be read, no layer is deleted"
mk_image ferry-it/lonely:1 lonely
lonely=$(ferry image inspect -f '{{.Id}}' ferry-it/lonely:1)
lonely_chain=$(chain_of "${lonely:7:12}")
ferry create --name user ferry-it/lonely:1 true >/dev/null
uid_=$(ferry inspect -f '{{.Id}}' user)
head -c 50 "$FERRY_ROOT/containers/$uid_/config.json" >record.part
cp record.part "$FERRY_ROOT/containers/$uid_/config.json"
uline="container record \`$FERRY_ROOT/containers/$uid_/config.json\` is damaged (truncated or malformed JSON): remove the container with \`ferry rm ${uid_:0:12}\` or run \`ferry system check --repair\`"
ferry rmi ferry-it/lonely:1 >rmi.out 2>rmi.err
expect_eq "$(cat rmi.out)" "Untagged: ferry-it/lonely:1
Deleted: $lonely" "rmi of an image only a damaged record may use"
expect_eq "$(cat rmi.err)" "ferry: warning: not deleting unused layers: $uline" "rmi's warning"
[ -d "$FERRY_ROOT/layers/$lonely_chain/diff" ] || fail "rmi deleted a layer while a record was unreadable"
ferry image prune -a -f >/dev/null 2>prune.err  # other:1 goes; keep:1 is in use
expect_eq "$(cat prune.err)" "ferry: warning: not deleting unused layers: $uline" "image prune's warning"
[ -d "$FERRY_ROOT/layers/$lonely_chain/diff" ] || fail "image prune deleted a layer while a record was unreadable"
expect_out "user" ferry rm user
expect_out "Total reclaimed space: 0B" ferry image prune -f
[ ! -e "$FERRY_ROOT/layers/$lonely_chain" ] || fail "the layer outlived its last user"

note "a truncated state file: one line, --repair resets it, rm works either way"
ferry run --name stopped1 ferry-it/keep:1 true
sid=$(ferry inspect -f '{{.Id}}' stopped1)
printf 'status=exi' >"$FERRY_ROOT/containers/$sid/state"
sline="container state \`$FERRY_ROOT/containers/$sid/state\` is damaged (truncated): $hint"
expect_fail 1 "ferry: error: $sline" ferry start stopped1
ferry ps -a --format '{{.Names}}' >ps.out 2>ps.err
expect_eq "$(cat ps.err)" "ferry: warning: $sline" "ps -a's warning for a state file"
expect_fail 1 "" ferry system check
expect_eq "$(cat "$TEST_TMP/.out")" "${sline%: run*}
1 problem found" "system check output"
expect_out "${sline%: run*}: reset to exited (255)
1 problem found, 1 repaired" ferry system check --repair
expect_out "exited 255" ferry inspect -f '{{.State.Status}} {{.State.ExitCode}}' stopped1
expect_out "" ferry start -a stopped1
expect_out "exited 0" ferry inspect -f '{{.State.Status}} {{.State.ExitCode}}' stopped1
: >"$FERRY_ROOT/containers/$sid/state"
expect_out "stopped1" ferry rm stopped1

note "system check --repair: every kind of leftover at once"
ferry create --name victim ferry-it/keep:1 true >/dev/null
vid=$(ferry inspect -f '{{.Id}}' victim)
: >"$FERRY_ROOT/containers/$vid/config.json"
dddd=$(printf 'd%.0s' $(seq 64))
mkdir "$FERRY_ROOT/containers/$dddd"                           # a creation that died
ln -s "$(printf 'e%.0s' $(seq 64))" "$FERRY_ROOT/container-names/ghost"
mk_image ferry-it/gone:1 gone
gone=$(ferry image inspect -f '{{.Id}}' ferry-it/gone:1)
gone_chain=$(chain_of "${gone:7:12}")
gone_manifest=$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["images"] if i["id"] == sys.argv[2]][0]["manifest"])' "$index" "$gone")
mv "$FERRY_ROOT/layers/$gone_chain" layer-aside                # its layer lost
ffff=$(printf 'f%.0s' $(seq 64))
mkdir -p "$FERRY_ROOT/layers/$ffff/diff"                       # a layer nothing uses
mkdir "$FERRY_ROOT/tmp/deadbeef00000000"                       # a process that died
printf '%s\n' "$TEST_TMP/out.tar.tmp-dead" >"$FERRY_ROOT/tmp/deadbeef00000000/partial"
echo partial >out.tar.tmp-dead
before=$(tree_snapshot "$FERRY_ROOT")
expect_fail 1 "" ferry system check
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after system check"
blob_lines=$(for d in "$gone" "$gone_manifest"; do echo "blob sha256:${d:7:12}: used by no image or container: removed"; done | sort)
container_lines=$(printf '%s\n' \
    "$dddd container dddddddddddd: a creation that did not finish (no config.json): removed" \
    "$vid container record \`$FERRY_ROOT/containers/$vid/config.json\` is damaged (empty file): container ${vid:0:12} removed (its name \`victim\` is free)" |
    sort | cut -d' ' -f2-)
expect_out "container name \`ghost\`: its container eeeeeeeeeeee is gone: removed
$container_lines
image ${gone:7:12} (ferry-it/gone:1): its layer ${gone_chain:0:12} is missing: removed from the index (load it again)
layer ${ffff:0:12}: used by no image or container ($(du -sB1 "$FERRY_ROOT/layers/$ffff" | cut -f1 | python3 -c 'import sys; n=int(sys.stdin.read()); print(f"{n/1000:.3g}kB")')): removed
$blob_lines
tmp/deadbeef00000000: left by a process that died (with \`$TEST_TMP/out.tar.tmp-dead\`): removed
8 problems found, 8 repaired" ferry system check --repair
[ ! -e out.tar.tmp-dead ] || fail "the dead save's partial file is still there"
expect_out "no problems found" ferry system check
expect_eq "$(ls "$FERRY_ROOT/container-names")" "healthy" "names left"
expect_out "healthy" ferry ps -a --format '{{.Names}}'
ferry rm healthy >/dev/null
expect_out "" store_garbage

note "a rename killed half-way leaves a second name: system check frees it, the record decides"
ferry create --name renamed ferry-it/keep:1 true >/dev/null
rid=$(ferry inspect -f '{{.Id}}' renamed)
ln -s "$rid" "$FERRY_ROOT/container-names/half"                # claimed, record not yet changed
expect_fail 1 "" ferry system check
expect_eq "$(cat "$TEST_TMP/.out")" "container name \`half\`: a second name of container ${rid:0:12} (its name is \`renamed\`), left by a rename that did not finish
1 problem found" "system check of a second name"
expect_out "container name \`half\`: a second name of container ${rid:0:12} (its name is \`renamed\`), left by a rename that did not finish: removed
1 problem found, 1 repaired" ferry system check --repair
expect_eq "$(ls "$FERRY_ROOT/container-names")" "renamed" "names after the repair"
ferry create --name half ferry-it/keep:1 true >/dev/null  # the name is free again
ferry rm renamed half >/dev/null
expect_out "" store_garbage
