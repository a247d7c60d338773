#!/usr/bin/env bash
# real_gpu.sh: ferry against a real NVIDIA GPU. Exits 77 (skipped) on a machine without one.
#   1. `ferry gpu ls` agrees with the host's nvidia-smi (indices, UUIDs, driver version);
#   2. `ferry gpu cdi generate` writes a spec that names every GPU;
#   3. in ferry containers (rootful when run as root, plus rootless as a test user it creates;
#      rootless only when run as a user), with an image that holds only a small CUDA program
#      (built with nvcc from /usr/local/cuda, or $NVCC) and the host's non-NVIDIA libraries it
#      and nvidia-smi need: nvidia-smi lists the GPUs; the program sees them (count, UUIDs, the
#      driver's CUDA version as the host's nvidia-smi reports it) and runs a kernel; then
#      `--gpus device=0` by index and by UUID, a node it was not given (refused),
#      NVIDIA_VISIBLE_DEVICES=none, NVIDIA_DRIVER_CAPABILITIES=utility, CDI `--device
#      nvidia.com/gpu=all` (the host's spec in /etc/cdi or /var/run/cdi when there is one, its
#      hooks done natively, else the generated one), and a CUDA requirement the driver cannot
#      meet; last, the start time with and without --gpus all.
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
export FERRY_ROOT="$tmp/store"
# The run root of that store (core/context.cpp), where the GPU layers are kept.
if [ "$(id -u)" = 0 ]; then run_base=/run/ferry; else
    run_base=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/ferry}; run_base=${run_base:-/tmp/ferry-$(id -u)}; fi
run_root=$run_base/$(python3 -c 'import sys
h = 1469598103934665603
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) & 0xffffffffffffffff
print("%016x" % h)' "$FERRY_ROOT")
trap 'rm -rf "$tmp" "$run_root/gpu-layers"' EXIT

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

nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
[ -x "$nvcc" ] || skip "no CUDA toolkit at /usr/local/cuda (nvcc; or set NVCC) to build the test program"
command -v ldd >/dev/null || skip "ldd is needed to copy the test program's libraries"

cat >"$tmp/probe.cu" <<'PROBE'
// probe: what a CUDA program in the container sees.
//   probe                          devices=N driver=V kernel=ok (a vector add on every device)
//   probe uuids                    the devices' UUIDs, one a line (nvidia-smi's spelling)
//   probe nodes                    the /dev/nvidiaN nodes, on one line
//   probe open PATH                opens PATH read-write: "opened" or the error
//   probe mknod PATH MAJOR MINOR   makes a character device, then opens it
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

__global__ void add(const int *a, const int *b, int *c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}

static int run_kernel(int device) {
    if (cudaSetDevice(device) != cudaSuccess) return 1;
    const int n = 1 << 20;
    int *a, *b, *c;
    if (cudaMallocManaged(&a, n * sizeof(int)) != cudaSuccess ||
        cudaMallocManaged(&b, n * sizeof(int)) != cudaSuccess ||
        cudaMallocManaged(&c, n * sizeof(int)) != cudaSuccess)
        return 2;
    for (int i = 0; i < n; ++i) a[i] = i, b[i] = 2 * i;
    add<<<(n + 255) / 256, 256>>>(a, b, c, n);
    if (cudaDeviceSynchronize() != cudaSuccess) return 3;
    for (int i = 0; i < n; ++i)
        if (c[i] != 3 * i) return 4;
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    return 0;
}

int main(int argc, char **argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "open" && argc == 3) {
        int fd = open(argv[2], O_RDWR);
        std::printf("%s\n", fd >= 0 ? "opened" : std::strerror(errno));
        return 0;
    }
    if (mode == "mknod" && argc == 5) {
        if (mknod(argv[2], S_IFCHR | 0666, makedev(std::atoi(argv[3]), std::atoi(argv[4]))) != 0) {
            std::printf("mknod: %s\n", std::strerror(errno));
            return 0;
        }
        int fd = open(argv[2], O_RDWR);
        std::printf("open: %s\n", fd >= 0 ? "opened" : std::strerror(errno));
        return 0;
    }
    if (mode == "nodes") {
        std::vector<std::string> names;
        if (DIR *d = opendir("/dev")) {
            while (dirent *e = readdir(d)) {
                std::string n = e->d_name;
                if (n.size() > 6 && n.rfind("nvidia", 0) == 0 &&
                    n.find_first_not_of("0123456789", 6) == std::string::npos)
                    names.push_back("/dev/" + n);
            }
            closedir(d);
        }
        std::sort(names.begin(), names.end());
        for (size_t i = 0; i < names.size(); ++i)
            std::printf("%s%s", i ? " " : "", names[i].c_str());
        std::printf("\n");
        return 0;
    }
    int devices = 0, driver = 0;
    cudaError_t err = cudaGetDeviceCount(&devices);
    if (err != cudaSuccess) {
        std::printf("cudaGetDeviceCount: %s\n", cudaGetErrorName(err));
        return 1;
    }
    if (mode == "uuids") {
        for (int i = 0; i < devices; ++i) {
            cudaDeviceProp p;
            if (cudaGetDeviceProperties(&p, i) != cudaSuccess) return 1;
            const unsigned char *u = reinterpret_cast<const unsigned char *>(p.uuid.bytes);
            std::printf("GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
                        u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                        u[12], u[13], u[14], u[15]);
        }
        return 0;
    }
    cudaDriverGetVersion(&driver);
    for (int i = 0; i < devices; ++i) {
        int r = run_kernel(i);
        if (r != 0) {
            std::printf("devices=%d driver=%d kernel=failed(%d) on device %d\n", devices, driver,
                        r, i);
            return 2;
        }
    }
    std::printf("devices=%d driver=%d kernel=ok\n", devices, driver);
    return 0;
}
PROBE
note "building the probe with $nvcc"
"$nvcc" -O2 -cudart static -arch=native -o "$tmp/probe" "$tmp/probe.cu" 2>"$tmp/nvcc.log" ||
    "$nvcc" -O2 -cudart static -o "$tmp/probe" "$tmp/probe.cu" ||
    fail "nvcc could not build the probe: $(cat "$tmp/nvcc.log")"
