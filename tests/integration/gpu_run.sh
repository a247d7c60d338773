# `ferry run --gpus ...` and `--device vendor/class=name` end to end, against a fake 8-GPU driver
# root (tests/gpu/make_fake_driver_root.sh, FERRY_HOST_ROOT): a program in the container dlopens
# libcuda.so.1 and gets the fake driver's version; it sees exactly the selected /dev/nvidiaN and
# cannot open others; NVIDIA_VISIBLE_DEVICES and NVIDIA_DRIVER_CAPABILITIES narrow what --gpus
# gave; requirement errors are exact and stop the start; an image symlink cannot send a driver
# mount to the host; nothing of the set-up lands in the container's layer (commit) and ldconfig
# in the container still works; `build --gpus` gives RUN steps the GPUs and none of their files
# to the image; CDI specs (generated NVIDIA, hand-written AMD, /var/run/cdi over
# /etc/cdi); with --desktop; rootless.

[ "$(id -u)" = 0 ] || skip "needs root (mknod of the fake driver's nodes, rootful containers)"
command -v gcc >/dev/null || skip "gcc is needed to build the fake driver and the probe"

HOST=$TEST_TMP/host
"$FERRY_SRC/tests/gpu/make_fake_driver_root.sh" "$HOST" 8 535.104.05 2>/dev/null
export FERRY_HOST_ROOT=$HOST
uuid() { printf 'GPU-%08x-5f1a-4c2b-9d3e-%012d' $((0xabcd0000 + $1)) "$1"; }

# run_lib.sh's clean-up kills what a failed test left running and removes the containers'
# cgroups and the run directory (with its GPU layers); the user made for the rootless part goes.
source "$FERRY_SRC/tests/integration/run_lib.sh"
remove_user() { :; }
RUN_CLEANUPS+=(remove_user)

# The probe: dlopen("libcuda.so.1") and the driver's answers; `open PATH...` tries to open
# device nodes; `mknod PATH MAJOR MINOR` makes a node, then opens it.
cat >"$TEST_TMP/probe.c" <<'EOF'
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "open") == 0) {
        for (int i = 2; i < argc; ++i) {
            int fd = open(argv[i], O_RDWR);
            printf("%s: %s\n", argv[i], fd >= 0 ? "opened" : strerror(errno));
        }
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "mknod") == 0) {
        if (mknod(argv[2], S_IFCHR | 0666, makedev(atoi(argv[3]), atoi(argv[4]))) != 0) {
            printf("mknod: %s\n", strerror(errno));
            return 0;
        }
        int fd = open(argv[2], O_RDWR);
        printf("open: %s\n", fd >= 0 ? "opened" : strerror(errno));
        return 0;
    }
    void *h = dlopen("libcuda.so.1", RTLD_NOW);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    int (*init)(unsigned) = (int (*)(unsigned))dlsym(h, "cuInit");
    int (*version)(int *) = (int (*)(int *))dlsym(h, "cuDriverGetVersion");
    int (*count)(int *) = (int (*)(int *))dlsym(h, "cuDeviceGetCount");
    int v = 0, n = 0;
    if (!init || !version || !count || init(0) || version(&v) || count(&n)) {
        printf("libcuda: calls failed\n");
        return 1;
    }
    printf("driver=%d devices=%d\n", v, n);
    return 0;
}
EOF
gcc -O1 -o "$TEST_TMP/probe" "$TEST_TMP/probe.c" -ldl

