#!/usr/bin/env bash
# The build benchmark (issue 12, point 5): `ferry build` side by side with `docker build` and
# `podman build` (buildah) on the same Dockerfiles and the same Debian base, in one run.
#
#   bench/build.sh [FERRY_BINARY]        (default build/ferry)
#
# (a) 20 small steps (7 RUN, 6 ENV, 7 COPY) on the Debian base (debootstrap --variant=minbase
#     bookworm, cached by bench/lib.sh), built from nothing: ferry and podman with --no-cache,
#     docker with --no-cache (Debian's docker.io 20.10 without buildx: its classic builder;
#     BuildKit is not installable here, so the comparison is with what docker builds here).
#     Target: ferry <= 1/5 of docker's time.
# (b) the same build again, every step cached. Target: ferry <= 150 ms.
# (c) a context of $FERRY_BENCH_CONTEXT_MB MB (default 1024) of random files with one COPY:
#     time and peak RSS of the build command (docker's client tars the context to the daemon;
#     ferry reads it in place). Target: ferry's peak memory <= 64 MB.
# (d) a deep-learning Dockerfile (apt packages, a pip install from local wheels, a multi-stage
#     copy) is not measured yet: its apt and pip steps need this machine's package mirror inside
#     the build and the wheels prepared beforehand.
# hyperfine runs: $FERRY_BENCH_BUILD_RUNS (default 5) for (a) and (b), 3 for (c). Medians and
# ratios are printed; missed targets are reported, not failed.
set -euo pipefail

FERRY=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}
source "$(dirname "$0")/lib.sh"
bench_init debootstrap
runs=${FERRY_BENCH_BUILD_RUNS:-5}
context_mb=${FERRY_BENCH_CONTEXT_MB:-1024}

work=$(mktemp -d /var/tmp/ferry-build-bench-XXXXXX)
export FERRY_ROOT=$work/ferry
img=ferry-bench/debian:build
at_exit "rm -rf $work; deletions_done"
# RUN steps use ferry's default bridge: its link and rules go before the store does.
at_exit "$FERRY __network-teardown >/dev/null 2>&1"

# The base: the cached minbase tree as one layer, imported by every tool.
rootfs="$cache/bookworm-minbase"
if [ ! -e "$rootfs.done" ]; then
    note "debootstrap --variant=minbase bookworm (once; cached in $rootfs)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" \
        >"$cache/debootstrap.log" 2>&1 || die "debootstrap failed; see $cache/debootstrap.log"
    touch "$rootfs.done"
fi
tar -C "$rootfs" -cf "$work/base.tar" .
"$FERRY" import -q "$work/base.tar" "$img" >/dev/null
start_docker
if [ "$have_docker" = 1 ]; then
    "$DOCKER" import "$work/base.tar" "$img" >/dev/null
    at_exit "$DOCKER rmi -f $img ferry-bench/built:a ferry-bench/built:c >/dev/null 2>&1"
fi
setup_podman "$work/podman"
[ "$have_podman" = 0 ] || $PODMAN import -q "$work/base.tar" "$img" >/dev/null

# (a) and (b): the Dockerfile and its context.
small=$work/small
mkdir -p "$small"
{
    echo "FROM $img"
    for i in 1 2 3 4 5 6 7; do
        echo "data $i" >"$small/f$i"
        echo "ENV STEP$i=$i"
        echo "RUN echo step $i > /tmp/r$i && ls /tmp >/dev/null"
        echo "COPY f$i /opt/f$i"
    done
} | head -21 >"$small/Dockerfile"
[ "$(grep -vc '^FROM' "$small/Dockerfile")" = 20 ] || die "the small Dockerfile has not 20 steps"

settle_deletions
sync
bench ferry-cold "$FERRY build -q --no-cache -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
bench ferry-warm "$FERRY build -q -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
if [ "$have_docker" = 1 ]; then
    bench docker-cold "env DOCKER_BUILDKIT=0 $DOCKER build -q --no-cache -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
    bench docker-warm "env DOCKER_BUILDKIT=0 $DOCKER build -q -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
fi
if [ "$have_podman" = 1 ]; then
    bench podman-cold "$PODMAN build -q --no-cache -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
    bench podman-warm "$PODMAN build -q -t ferry-bench/built:a $small" --runs "$runs" --warmup 1
fi

# (c): a large context, one COPY; time and peak memory of each build command.
big=$work/big
mkdir -p "$big/data"
note "writing a ${context_mb} MB context"
for i in $(seq "$context_mb"); do
    head -c 1048576 /dev/urandom >"$big/data/f$i"
done
printf 'FROM %s\nCOPY data /data\n' "$img" >"$big/Dockerfile"
peak() {  # peak NAME COMMAND...: one run's elapsed seconds and peak RSS (kB) to $work/NAME.peak
    sync
    /usr/bin/time -f '%e %M' -o "$work/$1.peak" "${@:2}" >/dev/null 2>"$work/$1.err" ||
        { note "$1 failed: $(tail -3 "$work/$1.err")"; failed=1; rm -f "$work/$1.peak"; }
}
peak ferry-context "$FERRY" build -q --no-cache -t ferry-bench/built:c "$big"
[ "$have_docker" = 0 ] ||
    peak docker-context env DOCKER_BUILDKIT=0 "$DOCKER" build -q --no-cache -t ferry-bench/built:c "$big"
[ "$have_podman" = 0 ] ||
    peak podman-context $PODMAN build -q --no-cache -t ferry-bench/built:c "$big"

"$python" - "$work" "$context_mb" <<'EOF'
import json, os, sys
work, mb = sys.argv[1], sys.argv[2]
def med(name):
    p = os.path.join(work, name + ".json")
    return json.load(open(p))["results"][0]["median"] if os.path.exists(p) else None
def peak(name):
    p = os.path.join(work, name + ".peak")
    if not os.path.exists(p): return None
    s, kb = open(p).read().split()[-2:]
    return float(s), int(kb) / 1024
def ok(b): return "met" if b else "MISSED"
print("ferry build vs docker build (classic builder, docker 20.10) vs podman build (buildah)")
print("(a) 20 small steps on Debian minbase, no cache; (b) the same, every step cached:")
for case in ("cold", "warm"):
    f, d, p = med("ferry-" + case), med("docker-" + case), med("podman-" + case)
    line = f"  {case:5} ferry {f * 1e3:8.1f} ms" if f else f"  {case:5} ferry  failed"
    if d: line += f"   docker {d * 1e3:8.1f} ms ({d / f:.1f}x ferry)" if f else ""
    if p: line += f"   podman {p * 1e3:8.1f} ms ({p / f:.1f}x ferry)" if f else ""
    print(line)
f, d = med("ferry-cold"), med("docker-cold")
if f and d: print(f"  target (a) ferry <= 1/5 of docker: {d / f:.1f}x: {ok(f * 5 <= d)}")
w = med("ferry-warm")
if w: print(f"  target (b) cached rebuild <= 150 ms: {w * 1e3:.1f} ms: {ok(w <= 0.150)}")
print(f"(c) a {mb} MB context, one COPY (one run each):")
for tool in ("ferry", "docker", "podman"):
    r = peak(tool + "-context")
    if r: print(f"  {tool:6} {r[0]:7.2f} s   peak RSS {r[1]:7.1f} MB")
r = peak("ferry-context")
if r: print(f"  target (c) ferry's peak memory <= 64 MB: {ok(r[1] <= 64)}")
print(f"load average: {open('/proc/loadavg').read().split()[0]}")
EOF
exit "$failed"