"$tmp/probe" >"$tmp/host-probe.txt" || fail "the probe fails on the host itself: $(cat "$tmp/host-probe.txt")"
note "on the host: $(cat "$tmp/host-probe.txt")"

# The image: the probe and the host's non-NVIDIA libraries it and nvidia-smi need (ferry injects
# the NVIDIA ones), at the host's paths, with a linker cache of its own. No shell: the probe
# reports what the checks need.
rootfs="$tmp/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/dev" "$rootfs/proc" "$rootfs/sys"
cp "$tmp/probe" "$rootfs/bin/cuda-probe"
for bin in "$tmp/probe" "$(command -v nvidia-smi)"; do
    { ldd "$bin" || true; } | awk '/=>/ {print $3} /^\t\// {print $1}' >>"$tmp/libs.txt"
done
sort -u "$tmp/libs.txt" | while read -r lib; do
    case "$lib" in *nvidia* | *libcuda*) continue ;; esac
    [ -e "$lib" ] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
done
find "$rootfs" -name '*.so*' -printf '%h\n' | sort -u | sed "s|^$rootfs||" >"$rootfs/etc/ld.so.conf"
ldconfig -r "$rootfs" 2>/dev/null || note "ldconfig -r failed: the image has no linker cache of its own"
tar -C "$rootfs" -cf "$tmp/rootfs.tar" .
"$FERRY" import -q "$tmp/rootfs.tar" ferry-gpu-test:1 >/dev/null

