#!/usr/bin/env bash
# make_fake_driver_root.sh ROOT NGPUS [DRIVER_VERSION]
#
# Builds, under ROOT, what an NVIDIA host looks like to ferry's discovery, with no GPU:
#   /proc/driver/nvidia/version, /proc/driver/nvidia/gpus/<bus>/information, /proc/devices;
#   /dev/nvidiactl, /dev/nvidia0..N-1, -uvm, -uvm-tools, -modeset, /dev/nvidia-caps/nvidia-cap1,2
#   (mknod; skipped with a warning when not root);
#   libcuda.so.<ver> and libnvidia-ml.so.<ver> built with gcc, exporting cuInit,
#   cuDriverGetVersion, cuDeviceGetCount and nvmlInit(_v2), nvmlSystemGetDriverVersion,
#   nvmlDeviceGetCount(_v2) (the device counts are the /dev/nvidiaN nodes the caller can see,
#   so inside a container they count the GPUs it was given); empty stand-ins with the right
#   sonames for the other driver libraries; two stale libraries of another version that must be
#   ignored; a static fake nvidia-smi and script stand-ins for the other binaries; GSP firmware;
#   the persistenced socket; /lib and /bin as links into /usr (merged /usr, as Debian 12);
#   a real /etc/ld.so.cache made by `ldconfig -r ROOT` in FAKE_LDCACHE_FORMAT (new, old or
#   compat; default new).
# Other knobs: FAKE_MODEL (default "NVIDIA A100-SXM4-80GB"), FAKE_MINOR_OFFSET (device minor of
# GPU i is i + offset; default 0).
set -euo pipefail

root=${1:?usage: make_fake_driver_root.sh ROOT NGPUS [DRIVER_VERSION]}
ngpus=${2:?usage: make_fake_driver_root.sh ROOT NGPUS [DRIVER_VERSION]}
version=${3:-535.104.05}
format=${FAKE_LDCACHE_FORMAT:-new}
model=${FAKE_MODEL:-NVIDIA A100-SXM4-80GB}
minor_offset=${FAKE_MINOR_OFFSET:-0}
libdir=/usr/lib/x86_64-linux-gnu
stale=470.82.01

