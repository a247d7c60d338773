#!/usr/bin/env bash
# The container benchmark (issue 3, point 8): ferry's container start, exec and density side by
# side with docker's, podman's, runc's and the kernel's floor, in one run.
#
#   bench/run.sh [FERRY_BINARY]        (default build/ferry; `make bench` runs it)
#
# 1. `run --rm IMG true` latency of ferry, docker (Debian's, /usr/bin/docker), podman (runc,
#    ulimits lowered), `runc run` on a bundle made by `runc spec`, and the floor: `unshare --fork
#    --pid --mount --uts --ipc --net chroot ROOT true`. All use the same busybox-static root file
#    system (built here; imported by `ferry import`, `docker import`, `podman import`). hyperfine
#    without a shell (-N), $FERRY_BENCH_WARMUP warm-up runs (default 5), $FERRY_BENCH_FAST_RUNS
#    runs of the fast commands (default 100) and $FERRY_BENCH_SLOW_RUNS of docker's and podman's
#    (default 30). Each tool uses its defaults: docker and podman give the container a bridged
#    network, ferry the host's (its default), runc and the floor an empty network namespace.
# 2. `exec C true` latency into a running `sleep 3600` container, ferry vs docker vs podman.
# 3. Density A: $FERRY_BENCH_CREATES containers (default 1000) created, not started, from the
#    1.3 GB image of bench/archive.sh (its cached env.tar), and $FERRY_BENCH_DOCKER_CREATES (200)
#    with docker: extra disk per container (du of ferry's store, of /var/lib/docker, before and
#    after) and the time per create. /var/lib/docker is shared with whatever else uses this
#    dockerd, so its figure is only as good as the machine is quiet.
# 4. Density B: $FERRY_BENCH_DETACHED (100) detached `sleep 3600` containers per tool: the
#    memory (RSS and PSS from /proc/PID/smaps_rollup) of each container's supervisor, that is
#    ferry-monitor, podman's conmon and docker's containerd-shim (the parent of the container's
#    init); then all are removed and the script checks that no container, process, mount or
#    state directory is left.
#    Density A is measured first and removed last, and measuring starts only once
#    $FERRY_BENCH_SETTLE seconds have passed since a benchmark last deleted many files here (on
#    ext4 without a journal that slows creating files for minutes: see bench/lib.sh).
# 5. Prints a table of medians, ratios and targets, and the load average (the machine may be
#    shared: rerun when it was high). ferry's store, podman's store and runc's state are private
#    directories under $FERRY_BENCH_CACHE/containers; docker's containers are named
#    ferry-bench-run-* (two runs of this script against one dockerd at once are not supported).
#    Everything is removed at the end, also on failure.
# Missed targets are reported, not failed: the exit status is non-zero only on errors.
set -euo pipefail

FERRY=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}
source "$(dirname "$0")/lib.sh"
bench_init unshare chroot runc busybox
runs_fast=${FERRY_BENCH_FAST_RUNS:-100}
runs_slow=${FERRY_BENCH_SLOW_RUNS:-30}
warmup=${FERRY_BENCH_WARMUP:-5}
n_create=${FERRY_BENCH_CREATES:-1000}
n_docker_create=${FERRY_BENCH_DOCKER_CREATES:-200}
n_detached=${FERRY_BENCH_DETACHED:-100}
[ "$n_docker_create" -le "$n_create" ] || n_docker_create=$n_create

prefix=ferry-bench-run
img=ferry-bench/busybox:run
env_tag=ferry-bench/env:latest  # the reference in env.tar
env_img=ferry-bench/env:run     # docker's name for it here (env_tag may belong to archive.sh)
work="$cache/containers"
rootfs="$work/rootfs"
ferry_store="$work/ferry-store"
FERRY_CMD="$FERRY --root $ferry_store"
# ferry keeps a custom store's runtime state in /run/ferry/<FNV-1a of the store path> (see
# src/core/context.cpp); needed only to check that nothing is left there.
ferry_run_root=/run/ferry/$("$python" -c '
import sys
h = 1469598103934665603
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) % (1 << 64)
print(f"{h:016x}")' "$ferry_store")
runc_state="$work/runc-state"
RUNC="runc --root $runc_state"

[ -x "$FERRY" ] || die "$FERRY is not an executable (build ferry first: make build)"
start_docker
setup_podman "$work/podman"