# What the container must see: the host driver's CUDA version (cuDriverGetVersion), GPU 0.
host_cuda=$(nvidia-smi | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p' | head -1)
want_driver=""
[ -z "$host_cuda" ] || want_driver=$((${host_cuda% *} * 1000 + ${host_cuda#* } * 10))
driver_version=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
minor0=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["Minor"])' \
    "$tmp/ls.json")
uuid0=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)
host_list=$(nvidia-smi -L)
host_uuids=$(nvidia-smi --query-gpu=uuid --format=csv,noheader)

# checks MODE RUN...: the container checks; RUN... runs ferry (as root, or as a test user).
checks() {
    local mode=$1
    shift
    local out status sel
    note "$mode: nvidia-smi with --gpus all"
    out=$("$@" run --rm --gpus all ferry-gpu-test:1 nvidia-smi -L 2>&1) || fail "$mode: nvidia-smi -L: $out"
    [ "$out" = "$host_list" ] || fail "$mode: nvidia-smi -L: [$out], host: [$host_list]"

    note "$mode: the CUDA program with --gpus all"
    out=$("$@" run --rm --gpus all ferry-gpu-test:1 /bin/cuda-probe 2>&1) || fail "$mode: --gpus all: $out"
    case "$out" in
        "devices=$ngpus driver=$want_driver kernel=ok") ;;
        *) fail "$mode: --gpus all: [$out], want [devices=$ngpus driver=$want_driver kernel=ok]" ;;
    esac
    out=$("$@" run --rm --gpus all ferry-gpu-test:1 /bin/cuda-probe uuids 2>&1)
    [ "$out" = "$host_uuids" ] || fail "$mode: UUIDs in the container: [$out], host: [$host_uuids]"

    note "$mode: --gpus device=0, by index and by UUID"
    for sel in device=0 '"device=0"' "device=$uuid0"; do
        out=$("$@" run --rm --gpus "$sel" ferry-gpu-test:1 /bin/cuda-probe 2>&1)
        case "$out" in "devices=1 driver="*" kernel=ok") ;; *) fail "$mode: --gpus $sel: $out" ;; esac
        out=$("$@" run --rm --gpus "$sel" ferry-gpu-test:1 /bin/cuda-probe nodes 2>&1)
        [ "$out" = "/dev/nvidia$minor0" ] || fail "$mode: --gpus $sel sees [$out]"
        out=$("$@" run --rm --gpus "$sel" ferry-gpu-test:1 /bin/cuda-probe uuids 2>&1)
        [ "$out" = "$uuid0" ] || fail "$mode: --gpus $sel: UUID [$out], want $uuid0"
    done

    note "$mode: the control node opens, a node the container was not given is refused"
    out=$("$@" run --rm --gpus device=0 ferry-gpu-test:1 /bin/cuda-probe open /dev/nvidiactl 2>&1)
    [ "$out" = opened ] || fail "$mode: /dev/nvidiactl: $out"
    out=$("$@" run --rm --gpus device=0 ferry-gpu-test:1 /bin/cuda-probe mknod /tmp/other 195 200 2>&1)
    case "$out" in *"Operation not permitted") ;; *) fail "$mode: a node for 195:200: $out" ;; esac

    note "$mode: NVIDIA_VISIBLE_DEVICES=none, NVIDIA_DRIVER_CAPABILITIES=utility"
    out=$("$@" run --rm --gpus all -e NVIDIA_VISIBLE_DEVICES=none ferry-gpu-test:1 /bin/cuda-probe nodes 2>&1)
    [ "$out" = "" ] || fail "$mode: NVIDIA_VISIBLE_DEVICES=none sees [$out]"
    out=$("$@" run --rm --gpus all -e NVIDIA_DRIVER_CAPABILITIES=utility ferry-gpu-test:1 nvidia-smi -L 2>&1)
    [ "$out" = "$host_list" ] || fail "$mode: utility only: nvidia-smi -L: $out"
    if out=$("$@" run --rm --gpus all -e NVIDIA_DRIVER_CAPABILITIES=utility ferry-gpu-test:1 /bin/cuda-probe 2>&1); then
        fail "$mode: CUDA works without the compute capability: $out"
    fi

    note "$mode: CDI --device nvidia.com/gpu=all"
    out=$("$@" run --rm --device nvidia.com/gpu=all ferry-gpu-test:1 /bin/cuda-probe 2>&1) ||
        fail "$mode: --device nvidia.com/gpu=all: $out"
    case "$out" in *"devices=$ngpus driver="*" kernel=ok") ;; *) fail "$mode: CDI: $out" ;; esac
    [ "$out" = "${out#*warning}" ] || note "$mode: CDI warnings: $out"

    note "$mode: a requirement the driver cannot meet fails the start"
    status=0
    out=$("$@" run --rm --gpus all -e 'NVIDIA_REQUIRE_CUDA=cuda>=99.0' ferry-gpu-test:1 /bin/cuda-probe 2>&1) || status=$?
    [ "$status" = 125 ] || fail "$mode: requirement: exit $status: $out"
    case "$out" in
        "ferry: error: image requires CUDA >= 99.0 but the host driver $driver_version supports CUDA "*) ;;
        *) fail "$mode: requirement error: $out" ;;
    esac

    note "$mode: start time with and without --gpus all (mean of 10 runs)"
    local t0 t1 t2
    t0=$(date +%s%N)
    for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" run --rm ferry-gpu-test:1 /bin/cuda-probe nodes >/dev/null; done
    t1=$(date +%s%N)
    for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" run --rm --gpus all ferry-gpu-test:1 /bin/cuda-probe nodes >/dev/null; done
    t2=$(date +%s%N)
    echo "$mode: run --rm $(((t1 - t0) / 10000)) us, with --gpus all $(((t2 - t1) / 10000)) us"
}

if [ "$(id -u)" != 0 ]; then
    checks rootless "$FERRY"
else
    checks rootful "$FERRY"
    if command -v useradd >/dev/null && command -v runuser >/dev/null; then
        user="ferrygpu$$"
        useradd -m -s /bin/sh "$user"
        trap 'rm -rf "/tmp/ferry-$(id -u "$user")"; userdel -r "$user" >/dev/null 2>&1 || true
              rm -rf "$tmp" "$run_root/gpu-layers"' EXIT
        home=$(getent passwd "$user" | cut -d: -f6)
        mkdir -m 755 "$tmp/pub"
        cp "$FERRY" "$tmp/rootfs.tar" "$tmp/pub/"
        chmod -R a+rX "$tmp/pub"
        chmod a+x "$tmp"
        as_user() { runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" "$tmp/pub/ferry" "$@"; }
        if ! runuser -u "$user" -- unshare --user --map-root-user true 2>/dev/null; then
            # e.g. Ubuntu 24.04's kernel.apparmor_restrict_unprivileged_userns=1
            note "unprivileged user namespaces are not allowed here: the rootless checks are left out"
        else
            as_user import -q "$tmp/pub/rootfs.tar" ferry-gpu-test:1 >/dev/null
            checks rootless as_user
        fi
    else
        note "no useradd/runuser here: the rootless checks are left out"
    fi
fi
echo "real GPU checks passed"
