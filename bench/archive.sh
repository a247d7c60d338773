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
# has `load`, its rows are skipped with a note. The set-up shared with bench/run.sh (image,
# dockerd, podman, hyperfine) is in bench/lib.sh.
set -euo pipefail

FERRY=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}
source "$(dirname "$0")/lib.sh"
bench_init
runs=${FERRY_BENCH_RUNS:-5}
tag=ferry-bench/env:latest
work="$cache/run"
rm -rf "$work"
mkdir -p "$work"

build_env_image
cat "$archive" >/dev/null  # warm the page cache for every tool alike
settle_deletions

# ---------------------------------------------------------------------------------------------
# The tools.

have_ferry=0
if [ -x "$FERRY" ] && "$FERRY" load --help >/dev/null 2>&1; then
    have_ferry=1
else
    note "skipping ferry: \`$FERRY load --help\` does not work (ferry load/save not built yet?)"
fi
start_docker
setup_podman "$cache/podman"
ferry_store="$cache/ferry-store"
FERRY_CMD="$FERRY --root $ferry_store"

# ---------------------------------------------------------------------------------------------
# Timing.

# Each ferry run loads into an empty store. The previous store is renamed aside rather than
# deleted: on ext4, creating thousands of files right after deleting thousands costs about 1 ms
# per file (the inode allocator skips recently freed inodes, find_inode_bit/recently_deleted),
# which would measure the preparation step, not the load. The stores are deleted at the end.
ferry_trash="$cache/ferry-trash"
mkdir -p "$ferry_trash"
if [ $have_ferry = 1 ]; then
    bench ferry-load "$FERRY_CMD load -i $archive" --runs "$runs" \
        --prepare "sh -c 'if [ -e $ferry_store ]; then mv $ferry_store $ferry_trash/\$(date +%s%N); fi; sync'"
fi
if [ $have_docker = 1 ]; then
    "$DOCKER" rmi -f "$tag" >/dev/null 2>&1 || true
    bench docker-load "$DOCKER load -i $archive" --runs "$runs" \
        --prepare "sh -c '$DOCKER rmi -f $tag >/dev/null 2>&1; sync'"
fi
if [ $have_podman = 1 ]; then
    bench podman-load "$PODMAN load -i $archive" --runs "$runs" \
        --prepare "sh -c '$PODMAN rmi -f $tag >/dev/null 2>&1; sync'"
fi

if [ -e "$work/ferry-load.json" ]; then
    bench ferry-save "$FERRY_CMD save -o $work/ferry-save.tar $tag" --runs "$runs" \
        --prepare "sh -c 'rm -f $work/ferry-save.tar; sync'"
fi
if [ -e "$work/docker-load.json" ]; then
    bench docker-save "$DOCKER save -o $work/docker-save.tar $tag" --runs "$runs" \
        --prepare "sh -c 'rm -f $work/docker-save.tar; sync'"
fi
if [ -e "$work/podman-load.json" ]; then
    bench podman-save "$PODMAN save -o $work/podman-save.tar $tag" --runs "$runs" \
        --prepare "sh -c 'rm -f $work/podman-save.tar; sync'"
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
deletions_done

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
print("  (each load and save starts after `sync`, so no run pays for the dirty pages of the one")
print("  before; ferry's `save -o` fsyncs the archive before it renames")
print("  it into place, docker's and podman's leave it in the page cache)")

def mem(label, value):
    if not value:
        return
    verdict = "met" if float(value) < 64 else "MISSED"
    print(f"ferry {label} peak memory: {value} MB   target < 64 MB ({verdict})")

for op in ("load", "save"):
    for tool in ("ferry", "docker", "podman"):
        r = result(f"{tool}-{op}")
        if r:
            print(f"  {tool} {op}: mean {r['mean']:.2f} s +- {r['stddev'] or 0:.2f}, "
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