# gpu_rootfs DIR: busybox, the probe and its ldd closure (the loader and libc at the image's
# paths), the host's static ldconfig, an image ld.so.cache, and the files a container mounts
# onto (so a run leaves nothing in the container's layer but what it does).
gpu_rootfs() {
    local dir=$1 lib
    busybox_rootfs "$dir"
    mkdir -p "$dir/proc" "$dir/sys" "$dir/dev" "$dir/sbin" "$dir/usr/lib/x86_64-linux-gnu" \
        "$dir/lib64"
    touch "$dir/etc/hostname" "$dir/etc/hosts" "$dir/etc/resolv.conf"
    cp "$TEST_TMP/probe" "$dir/probe"
    for lib in $(ldd "$TEST_TMP/probe" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
        case "$lib" in
            */ld-linux*) cp -L "$lib" "$dir/lib64/" ;;
            *) cp -L "$lib" "$dir/usr/lib/x86_64-linux-gnu/" ;;
        esac
    done
    cp "$(command -v ldconfig)" "$dir/sbin/ldconfig"
    printf '/usr/lib/x86_64-linux-gnu\n' >"$dir/etc/ld.so.conf"
    ldconfig -r "$dir"
}
gpu_rootfs "$TEST_TMP/img"
tar -C "$TEST_TMP/img" -cf "$TEST_TMP/img.tar" .
ferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/img.tar" gpu:1 >/dev/null

# run_out ARGS...: `ferry run --rm ARGS`, which must succeed; prints its output.
run_out() {
    local out status=0
    out=$(ferry run --rm "$@" 2>&1) || status=$?
    [ "$status" = 0 ] || fail "ferry run $*: exit $status: $out"
    printf '%s\n' "$out"
}
# gpu_nodes ARGS...: the /dev/nvidia* names a container run with ARGS sees, on one line.
gpu_nodes() { run_out "$@" sh -c 'cd /dev && echo nvidia*'; }

note "--gpus all: libcuda.so.1 resolves to the fake driver, which sees 8 GPUs"
expect_eq "$(run_out --gpus all gpu:1 /probe)" "driver=12020 devices=8"
expect_eq "$(gpu_nodes --gpus all gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia0 nvidia1 nvidia2 nvidia3 nvidia4 nvidia5 nvidia6 nvidia7 nvidiactl"
out=$(run_out --gpus all gpu:1 nvidia-smi)
expect_contains "$out" "Fake NVIDIA-SMI  Driver Version: 535.104.05  CUDA Version: 12.2"
expect_contains "$out" "GPU 7: NVIDIA A100-SXM4-80GB (UUID: $(uuid 7))"
expect_eq "$(run_out --gpus all gpu:1 sh -c 'echo $NVIDIA_VISIBLE_DEVICES')" all
# The image's own libraries still resolve through the new cache, and the driver's are mounted
# read-only.
expect_eq "$(run_out --gpus all gpu:1 sh -c 'ldconfig -p | grep -c -e libc.so.6 -e libcuda.so.1')" 2
expect_contains "$(ferry run --rm --gpus all gpu:1 sh -c 'echo x >/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05' 2>&1 || true)" \
    "Read-only file system"

note "--gpus with --desktop: the GPUs and the display in one container"
if command -v Xvnc >/dev/null; then
    gcc -static -O2 -o "$TEST_TMP/xclient" "$FERRY_SRC/tests/integration/xclient.c"
    expect_eq "$(run_out --gpus 2 --desktop=320x200 --network none -v "$TEST_TMP/xclient:/xclient:ro" \
        gpu:1 sh -c '/probe; /xclient size; echo $DISPLAY; cd /dev && echo nvidia[0-9]*')" \
        "driver=12020 devices=2
320x200
:0
nvidia0 nvidia1" "the driver and the display"
fi

note "selection: a count, indices, a UUID"
expect_eq "$(gpu_nodes --gpus 2 gpu:1)" "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia0 nvidia1 nvidiactl"
expect_eq "$(run_out --gpus 2 gpu:1 /probe)" "driver=12020 devices=2"
expect_eq "$(gpu_nodes --gpus '"device=1,3"' gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia1 nvidia3 nvidiactl"
expect_eq "$(gpu_nodes --gpus "device=$(uuid 5)" gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia5 nvidiactl"
out=$(run_out --gpus '"device=1,3"' gpu:1 nvidia-smi)
expect_eq "$(printf '%s\n' "$out" | tail -n +2)" "GPU 0: NVIDIA A100-SXM4-80GB (UUID: $(uuid 1))
GPU 1: NVIDIA A100-SXM4-80GB (UUID: $(uuid 3))"
expect_fail 125 'ferry: error: --gpus: no GPU `9` on this host (GPUs: 0, 1, 2, 3, 4, 5, 6, 7)' \
    ferry run --rm --gpus device=9 gpu:1 true

