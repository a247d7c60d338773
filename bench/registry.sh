#!/usr/bin/env bash
# The registry benchmark (issue 9, point 9): pull, push and machine-to-machine moves side by side
# with docker, podman and skopeo, on the ~1.3 GB image of bench/archive.sh, in one run.
#
#   bench/registry.sh [FERRY_BINARY]        (default build/ferry)
#
# 1. Two Debian docker-registry (distribution 2.8) servers on 127.0.0.1: `source`, into which
#    docker pushes the image once (untimed), and `sink`, whose storage is wiped before every
#    push, so each push uploads everything (no blob the registry has, nothing to mount).
# 2. Times with hyperfine (--runs $FERRY_BENCH_RUNS, default 5; `sync` before each run): ferry
#    pull (unpacked into an empty store), docker pull and podman pull (image removed first),
#    skopeo copy to an oci: directory (no unpack); ferry push, docker push, podman push to the
#    sink.
# 3. ssh moves ($FERRY_BENCH_SSH_RUNS, default 3): the image plus a new 10 MB layer (made with
#    docker run + commit), moved to "another machine" — an sshd of this script's own on
#    127.0.0.1 with its own host and user keys, reached through a ProxyCommand that counts the
#    bytes on the wire: `docker save | ssh far docker load` against `ferry push IMG ssh://far`
#    where the far ferry (its own store, FERRY_ROOT passed with SetEnv) has the base already.
# 4. Prints medians, ratios and the issue's targets: ferry pull <= skopeo copy and >= 5x faster
#    than docker pull; push >= 5x faster than docker push; the ssh move of the 10 MB layer sends
#    < 20 MB; and ferry pull's peak memory (/usr/bin/time -v; target <= 64 MB).
# ferry's rows are skipped with a note while ferry lacks pull/push (`ferry pull --help` fails).
# Missed targets are reported, not failed.
set -euo pipefail

FERRY=$(realpath "${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}")  # absolute: the far side runs it too
source "$(dirname "$0")/lib.sh"
bench_init skopeo docker-registry curl
runs=${FERRY_BENCH_RUNS:-5}
ssh_runs=${FERRY_BENCH_SSH_RUNS:-3}
tag=ferry-bench/env:latest
work="$cache/registry-run"
rm -rf "$work"
mkdir -p "$work"

build_env_image
settle_deletions

have_ferry_pull=0 have_ferry_push=0
if [ -x "$FERRY" ] && "$FERRY" pull --help >/dev/null 2>&1; then have_ferry_pull=1; else
    note "skipping ferry pull: \`$FERRY pull --help\` does not work (not built yet?)"; fi
if [ -x "$FERRY" ] && "$FERRY" push --help >/dev/null 2>&1; then have_ferry_push=1; else
    note "skipping ferry push and the ferry ssh move: \`$FERRY push --help\` does not work"; fi
start_docker
[ $have_docker = 1 ] || die "docker is needed to seed the registry (docker push)"
"$DOCKER" rm -f ferry-bench-plus >/dev/null 2>&1 || true  # (registry_ssh.sh's, if a run died)
setup_podman "$cache/podman"
ferry_store="$work/ferry-store"
FERRY_CMD="$FERRY --root $ferry_store"

# ---------------------------------------------------------------------------------------------
# The registries.

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_registry NAME: docker-registry with its storage in $work/NAME; sets NAME_addr.
start_registry() {
    local name=$1 port dir=$work/$1 pid
    port=$(free_port)
    mkdir -p "$dir/storage"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: ferry-bench
EOF
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    pid=$!
    at_exit "kill $pid"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
        sleep 0.1
    done
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" || die "docker-registry $name does not answer"
    printf -v "${name}_addr" '%s' "127.0.0.1:$port"
}
start_registry source
start_registry sink
src_ref=$source_addr/bench/env:1
wipe_sink="rm -rf $work/sink/storage/docker"

note "seeding $src_ref (docker load + docker push, untimed)"
"$DOCKER" image inspect "$tag" >/dev/null 2>&1 || "$DOCKER" load -q -i "$archive" >/dev/null
"$DOCKER" tag "$tag" "$src_ref"
"$DOCKER" push -q "$src_ref" >/dev/null || die "docker push $src_ref failed"
"$DOCKER" rmi "$src_ref" >/dev/null
at_exit "$DOCKER rmi -f $tag $src_ref $sink_addr/push/docker:1 >/dev/null 2>&1"
image_bytes=$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$source_addr/v2/bench/env/manifests/1" |
    "$python" -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))')
note "the registry holds $((image_bytes / 1000000)) MB of compressed layers"

# ---------------------------------------------------------------------------------------------
# Pushes (first: docker's and podman's images are loaded from the archive).

ferry_trash="$work/ferry-trash"
mkdir -p "$ferry_trash"
if [ $have_ferry_push = 1 ]; then
    $FERRY_CMD load -q -i "$archive" >/dev/null && $FERRY_CMD tag "$tag" "$sink_addr/push/ferry:1" ||
        { note "ferry load failed: no ferry push"; have_ferry_push=0; }
fi
[ $have_ferry_push = 1 ] && bench ferry-push "$FERRY_CMD push -q $sink_addr/push/ferry:1" \
    --runs "$runs" --prepare "sh -c '$wipe_sink; sync'"
"$DOCKER" tag "$tag" "$sink_addr/push/docker:1"
bench docker-push "$DOCKER push -q $sink_addr/push/docker:1" --runs "$runs" \
    --prepare "sh -c '$wipe_sink; sync'"
