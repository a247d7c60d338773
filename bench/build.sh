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
# (d) a deep-learning style Dockerfile in two stages, built from nothing (--no-cache) and again
#     with every step cached. The builder stage installs Debian's python3, python3-numpy,
#     libopenblas0-pthread, libgomp1 and python3-venv with apt-get from .debs in the context (no
#     mirror: fetched on the host once with apt-get --download-only against the minbase tree's
#     dpkg status, cached in $cache/dl-debs-*), makes a venv and runs `pip install --no-index
#     --find-links /wheels` of wheels made here (dlbench-model, requiring dlbench-tensor: 400
#     modules and a 16 MB binary; and Debian's wheel-0.38.4 from python3-wheel-whl), then
#     prepares 16 MB of weights with numpy; the final stage installs the runtime .debs the same
#     way, takes the venv and the weights with COPY --from=builder and runs a check with them.
#     No target: the times and ratios are reported. Most of the cold time is the two apt-get
#     installs (dpkg, which fsyncs what it unpacks; buildah mounts its RUN steps' overlay with
#     fsync=volatile, docker and ferry do not).
# hyperfine runs: $FERRY_BENCH_BUILD_RUNS (default 5) for (a), (b) and (d) cached (one for (c)),
# $FERRY_BENCH_DL_RUNS (default 3) for (d) from nothing; (a), (b) and (d) with one warm-up run.
# Medians and ratios are printed; missed targets are reported, not failed.
set -euo pipefail

FERRY=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}
source "$(dirname "$0")/lib.sh"
bench_init debootstrap
runs=${FERRY_BENCH_BUILD_RUNS:-5}
context_mb=${FERRY_BENCH_CONTEXT_MB:-1024}
dl_runs=${FERRY_BENCH_DL_RUNS:-3}

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
    # (d)'s images, the builder stage's and earlier runs' untagged ones included, carry its label.
    at_exit "$DOCKER image prune -af --filter label=org.ferry.bench=build-d >/dev/null 2>&1"
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

# (d): a deep-learning style image. Its Debian packages are fetched on the host once (apt-get
# --download-only against the minbase tree's dpkg status: exactly what the base lacks) and cached;
# the builds install them from the context and need no network. Its wheels are made here.
dl=$work/dl
dl_debs() {  # dl_debs DIR PACKAGE...: the .debs of the PACKAGEs and of what they need beyond minbase
    [ -e "$1.done" ] && return
    rm -rf "$1" && mkdir -p "$1/partial"
    apt-get -q -y --download-only -o Debug::NoLocking=1 -o APT::Install-Recommends=false \
        -o Dir::State::status="$rootfs/var/lib/dpkg/status" -o Dir::Cache::archives="$1" \
        -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= install "${@:2}" >"$1.log" 2>&1 ||
        { note "apt-get --download-only ${*:2} failed; see $1.log"; return 1; }
    rmdir "$1/partial"
    touch "$1.done"
}
# The runtime's packages (both stages) and the builder's extra ones (python3-venv's ensurepip
# wheels); wheel's own wheel comes from python3-wheel-whl, installed by pip from /wheels.
dl_runtime=(python3 python3-numpy libopenblas0-pthread libgomp1)
dl_key=$(echo "${dl_runtime[*]} python3-venv python3-wheel-whl" | sha256sum | cut -c1-12)
if dl_debs "$cache/dl-debs-$dl_key/runtime" "${dl_runtime[@]}" &&
   dl_debs "$cache/dl-debs-$dl_key/all" "${dl_runtime[@]}" python3-venv python3-wheel-whl; then
    mkdir -p "$dl/debs/runtime" "$dl/debs/build" "$dl/wheels" "$dl/app"
    cp "$cache/dl-debs-$dl_key/runtime/"*.deb "$dl/debs/runtime/"
    for deb in "$cache/dl-debs-$dl_key/all/"*.deb; do
        case $deb in */python3-wheel-whl_*) dpkg-deb -x "$deb" "$dl/whl"; continue ;; esac
        [ -e "$dl/debs/runtime/${deb##*/}" ] || cp "$deb" "$dl/debs/build/"
    done
    cp "$dl/whl/usr/share/python-wheels/"wheel-*.whl "$dl/wheels/"
    rm -rf "$dl/whl"
else
    dl=""
    failed=1
fi
if [ -n "$dl" ]; then
    # Two wheels written here (no setuptools or index needed): dlbench-tensor, 400 modules and a
    # 16 MB binary (the shape of a framework with its compiled kernels), and dlbench-model, which
    # requires it; pip resolves that from /wheels.
    "$python" - "$dl" <<'EOF'
