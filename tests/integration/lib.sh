# Helpers for integration tests. Every test runs with `set -euo pipefail` in $TEST_TMP.
# FERRY is the binary under test; `ferry` runs it against the test's own store.

export FERRY_ROOT="$TEST_TMP/store"
ferry() { "$FERRY" "$@"; }

# A command that fails ends the test (set -e): say which, so that a failure is never silent in
# the log. set -E hands the trap to functions (a failing `ferry` at the top level fails inside
# the function of that name) and to subshells, where errexit is off and a failure ends nothing:
# only the test's own shell speaks, where the trap runs exactly when errexit ends the test.
set -E
trap 'echo_failed_command $?' ERR
echo_failed_command() {
    [ "$BASH_SUBSHELL" = 0 ] || return 0
    local where="line ${BASH_LINENO[0]}" i
    for ((i = 1; i < ${#FUNCNAME[@]} - 1; i++)); do
        where+=" in ${FUNCNAME[i]}, called from line ${BASH_LINENO[i]}"
    done
    echo "FAIL: $where: \`$BASH_COMMAND\` exited with status $1" >&2
}

# fail MESSAGE: ends the test as failed.
fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: ends the test as skipped (ctest shows the reason in the log).
skip() { echo "SKIP: $*" >&2; exit 77; }
# note MESSAGE: progress line in the test log.
note() { echo "--- $*" >&2; }

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
    if [ "$1" != "$2" ]; then
        fail "${3:-value}: expected [$2], got [$1]"
    fi
}

# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() {
    case "$1" in
        *"$2"*) ;;
        *) fail "${3:-output}: expected to contain [$2], got [$1]" ;;
    esac
}

# expect_fail STATUS STDERR CMD...: CMD exits with STATUS and prints exactly STDERR on stderr.
expect_fail() {
    local want_status=$1 want_err=$2 status=0
    shift 2
    "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err" || status=$?
    local got_err
    got_err=$(cat "$TEST_TMP/.err")
    [ "$status" = "$want_status" ] || fail "$*: exit status $status, expected $want_status (stderr: $got_err)"
    [ "$got_err" = "$want_err" ] || fail "$*: stderr [$got_err], expected [$want_err]"
}

# expect_fail_match STATUS PATTERN CMD...: as expect_fail with a bash glob for stderr.
expect_fail_match() {
    local want_status=$1 pattern=$2 status=0
    shift 2
    "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err" || status=$?
    local got_err
    got_err=$(cat "$TEST_TMP/.err")
    [ "$status" = "$want_status" ] || fail "$*: exit status $status, expected $want_status (stderr: $got_err)"
    # shellcheck disable=SC2053
    [[ "$got_err" == $pattern ]] || fail "$*: stderr [$got_err] does not match [$pattern]"
    [ "$(printf '%s\n' "$got_err" | wc -l)" = 1 ] || fail "$*: error is not one line: [$got_err]"
}

# tree_snapshot DIR: one line per entry (type, mode, owner, size, checksum), sorted; compares
# a store before and after a failing command.
tree_snapshot() {
    (cd "$1" && find . -path ./tmp -prune -o -path ./lock -prune -o -print0 | sort -z |
        while IFS= read -r -d '' p; do
            if [ -f "$p" ] && [ ! -L "$p" ]; then
                printf '%s %s %s\n' "$p" "$(stat -c '%F %a %u:%g %s' "$p")" "$(sha256sum <"$p" | cut -c1-16)"
            else
                printf '%s %s\n' "$p" "$(stat -c '%F %a %u:%g' "$p")"
            fi
        done)
}