if [ $have_podman = 1 ]; then
    $PODMAN image exists "$tag" || $PODMAN load -q -i "$archive" >/dev/null
    at_exit "$PODMAN rmi -f $tag $src_ref >/dev/null 2>&1"
    bench podman-push "$PODMAN push -q --tls-verify=false $tag $sink_addr/push/podman:1" \
        --runs "$runs" --prepare "sh -c '$wipe_sink; sync'"
fi

# ---------------------------------------------------------------------------------------------
# Pulls from the source registry into empty stores.

"$DOCKER" rmi -f "$tag" "$sink_addr/push/docker:1" >/dev/null 2>&1 || true
# (a pull finds the layers of an image a container still holds: none may be left)
! "$DOCKER" image inspect "$image_id" >/dev/null 2>&1 ||
    die "docker still has image $image_id (a container of it? \`docker ps -a\`): its pull would fetch nothing"
deletions_done
settle_deletions
if [ $have_ferry_pull = 1 ]; then
    bench ferry-pull "$FERRY_CMD pull -q $src_ref" --runs "$runs" \
        --prepare "sh -c 'if [ -e $ferry_store ]; then mv $ferry_store $ferry_trash/\$(date +%s%N); fi; sync'"
fi
bench docker-pull "$DOCKER pull -q $src_ref" --runs "$runs" \
    --prepare "sh -c '$DOCKER rmi -f $src_ref >/dev/null 2>&1; sync'"
if [ $have_podman = 1 ]; then
    $PODMAN rmi -f "$tag" >/dev/null 2>&1 || true
    bench podman-pull "$PODMAN pull -q --tls-verify=false $src_ref" --runs "$runs" \
        --prepare "sh -c '$PODMAN rmi -f $src_ref >/dev/null 2>&1; sync'"
fi
bench skopeo-copy "skopeo copy -q --src-tls-verify=false docker://$src_ref oci:$work/oci:env" \
    --runs "$runs" --prepare "sh -c 'rm -rf $work/oci; sync'"

# Peak memory of one more ferry pull.
max_rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }
ferry_pull_rss=""
if [ -e "$work/ferry-pull.json" ]; then
    mv "$ferry_store" "$ferry_trash/last"
    if /usr/bin/time -v -o "$work/ferry-pull.time" $FERRY_CMD pull -q "$src_ref" >"$work/ferry-pull.out" 2>&1; then
        ferry_pull_rss=$(max_rss_mb "$work/ferry-pull.time")
    else
        note "ferry pull under /usr/bin/time failed: $(tail -1 "$work/ferry-pull.out")"; failed=1
    fi
fi
"$DOCKER" rmi -f "$src_ref" >/dev/null 2>&1 || true
[ $have_podman = 1 ] && { $PODMAN rmi -f "$src_ref" >/dev/null 2>&1 || true; }
rm -rf "$work/oci" "$ferry_trash"
deletions_done

# ---------------------------------------------------------------------------------------------
source "$bench_dir/registry_ssh.sh"

# ---------------------------------------------------------------------------------------------
# Report.

"$python" - "$work" "$archive_desc" "$image_bytes" "$runs" "$(nproc)" "$ferry_pull_rss" \
    "$have_ferry_pull" "$have_ferry_push" "$ssh_report" <<'EOF'
import json, os, sys
work, desc, image_bytes, runs, cpus, pull_rss, have_pull, have_push, ssh_report = sys.argv[1:]

def median(name):
    path = os.path.join(work, name + ".json")
    return json.load(open(path))["results"][0]["median"] if os.path.exists(path) else None

cell = lambda v: f"{v:9.2f}s" if v is not None else f"{'-':>10}"
print()
print(f"registry benchmark: {desc}; {int(image_bytes) / 1e6:.0f} MB compressed in the registry; "
      f"median of {runs} runs; {cpus} CPUs; docker-registry on 127.0.0.1")
names = {"pull": ("ferry", "docker", "podman", "skopeo"), "push": ("ferry", "docker", "podman")}
print(f"{'':6}{'ferry':>10}{'docker':>10}{'podman':>10}{'skopeo':>10}{'docker/ferry':>14}   target")
for op in ("pull", "push"):
    f, d, p = (median(f"{t}-{op}") for t in ("ferry", "docker", "podman"))
    s = median("skopeo-copy") if op == "pull" else None
    ratio = f"{d / f:13.1f}x" if f and d else f"{'-':>14}"
    if op == "pull":
        target = ">= 5x docker and <= skopeo copy"
        met = f and d and s and d / f >= 5 and f <= s
    else:
        target = ">= 5x docker"
        met = f and d and d / f >= 5
    verdict = "" if not f else ("  (met)" if met else "  (MISSED)")
    print(f"{op:6}{cell(f)}{cell(d)}{cell(p)}{cell(s)}{ratio}   {target}{verdict}")
print("  (pull: into an empty store, unpacked, except skopeo copy: to an oci: directory;")
print("   push: to a registry whose storage is wiped before each run)")
if pull_rss:
    print(f"ferry pull peak memory: {pull_rss} MB   target <= 64 MB "
          f"({'met' if float(pull_rss) <= 64 else 'MISSED'})")
for line in ssh_report.split(";"):
    if line:
        print(line)
if have_pull != "1":
    print("ferry pull: skipped (`ferry pull` does not work yet)")
if have_push != "1":
    print("ferry push and ferry's ssh move: skipped (`ferry push` does not work yet)")
EOF
exit $failed
