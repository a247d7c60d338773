# The crash test at every durable step (issue 8, point 12): `load`, `commit`, `build`, `save -o`,
# `rename`, `create`, `start`, `rmi` (with a blob cache to prune), `system check --repair` (with a damaged blob
# cache to rebuild), `pull` and `push` (against a registry on 127.0.0.1) are killed with SIGKILL at the Nth call of each of
# rename, renameat, renameat2, linkat, fsync, fdatasync and syncfs (strace's fault injection, every
# thread and child followed; strace counts each call per process), for N = 1, 2, ... until the
# command completes without reaching N. Each command starts from the same store. After each
# kill the store must be valid: `ferry system check` finds nothing but what a dead process may
# leave (its tmp/ entry, layers and blobs it installed but had not named yet), no image is half
# there (the images are those before the command or those after it), the target of a save is
# absent, old or complete; and after the next command (`ferry images`) `system check` finds
# nothing at all and nothing unreferenced is left (store_garbage, which does not trust ferry).
# Small images keep it to a minute or two.

source "$FERRY_SRC/tests/integration/run_lib.sh"
command -v strace >/dev/null || skip "strace is needed to kill ferry at chosen system calls"
strace -f -o /dev/null -e inject=fsync:signal=SIGKILL:when=1 true 2>/dev/null ||
    skip "strace cannot inject faults here (ptrace refused?)"

syscalls=(rename renameat renameat2 linkat fsync fdatasync syncfs)
pristine=$TEST_TMP/pristine
command -v jq >/dev/null || skip "jq is needed to read the store's records"

