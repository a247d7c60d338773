#!/usr/bin/env bash
# The archive benchmark (issue 2, point 8): `ferry load` / `ferry save` side by side with
# docker's and podman's on the same ~1.3 GB two-layer image, in one run.
#
#   bench/archive.sh [FERRY_BINARY]        (default build/ferry; `make bench` runs it)
#
# 1. Builds the image once and caches it in $FERRY_BENCH_CACHE (default bench/.cache): a Debian
#    bookworm minbase tree from debootstrap, then bench/make_env_image.py turns it and the CUDA
#    libraries (or random data of their shape) into a deterministic docker-archive, env.tar.
# 2. Times each tool with hyperfine (--runs $FERRY_BENCH_RUNS, default 5), resetting state before
#    every run (`rmi`, or wiping ferry's store); the archive stays in the page cache throughout,
#    as all tools read the same warm file. docker is Debian's (/usr/bin/docker; dockerd is
#    started here if `docker info` fails, and stopped at the end); podman uses a private store
#    under the cache and a containers.conf (runc, nofile/nproc <= 1024: this machine's process
#    lacks CAP_SYS_RESOURCE) passed through CONTAINERS_CONF, so the system's config is untouched.
# 3. Prints medians, the docker/ferry and podman/ferry ratios next to the targets, ferry's peak
#    memory (max RSS from /usr/bin/time -v) and whether the image ID and diff IDs survive
#    ferry load -> save byte for byte.
# Missed targets are reported, not failed: the exit status is non-zero only on errors. Until ferry
# has `load`, its rows are skipped with a note.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
FERRY=${1:-$repo/build/ferry}
cache=${FERRY_BENCH_CACHE:-$here/.cache}
runs=${FERRY_BENCH_RUNS:-5}
tag=ferry-bench/env:latest
DOCKER=/usr/bin/docker
python=/usr/bin/python3
[ -x "$python" ] || python=python3

note() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, dockerd and rootful podman need it)"
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh --bench"
done
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# The commands below are also handed to hyperfine as strings, hence split on spaces.
case "$cache$FERRY" in
    *[[:space:]]*) die "paths with spaces are not supported: $cache, $FERRY" ;;
esac
work="$cache/run"
rm -rf "$work"
mkdir -p "$work"

# ---------------------------------------------------------------------------------------------
# The image.

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

build_image() {
    local rootfs="$cache/bookworm-minbase"
    if [ ! -e "$rootfs.done" ]; then
        command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/setup.sh --bench"
        local mirror
        mirror=$(debian_mirror)
        note "debootstrap --variant=minbase bookworm from $mirror (once; cached in $rootfs)"
        rm -rf "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
            die "debootstrap failed; see $cache/debootstrap.log"
        touch "$rootfs.done"
    fi
    local image="$cache/env.tar"
    if [ ! -e "$image" ] || [ "$here/make_env_image.py" -nt "$image" ] ||
       [ "$repo/tests/fixtures/imagelib.py" -nt "$image" ] || [ "$rootfs.done" -nt "$image" ]; then
        note "building $image"
        "$python" "$here/make_env_image.py" --rootfs "$rootfs" -o "$image" >"$cache/env.json"
    fi
}

build_image
archive="$cache/env.tar"
read -r image_id archive_desc < <("$python" - "$cache/env.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["image_id"], f"{sum(d['layer_bytes']) / 1e9:.2f} GB in {len(d['diff_ids'])} layers, "
      f"libraries: {d['libs']} ({d['lib_files']} files)")
EOF
)
cat "$archive" >/dev/null  # warm the page cache for every tool alike

# ---------------------------------------------------------------------------------------------
# The tools.

have_ferry=0
if [ -x "$FERRY" ] && "$FERRY" load --help >/dev/null 2>&1; then
    have_ferry=1
else
    note "skipping ferry: \`$FERRY load --help\` does not work (ferry load/save not built yet?)"
