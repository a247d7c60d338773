#include "ferry/gpu/edits.hpp"

#include <fcntl.h>

#include <algorithm>

#include "fake_root.hpp"
#include "ferry/gpu/cuda_compat.hpp"
#include "ferry/gpu/nvidia_edits.hpp"
#include "ferry/gpu/setup.hpp"
#include "image_root.hpp"

namespace ferry::gpu {
namespace {

using test::Distro;

std::vector<std::string> targets(const Edits& e) {
    std::vector<std::string> out;
    for (const auto& m : e.cdi.mounts)
        out.push_back(m.container_path);
    return out;
}

std::vector<std::string> nodes(const Edits& e) {
    std::vector<std::string> out;
    for (const auto& n : e.cdi.device_nodes)
        out.push_back(n.path);
    return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

class NvidiaEdits : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto& root = test::SharedFakeRoot::get(8);
        FERRY_REQUIRE_FAKE_ROOT(root);
        host_path = root.path();
        auto h = HostRoot::open(root.path());
        ASSERT_TRUE(h);
        host.emplace(std::move(*h));
    }
    Fd image(Distro distro) {
        std::string dir = tmp / ("image" + std::to_string(images++));
        EXPECT_EQ(test::make_image_root(dir, distro), "");
        image_path = dir;
        return *fs::open(dir, O_PATH | O_DIRECTORY);
    }
    Result<Edits> setup(const std::string& gpus, int rootfs, std::vector<std::string> env = {}) {
        SetupRequest req;
        req.gpus = gpus;
        req.env = std::move(env);
        DirRootfs view(rootfs);
        req.rootfs = &view;
        return gpu_setup(*host, req);
    }
    test::TempDir tmp;
    std::optional<HostRoot> host;
    std::string host_path, image_path;
    int images = 0;
};

TEST_F(NvidiaEdits, DebianImageGetsSelectedGpuAndComputeUtilityFiles) {
    Fd rootfs = image(Distro::debian);
    auto e = setup("device=1", rootfs.get());
    ASSERT_TRUE(e) << e.error().message;
    std::vector<std::string> want = {"/dev/nvidia1", "/dev/nvidiactl", "/dev/nvidia-uvm",
                                     "/dev/nvidia-uvm-tools"};
    if (test::can_mknod()) want.push_back("/dev/nvidia-modeset");
    EXPECT_EQ(nodes(*e), want);
    auto t = targets(*e);
    const std::string lib = "/usr/lib/x86_64-linux-gnu/";
    EXPECT_TRUE(has(t, lib + "libcuda.so.535.104.05"));
    EXPECT_TRUE(has(t, lib + "libnvidia-ml.so.535.104.05"));
    EXPECT_TRUE(has(t, lib + "libnvidia-ptxjitcompiler.so.535.104.05"));
    EXPECT_FALSE(has(t, lib + "libGLX_nvidia.so.535.104.05"));     // graphics not asked
    EXPECT_FALSE(has(t, lib + "libnvidia-encode.so.535.104.05"));  // video not asked
    EXPECT_FALSE(has(t, lib + "libnvidia-fbc.so.470.82.01"));      // stale
    EXPECT_TRUE(has(t, "/usr/bin/nvidia-smi"));
    EXPECT_TRUE(has(t, "/usr/bin/nvidia-cuda-mps-control"));
    // The image's /lib is a link to usr/lib: the canonical target is used.
    EXPECT_TRUE(has(t, "/usr/lib/firmware/nvidia/535.104.05/gsp_ga10x.bin"));
    EXPECT_TRUE(has(t, "/run/nvidia-persistenced/socket"));
    for (const auto& m : e->cdi.mounts) {
        EXPECT_TRUE(m.host_path.starts_with(host_path + "/")) << m.host_path;
        EXPECT_EQ(m.options[0], "ro");
    }
    EXPECT_TRUE(std::find(e->symlinks.begin(), e->symlinks.end(),
                          Symlink{lib + "libcuda.so.1", "libcuda.so.535.104.05"}) !=
                e->symlinks.end());
    EXPECT_EQ(e->cdi.env, std::vector<std::string>{
                              "NVIDIA_VISIBLE_DEVICES=GPU-abcd0001-5f1a-4c2b-9d3e-000000000001"});
    EXPECT_TRUE(std::find(e->device_rules.begin(), e->device_rules.end(),
                          DeviceRule{'c', 195, 1, "rw"}) != e->device_rules.end());
    EXPECT_TRUE(std::find(e->device_rules.begin(), e->device_rules.end(),
                          DeviceRule{'c', 508, 0, "rw"}) != e->device_rules.end());

    // The new cache keeps the image's libraries and adds the driver's.
    ASSERT_TRUE(e->ld_cache);
    auto cache = parse_ld_cache(*e->ld_cache);
    ASSERT_TRUE(cache);
    std::vector<std::string> names;
    for (const auto& entry : cache->entries)
        names.push_back(std::string(entry.name) + "=" + std::string(entry.path));
    EXPECT_TRUE(has(names, "libimage.so.1=/usr/lib/x86_64-linux-gnu/libimage.so.1"));
    EXPECT_TRUE(has(names, "libc.so.6=/usr/lib/x86_64-linux-gnu/libc.so.6"));
    EXPECT_TRUE(has(names, "libcuda.so.1=" + lib + "libcuda.so.535.104.05"));
    EXPECT_TRUE(has(names, "libnvidia-ml.so.1=" + lib + "libnvidia-ml.so.535.104.05"));
}

TEST_F(NvidiaEdits, RhelImageUsesLib64AndGraphicsAddsGlx) {
    Fd rootfs = image(Distro::rhel);
    auto e = setup("all,capabilities=graphics", rootfs.get());
    ASSERT_TRUE(e) << e.error().message;
    auto t = targets(*e);
    EXPECT_TRUE(has(t, "/usr/lib64/libGLX_nvidia.so.535.104.05"));
    EXPECT_FALSE(has(t, "/usr/lib64/libcuda.so.535.104.05"));
    EXPECT_FALSE(has(t, "/usr/bin/nvidia-smi"));
    EXPECT_EQ(std::count_if(e->cdi.device_nodes.begin(), e->cdi.device_nodes.end(),
                            [](const auto& n) {
                                return n.path.starts_with("/dev/nvidia") &&
                                       std::isdigit(static_cast<unsigned char>(n.path.back()));
                            }),
              8);
}

TEST_F(NvidiaEdits, NothingWithoutGpusOrWithVoid) {
    Fd rootfs = image(Distro::debian);
    SetupRequest req;
    DirRootfs view(rootfs.get());
    req.rootfs = &view;
    req.env = {"NVIDIA_VISIBLE_DEVICES=all"};
    auto none = gpu_setup(*host, req);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());  // an image asking for GPUs gets none without --gpus
    auto zero = setup("0", rootfs.get());
    ASSERT_TRUE(zero);
    EXPECT_TRUE(zero->empty());
    auto v = setup("all", rootfs.get(), {"NVIDIA_VISIBLE_DEVICES=void"});
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->empty());
}