import base64, hashlib, os, sys, zipfile
dl = sys.argv[1]
def wheel(name, files, requires=()):
    dist = f"{name.replace('-', '_')}-1.0"
    files = dict(files)
    files[f"{dist}.dist-info/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    files[f"{dist}.dist-info/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: ferry-bench\n"
                                        b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = "".join(f"{path},sha256="
                     + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                     + f",{len(data)}\n" for path, data in files.items())
    files[f"{dist}.dist-info/RECORD"] = (record + f"{dist}.dist-info/RECORD,,\n").encode()
    with zipfile.ZipFile(os.path.join(dl, "wheels", f"{dist}-py3-none-any.whl"), "w") as z:
        for path, data in files.items():
            z.writestr(path, data, zipfile.ZIP_STORED if path.endswith(".bin")
                       else zipfile.ZIP_DEFLATED)
ops = {f"dlbench_tensor/ops/op{i:03}.py":
       f"import numpy as np\n\ndef op{i:03}(x):\n    return np.tanh(x * {1 + i / 1000})\n".encode()
       for i in range(400)}
ops["dlbench_tensor/ops/__init__.py"] = b""
ops["dlbench_tensor/__init__.py"] = b"""import os
import numpy as np
KERNELS = os.path.join(os.path.dirname(__file__), "_kernels.bin")
def linear(x, w):
    return np.maximum(x @ w, 0)
"""
ops["dlbench_tensor/_kernels.bin"] = os.urandom(16 << 20)
wheel("dlbench-tensor", ops)
wheel("dlbench-model", {
    "dlbench_model/__init__.py": b"""import numpy as np
from dlbench_tensor import linear
SHAPE = (4, 1024, 1024)
def forward(weights, x):
    for w in weights:
        x = linear(x, w)
    return x
""",
    "dlbench_model/prepare.py": b"""# Prepares the weights (scaled random layers, multiplied once as a check) into DIR.
import os, sys
import numpy as np
from dlbench_model import SHAPE, forward
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
w = np.random.default_rng(0).standard_normal(SHAPE, dtype=np.float32) / 32
assert forward(w, np.ones((8, SHAPE[1]), np.float32)).shape == (8, SHAPE[2])
np.save(os.path.join(out, "weights.npy"), w)
""",
}, requires=["dlbench-tensor"])
EOF
    cat >"$dl/app/check.py" <<'EOF'
import numpy as np, dlbench_model, dlbench_tensor.ops.op399
w = np.load("/opt/model/weights.npy")
print("forward", dlbench_model.forward(w, np.ones((8, w.shape[1]), np.float32)).shape)
EOF
    cat >"$dl/Dockerfile" <<EOF
FROM $img AS builder
LABEL org.ferry.bench=build-d
ENV DEBIAN_FRONTEND=noninteractive
COPY debs /tmp/debs
# No mirror: without package lists apt takes every package from /tmp/debs (with the base's
# lists it would download those it finds there instead).
RUN rm -rf /var/lib/apt/lists/* \\
 && apt-get install -y --no-install-recommends /tmp/debs/runtime/*.deb /tmp/debs/build/*.deb \\
 && rm -rf /tmp/debs
COPY wheels /wheels
RUN python3 -m venv --system-site-packages /opt/venv \\
 && /opt/venv/bin/pip install --no-index --find-links /wheels dlbench-model wheel
RUN OPENBLAS_NUM_THREADS=1 /opt/venv/bin/python -m dlbench_model.prepare /opt/model

FROM $img
LABEL org.ferry.bench=build-d
ENV DEBIAN_FRONTEND=noninteractive
COPY debs/runtime /tmp/debs
RUN rm -rf /var/lib/apt/lists/* \\
 && apt-get install -y --no-install-recommends /tmp/debs/*.deb \\
 && rm -rf /tmp/debs
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /opt/model /opt/model
ENV PATH=/opt/venv/bin:\$PATH OPENBLAS_NUM_THREADS=1
COPY app /app
WORKDIR /app
RUN python check.py
CMD ["python", "check.py"]
EOF
    note "(d) context: $(du -sh "$dl" | cut -f1), $(ls "$dl/debs/runtime" | wc -l) + $(ls "$dl/debs/build" | wc -l) .debs, wheels: $(cd "$dl/wheels" && echo *)"
    settle_deletions
    sync
    bench ferry-dl-cold "$FERRY build -q --no-cache -t ferry-bench/built:d $dl" --runs "$dl_runs" --warmup 1
    bench ferry-dl-warm "$FERRY build -q -t ferry-bench/built:d $dl" --runs "$runs" --warmup 1
    if [ "$have_docker" = 1 ]; then
        bench docker-dl-cold "env DOCKER_BUILDKIT=0 $DOCKER build -q --no-cache -t ferry-bench/built:d $dl" --runs "$dl_runs" --warmup 1
        bench docker-dl-warm "env DOCKER_BUILDKIT=0 $DOCKER build -q -t ferry-bench/built:d $dl" --runs "$runs" --warmup 1
    fi
    if [ "$have_podman" = 1 ]; then
        bench podman-dl-cold "$PODMAN build -q --no-cache -t ferry-bench/built:d $dl" --runs "$dl_runs" --warmup 1
        bench podman-dl-warm "$PODMAN build -q -t ferry-bench/built:d $dl" --runs "$runs" --warmup 1
    fi
fi

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
print("(d) a deep-learning Dockerfile (2 stages: python3, numpy, OpenBLAS from local .debs; a venv")
print("    from local wheels; COPY --from=builder), no cache and every step cached:")
for case in ("cold", "warm"):
    f, d, p = med("ferry-dl-" + case), med("docker-dl-" + case), med("podman-dl-" + case)
    line = f"  {case:5} ferry {f:8.2f} s " if f else f"  {case:5} ferry  failed "
    if d: line += f"   docker {d:8.2f} s  ({d / f:.1f}x ferry)" if f else f"   docker {d:8.2f} s "
    if p: line += f"   podman {p:8.2f} s  ({p / f:.1f}x ferry)" if f else f"   podman {p:8.2f} s "
    print(line)
print(f"load average: {open('/proc/loadavg').read().split()[0]}")
EOF
exit "$failed"