note "no GPU without --gpus, whatever the image asks"
expect_eq "$(gpu_nodes gpu:1)" "nvidia*"
expect_eq "$(gpu_nodes -e NVIDIA_VISIBLE_DEVICES=all gpu:1)" "nvidia*"
expect_contains "$(ferry run --rm gpu:1 /probe 2>&1 || true)" "dlopen: libcuda.so.1: cannot open shared object file"

note "device access: a selected node reaches the (absent) driver, any other is refused"
out=$(run_out --gpus device=1 gpu:1 /probe open /dev/nvidia1 /dev/nvidiactl)
expect_eq "$out" "/dev/nvidia1: No such device or address
/dev/nvidiactl: No such device or address"
# Without limits on a cgroup v1 host the container has no cgroup: mknod of an unlisted device is
# refused by seccomp; with a cgroup (v2, or any limit) the device cgroup refuses the open.
out=$(run_out --gpus device=1 gpu:1 /probe mknod /dev/nvidia5 195 5)
case "$out" in
    "mknod: Operation not permitted" | "open: Operation not permitted") ;;
    *) fail "unselected GPU node: $out" ;;
esac
# (Not --rm: the container stays until run_cleanup has removed its cgroup.)
ferry create --name limited --memory 64m --gpus device=1 gpu:1 \
    sh -c '/probe mknod /dev/nvidia5 195 5; /probe open /dev/nvidia1' >/dev/null
expect_eq "$(ferry start -a limited)" "open: Operation not permitted
/dev/nvidia1: No such device or address"

note "NVIDIA_VISIBLE_DEVICES narrows, NVIDIA_DRIVER_CAPABILITIES picks"
expect_eq "$(gpu_nodes --gpus all -e NVIDIA_VISIBLE_DEVICES=2,$(uuid 6) gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia2 nvidia6 nvidiactl"
expect_eq "$(run_out --gpus all -e NVIDIA_VISIBLE_DEVICES=none gpu:1 /probe)" "driver=12020 devices=0"
expect_eq "$(gpu_nodes --gpus all -e NVIDIA_VISIBLE_DEVICES=void gpu:1)" "nvidia*"
expect_fail 125 'ferry: error: NVIDIA_VISIBLE_DEVICES=4 leaves none of the GPUs given by --gpus (0, 1)' \
    ferry run --rm --gpus 2 -e NVIDIA_VISIBLE_DEVICES=4 gpu:1 true
ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV NVIDIA_VISIBLE_DEVICES=3' "$TEST_TMP/img.tar" gpu:visible3 >/dev/null
expect_eq "$(gpu_nodes --gpus all gpu:visible3)" "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl"