fi

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
trap stop_dockerd EXIT
if [ -x "$DOCKER" ]; then
    if ! "$DOCKER" info >/dev/null 2>&1 && command -v dockerd >/dev/null; then
        note "starting dockerd (log: $cache/dockerd.log)"
        dockerd >"$cache/dockerd.log" 2>&1 &
        started_dockerd=$!
        for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    if "$DOCKER" info >/dev/null 2>&1; then
        have_docker=1
    else
        note "skipping docker: dockerd does not answer (see $cache/dockerd.log)"
    fi
else
    note "skipping docker: $DOCKER is missing (Debian package docker.io)"
fi

have_podman=0
podman_conf="$cache/containers.conf"
if command -v podman >/dev/null; then
    cat >"$podman_conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
EOF
    have_podman=1
else
    note "skipping podman: not installed (Debian package podman)"
fi
PODMAN="env CONTAINERS_CONF=$podman_conf podman --root $cache/podman/root --runroot $cache/podman/run"
ferry_store="$cache/ferry-store"
FERRY_CMD="$FERRY --root $ferry_store"

# ---------------------------------------------------------------------------------------------
# Timing.

failed=0
# bench NAME PREPARE COMMAND: hyperfine one command; results in $work/NAME.json.
bench() {
    local name=$1 prepare=$2 cmd=$3
    note "timing $name: $cmd"
    if ! hyperfine --runs "$runs" --style basic --export-json "$work/$name.json" \
            --prepare "$prepare" -n "$name" "$cmd" >"$work/$name.log" 2>&1; then
        note "$name failed; see $work/$name.log"
        tail -5 "$work/$name.log" >&2
        rm -f "$work/$name.json"
        failed=1
    fi
}

# Each ferry run loads into an empty store. The previous store is renamed aside rather than
# deleted: on ext4, creating thousands of files right after deleting thousands costs about 1 ms
# per file (the inode allocator skips recently freed inodes, find_inode_bit/recently_deleted),
# which would measure the preparation step, not the load. The stores are deleted at the end.
ferry_trash="$cache/ferry-trash"
mkdir -p "$ferry_trash"
if [ $have_ferry = 1 ]; then
    bench ferry-load "sh -c 'if [ -e $ferry_store ]; then mv $ferry_store $ferry_trash/\$(date +%s%N); fi'" \
        "$FERRY_CMD load -i $archive"
fi
if [ $have_docker = 1 ]; then
    "$DOCKER" rmi -f "$tag" >/dev/null 2>&1 || true
    bench docker-load "$DOCKER rmi -f $tag >/dev/null 2>&1 || true" "$DOCKER load -i $archive"
fi
if [ $have_podman = 1 ]; then
    bench podman-load "$PODMAN rmi -f $tag >/dev/null 2>&1 || true" "$PODMAN load -i $archive"
fi

if [ -e "$work/ferry-load.json" ]; then
    bench ferry-save "rm -f $work/ferry-save.tar" "$FERRY_CMD save -o $work/ferry-save.tar $tag"
fi
if [ -e "$work/docker-load.json" ]; then
    bench docker-save "rm -f $work/docker-save.tar" "$DOCKER save -o $work/docker-save.tar $tag"
fi
if [ -e "$work/podman-load.json" ]; then
    bench podman-save "rm -f $work/podman-save.tar" "$PODMAN save -o $work/podman-save.tar $tag"
fi

# Peak memory of one more ferry load and save, and the round trip check on that save.
# max_rss_mb LOG: the maximum resident set size /usr/bin/time -v reported, in MB.
max_rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }
ferry_load_rss="" ferry_save_rss="" podman_load_rss="" roundtrip=""
if [ -e "$work/ferry-load.json" ]; then
    mv "$ferry_store" "$ferry_trash/last"
    if /usr/bin/time -v -o "$work/ferry-load.time" $FERRY_CMD load -i "$archive" \
            >"$work/ferry-load.out" 2>&1; then
        ferry_load_rss=$(max_rss_mb "$work/ferry-load.time")
    else
        note "ferry load under /usr/bin/time failed: $(tail -1 "$work/ferry-load.out")"; failed=1
    fi