TEST_F(NvidiaEdits, RequirementFailsBeforeAnything) {
    Fd rootfs = image(Distro::debian);
    auto e = setup("all", rootfs.get(), {"NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message,
              "image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_TRUE(
        setup("all", rootfs.get(), {"NVIDIA_REQUIRE_CUDA=cuda>=12.4", "NVIDIA_DISABLE_REQUIRE=1"}));
}

// The image's /usr/lib/x86_64-linux-gnu points at a host directory (CVE-2024-0132's shape):
// resolution stays inside the rootfs, so the driver files go to a directory of the container
// and nothing is ever created in the host directory.
TEST_F(NvidiaEdits, ImageSymlinkCannotRedirectMounts) {
    Fd rootfs = image(Distro::rhel);
    std::string outside = tmp / "host-dir";
    ASSERT_TRUE(fs::make_dirs(outside));
    ASSERT_TRUE(fs::make_dirs(image_path + "/usr/lib"));
    ASSERT_EQ(::symlink(outside.c_str(), (image_path + "/usr/lib/x86_64-linux-gnu").c_str()), 0);
    ASSERT_EQ(::symlink("../../../../../../host-dir", (image_path + "/usr/escape").c_str()), 0);
    auto dir = image_library_dir(DirRootfs(rootfs.get()));
    ASSERT_TRUE(dir) << dir.error().message;
    EXPECT_EQ(*dir, "/usr/lib64");  // the link resolves to nothing inside the rootfs
    auto e = setup("all", rootfs.get());
    ASSERT_TRUE(e) << e.error().message;
    for (const auto& t : targets(*e))
        EXPECT_FALSE(t.starts_with(outside)) << t;

    // Opening a target through either link is refused, and nothing appears outside.
    for (const char* path :
         {"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/escape/libcuda.so.1"}) {
        auto fd = open_mount_target(rootfs.get(), path, TargetKind::file);
        ASSERT_FALSE(fd) << path;
        EXPECT_EQ(fd.error().sys_errno, ELOOP) << fd.error().message;
        auto link = make_symlink_in_root(rootfs.get(), path, "x");
        EXPECT_FALSE(link) << path;
    }
    auto canonical =
        canonical_container_path(DirRootfs(rootfs.get()), "/usr/escape/sub/libcuda.so.1");
    ASSERT_TRUE(canonical);
    EXPECT_EQ(*canonical, "/usr/escape/sub/libcuda.so.1");  // not below any host path
    EXPECT_TRUE(fs::list_dir(outside)->empty());
}

TEST_F(NvidiaEdits, OpenMountTargetCreatesInsideTheRoot) {
    Fd rootfs = image(Distro::debian);
    auto fd =
        open_mount_target(rootfs.get(), "/usr/lib/x86_64-linux-gnu/new/libx.so", TargetKind::file);
    ASSERT_TRUE(fd) << fd.error().message;
    EXPECT_TRUE(fs::lexists(image_path + "/usr/lib/x86_64-linux-gnu/new/libx.so"));
    ASSERT_TRUE(
        make_symlink_in_root(rootfs.get(), "/usr/lib/x86_64-linux-gnu/new/libx.so.1", "libx.so"));
    ASSERT_TRUE(
        make_symlink_in_root(rootfs.get(), "/usr/lib/x86_64-linux-gnu/new/libx.so.1", "libx.so"));
    auto canonical =
        canonical_container_path(DirRootfs(rootfs.get()), "/lib/firmware/nvidia/x.bin");
    ASSERT_TRUE(canonical);
    EXPECT_EQ(*canonical, "/usr/lib/firmware/nvidia/x.bin");
}

// What a process in the container sees: libcuda.so.1 resolves through the new cache to the
// host driver, only the selected GPU's node exists, and the (static) nvidia-smi lists it alone.
TEST_F(NvidiaEdits, ContainerSeesTheDriverAndOnlyTheSelectedGpu) {
    if (!test::can_mknod()) GTEST_SKIP() << "applying edits needs root";
    Fd rootfs = image(Distro::debian);
    std::string src = tmp / "probe.c";
    ASSERT_TRUE(write_file_atomic(src, R"(#include <dlfcn.h>
#include <stdio.h>
#include <sys/stat.h>
static const char *seen(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? "present" : "absent";
}
int main(void) {
    void *h = dlopen("libcuda.so.1", RTLD_NOW);
    if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
    int (*version)(int *) = (int (*)(int *))dlsym(h, "cuDriverGetVersion");
    int (*count)(int *) = (int (*)(int *))dlsym(h, "cuDeviceGetCount");
    int v = 0, n = 0;
    version(&v);
    count(&n);
    printf("cuda %d, %d device(s), nvidia0 %s, nvidia2 %s\n", v, n, seen("/dev/nvidia0"),
           seen("/dev/nvidia2"));
    return 0;
}
)"));
    ASSERT_EQ(std::system(("gcc -o " + image_path + "/usr/bin/probe " + src).c_str()), 0);
    auto e = setup("device=2", rootfs.get());
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(test::run_in_container(image_path, *e, {"/usr/bin/probe"}),
              "cuda 12020, 1 device(s), nvidia0 absent, nvidia2 present\n");
    std::string smi = test::run_in_container(image_path, *e, {"/usr/bin/nvidia-smi"});
    EXPECT_EQ(smi,
              "Fake NVIDIA-SMI  Driver Version: 535.104.05  CUDA Version: 12.2\n"
              "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-abcd0002-5f1a-4c2b-9d3e-000000000002)\n");
}

// Forward compatibility: an image with CUDA 12.4 compat libraries on a 535 host gets them
// (the cache points libcuda.so.1 at them) and passes cuda>=12.4; on a GeForce it does not.
TEST_F(NvidiaEdits, ForwardCompatLibraries) {
    Fd rootfs = image(Distro::debian);
    std::string compat = image_path + "/usr/local/cuda-12.4/compat";
    std::string make = "set -e; mkdir -p " + compat + "; cd " + compat +
                       "; printf '.section .note.cuda.fwd_compatibility,\"a\",@note\\n.balign 4\\n"
                       ".long 19\\n.long 2f-1f\\n.long 1\\n.asciz \"NVIDIA Corporation\"\\n"
                       ".balign 4\\n1: .ascii \"{\\\\\"Format\\\\\":1,\\\\\"CUDA Version\\\\\":"
                       "\\\\\"12.4\\\\\"}\"\\n2:\\n.section .note.GNU-stack,\"\",@progbits\\n' > "
                       "note.s; gcc -shared -Wl,-soname,libcuda.so.1 "
                       "-o libcuda.so.550.54.15 note.s; rm note.s; ln -s libcuda.so.550.54.15 "
                       "libcuda.so.1; ln -s cuda-12.4 " +
                       image_path + "/usr/local/cuda";
    ASSERT_EQ(std::system(make.c_str()), 0);
    auto lib = fs::open(compat + "/libcuda.so.550.54.15", O_RDONLY);
    ASSERT_TRUE(lib);
    EXPECT_EQ(compat_note_cuda_version(lib->get()), "12.4");

    auto e = setup("all", rootfs.get(), {"NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_TRUE(e->ld_cache);
    auto cache = parse_ld_cache(*e->ld_cache);
    ASSERT_TRUE(cache);
    int libcuda1 = 0;
    for (const auto& entry : cache->entries) {
        if (entry.name != "libcuda.so.1") continue;
        ++libcuda1;
        EXPECT_EQ(entry.path, "/usr/local/cuda-12.4/compat/libcuda.so.1");
    }
    EXPECT_EQ(libcuda1, 1);

    // No compat libraries on GeForce GPUs: the requirement then fails.
    test::TempDir other;
    ASSERT_EQ(
        test::build_fake_root(other / "r", 1, "535.104.05", "FAKE_MODEL='NVIDIA GeForce RTX 3090'"),
        "");
    auto geforce = HostRoot::open(other / "r");
    ASSERT_TRUE(geforce);
    SetupRequest req;
    req.gpus = "all";
    req.env = {"NVIDIA_REQUIRE_CUDA=cuda>=12.4"};
    DirRootfs view(rootfs.get());
    req.rootfs = &view;
    auto refused = gpu_setup(*geforce, req);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message,
              "image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1");
}

// ldconfig names a library by its DT_SONAME; a CDI spec that mounts only the real file (no
// soname link) still gets libx.so.1 in the cache.
TEST(Edits, LibrariesAreNamedByTheirSoname) {
    test::TempDir dir;
    std::string cmd = "echo 'int x;' | gcc -x c -shared -fPIC -Wl,-soname,libx.so.1 -o " +
                      test::sh_quote(dir / "libx.so.1.2.3") + " - 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "gcc cannot build a shared library here";
    EXPECT_EQ(elf_soname(dir / "libx.so.1.2.3"), "libx.so.1");
    ASSERT_TRUE(write_file_atomic(dir / "plain", "not elf"));
    EXPECT_EQ(elf_soname(dir / "plain"), "");
    EXPECT_EQ(elf_soname(dir / "missing"), "");

    test::TempDir image;
    auto rootfs = fs::open(image.path(), O_PATH | O_DIRECTORY);
    ASSERT_TRUE(rootfs);
    Edits e;
    e.cdi.mounts.push_back({dir / "libx.so.1.2.3", "/usr/lib/libx.so.1.2.3", "", {"ro", "bind"}});
    ASSERT_TRUE(container_ld_cache(e, DirRootfs(rootfs->get())));
    ASSERT_TRUE(e.ld_cache);
    auto cache = parse_ld_cache(*e.ld_cache);
    ASSERT_TRUE(cache);
    ASSERT_EQ(cache->entries.size(), 1u);
    EXPECT_EQ(cache->entries[0].name, "libx.so.1");
    EXPECT_EQ(cache->entries[0].path, "/usr/lib/libx.so.1.2.3");
}

TEST(Edits, FinalizeFillsDevicesFromTheHost) {
    if (!test::can_mknod()) GTEST_SKIP() << "mknod needs root";
    test::TempDir dir;
    ASSERT_TRUE(fs::make_dirs(dir / "dev/dri"));
    ASSERT_EQ(::mknod((dir / "dev/dri/renderD128").c_str(), S_IFCHR | 0660, makedev(226, 128)), 0);
    ASSERT_EQ(::chmod((dir / "dev/dri/renderD128").c_str(), 0660), 0);
    ASSERT_TRUE(write_file_atomic(dir / "plain", "x"));
    auto host = HostRoot::open(dir.path());
    ASSERT_TRUE(host);
    Edits e;
    oci::cdi::DeviceNode n;
    n.path = "/dev/dri/renderD128";
    e.cdi.device_nodes.push_back(n);
    ASSERT_TRUE(finalize_edits(e, *host));
    const auto& got = e.cdi.device_nodes[0];
    EXPECT_EQ(got.type, "c");
    EXPECT_EQ(got.major, 226);
    EXPECT_EQ(got.minor, 128);
    EXPECT_EQ(got.file_mode, 0660u);
    EXPECT_EQ(got.host_path, dir / "dev/dri/renderD128");
    EXPECT_EQ(e.device_rules, (std::vector<DeviceRule>{{'c', 226, 128, "rwm"}}));

    Edits missing;
    n.path = "/dev/kfd";
    missing.cdi.device_nodes.push_back(n);
    EXPECT_EQ(finalize_edits(missing, *host).error().message,
              "device `/dev/kfd`: open `/dev/kfd`: No such file or directory");
    Edits plain;
    n.path = "/plain";
    plain.cdi.device_nodes.push_back(n);
    EXPECT_EQ(finalize_edits(plain, *host).error().message, "device `/plain`: not a device node");
    Edits mount;
    mount.cdi.mounts.push_back({"/nowhere", "/x", "", {}});
    EXPECT_EQ(finalize_edits(mount, *host).error().message,
              "mount source `/nowhere`: open `/nowhere`: No such file or directory");
}

}  // namespace
}  // namespace ferry::gpu
