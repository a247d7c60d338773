# Shared set-up of ferry's benchmarks, sourced by bench/archive.sh and bench/run.sh (bash, with
# set -euo pipefail). It provides:
#   - note/die, the root and tool checks and the cache directory ($cache: $FERRY_BENCH_CACHE,
#     default bench/.cache) in bench_init;
#   - at_exit, hooks run in reverse order when the script exits (also on SIGINT/SIGTERM);
#   - build_env_image, the ~1.3 GB two-layer environment image (debootstrap minbase + the CUDA
#     libraries or random data of their shape) cached as $cache/env.tar, rebuilt only when its
#     builder's sources change;
#   - start_docker: Debian's docker (/usr/bin/docker), with a dockerd started here if `docker info`
#     fails and stopped at exit;
#   - setup_podman DIR: podman with a private store under DIR and a containers.conf (runc,
#     nofile/nproc <= 1024: this machine's process lacks CAP_SYS_RESOURCE) passed through
#     CONTAINERS_CONF, so the system's configuration and store are untouched;
#   - deletions_done/settle_deletions: a pause between one benchmark's clean-up and the next
#     one's measurements (see below);
#   - bench: one hyperfine measurement exported as JSON.
# The commands are also handed to hyperfine as strings, hence split on spaces: paths with spaces
# are refused.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
DOCKER=/usr/bin/docker
python=/usr/bin/python3
[ -x "$python" ] || python=python3
failed=0

note() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

# at_exit COMMAND: runs COMMAND (with eval) when the script exits, before the hooks added earlier.
exit_hooks=()
at_exit() { exit_hooks=("$1" "${exit_hooks[@]}"); }
run_exit_hooks() {
    local rc=$? hook
    trap - EXIT
    for hook in "${exit_hooks[@]}"; do eval "$hook" || true; done
    exit "$rc"
}
trap run_exit_hooks EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_init [TOOL...]: checks that we are root and have hyperfine, /usr/bin/time and the TOOLs;
# makes the cache directory and sets $cache to its absolute path.
bench_init() {
    [ "$(id -u)" = 0 ] || die "run as root (debootstrap, dockerd and rootful podman need it)"
    local tool
    for tool in hyperfine /usr/bin/time "$@"; do
        command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh --bench"
    done
    cache=${FERRY_BENCH_CACHE:-$bench_dir/.cache}
    mkdir -p "$cache"
    cache=$(cd "$cache" && pwd)
    case "$cache${FERRY:-}" in
        *[[:space:]]*) die "paths with spaces are not supported: $cache, ${FERRY:-}" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# The environment image.

# The Debian mirror apt uses here (debootstrap reads no apt configuration).
debian_mirror() {
    if [ -n "${FERRY_BENCH_MIRROR:-}" ]; then echo "$FERRY_BENCH_MIRROR"; return; fi
    local uri
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
          /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++)
                                   if ($i ~ /^https?:/) { print $i; exit } }' \
                           /etc/apt/sources.list 2>/dev/null | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}

# build_env_image: makes sure $cache/env.tar is current and sets $archive (its path), $image_id
# and $archive_desc (a one-line description). The archive is rebuilt when the debootstrap tree
# is newer or the sources of its builder changed (compared by content, recorded in
# env.inputs: a fresh checkout's file times say nothing).
build_env_image() {
    local rootfs="$cache/bookworm-minbase"
    archive="$cache/env.tar"
    local inputs
    inputs=$(cat "$bench_dir/make_env_image.py" "$repo/tests/fixtures/imagelib.py" | sha256sum)
    if [ -e "$archive" ] && [ -e "$cache/env.json" ] &&
       [ "$(cat "$cache/env.inputs" 2>/dev/null)" = "$inputs" ] &&
       ! [ "$rootfs.done" -nt "$archive" ]; then
        :
    else
        if [ ! -e "$rootfs.done" ]; then
            command -v debootstrap >/dev/null ||
                die "debootstrap is missing: run scripts/setup.sh --bench"
            local mirror
            mirror=$(debian_mirror)
            note "debootstrap --variant=minbase bookworm from $mirror (once; cached in $rootfs)"
            rm -rf "$rootfs"
            debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
                >"$cache/debootstrap.log" 2>&1 ||
                die "debootstrap failed; see $cache/debootstrap.log"
            touch "$rootfs.done"
        fi
        note "building $archive"
        rm -f "$cache/env.inputs"
        "$python" "$bench_dir/make_env_image.py" --rootfs "$rootfs" -o "$archive" \
            >"$cache/env.json"
        echo "$inputs" >"$cache/env.inputs"
    fi
    read -r image_id archive_desc < <("$python" - "$cache/env.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["image_id"], f"{sum(d['layer_bytes']) / 1e9:.2f} GB in {len(d['diff_ids'])} layers, "
      f"libraries: {d['libs']} ({d['lib_files']} files)")
EOF
)
}