# images_now: the images by name (a commit's image ID changes with its time), untagged ones as
# <none>; `unreadable` when the index cannot be read.
images_now() {
    local out
    out=$(ferry images -a --format '{{.Repository}}:{{.Tag}}' 2>/dev/null) || { echo unreadable; return; }
    sort <<<"$out" | tr '\n' ' '
}
# unreferenced: what lib.sh's store_garbage finds, in shell and jq (python starts too slowly
# to run it after every kill): layers and blobs neither images.json nor a container record
# names, missing ones they name, and tmp/ entries.
unreferenced() {
    local refs_l refs_b records=()
    records=("$FERRY_ROOT"/containers/*/config.json)
    [ -e "${records[0]}" ] || records=()
    refs_l=$( { jq -r '.images[].chain_ids[]' "$FERRY_ROOT/images.json"
                [ ${#records[@]} = 0 ] || jq -r '.chain_ids[]' "${records[@]}"; } | sort -u)
    refs_b=$( { jq -r '.images[] | .id, .manifest' "$FERRY_ROOT/images.json"
                [ ${#records[@]} = 0 ] || jq -r '.image_id' "${records[@]}"; } |
              sed 's/^sha256://' | grep . | sort -u)
    comm -3 <(grep . <<<"$refs_l" || true) <(ls "$FERRY_ROOT/layers" | sort) | sed 's/^/layer /'
    comm -3 <(grep . <<<"$refs_b" || true) <(ls "$FERRY_ROOT/blobs/sha256" | sort) |
        sed 's/^/blob /'
    ls "$FERRY_ROOT/tmp" | sed 's/^/tmp /'
}

# check_right_after WHAT BEFORE AFTER: the store right after a kill.
check_right_after() {
    local what=$1 status=0 now
    "$FERRY" system check >check.out 2>&1 || status=$?
    # A dead process leaves only its staging and what it installed but had not named.
    if grep -v -e '^tmp/[^ ]*: left by a process that died' \
               -e '^layer [0-9a-f]\{12\}: used by no image or container' \
               -e '^blob sha256:[0-9a-f]\{12\}: used by no image or container$' \
               -e '^[0-9]* problems\? found$' -e '^no problems found$' check.out >bad.out; then
        fail "$what: system check right after the kill: $(cat bad.out)"
    fi
    now=$(images_now)
    [ "$now" = "$2" ] || [ "$now" = "$3" ] ||
        fail "$what: images [$now] are neither those before [$2] nor after [$3]"
}
# check_killed WHAT BEFORE AFTER: the store right after a kill, then after the next command.
check_killed() {
    check_right_after "$@"
    ferry images -q >/dev/null
    expect_out "no problems found" ferry system check
    expect_out "" unreferenced
}

# crash_points WHAT SETUP CHECK CMD...: runs SETUP (which must leave the store in $pristine),
# then for each system call and each N restores the store, runs CMD killed at that call and
# runs CHECK (a function given WHAT, the images before and after) on the result.
crash_points() {
    local what=$1 setup=$2 check=$3 sc n status before after total=0
    shift 3
    rm -rf "$FERRY_ROOT" "$pristine"
    "$setup"
    cp -a "$FERRY_ROOT" "$pristine"
    before=$(images_now)
    "$FERRY" "$@" >/dev/null 2>&1 || fail "$what: \`ferry $*\` failed without a kill"
    after=$(images_now)
    # What that run left outside the store (a network's bridge and rules) goes before the
    # store is restored.
    [ -z "${CRASH_CLEANUP:-}" ] || "$CRASH_CLEANUP"
    for sc in "${syscalls[@]}"; do
        for n in $(seq 1 200); do
            rm -rf "$FERRY_ROOT"
            cp -a "$pristine" "$FERRY_ROOT"
            status=0
            # (the braces' redirection also silences bash's `Killed` notice)
            { strace -f -o /dev/null -e trace="$sc" -e inject="$sc:signal=SIGKILL:when=$n" \
                "$FERRY" "$@" >/dev/null 2>crash.err || status=$?; } 2>/dev/null
            if [ "$status" = 0 ]; then
                "$check" "$what completed with $sc #$n injected" "$after" "$after"
                break
            fi
            # The command itself killed (137), or (start) a process it started, which the
            # command then reports in one line.
            if [ "$status" != 137 ]; then
                [ -n "${CRASH_CHILD_STATUS:-}" ] && [ "$status" = "$CRASH_CHILD_STATUS" ] &&
                    [ "$(wc -l <crash.err)" = 1 ] ||
                    fail "$what killed at $sc #$n: exit status $status ($(cat crash.err))"
            fi
            "$check" "$what killed at $sc #$n" "$before" "$after"
            total=$((total + 1))
        done
    done
    expect_out "" store_garbage
    note "$what: killed at $total points"
}

busybox_rootfs rootfs
mkdir -p rootfs/data rootfs/proc rootfs/sys rootfs/dev
echo one >rootfs/data/one
tar -C rootfs -cf base.tar .
mkdir top && echo two >top/two && tar -C top -cf top.tar .
python3 - "$FERRY_SRC/tests/fixtures" two.tar <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import imagelib
from imagelib import Blob
image = imagelib.image_from_layers(
    [imagelib.busybox_layer(imagelib.find_busybox()), Blob(path="top.tar")], ["ferry-it/two:1"])
with open(sys.argv[2], "wb") as f:
    imagelib.write_docker_archive(f, [image])
PY

setup_load() { ferry import -q base.tar ferry-it/base:1 >/dev/null; }
crash_points "load" setup_load check_killed load -q -i two.tar

setup_commit() {
    ferry import -q base.tar ferry-it/base:1 >/dev/null
    ferry create --name c1 ferry-it/base:1 true >/dev/null
    echo changed >"$FERRY_ROOT/containers/$(ferry inspect -f '{{.Id}}' c1)/upper/changed"
}
check_commit() {
    check_killed "$@"
    ferry rm c1 >/dev/null  # before the next restore: its run directory goes with it
}
crash_points "commit" setup_commit check_commit commit c1 ferry-it/committed:1

setup_save() { ferry load -q -i two.tar >/dev/null; rm -f "$TEST_TMP"/out.tar*; }
setup_save
ferry save -o whole.tar ferry-it/two:1  # what every save writes, byte for byte
archive_ids two.tar whole.tar >/dev/null || fail "save does not round-trip two.tar"
check_save() {
    check_killed "$@"
    if [ -e out.tar ]; then
        cmp -s whole.tar out.tar || fail "$1: out.tar is not the whole archive"
    fi
    [ -z "$(compgen -G 'out.tar?*')" ] || fail "$1: left beside out.tar: $(ls out.tar?*)"
    rm -f out.tar
}
crash_points "save -o (new file)" setup_save check_save save -o "$TEST_TMP/out.tar" ferry-it/two:1
setup_save_over() { setup_save; echo old >"$TEST_TMP/out.tar"; }
check_save_over() {
    [ -e out.tar ] || fail "$1: out.tar is gone"
    if [ "$(head -c 4 out.tar)" != old ]; then
        cmp -s whole.tar out.tar || fail "$1: out.tar is neither old nor whole"
    fi
    check_killed "$@"
    [ -z "$(compgen -G 'out.tar?*')" ] || fail "$1: left beside out.tar: $(ls out.tar?*)"
    echo old >out.tar
}
crash_points "save -o (over a file)" setup_save_over check_save_over save -o "$TEST_TMP/out.tar" ferry-it/two:1
rm -f out.tar

setup_rename() {
    ferry import -q base.tar ferry-it/base:1 >/dev/null
    ferry create --name r1 ferry-it/base:1 true >/dev/null
}
# A rename killed half-way may leave its new name claimed beside the old one: `system check
# --repair` frees the one the record does not name; the container then has exactly one name.
check_rename() {
    local status=0 names
    ferry system check --repair >repair.out 2>&1 || status=$?
    expect_eq "$status" 0 "$1: system check --repair after it ($(cat repair.out))"
    if grep -v -e '^container name `r[12]`: a second name of container [0-9a-f]\{12\} (its name is `r[12]`), left by a rename that did not finish: removed$' \
               -e '^1 problem found, 1 repaired$' -e '^no problems found$' repair.out >bad.out; then
        fail "$1: system check --repair found: $(cat bad.out)"
    fi
    expect_out "no problems found" ferry system check
    names=$(ls "$FERRY_ROOT/container-names")
    [ "$names" = r1 ] || [ "$names" = r2 ] || fail "$1: container names [$names]"
    expect_eq "$(ferry inspect -f '{{.Name}}' "$names")" "/$names" "$1: the record's name"
    ferry rm "$names" >/dev/null  # before the next restore: its run directory goes with it
}
crash_points "rename" setup_rename check_rename rename r1 r2

# create and start (--network none): killed anywhere, `system check --repair` leaves a store
# with no problem and at most the one container, named; a start killed half-way leaves it
# startable and removable, and nothing of it runs afterwards.
setup_create() { ferry import -q base.tar ferry-it/base:1 >/dev/null; }
check_container() {
    local status=0 ids
    ferry ps -a >/dev/null || fail "$1: ps after it"
    ferry system check --repair >repair.out 2>&1 || status=$?
    expect_eq "$status" 0 "$1: system check --repair after it ($(cat repair.out))"
    expect_out "no problems found" ferry system check
    ids=$(ferry ps -aq)
    if [ -n "$ids" ]; then
        expect_eq "$(ferry inspect -f '{{.Name}}' "$ids")" /c1 "$1: the container's name"
        ferry start -a c1 >/dev/null 2>&1 || fail "$1: the container does not start after it"
        ferry rm -f c1 >/dev/null || fail "$1: the container cannot be removed after it"
    fi
    expect_eq "$(pgrep -f "ferry-monitor --state $FERRY_ROOT/" || true)" "" "$1: monitors left"
    expect_out "" unreferenced
}
crash_points "create" setup_create check_container create --name c1 --network none ferry-it/base:1 true
setup_start() {
    setup_create
    ferry create --name c1 --network none ferry-it/base:1 true >/dev/null
}
CRASH_CHILD_STATUS=1 crash_points "start" setup_start check_container start c1

# build (a COPY, a RUN, a config step): killed anywhere, the store is valid, the named images are
# those before or after, and the steps it finished stay as cache; a RUN's container killed with
# it stays (as with docker's classic builder) and can be removed.
setup_build() {
    setup_create
    mkdir -p bctx && echo f >bctx/f
    printf 'FROM ferry-it/base:1\nCOPY f /f\nRUN echo x > /x\nENV A=1\n' >bctx/Dockerfile
}
named() { tr ' ' '\n' <<<"$1" | grep -v '^<none>' | tr '\n' ' '; }
check_build() {
    local status=0 ids now
    ferry system check --repair >repair.out 2>&1 || status=$?
    expect_eq "$status" 0 "$1: system check --repair after it ($(cat repair.out))"
    expect_out "no problems found" ferry system check
    now=$(named "$(images_now)")
    [ "$now" = "$(named "$2")" ] || [ "$now" = "$(named "$3")" ] ||
        fail "$1: images [$now] are neither those before [$2] nor after [$3]"
    ids=$(ferry ps -aq)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || ferry rm -f $ids >/dev/null || fail "$1: a RUN's container cannot be removed"
    for _ in $(seq 30); do pgrep -f "ferry-monitor --state $FERRY_ROOT/" >/dev/null || break; sleep 0.1; done
    expect_eq "$(pgrep -f "ferry-monitor --state $FERRY_ROOT/" || true)" "" "$1: monitors left"
    expect_out "" unreferenced
}
CRASH_CHILD_STATUS=125 crash_points "build" setup_build check_build build --network none -t ferry-it/built:1 bctx
# On the default bridge with a port published on every address (nftables for IPv4, a proxy
# for [::]): its lease, veth, port and proxy are given back.
setup_start_bridge() {
    setup_create
    ferry create --name c1 -p 18777:80 ferry-it/base:1 true >/dev/null
}
check_bridge() {
    check_container "$@"
    expect_eq "$(ferry network inspect -f '{{len .Containers}}' bridge)" 0 "$1: the bridge's containers"
    expect_eq "$(ip -o link show type veth | grep -c ferry || true)" 0 "$1: veths left"
    for _ in $(seq 30); do pgrep -x ferry-proxy >/dev/null || break; sleep 0.1; done
    expect_eq "$(pgrep -x ferry-proxy || true)" "" "$1: port proxies left ([::]:18777's)"
    "$FERRY" __network-teardown >teardown.out 2>&1 || fail "$1: teardown: $(cat teardown.out)"
}
bridge_cleanup() { ferry rm -f c1 >/dev/null; ferry __network-teardown; }
CRASH_CHILD_STATUS=1 CRASH_CLEANUP=bridge_cleanup \
    crash_points "start (bridge, -p)" setup_start_bridge check_bridge start c1

# The blob cache (blob-cache.json) remembers every layer's blobs; the garbage collection of rmi
# drops the entries of the layers it deletes, in an atomic rewrite killed at each step too.
seed_blob_cache() {
    jq -c '[.images[].diff_ids[]] | unique | {version: 1,
        compressed: map({diff_id: ., compression: "gzip", digest: ., size: 1, media_type: "m"}),
        sources: map({diff_id: ., registry: "localhost:5000", repository: "r", digest: .,
                      size: 1, media_type: "m"})}' \
        "$FERRY_ROOT/images.json" >"$FERRY_ROOT/blob-cache.json"
}
cached_layers() { jq -r '.compressed[].diff_id, .sources[].diff_id' "$FERRY_ROOT/blob-cache.json" | sort -u; }
setup_rmi() {
    ferry import -q base.tar ferry-it/base:1 >/dev/null
    ferry load -q -i two.tar >/dev/null
    seed_blob_cache
}
check_rmi() {
    check_killed "$@"
    local left
    left=$(cached_layers) || fail "$1: blob-cache.json does not parse"
    if [ "$2" = "$3" ]; then  # completed: only the layers of what is left are remembered
        expect_eq "$left" "$(jq -r '.images[].diff_ids[]' "$FERRY_ROOT/images.json" | sort -u)" \
            "$1: the blob cache's layers"
    fi
}
crash_points "rmi" setup_rmi check_rmi rmi ferry-it/two:1

setup_repair() {
    setup_rmi
    ferry create --name c2 ferry-it/base:1 true >/dev/null
    : >"$FERRY_ROOT/containers/$(ferry inspect -f '{{.Id}}' c2)/config.json"
    echo '{' >"$FERRY_ROOT/images.json"
    echo '{"version":1,"compressed":[' >"$FERRY_ROOT/blob-cache.json"
    mkdir -p "$FERRY_ROOT/layers/$(printf 'f%.0s' $(seq 64))/diff"
}
# A repair killed half-way leaves some of the damage: the next `system check --repair` ends it.
check_repair() {
    local status=0
    ferry system check --repair >repair.out 2>&1 || status=$?
    expect_eq "$status" 0 "$1: the next system check --repair ($(cat repair.out))"
    expect_out "no problems found" ferry system check
    expect_out "" unreferenced
    now=$(images_now)
    [ "$now" = "$3" ] || fail "$1: images [$now] after the repair, expected [$3]"
}
crash_points "system check --repair" setup_repair check_repair system check --repair

# pull and push, against Debian's docker-registry on 127.0.0.1. A killed pull may keep the
# layers it finished (tmp/pull-<manifest>, not damage): the next pull must resume from them to
# the whole image, and then nothing is left over.
source "$FERRY_SRC/tests/integration/registry_lib.sh"
start_registry plain
setup_pull() { ferry images -q >/dev/null; }
check_pull() {
    check_right_after "$@"
    expect_out "$REG/crash/two:1" ferry pull -q "$REG/crash/two:1"
    expect_out "no problems found" ferry system check
    expect_out "" unreferenced
}
setup_push() { ferry load -q -i two.tar >/dev/null; ferry tag ferry-it/two:1 "$REG/crash/two:1"; }
setup_push
ferry push -q "$REG/crash/two:1" >/dev/null || fail "the push of the image to pull failed"
crash_points "pull" setup_pull check_pull pull -q "$REG/crash/two:1"
crash_points "push" setup_push check_killed push -q "$REG/crash/two:1"