fi
if [ -e "$work/ferry-save.json" ]; then
    rm -f "$work/ferry-save.tar"
    if /usr/bin/time -v -o "$work/ferry-save.time" $FERRY_CMD save -o "$work/ferry-save.tar" "$tag" \
            >"$work/ferry-save.out" 2>&1; then
        ferry_save_rss=$(max_rss_mb "$work/ferry-save.time")
        roundtrip=$("$python" "$repo/tests/fixtures/archive_ids.py" "$archive" "$work/ferry-save.tar") ||
            failed=1
    else
        note "ferry save under /usr/bin/time failed: $(tail -1 "$work/ferry-save.out")"; failed=1
    fi
fi
if [ -e "$work/podman-load.json" ]; then
    $PODMAN rmi -f "$tag" >/dev/null 2>&1 || true
    if /usr/bin/time -v -o "$work/podman-load.time" $PODMAN load -i "$archive" >/dev/null 2>&1; then
        podman_load_rss=$(max_rss_mb "$work/podman-load.time")
    fi
fi

# Leave nothing big behind but the cached archive and debootstrap tree.
[ $have_docker = 1 ] && { "$DOCKER" rmi -f "$tag" >/dev/null 2>&1 || true; }
[ $have_podman = 1 ] && { $PODMAN rmi -f "$tag" >/dev/null 2>&1 || true; }
rm -rf "$ferry_store" "$ferry_trash" "$work"/*.tar

# ---------------------------------------------------------------------------------------------
# Report.

"$python" - "$work" "$archive_desc" "$image_id" "$runs" "$(nproc)" \
    "$ferry_load_rss" "$ferry_save_rss" "$podman_load_rss" "$roundtrip" "$have_ferry" <<'EOF'
import json, os, sys
work, desc, image_id, runs, cpus, load_rss, save_rss, podman_rss, roundtrip, have_ferry = sys.argv[1:]

def result(name):
    path = os.path.join(work, name + ".json")
    return json.load(open(path))["results"][0] if os.path.exists(path) else None

def median(name):
    r = result(name)
    return r["median"] if r else None

print()
print(f"archive benchmark: {desc}; image {image_id[:19]}...; "
      f"median of {runs} runs; {cpus} CPUs")
print(f"{'':6}{'ferry':>10}{'docker':>10}{'podman':>10}{'docker/ferry':>14}"
      f"{'podman/ferry':>14}   target")
for op in ("load", "save"):
    f, d, p = (median(f"{tool}-{op}") for tool in ("ferry", "docker", "podman"))
    cell = lambda v: f"{v:9.2f}s" if v is not None else f"{'-':>10}"
    ratio = lambda v: f"{v / f:13.1f}x" if v is not None and f else f"{'-':>14}"
    verdict = ""
    if f and d:
        verdict = "  (met)" if d / f >= 5 else "  (MISSED)"
    print(f"{op:6}{cell(f)}{cell(d)}{cell(p)}{ratio(d)}{ratio(p)}   >= 5x docker{verdict}")

def mem(label, value):
    if not value:
        return
    verdict = "met" if float(value) < 64 else "MISSED"
    print(f"ferry {label} peak memory: {value} MB   target < 64 MB ({verdict})")

for op in ("load", "save"):
    for tool in ("ferry", "docker", "podman"):
        r = result(f"{tool}-{op}")
        if r:
            print(f"  {tool} {op}: mean {r['mean']:.2f} s +- {r['stddev']:.2f}, "
                  f"min {r['min']:.2f} s, max {r['max']:.2f} s")
mem("load", load_rss)
mem("save", save_rss)
if podman_rss:
    print(f"podman load peak memory: {podman_rss} MB (for reference)")
if roundtrip:
    print(f"ferry load -> save: {roundtrip}")
if have_ferry != "1":
    print("ferry: skipped (its `load` does not work yet); docker and podman rows only")
EOF
exit $failed