# ---------------------------------------------------------------------------------------------
# docker and podman.

have_docker=0
started_dockerd=""
stop_dockerd() {
    if [ -n "$started_dockerd" ]; then
        note "stopping the dockerd this script started (pid $started_dockerd)"
        kill "$started_dockerd" 2>/dev/null || true
        for _ in $(seq 60); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
        started_dockerd=""
    fi
}

# start_docker: sets have_docker=1 when Debian's docker answers, starting dockerd if needed
# (log in $cache/dockerd.log; stopped at exit).
start_docker() {
    if [ ! -x "$DOCKER" ]; then
        note "skipping docker: $DOCKER is missing (Debian package docker.io)"
        return
    fi
    if ! "$DOCKER" info >/dev/null 2>&1 && command -v dockerd >/dev/null; then
        note "starting dockerd (log: $cache/dockerd.log)"
        dockerd >"$cache/dockerd.log" 2>&1 &
        started_dockerd=$!
        at_exit stop_dockerd
        for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    if "$DOCKER" info >/dev/null 2>&1; then
        have_docker=1
    else
        note "skipping docker: dockerd does not answer (see $cache/dockerd.log)"
    fi
}

# setup_podman DIR: sets have_podman=1 if podman is installed and $PODMAN to a podman command
# line with its store (root and runroot) under DIR.
have_podman=0
PODMAN=false
setup_podman() {
    local dir=$1
    if ! command -v podman >/dev/null; then
        note "skipping podman: not installed (Debian package podman)"
        return
    fi
    local conf="$cache/containers.conf"
    cat >"$conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
EOF
    PODMAN="env CONTAINERS_CONF=$conf podman --root $dir/root --runroot $dir/run"
    have_podman=1
}

# ---------------------------------------------------------------------------------------------
# Timing.

# bench NAME COMMAND [HYPERFINE_OPTION...]: times COMMAND with hyperfine (runs, warm-up and
# preparation given as options); the results go to $work/NAME.json, the output to
# $work/NAME.log. On failure it says so, removes the JSON and sets failed=1.
bench() {
    local name=$1 cmd=$2
    shift 2
    note "timing $name: $cmd"
    if ! hyperfine --style basic --export-json "$work/$name.json" "$@" -n "$name" "$cmd" \
            >"$work/$name.log" 2>&1; then
        note "$name failed; see $work/$name.log"
        tail -5 "$work/$name.log" >&2
        rm -f "$work/$name.json"
        failed=1
    fi
}

# ext4 without a journal (as on the development VM) does not reuse an inode within 60 s of its
# deletion (300 s while its inode table block is dirty): the allocator reads and skips each such
# inode (find_inode_bit/recently_deleted), so creating files right after tens of thousands were
# deleted costs up to about 1 ms per file, in every tool, for minutes. The benchmarks delete that
# many when they clean up (an unpacked 1.3 GB image is ~10000 files), so each marks the time it
# did (deletions_done) and waits, before it measures, until $FERRY_BENCH_SETTLE seconds (default
# 120: dirty inode blocks are written back within about 35 s) have passed since the last mark
# (settle_deletions). `make bench` runs archive.sh and then run.sh: the second waits.
deletions_done() { touch "$cache/deleted.stamp"; }
settle_deletions() {
    local settle=${FERRY_BENCH_SETTLE:-120} stamp="$cache/deleted.stamp" age
    [ -e "$stamp" ] || return 0
    age=$(($(date +%s) - $(stat -c %Y "$stamp")))
    if [ "$age" -lt "$settle" ]; then
        note "waiting $((settle - age)) s: a benchmark deleted many files here $age s ago" \
             "(ext4 skips recently freed inodes; FERRY_BENCH_SETTLE=0 skips this wait)"
        sleep $((settle - age))
    fi
}

# load_average: the 1, 5 and 15 minute load averages.
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# median_of NAME: the median seconds of bench NAME's result, with two decimals ("-" if none).
median_of() {
    "$python" -c 'import json, sys
try:
    print("%.2f" % json.load(open(sys.argv[1]))["results"][0]["median"])
except OSError:
    print("-")' "$work/$1.json"
}