# busybox_rootfs DIR: a minimal root file system made of the host's static busybox.
busybox_rootfs() {
    local dir=$1 bb
    bb=$(command -v busybox) || skip "busybox-static is not installed"
    mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root"
    cp "$bb" "$dir/bin/busybox"
    for a in sh ls cat echo true false hostname id env sleep ps mkdir rm touch stat wc head \
             grep sed printf test uname whoami kill pwd mount readlink ln cp chmod; do
        ln -sf busybox "$dir/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

# The source tree (fixture generators live in tests/fixtures).
FERRY_SRC=${FERRY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# fixture SCRIPT ARGS...: runs a generator of tests/fixtures (make_layer_variants.py OUTDIR, ...).
fixture() { python3 "$FERRY_SRC/tests/fixtures/$1" "${@:2}"; }
# archive_ids ARCHIVE [OTHER]: tests/fixtures/archive_ids.py (image IDs, tags and diff IDs).
archive_ids() { python3 "$FERRY_SRC/tests/fixtures/archive_ids.py" "$@"; }

# expect_out EXPECTED CMD...: CMD exits 0, prints exactly EXPECTED on stdout and nothing on stderr.
expect_out() {
    local want=$1 status=0
    shift
    "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err" || status=$?
    [ "$status" = 0 ] || fail "$*: exit status $status (stderr: $(cat "$TEST_TMP/.err"))"
    [ ! -s "$TEST_TMP/.err" ] || fail "$*: unexpected stderr [$(cat "$TEST_TMP/.err")]"
    local got
    got=$(cat "$TEST_TMP/.out")
    if [ "$got" != "$want" ]; then
        diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2 || true
        fail "$*: unexpected output (diff above: - expected, + got)"
    fi
}

# inspect_field REF PATH: a field of `ferry image inspect REF` (dotted path; lists joined by
# commas, objects as compact JSON).
inspect_field() {
    ferry image inspect "$1" | python3 -c '
import json, sys
value = json.load(sys.stdin)[0]
for part in sys.argv[1].split("."):
    value = value[part]
if isinstance(value, list):
    print(",".join(value))
elif isinstance(value, dict):
    print(json.dumps(value, sort_keys=True, separators=(",", ":")))
else:
    print(value)' "$2"
}

# chain_dir_of DIFF_ID...: the store's layer directory of the last layer of that stack.
chain_dir_of() {
    local chain="" d
    for d in "$@"; do
        if [ -z "$chain" ]; then
            chain=$d
        else
            chain="sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -c1-64)"
        fi
    done
    echo "$FERRY_ROOT/layers/${chain#sha256:}"
}

# store_garbage: lines naming what the store holds beyond what images.json and the container
# records reference (layer directories, blobs) and anything in tmp/; empty for a clean store.
store_garbage() {
    python3 - "$FERRY_ROOT" <<'PY'
import json, os, sys
root = sys.argv[1]
try:
    images = json.load(open(os.path.join(root, "images.json")))["images"]
except FileNotFoundError:
    images = []
chains = {c for i in images for c in i["chain_ids"]}
blobs = {d.split(":")[1] for i in images for d in (i["id"], i["manifest"]) if d}
containers = os.path.join(root, "containers")
for cid in os.listdir(containers) if os.path.isdir(containers) else []:
    record = json.load(open(os.path.join(containers, cid, "config.json")))
    chains.update(record["chain_ids"])
    blobs.add(record["image_id"].split(":")[1])
for name in sorted(os.listdir(os.path.join(root, "layers"))):
    if name not in chains:
        print("unreferenced layer", name)
for chain in sorted(chains):
    if not os.path.isdir(os.path.join(root, "layers", chain, "diff")):
        print("missing layer", chain)
for name in sorted(os.listdir(os.path.join(root, "blobs", "sha256"))):
    if name not in blobs:
        print("unreferenced blob", name)
for digest in sorted(blobs):
    if not os.path.isfile(os.path.join(root, "blobs", "sha256", digest)):
        print("missing blob", digest)
for name in sorted(os.listdir(os.path.join(root, "tmp"))):
    print("tmp entry", name)
PY
}

# ferry_cgroups ID: the container's cgroup directories that exist now, one a line.
ferry_cgroups() {
    local d
    for d in /sys/fs/cgroup/*/ferry/"$1"* /sys/fs/cgroup/ferry/"$1"*; do
        [ -d "$d" ] && echo "$d"
    done
    return 0
}

# docker_up: true when a docker daemon answers. As root, Debian's dockerd is started when none
# does; docker_down stops it (a test that calls docker_up calls docker_down when it ends).
# Otherwise false, with DOCKER_WHY saying why: `docker is not installed`, `no docker daemon
# answers and dockerd needs root`, `dockerd is not installed`, `dockerd does not start here:
# LAST LOG LINE`. DOCKER is the client (Debian's /usr/bin/docker, else docker on the PATH).
DOCKER=${DOCKER:-/usr/bin/docker}
DOCKERD_PID=""
DOCKER_WHY=""
docker_up() {
    [ -x "$DOCKER" ] || DOCKER=$(command -v docker) || { DOCKER_WHY="docker is not installed"; return 1; }
    "$DOCKER" info >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || { DOCKER_WHY="no docker daemon answers and dockerd needs root"; return 1; }
    command -v dockerd >/dev/null || { DOCKER_WHY="dockerd is not installed"; return 1; }
    note "starting dockerd"
    dockerd >"$TEST_TMP/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 60); do
        "$DOCKER" info >/dev/null 2>&1 && return 0
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.5
    done
    DOCKER_WHY="dockerd does not start here: $(tail -1 "$TEST_TMP/dockerd.log")"
    docker_down
    return 1
}
# docker_down: stops the dockerd docker_up started, if it did (waits 20 s at most for its exit).
docker_down() {
    [ -n "$DOCKERD_PID" ] || return 0
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    DOCKERD_PID=""
}

# build_attacker OUT: builds the CVE-2019-5736 attacker (tests/fixtures/cve_2019_5736_attacker.c)
# as a static program at OUT; false when gcc or a static libc is missing.
build_attacker() {
    command -v gcc >/dev/null || return 1
    [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/aarch64-linux-gnu/libc.a ] || return 1
    gcc -static -O2 -Wall -o "$1" "$FERRY_SRC/tests/fixtures/cve_2019_5736_attacker.c" ||
        fail "cannot build the attacker"
}

# expect_docker_fail STATUS MESSAGE ARGS...: `docker ARGS` fails with STATUS and, on its first
# stderr line, MESSAGE (docker's `Error response from daemon: `, `Error: ` or `docker: ` taken
# off): the
# words ferry gives, checked against docker's. For use after docker_up.
expect_docker_fail() {
    local want_status=$1 want=$2 status=0 got
    shift 2
    got=$("$DOCKER" "$@" 2>&1 >/dev/null) || status=$?
    got=$(printf '%s\n' "$got" | head -1 | sed -e 's/^docker: //' -e 's/^Error response from daemon: //' -e 's/^Error: //')
    [ "$status" = "$want_status" ] || fail "docker $*: exit status $status, expected $want_status ($got)"
    expect_eq "$got" "$want" "docker $* (the message ferry gives)"
}

# free_subid_start: the start of a subordinate id range of 65536 that overlaps none in
# /etc/subuid and /etc/subgid (past the highest one there, at least 1000000), for a test user
# whose range is given by the test (and removed with the user).
free_subid_start() {
    awk -F: 'BEGIN { top = 1000000 } NF >= 3 && $2 + $3 > top { top = $2 + $3 }
        END { print int((top + 65535) / 65536) * 65536 }' /etc/subuid /etc/subgid 2>/dev/null
}