note "--runtime nvidia (nvidia-docker 2): the GPUs NVIDIA_VISIBLE_DEVICES names, as --gpus would"
expect_eq "$(run_out --runtime nvidia -e NVIDIA_VISIBLE_DEVICES=all gpu:1 /probe)" "driver=12020 devices=8"
expect_eq "$(gpu_nodes --runtime nvidia -e NVIDIA_VISIBLE_DEVICES=1,3 gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia1 nvidia3 nvidiactl"
expect_eq "$(gpu_nodes --runtime nvidia gpu:visible3)" "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl"
expect_eq "$(run_out --runtime nvidia -e NVIDIA_VISIBLE_DEVICES=none gpu:1 /probe)" "driver=12020 devices=0"
expect_eq "$(gpu_nodes --runtime nvidia gpu:1)" "nvidia*"
expect_eq "$(gpu_nodes --runtime nvidia -e NVIDIA_VISIBLE_DEVICES=void gpu:1)" "nvidia*"
ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV CUDA_VERSION=11.0' "$TEST_TMP/img.tar" gpu:legacy >/dev/null
expect_eq "$(run_out --runtime nvidia gpu:legacy /probe)" "driver=12020 devices=8"
expect_eq "$(gpu_nodes gpu:visible3)" "nvidia*"
out=$(run_out --gpus all -e NVIDIA_DRIVER_CAPABILITIES=utility gpu:1 sh -c '/probe; nvidia-smi | head -1')
expect_eq "$out" "dlopen: libcuda.so.1: cannot open shared object file: No such file or directory
Fake NVIDIA-SMI  Driver Version: 535.104.05  CUDA Version: 12.2"
out=$(run_out --gpus 'all,"capabilities=compute"' gpu:1 sh -c '/probe; test -e /usr/bin/nvidia-smi || echo no nvidia-smi; echo $NVIDIA_DRIVER_CAPABILITIES')
expect_eq "$out" "driver=12020 devices=8
no nvidia-smi
compute"
# graphics: glvnd's EGL vendor file comes with it (VirtualGL's EGL back end needs it), not
# without.
vendor=/usr/share/glvnd/egl_vendor.d/10_nvidia.json
expect_eq "$(run_out --gpus all -e NVIDIA_DRIVER_CAPABILITIES=graphics gpu:1 cat "$vendor")" \
    '{"file_format_version": "1.0.0", "ICD": {"library_path": "libEGL_nvidia.so.0"}}'
expect_eq "$(run_out --gpus all gpu:1 sh -c "test -e $vendor || echo none")" none "the EGL vendor file without graphics"

note "requirements: exact errors before anything runs, NVIDIA_DISABLE_REQUIRE"
ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV NVIDIA_REQUIRE_CUDA=cuda>=99.0' "$TEST_TMP/img.tar" gpu:cuda99 >/dev/null
containers=$(ferry ps -a -q)
expect_fail 125 'ferry: error: image requires CUDA >= 99.0 but the host driver 535.104.05 supports CUDA 12.2: upgrade the NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1' \
    ferry run --rm --gpus all gpu:cuda99 touch /ran
expect_eq "$(ferry ps -a -q)" "$containers" "containers after a failed --rm run"
ferry import -q -c 'CMD ["/bin/sh"]' -c 'ENV NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=535,driver<536' \
    "$TEST_TMP/img.tar" gpu:cuda124 >/dev/null
expect_fail 125 'ferry: error: image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1' \
    ferry run --rm --gpus all gpu:cuda124 true
ferry create --name req --gpus all gpu:cuda99 touch /ran >/dev/null
expect_fail 125 'ferry: error: image requires CUDA >= 99.0 but the host driver 535.104.05 supports CUDA 12.2: upgrade the NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1' \
    ferry start -a req
expect_eq "$(find "$FERRY_ROOT/containers" -path '*/upper/ran' | wc -l)" 0 "files written by a refused start"
ferry rm req >/dev/null
expect_eq "$(run_out --gpus all -e NVIDIA_DISABLE_REQUIRE=1 gpu:cuda99 /probe)" "driver=12020 devices=8"
expect_eq "$(run_out gpu:cuda99 echo no GPU, no check)" "no GPU, no check"