# The CUDA version each driver branch reports (cuDriverGetVersion: 1000*major + 10*minor); the
# same table as src/gpu/driver_tables.cpp.
branch=${version%%.*}
cuda=0
for pair in 367:8000 384:9000 390:9010 396:9020 410:10000 418:10010 440:10020 450:11000 \
            455:11010 460:11020 465:11030 470:11040 495:11050 510:11060 515:11070 520:11080 \
            525:12000 530:12010 535:12020 545:12030 550:12040 555:12050 560:12060 565:12070 \
            570:12080 575:12090 580:13000; do
    [ "$branch" -ge "${pair%%:*}" ] && cuda=${pair##*:}
done

mkdir -p "$root"/{proc/driver/nvidia/gpus,dev,etc,run/nvidia-persistenced,usr/bin,usr/lib,tmp}
mkdir -p "$root$libdir" "$root/usr/local/lib/stale" "$root/usr/lib/firmware/nvidia/$version"
ln -sfn usr/lib "$root/lib"
ln -sfn usr/bin "$root/bin"
work=$(mktemp -d "${TMPDIR:-/tmp}/fake-driver-XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- /proc -------------------------------------------------------------------------------------
printf 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  %s  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n' \
    "$version" >"$root/proc/driver/nvidia/version"
cat >"$root/proc/devices" <<'EOF'
Character devices:
  1 mem
  4 /dev/vc/0
  5 /dev/tty
195 nvidia-frontend
508 nvidia-uvm
509 nvidia-caps

Block devices:
  7 loop
  8 sd
EOF
gpu_table=""
for ((i = 0; i < ngpus; i++)); do
    bus=$(printf '0000:%02x:00.0' $((0x07 + i * 0x10)))
    uuid=$(printf 'GPU-%08x-5f1a-4c2b-9d3e-%012d' $((0xabcd0000 + i)) "$i")
    minor=$((i + minor_offset))
    mkdir -p "$root/proc/driver/nvidia/gpus/$bus"
    printf 'Model: \t\t %s\nIRQ:   \t\t 0\nGPU UUID: \t %s\nVideo BIOS: \t 92.00.45.00.05\nBus Type: \t PCIe\nDMA Size: \t 47 bits\nDMA Mask: \t 0x7fffffffffff\nBus Location: \t %s\nDevice Minor: \t %d\nGPU Firmware: \t %s\nGPU Excluded:\t No\n' \
        "$model" "$uuid" "$bus" "$minor" "$version" >"$root/proc/driver/nvidia/gpus/$bus/information"
    gpu_table+="{$minor, \"$model\", \"$uuid\"},"
done

# --- /dev --------------------------------------------------------------------------------------
node() {  # node PATH MAJOR MINOR
    if [ ! -e "$root$1" ] && ! mknod -m 666 "$root$1" c "$2" "$3" 2>/dev/null; then
        echo "make_fake_driver_root: cannot mknod $1 (not root?); left out" >&2
    fi
}
node /dev/nvidiactl 195 255
node /dev/nvidia-modeset 195 254
node /dev/nvidia-uvm 508 0
node /dev/nvidia-uvm-tools 508 1
mkdir -p "$root/dev/nvidia-caps"
node /dev/nvidia-caps/nvidia-cap1 509 1
node /dev/nvidia-caps/nvidia-cap2 509 2
for ((i = 0; i < ngpus; i++)); do node "/dev/nvidia$((i + minor_offset))" 195 $((i + minor_offset)); done

# --- libraries ---------------------------------------------------------------------------------
cat >"$work/count.h" <<'EOF'
#include <stdio.h>
#include <sys/stat.h>
/* The GPUs this process is given: the /dev/nvidiaN character devices it can see (there is no
   driver behind them to open). */
static int fake_device_count(void) {
    int n = 0;
    char path[32];
    struct stat st;
    for (int minor = 0; minor < 255; ++minor) {
        snprintf(path, sizeof path, "/dev/nvidia%d", minor);
        if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) ++n;
    }
    return n;
}
EOF
cat >"$work/cuda.c" <<EOF
#include "count.h"
int cuInit(unsigned int flags) { (void)flags; return 0; }
int cuDriverGetVersion(int *v) { if (!v) return 1; *v = $cuda; return 0; }
int cuDeviceGetCount(int *n) { if (!n) return 1; *n = fake_device_count(); return 0; }
EOF
cat >"$work/nvml.c" <<EOF
#include "count.h"
int nvmlInit(void) { return 0; }
int nvmlInit_v2(void) { return 0; }
int nvmlSystemGetDriverVersion(char *buf, unsigned int len) {
    return snprintf(buf, len, "%s", "$version") < (int)len ? 0 : 7;
}
int nvmlDeviceGetCount_v2(unsigned int *n) { *n = (unsigned)fake_device_count(); return 0; }
int nvmlDeviceGetCount(unsigned int *n) { return nvmlDeviceGetCount_v2(n); }
EOF
echo 'int fake_nvidia_stub;' >"$work/stub.c"
gcc -O1 -fPIC -c "$work/cuda.c" -o "$work/cuda.o" -I"$work"
gcc -O1 -fPIC -c "$work/nvml.c" -o "$work/nvml.o" -I"$work"
gcc -O1 -fPIC -c "$work/stub.c" -o "$work/stub.o"

lib() {  # lib DIR FILE SONAME OBJECT [LINK...]: a shared library and its links
    local dir=$1 file=$2 soname=$3 obj=$4
    shift 4
    gcc -shared -Wl,-soname,"$soname" -o "$root$dir/$file" "$work/$obj"
    [ "$soname" = "$file" ] || ln -sfn "$file" "$root$dir/$soname"
    for link in "$@"; do ln -sfn "$soname" "$root$dir/$link"; done
}
lib $libdir "libcuda.so.$version" libcuda.so.1 cuda.o libcuda.so
lib $libdir "libnvidia-ml.so.$version" libnvidia-ml.so.1 nvml.o libnvidia-ml.so
lib $libdir "libnvidia-ptxjitcompiler.so.$version" libnvidia-ptxjitcompiler.so.1 stub.o
lib $libdir "libnvidia-nvvm.so.$version" libnvidia-nvvm.so.4 stub.o
lib $libdir "libcudadebugger.so.$version" libcudadebugger.so.1 stub.o
lib $libdir "libnvidia-opencl.so.$version" libnvidia-opencl.so.1 stub.o
lib $libdir "libnvidia-allocator.so.$version" libnvidia-allocator.so.1 stub.o
lib $libdir "libnvidia-cfg.so.$version" libnvidia-cfg.so.1 stub.o
lib $libdir "libnvidia-encode.so.$version" libnvidia-encode.so.1 stub.o
lib $libdir "libnvcuvid.so.$version" libnvcuvid.so.1 stub.o
lib $libdir "libGLX_nvidia.so.$version" libGLX_nvidia.so.0 stub.o
lib $libdir "libEGL_nvidia.so.$version" libEGL_nvidia.so.0 stub.o
lib $libdir "libnvidia-glcore.so.$version" "libnvidia-glcore.so.$version" stub.o
lib $libdir "libnvidia-gpucomp.so.$version" "libnvidia-gpucomp.so.$version" stub.o
# Left over from another driver: must be ignored.
lib $libdir "libnvidia-fbc.so.$stale" libnvidia-fbc.so.1 stub.o
lib /usr/local/lib/stale "libnvidia-opencl.so.$stale" libnvidia-opencl.so.1 stub.o
printf '%s\n' $libdir /usr/local/lib/stale >"$root/etc/ld.so.conf"
ldconfig -X -c "$format" -r "$root"

# --- binaries, firmware, sockets ---------------------------------------------------------------
cat >"$work/smi.c" <<EOF
#include <stdio.h>
#include <sys/stat.h>
struct gpu { int minor; const char *model, *uuid; };
static const struct gpu gpus[] = { $gpu_table {-1, 0, 0} };
int main(void) {
    printf("Fake NVIDIA-SMI  Driver Version: %s  CUDA Version: %d.%d\n", "$version",
           $cuda / 1000, ($cuda % 1000) / 10);
    int index = 0;
    for (const struct gpu *g = gpus; g->model; ++g) {
        char path[32];
        snprintf(path, sizeof path, "/dev/nvidia%d", g->minor);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode)) continue;
        printf("GPU %d: %s (UUID: %s)\n", index++, g->model, g->uuid);
    }
    return 0;
}
EOF
gcc -O1 -static -o "$root/usr/bin/nvidia-smi" "$work/smi.c"
for b in nvidia-debugdump nvidia-persistenced nvidia-cuda-mps-control nvidia-cuda-mps-server; do
    printf '#!/bin/sh\necho "fake %s %s"\n' "$b" "$version" >"$root/usr/bin/$b"
    chmod 755 "$root/usr/bin/$b"
done
for f in gsp_ga10x.bin gsp_tu10x.bin; do
    printf 'fake firmware %s\n' "$f" >"$root/usr/lib/firmware/nvidia/$version/$f"
done
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$root/run/nvidia-persistenced/socket"
mkdir -p "$root/usr/share/glvnd/egl_vendor.d"
printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "libEGL_nvidia.so.0"}}\n' \
    >"$root/usr/share/glvnd/egl_vendor.d/10_nvidia.json"
