#!/usr/bin/env bash
# real_gpu.sh: ferry against a real NVIDIA GPU. Exits 77 (skipped) on a machine without one.
#   1. `ferry gpu ls` agrees with the host's nvidia-smi (indices, UUIDs, driver version);
#   2. `ferry gpu cdi generate` writes a spec that names every GPU;
#   3. in a ferry container (`--gpus all`, then `--gpus device=0`), nvidia-smi lists the given
#      GPUs and a small CUDA program built with nvcc from /usr/local/cuda sees them and runs a
#      kernel.
# Usage: FERRY=build/ferry tests/gpu/real_gpu.sh
set -euo pipefail

FERRY=${FERRY:-$(cd "$(dirname "$0")/../.." && pwd)/build/ferry}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

[ -r /proc/driver/nvidia/version ] || skip "no NVIDIA GPU here (no /proc/driver/nvidia/version)"
[ -e /dev/nvidiactl ] || skip "no NVIDIA GPU here (no /dev/nvidiactl)"
command -v nvidia-smi >/dev/null || skip "nvidia-smi is not installed on the host"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-real-gpu-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FERRY_ROOT="$tmp/store"

note "gpu ls agrees with nvidia-smi"
"$FERRY" gpu ls --format json >"$tmp/ls.json"
nvidia-smi --query-gpu=index,uuid,driver_version --format=csv,noheader >"$tmp/smi.csv"
python3 - "$tmp/ls.json" "$tmp/smi.csv" <<'EOF'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
theirs = [[f.strip() for f in l.split(",")] for l in open(sys.argv[2]) if l.strip()]
assert len(ours) == len(theirs), (ours, theirs)
for g, (index, uuid, driver) in zip(ours, theirs):
    assert str(g["Index"]) == index and g["UUID"] == uuid, (g, index, uuid)
    assert g["DriverVersion"] == driver, (g, driver)
print(f"{len(ours)} GPU(s), driver {ours[0]['DriverVersion'] if ours else '?'}, CUDA "
      f"{ours[0]['CudaVersion'] if ours else '?'}")
EOF
ngpus=$(wc -l <"$tmp/smi.csv")

note "gpu cdi generate"
"$FERRY" gpu cdi generate --output "$tmp/nvidia.json"
python3 - "$tmp/nvidia.json" "$ngpus" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
names = [d["name"] for d in spec["devices"]]
n = int(sys.argv[2])
assert [str(i) for i in range(n)] == [x for x in names if x.isdigit()], names
assert "all" in names
assert any(m["containerPath"].endswith("/libcuda.so.1") for m in spec["containerEdits"]["mounts"])
EOF

# TODO(lead): `ferry run` and `ferry import` come from the runtime and image branches; once they
# are merged this part runs as written.
"$FERRY" run --help >/dev/null 2>&1 || skip "ferry run is not available in this build yet"

nvcc=/usr/local/cuda/bin/nvcc
[ -x "$nvcc" ] || skip "no CUDA toolkit at /usr/local/cuda (nvcc) to build the test program"
cat >"$tmp/probe.cu" <<'EOF'
#include <cstdio>
__global__ void add(const int *a, const int *b, int *c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}
int main() {
    int devices = 0, driver = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess) { std::puts("no devices"); return 1; }
    cudaDriverGetVersion(&driver);
    const int n = 1 << 20;
    int *a, *b, *c;
    cudaMallocManaged(&a, n * sizeof(int));
    cudaMallocManaged(&b, n * sizeof(int));
    cudaMallocManaged(&c, n * sizeof(int));
    for (int i = 0; i < n; ++i) a[i] = i, b[i] = 2 * i;
    add<<<(n + 255) / 256, 256>>>(a, b, c, n);
    if (cudaDeviceSynchronize() != cudaSuccess) { std::puts("kernel failed"); return 2; }
    for (int i = 0; i < n; ++i)
        if (c[i] != 3 * i) { std::puts("wrong result"); return 3; }
    std::printf("devices=%d driver=%d kernel=ok\n", devices, driver);
    return 0;
}
EOF
"$nvcc" -O2 -cudart static -o "$tmp/probe" "$tmp/probe.cu"

# A minimal image: busybox, the probe, and the host libraries the probe and nvidia-smi need
# (the NVIDIA ones excepted: ferry injects those).
rootfs="$tmp/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
cp "$tmp/probe" "$rootfs/bin/cuda-probe"
for bin in "$tmp/probe" "$(command -v nvidia-smi)"; do
    ldd "$bin" | awk '/=>/ {print $3} /^\t\// {print $1}' | grep -v -e nvidia -e libcuda |
        while read -r lib; do
            [ -e "$lib" ] || continue
            mkdir -p "$rootfs$(dirname "$lib")"
            cp -L "$lib" "$rootfs$lib"
        done
done
tar -C "$rootfs" -cf "$tmp/rootfs.tar" .
"$FERRY" import "$tmp/rootfs.tar" ferry-gpu-test:1 >/dev/null

note "nvidia-smi in a container with --gpus all"
host_list=$(nvidia-smi -L)
container_list=$("$FERRY" run --rm --gpus all ferry-gpu-test:1 nvidia-smi -L)
[ "$container_list" = "$host_list" ] || fail "nvidia-smi -L: [$container_list], host: [$host_list]"

note "CUDA program with --gpus all and --gpus device=0"
out=$("$FERRY" run --rm --gpus all ferry-gpu-test:1 /bin/cuda-probe)
case "$out" in "devices=$ngpus driver="*" kernel=ok") ;; *) fail "--gpus all: $out" ;; esac
out=$("$FERRY" run --rm --gpus device=0 ferry-gpu-test:1 /bin/cuda-probe)
case "$out" in "devices=1 driver="*" kernel=ok") ;; *) fail "--gpus device=0: $out" ;; esac
minor0=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["Minor"])' \
    "$tmp/ls.json")
out=$("$FERRY" run --rm --gpus device=0 ferry-gpu-test:1 sh -c 'ls /dev/nvidia[0-9]*')
[ "$out" = "/dev/nvidia$minor0" ] || fail "--gpus device=0 sees: $out"
echo "real GPU checks passed"