note "the image's library directory is a symlink to a host path: nothing reaches the host"
mkdir -p "$TEST_TMP/attack"
gpu_rootfs "$TEST_TMP/img-attack"
mkdir -p "$TEST_TMP/img-attack/usr/lib64"
mv "$TEST_TMP/img-attack/usr/lib/x86_64-linux-gnu"/* "$TEST_TMP/img-attack/usr/lib64/"
rmdir "$TEST_TMP/img-attack/usr/lib/x86_64-linux-gnu"
ln -s "$TEST_TMP/attack" "$TEST_TMP/img-attack/usr/lib/x86_64-linux-gnu"
ln -s "../../../../../../../../$TEST_TMP/attack" "$TEST_TMP/img-attack/usr/lib/firmware"
printf '/usr/lib64\n' >"$TEST_TMP/img-attack/etc/ld.so.conf"
ldconfig -r "$TEST_TMP/img-attack"
tar -C "$TEST_TMP/img-attack" -cf "$TEST_TMP/img-attack.tar" .
ferry import -q "$TEST_TMP/img-attack.tar" gpu:attack >/dev/null
expect_eq "$(run_out --gpus all -e NVIDIA_DRIVER_CAPABILITIES=all gpu:attack /probe)" "driver=12020 devices=8"
expect_eq "$(run_out --gpus all gpu:attack sh -c 'ls /usr/lib64/libcuda.so.1')" /usr/lib64/libcuda.so.1
expect_eq "$(ls -A "$TEST_TMP/attack")" "" "files in the host directory"
grep -q " $TEST_TMP/attack" /proc/self/mountinfo && fail "a mount appeared on the host directory"

note "nothing of the set-up is in the container's layer; ldconfig in the container works"
cid=$(ferry run -d --gpus all gpu:1 sleep 100)
for _ in $(seq 50); do [ "$(ferry inspect -f '{{.State.Status}}' "$cid")" = running ] && break; sleep 0.1; done
expect_eq "$(ferry exec "$cid" /probe)" "driver=12020 devices=8"
expect_eq "$(find "$FERRY_ROOT/containers/$cid/upper" -mindepth 1 | head -5)" "" "upper directory of a GPU container"
ferry commit "$cid" gpu:committed >/dev/null
ferry rm -f "$cid" >/dev/null
expect_eq "$(inspect_field gpu:committed RootFS.Layers)" "$(inspect_field gpu:1 RootFS.Layers)" \
    "layers of the committed image (no new layer: nothing changed)"
ferry create --name lc --gpus all gpu:1 sh -c 'ldconfig && ldconfig -p | grep -c libcuda.so.1 && /probe' >/dev/null
expect_eq "$(ferry start -a lc)" "1
driver=12020 devices=8"
[ -f "$FERRY_ROOT/containers/$(ferry inspect -f '{{.Id}}' lc)/upper/etc/ld.so.cache" ] ||
    fail "ldconfig in the container did not write its cache"
expect_eq "$(ferry start -a lc)" "1
driver=12020 devices=8" "second start, on the container's own cache"
ferry rm lc >/dev/null

note "build --gpus: RUN steps see the GPUs, nothing of them is in the image"
mkdir -p "$TEST_TMP/gctx"
printf 'FROM gpu:1\nRUN /probe >/probed && ls /dev | grep -c nvidia >/nodes\n' >"$TEST_TMP/gctx/Dockerfile"
ferry build -q --gpus all -t gpu:built "$TEST_TMP/gctx" >/dev/null
expect_eq "$(run_out gpu:built cat /probed /nodes)" "driver=12020 devices=8
12"
expect_eq "$(run_out gpu:built sh -c 'ls /dev | grep -c nvidia || true')" 0 "GPU nodes without --gpus"
ferry save -o "$TEST_TMP/built.tar" gpu:built
expect_eq "$(python3 - "$TEST_TMP/built.tar" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    layers = json.load(t.extractfile("manifest.json"))[0]["Layers"]
    with tarfile.open(fileobj=t.extractfile(layers[-1])) as layer:
        print(" ".join(sorted(m.name for m in layer.getmembers())))
PY
)" "nodes probed" "the RUN step's layer"
# Built without GPUs, the probe step is not the cached one.
expect_contains "$(ferry build -f - -t gpu:nogpu "$TEST_TMP/gctx" <"$TEST_TMP/gctx/Dockerfile" 2>&1 || true)" "Running in"

note "no NVIDIA driver on the host"
mkdir -p "$TEST_TMP/bare"
expect_fail 125 'ferry: error: could not select device driver "" with capabilities: [[gpu]]: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)' \
    env FERRY_HOST_ROOT="$TEST_TMP/bare" "$FERRY" run --rm --gpus all gpu:1 true
expect_eq "$(FERRY_HOST_ROOT="$TEST_TMP/bare" ferry run --rm gpu:1 echo fine)" fine

note "CDI: nvidia.com/gpu without a spec file, a hand-written AMD spec, /var/run/cdi over /etc/cdi"
expect_eq "$(run_out --device nvidia.com/gpu=all gpu:1 /probe)" "driver=12020 devices=8"
expect_eq "$(gpu_nodes --device nvidia.com/gpu=2 --device nvidia.com/gpu=$(uuid 4) gpu:1)" \
    "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia2 nvidia4 nvidiactl"
mkdir -p "$HOST/dev/dri" "$HOST/etc/cdi" "$HOST/var/run/cdi"
mknod -m 666 "$HOST/dev/kfd" c 238 0
mknod -m 660 "$HOST/dev/dri/renderD128" c 226 128
mknod -m 660 "$HOST/dev/dri/renderD129" c 226 129
cat >"$HOST/etc/cdi/amd.yaml" <<'EOF'
cdiVersion: 0.5.0
kind: amd.com/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes:
    - path: /dev/dri/renderD128
- name: "1"
  containerEdits:
    deviceNodes:
    - path: /dev/dri/renderD129
containerEdits:
  deviceNodes:
  - path: /dev/kfd
  env:
  - HSA_ENABLE_SDMA=0
EOF
out=$(run_out --device amd.com/gpu=0 gpu:1 sh -c 'stat -c "%n %t:%T %a" /dev/kfd /dev/dri/*; echo $HSA_ENABLE_SDMA')
expect_eq "$out" "/dev/kfd ee:0 666
/dev/dri/renderD128 e2:80 660
0"
sed 's/HSA_ENABLE_SDMA=0/HSA_ENABLE_SDMA=1/' "$HOST/etc/cdi/amd.yaml" >"$HOST/var/run/cdi/amd.yaml"
expect_eq "$(run_out --device amd.com/gpu=1 gpu:1 sh -c 'ls /dev/dri; echo $HSA_ENABLE_SDMA')" "renderD129
1"
expect_fail 125 'ferry: error: CDI device injection failed: unresolvable CDI devices amd.com/gpu=7' \
    ferry run --rm --device amd.com/gpu=7 gpu:1 true
rm -rf "$HOST/var/run/cdi"
# A spec as nvidia-ctk writes it: the library under its file name only, the soname and dev links
# made by hooks. The hooks are done natively (no warning); an unknown one is skipped, with one.
cat >"$HOST/etc/cdi/nvidia.yaml" <<'EOF'
cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: all
  containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
    - path: /dev/nvidia1
containerEdits:
  env:
  - NVIDIA_VISIBLE_DEVICES=void
  deviceNodes:
  - path: /dev/nvidiactl
  - path: /dev/nvidia-uvm
  hooks:
  - hookName: createContainer
    path: /usr/bin/nvidia-cdi-hook
    args: [nvidia-cdi-hook, create-symlinks, --link, libcuda.so.1::/usr/lib/x86_64-linux-gnu/libcuda.so]
  - hookName: createContainer
    path: /usr/bin/nvidia-cdi-hook
    args: [nvidia-cdi-hook, update-ldcache, --folder, /usr/lib/x86_64-linux-gnu]
  mounts:
  - hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05
    containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05
    options: [ro, nosuid, nodev, bind]
EOF
expect_out "driver=12020 devices=2
libcuda.so.1
void" ferry run --rm --device nvidia.com/gpu=all gpu:1 sh -c \
    '/probe; readlink /usr/lib/x86_64-linux-gnu/libcuda.so; echo $NVIDIA_VISIBLE_DEVICES'
python3 - "$HOST/etc/cdi/nvidia.yaml" <<'EOF'
import sys
p = sys.argv[1]
text = open(p).read().replace("  mounts:\n", "  - hookName: prestart\n    path: /usr/local/bin/other-hook\n    args: [other-hook, --now]\n  mounts:\n")
open(p, "w").write(text)
EOF
expect_fail 0 'ferry: warning: CDI hook `/usr/local/bin/other-hook --now` is not run: ferry runs no OCI hooks' \
    ferry run --rm --device nvidia.com/gpu=all gpu:1 true
rm -f "$HOST/etc/cdi/nvidia.yaml"

note "rootless"
command -v useradd >/dev/null && command -v runuser >/dev/null || skip "useradd and runuser are needed (rootful part passed)"
user="ferrygpu$$"
while id "$user" >/dev/null 2>&1; do user="${user}x"; done
useradd -m -s /bin/sh "$user"
remove_user() {
    local uid
    uid=$(id -u "$user" 2>/dev/null) && rm -rf "/tmp/ferry-$uid"
    userdel -r "$user" >/dev/null 2>&1 || userdel "$user" >/dev/null 2>&1 || true
}
home=$(getent passwd "$user" | cut -d: -f6)
mkdir -m 755 "$TEST_TMP/pub"
cp "$FERRY" "$TEST_TMP/pub/ferry"
cp "$TEST_TMP/img.tar" "$TEST_TMP/pub/img.tar"
chmod -R a+rX "$TEST_TMP/pub" "$HOST"
chmod a+x "$TEST_TMP"
uferry() {
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$home" FERRY_HOST_ROOT="$HOST" \
        "$TEST_TMP/pub/ferry" "$@"
}
uferry import -q -c 'CMD ["/bin/sh"]' "$TEST_TMP/pub/img.tar" gpu:1 >/dev/null
expect_out "driver=12020 devices=2" uferry run --rm --gpus 2 gpu:1 /probe
expect_out "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia0 nvidia1 nvidiactl" \
    uferry run --rm --gpus 2 gpu:1 sh -c 'cd /dev && echo nvidia*'
expect_out "/dev/nvidia1: No such device or address" \
    uferry run --rm --gpus device=1 gpu:1 /probe open /dev/nvidia1
expect_out "mknod: Operation not permitted" \
    uferry run --rm --gpus device=1 gpu:1 /probe mknod /dev/nvidia5 195 5
expect_out "GPU 0: NVIDIA A100-SXM4-80GB (UUID: $(uuid 6))" \
    uferry run --rm --gpus "device=$(uuid 6)" gpu:1 sh -c 'nvidia-smi | tail -n +2'
expect_out "driver=12020 devices=8" uferry run --rm --device nvidia.com/gpu=all gpu:1 /probe
expect_out "driver=12020 devices=1" uferry run --rm --userns=keep-id --gpus 1 gpu:1 /probe
expect_fail 125 'ferry: error: image requires CUDA >= 99.0 but the host driver 535.104.05 supports CUDA 12.2: upgrade the NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1' \
    uferry run --rm --gpus all -e NVIDIA_REQUIRE_CUDA='cuda>=99.0' gpu:1 true

note "a node the host never made: rootful containers get it, rootless ones cannot"
rm "$HOST/dev/nvidia-uvm-tools"
expect_eq "$(gpu_nodes --gpus 1 gpu:1)" "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl"
out=$(uferry run --rm --gpus 1 gpu:1 sh -c 'cd /dev && echo nvidia*' 2>"$TEST_TMP/err")
expect_eq "$out" "nvidia-modeset nvidia-uvm nvidia0 nvidiactl"
expect_eq "$(cat "$TEST_TMP/err")" "ferry: warning: \`$HOST/dev/nvidia-uvm-tools\` does not exist on the host: a rootless container cannot have it (nvidia-modprobe, run as root, makes the NVIDIA nodes)"