# ---------------------------------------------------------------------------------------------
# Clean-up: idempotent; run before starting (a previous run may have been killed) and at exit.

# rm_all LIST_COMMAND RM_COMMAND: removes, 100 at a time, the containers LIST_COMMAND prints.
rm_all() {
    local ids
    ids=$(eval "$1" 2>/dev/null) || return 0
    [ -z "$ids" ] || echo "$ids" | xargs -r -n 100 $2 >/dev/null 2>&1 || true
}

# umount_under DIR: unmounts whatever is mounted under DIR, deepest first.
umount_under() {
    awk -v d="$1/" '{ gsub(/\\040/, " ", $5); if (index($5 "/", d) == 1) print $5 }' \
        /proc/self/mountinfo | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

cleanup() {
    if [ -d "$ferry_store" ]; then
        rm_all "$FERRY_CMD ps -aq --no-trunc" "$FERRY_CMD rm -f"
    fi
    if [ "$have_docker" = 1 ]; then
        rm_all "$DOCKER ps -aq --filter name=^$prefix-" "$DOCKER rm -f"
        "$DOCKER" rmi "$img" "$env_img" >/dev/null 2>&1 || true
    fi
    if [ "$have_podman" = 1 ] && [ -d "$work/podman" ]; then
        $PODMAN rm -af -t 0 >/dev/null 2>&1 || true
        $PODMAN rmi -af >/dev/null 2>&1 || true
    fi
    if [ -d "$runc_state" ]; then
        $RUNC delete -f "$prefix" >/dev/null 2>&1 || true
    fi
    umount_under "$work"
    if [ -e "$work" ]; then
        rm -rf "$work" "$ferry_run_root"
        deletions_done
    fi
}
cleanup
at_exit cleanup
mkdir -p "$work"

# ---------------------------------------------------------------------------------------------
# The images.

# The busybox-static root file system: /bin/busybox and a link per applet, the directories the
# runtimes mount over, and a passwd/group for root.
mkdir -p "$rootfs"/{bin,dev,etc,proc,root,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"
tar --numeric-owner -C "$rootfs" -cf "$work/busybox.tar" .
busybox_desc="busybox-static $(busybox | head -1 | awk '{ print $2 }'), $(du -sh --apparent-size \
    "$rootfs" | cut -f1)"

$FERRY_CMD import "$work/busybox.tar" "$img" >/dev/null || die "ferry import failed"
if [ "$have_docker" = 1 ]; then
    "$DOCKER" import "$work/busybox.tar" "$img" >/dev/null || die "docker import failed"
fi
if [ "$have_podman" = 1 ]; then
    $PODMAN import "$work/busybox.tar" "$img" >/dev/null 2>&1 || die "podman import failed"
fi

# runc's bundle: `runc spec` with the command `true`, no terminal, the shared root file system.
mkdir -p "$work/bundle" "$runc_state"
runc spec --bundle "$work/bundle"
"$python" - "$work/bundle/config.json" "$rootfs" <<'EOF'
import json, sys
path, rootfs = sys.argv[1:]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["true"]
spec["root"] = {"path": rootfs, "readonly": True}
json.dump(spec, open(path, "w"), indent=1)
EOF

# ---------------------------------------------------------------------------------------------
# Density A (3. above): containers created from the 1.3 GB image. Measured first, removed last, as
# deleting files slows creating files for a while on this file system (see settle_deletions in
# bench/lib.sh): created after the other phases' deletions, the containers would time that, and
# removed before the other phases, they would slow those.

# disk_usage DIR: bytes allocated and inodes used under DIR (one file system).
disk_usage() { echo "$(du -sx --block-size=1 "$1" | cut -f1) $(du -sx --inodes "$1" | cut -f1)"; }

# create_many TOOL CMD N IMAGE DIR: creates N containers with CMD create, timing each (one
# duration in seconds a line in $work/TOOL-create.times), and writes the disk usage of DIR
# before and after to $work/TOOL-create.disk.
create_many() {
    local tool=$1 cmd=$2 n=$3 image=$4 dir=$5 i t0
    sync
    disk_usage "$dir" >"$work/$tool-create.disk"
    : >"$work/$tool-create.times"
    for ((i = 1; i <= n; i++)); do
        t0=$EPOCHREALTIME
        if ! $cmd create --name "$prefix-a$i" "$image" true >/dev/null; then
            note "$tool create #$i failed"
            failed=1
            break
        fi
        echo "$t0 $EPOCHREALTIME" >>"$work/$tool-create.times"
    done
    sync
    disk_usage "$dir" >>"$work/$tool-create.disk"
}

build_env_image
note "loading $archive into ferry's store"
$FERRY_CMD load -i "$archive" >/dev/null || die "ferry load failed"
if [ "$have_docker" = 1 ]; then
    note "loading $archive into docker"
    had_env_tag=0
    "$DOCKER" image inspect "$env_tag" >/dev/null 2>&1 && had_env_tag=1
    "$DOCKER" load -i "$archive" >/dev/null || die "docker load failed"
    "$DOCKER" tag "$env_tag" "$env_img"
    [ $had_env_tag = 1 ] || "$DOCKER" rmi "$env_tag" >/dev/null
fi
settle_deletions
load_start=$(load_average)
note "creating $n_create containers with ferry"
create_many ferry "$FERRY_CMD" "$n_create" "$env_tag" "$ferry_store"
if [ "$have_docker" = 1 ]; then
    note "creating $n_docker_create containers with docker"
    create_many docker "$DOCKER" "$n_docker_create" "$env_img" /var/lib/docker
fi

# ---------------------------------------------------------------------------------------------
# run --rm latency (1. above), with the density A containers present.

fast=(-N --warmup "$warmup" --runs "$runs_fast")
slow=(-N --warmup "$warmup" --runs "$runs_slow")
bench floor "unshare --fork --pid --mount --uts --ipc --net chroot $rootfs true" "${fast[@]}"
bench runc "$RUNC run --bundle $work/bundle $prefix" "${fast[@]}"
bench ferry-run "$FERRY_CMD run --rm $img true" "${fast[@]}"
if [ "$have_docker" = 1 ]; then bench docker-run "$DOCKER run --rm $img true" "${slow[@]}"; fi
if [ "$have_podman" = 1 ]; then bench podman-run "$PODMAN run --rm $img true" "${slow[@]}"; fi

# ---------------------------------------------------------------------------------------------
# exec latency (2. above).

# exec_bench TOOL CMD RM RUNS: times `CMD exec C true` into a detached sleep container C.
exec_bench() {
    if ! $2 run -d --name "$prefix-exec" "$img" sleep 3600 >/dev/null; then
        note "$1: could not start the exec target"
        failed=1
        return
    fi
    bench "$1-exec" "$2 exec $prefix-exec true" -N --warmup "$warmup" --runs "$4"
    $3 "$prefix-exec" >/dev/null || { note "$1: could not remove $prefix-exec"; failed=1; }
}
ferry_rm="$FERRY_CMD rm -f"
docker_rm="$DOCKER rm -f"
podman_rm="$PODMAN rm -f -t 0"  # podman's rm -f waits 10 s for a PID 1 that ignores SIGTERM
exec_bench ferry "$FERRY_CMD" "$ferry_rm" "$runs_fast"
if [ "$have_docker" = 1 ]; then exec_bench docker "$DOCKER" "$docker_rm" "$runs_slow"; fi
if [ "$have_podman" = 1 ]; then exec_bench podman "$PODMAN" "$podman_rm" "$runs_slow"; fi
load_latency=$(load_average)

# ---------------------------------------------------------------------------------------------
# Density B (4. above): detached sleep containers and the memory of their supervisors.

# supervisors TOOL CMD: starts $n_detached detached containers (times in $work/TOOL-detach.times),
# then writes "PID COMM" of each container's supervisor to $work/TOOL.supervisors: the parent
# of the container's init, or conmon's PID for podman.
supervisors() {
    local tool=$1 cmd=$2 i t0 names=()
    : >"$work/$tool-detach.times"
    for ((i = 1; i <= n_detached; i++)); do
        t0=$EPOCHREALTIME
        if ! $cmd run -d --name "$prefix-b$i" "$img" sleep 3600 >/dev/null; then
            note "$tool run -d #$i failed"
            failed=1
            return
        fi
        echo "$t0 $EPOCHREALTIME" >>"$work/$tool-detach.times"
        names+=("$prefix-b$i")
    done
    local field='{{.State.Pid}}'
    [ "$tool" = podman ] && field='{{.State.ConmonPid}}'
    $cmd inspect -f "$field" "${names[@]}" >"$work/$tool.pids" || { failed=1; return; }
    local pid sup
    while read -r pid; do
        sup=$pid
        [ "$tool" = podman ] ||
            sup=$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        if [ -z "$sup" ] || [ ! -e "/proc/$sup/comm" ]; then
            note "$tool: no supervisor found for the container with PID $pid"
            failed=1
            continue
        fi
        echo "$sup $(cat "/proc/$sup/comm")"
    done <"$work/$tool.pids" >"$work/$tool.supervisors"
    # The memory, after a moment for the supervisors to settle.
    sleep 2
    while read -r sup comm; do
        echo "$sup $comm $(awk '$1 == "Rss:" { r = $2 } $1 == "Pss:" { p = $2 }
                              $1 ~ /^Private_(Clean|Dirty):$/ { u += $2 }
                              END { print r, p, u }' "/proc/$sup/smaps_rollup")"
    done <"$work/$tool.supervisors" >"$work/$tool.memory"
}

# remove_detached TOOL RM: removes the density B containers with RM, 100 at a time, timing it.
remove_detached() {
    local t0=$EPOCHREALTIME
    seq -f "$prefix-b%g" "$n_detached" | xargs -n 100 $2 >/dev/null ||
        { note "$1: removing the detached containers failed"; failed=1; }
    echo "$t0 $EPOCHREALTIME" >"$work/$1-remove.times"
}

note "starting $n_detached detached containers with ferry"
supervisors ferry "$FERRY_CMD"
ferry_monitor_exe=$(readlink "/proc/$(head -1 "$work/ferry.supervisors" | cut -d' ' -f1)/exe" \
    2>/dev/null || true)
remove_detached ferry "$ferry_rm"
if [ "$have_podman" = 1 ]; then
    note "starting $n_detached detached containers with podman"
    supervisors podman "$PODMAN"
    remove_detached podman "$podman_rm"
fi
if [ "$have_docker" = 1 ]; then
    note "starting $n_detached detached containers with docker"
    supervisors docker "$DOCKER"
    remove_detached docker "$docker_rm"
fi

# Density A's containers go now.
t0=$EPOCHREALTIME
rm_all "$FERRY_CMD ps -aq --no-trunc" "$FERRY_CMD rm"  # only they are left in its store
echo "$t0 $EPOCHREALTIME" >"$work/ferry-create-remove.times"
if [ "$have_docker" = 1 ]; then
    t0=$EPOCHREALTIME
    rm_all "$DOCKER ps -aq --filter name=^$prefix-a" "$DOCKER rm"
    echo "$t0 $EPOCHREALTIME" >"$work/docker-create-remove.times"
    "$DOCKER" rmi "$env_img" >/dev/null || true
fi

# Nothing may be left: containers, supervisors, mounts, ferry's state directories.
# alive_supervisors: the density B supervisors still running, as "TOOL supervisor PID (COMM)".
alive_supervisors() {
    local tool sup comm
    for tool in ferry podman docker; do
        [ -s "$work/$tool.supervisors" ] || continue
        while read -r sup comm; do
            if [ "$(cat "/proc/$sup/comm" 2>/dev/null)" = "$comm" ]; then
                echo "$tool supervisor $sup ($comm)"
            fi
        done <"$work/$tool.supervisors"
    done
}
# Supervisors may exit a little after `rm` returns (docker's shims do): wait up to 10 s.
for _ in $(seq 100); do
    [ -n "$(alive_supervisors)" ] || break
    sleep 0.1
done
leftovers=()
while read -r l; do [ -z "$l" ] || leftovers+=("$l"); done < <(alive_supervisors)
left=$($FERRY_CMD ps -aq) && [ -z "$left" ] || leftovers+=("ferry containers: ${left//$'\n'/ }")
left=$(ls -A "$ferry_store/containers" 2>/dev/null || true)
[ -z "$left" ] || leftovers+=("in $ferry_store/containers: ${left//$'\n'/ }")
left=$(ls -A "$ferry_run_root" 2>/dev/null | grep -E '^[0-9a-f]{64}$' || true)
[ -z "$left" ] || leftovers+=("in $ferry_run_root: ${left//$'\n'/ }")
left=$(awk -v s="$ferry_store/" -v r="$ferry_run_root/" \
    'index($5, s) == 1 || index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
[ -z "$left" ] || leftovers+=("ferry mounts: ${left//$'\n'/ }")
if [ "$have_docker" = 1 ]; then
    left=$("$DOCKER" ps -aq --filter "name=^$prefix-")
    [ -z "$left" ] || leftovers+=("docker containers: ${left//$'\n'/ }")
fi
if [ "$have_podman" = 1 ]; then
    left=$($PODMAN ps -aq)
    [ -z "$left" ] || leftovers+=("podman containers: ${left//$'\n'/ }")
fi
if [ ${#leftovers[@]} -gt 0 ]; then
    for l in "${leftovers[@]}"; do note "left over after removal: $l"; done
    failed=1
fi
load_end=$(load_average)

# ---------------------------------------------------------------------------------------------
# Report.

versions="ferry $($FERRY --version 2>/dev/null | head -1 | sed 's/^ferry version //')"
[ "$have_docker" = 1 ] &&
    versions+=", docker $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null)"
[ "$have_podman" = 1 ] && versions+=", podman $(podman --version | awk '{ print $3 }')"
versions+=", runc $(runc --version | awk 'NR == 1 { print $3 }')"

export R_WORK=$work R_DESC=$busybox_desc R_VERSIONS=$versions R_CPUS=$(nproc)
export R_LOADS="$load_start|$load_latency|$load_end" R_RUNS="$runs_fast/$runs_slow/$warmup"
export R_DETACHED=$n_detached R_MONITOR=$ferry_monitor_exe R_LEFTOVERS=${#leftovers[@]}
"$python" - <<'EOF'
import json, os, statistics

env = os.environ
work = env["R_WORK"]


def result(name):
    path = os.path.join(work, name + ".json")
    return json.load(open(path))["results"][0] if os.path.exists(path) else None


def median(r):
    return r["median"] if r else None


def ms(v):
    return f"{v * 1e3:8.1f} ms" if v is not None else f"{'-':>11}"


def ratio(a, b):
    return f"{a / b:7.1f}x" if a is not None and b else f"{'-':>8}"


def spread(r):
    return f"{r['min'] * 1e3:6.1f}..{r['max'] * 1e3:6.1f} ms" if r else ""


def verdict(ok):
    return "met" if ok else "MISSED"


def times(name):
    path = os.path.join(work, name + ".times")
    if not os.path.exists(path):
        return []
    return [float(b) - float(a) for a, b in (l.split() for l in open(path) if l.strip())]


fast, slow, warmup = env["R_RUNS"].split("/")
loads = env["R_LOADS"].split("|")
print()
print(f"container benchmark: {env['R_DESC']}; {env['R_VERSIONS']}; {env['R_CPUS']} CPUs")
print(f"load average (1/5/15 min): {loads[0]} at start, {loads[1]} after the latencies, "
      f"{loads[2]} at the end")

print()
print(f"run --rm IMG true: hyperfine median of {fast} runs (docker, podman: {slow}) after "
      f"{warmup} warm-up runs")
floor, ferry = result("floor"), result("ferry-run")
print(f"  {'':36}{'median':>11}{'/floor':>8}{'/ferry':>8}  {'min..max':>18}  target")
for label, name in (("floor: unshare ... chroot ROOT true", "floor"),
                    ("runc run (runc spec bundle)", "runc"),
                    ("ferry run --rm", "ferry-run"),
                    ("docker run --rm", "docker-run"),
                    ("podman run --rm (runc)", "podman-run")):
    r = result(name)
    target = ""
    if name == "ferry-run" and r and floor:
        target = (f"<= 2.5x floor ({2.5 * floor['median'] * 1e3:.1f} ms): "
                  f"{verdict(r['median'] <= 2.5 * floor['median'])}; "
                  f"about 10 ms: {verdict(r['median'] <= 0.010)}")
    print(f"  {label:36}{ms(median(r))}{ratio(median(r), median(floor))}"
          f"{ratio(median(r), median(ferry))}  {spread(r):>18}  {target}")
print("  ferry's --rm: its monitor frees the name and reports the exit status, then deletes the\n"
      "  container's files; run returns before that deletion, which overlaps the next run.\n"
      "  Networks: docker and podman default to a bridge, ferry to the host's, runc and the floor\n"
      "  to an empty network namespace.")

print()
print("exec C true into a running sleep container")
fe = result("ferry-exec")
for tool in ("ferry", "docker", "podman"):
    r = result(f"{tool}-exec")
    target = f"<= 10 ms: {verdict(r['median'] <= 0.010)}" if tool == "ferry" and r else ""
    print(f"  {tool + ' exec':36}{ms(median(r))}{'':8}{ratio(median(r), median(fe))}"
          f"  {spread(r):>18}  {target}")

print()
print("density A: containers created (not started) from the 1.3 GB image of bench/archive.sh")
for tool, label in (("ferry", "ferry's store"), ("docker", "/var/lib/docker")):
    path = os.path.join(work, f"{tool}-create.disk")
    t = times(f"{tool}-create")
    if not os.path.exists(path) or not t:
        continue
    (b0, i0), (b1, i1) = [tuple(map(int, l.split())) for l in open(path)][:2]
    n = len(t)
    per = (b1 - b0) / n
    line = (f"  {tool:7}{n:5} created: +{per / 1024:6.1f} KiB, +{(i1 - i0) / n:4.1f} inodes "
            f"each (du -sx of {label}); create median {statistics.median(t) * 1e3:5.1f} ms, "
            f"all {sum(t):5.1f} s")
    if tool == "ferry":
        line += f"; target <= 1 MB each: {verdict(per <= 1 << 20)}"
    print(line)
    rm = times(f"{tool}-create-remove")
    if rm:
        print(f"  {'':12}removing them (rm, 100 a call): {rm[0]:5.1f} s")

print()
print(f"density B: {env['R_DETACHED']} detached `sleep 3600` containers per tool; memory of "
      f"each one's supervisor from /proc/PID/smaps_rollup, MiB\n"
      f"  (private: median of Private_Clean + Private_Dirty; run -d: median time of `run -d`)")
print(f"  {'supervisor':30}{'procs':>5}  {'RSS min/median/max':>20}  {'PSS min/median/max':>20}"
      f"  {'private':>7}  {'PSS/container':>13}  {'run -d':>9}")
for tool, label in (("ferry", "ferry-monitor"), ("podman", "conmon"),
                    ("docker", "containerd-shim")):
    path = os.path.join(work, f"{tool}.memory")
    if not os.path.exists(path):
        continue
    procs = {}
    for l in open(path):
        pid, comm, rss, pss, uss = l.split()
        procs[pid] = (comm, int(rss) / 1024, int(pss) / 1024, int(uss) / 1024)
    containers = sum(1 for l in open(os.path.join(work, f"{tool}.supervisors")) if l.strip())
    rss = [p[1] for p in procs.values()]
    pss = [p[2] for p in procs.values()]
    trio = lambda v: f"{min(v):5.2f} {statistics.median(v):5.2f} {max(v):6.2f}"
    comms = ",".join(sorted({p[0] for p in procs.values()}))
    det = times(f"{tool}-detach")
    det_ms = f"{statistics.median(det) * 1e3:6.1f} ms" if det else ""
    uss = statistics.median(p[3] for p in procs.values())
    print(f"  {tool + ': ' + comms:30}{len(procs):5}  {trio(rss):>20}  {trio(pss):>20}"
          f"  {uss:7.2f}  {sum(pss) / containers:13.2f}  {det_ms:>9}")
    if tool == "ferry":
        p, r = statistics.median(pss), statistics.median(rss)
        print(f"    targets: <= 1 MB each (issue): PSS {verdict(p <= 1)}, RSS {verdict(r <= 1)}, "
              f"private {verdict(uss <= 1)}; <= 0.3 MB (design.md): PSS {verdict(p <= 0.3)}, "
              f"RSS {verdict(r <= 0.3)}, private {verdict(uss <= 0.3)}")
        if env["R_MONITOR"]:
            print(f"    (monitor executable: {env['R_MONITOR']})")
removals = [f"{tool} {times(tool + '-remove')[0]:.1f} s" for tool in ("ferry", "podman", "docker")
            if times(tool + "-remove")]
print(f"  removing them: {', '.join(removals)}; left over afterwards: "
      f"{'nothing' if env['R_LEFTOVERS'] == '0' else env['R_LEFTOVERS'] + ' things (see above)'}")
EOF
exit $failed
