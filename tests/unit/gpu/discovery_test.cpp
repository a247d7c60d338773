#include "ferry/gpu/discovery.hpp"

#include <algorithm>

#include "fake_root.hpp"
#include "ferry/gpu/driver_tables.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::gpu {
namespace {

const DriverFile* library(const NvidiaHost& h, std::string_view soname) {
    for (const auto& l : h.libraries)
        if (std::find(l.names.begin(), l.names.end(), soname) != l.names.end()) return &l;
    return nullptr;
}

TEST(Discovery, EightGpus) {
    const auto& root = test::SharedFakeRoot::get(8);
    FERRY_REQUIRE_FAKE_ROOT(root);
    auto host = discover_nvidia(root.open());
    ASSERT_TRUE(host) << host.error().message;
    EXPECT_TRUE(host->driver_loaded);
    EXPECT_EQ(host->driver_version, "535.104.05");
    EXPECT_EQ(host->cuda_version, "12.2");
    ASSERT_EQ(host->gpus.size(), 8u);
    for (unsigned i = 0; i < 8; ++i) {
        const Gpu& g = host->gpus[i];
        EXPECT_EQ(g.index, i);
        EXPECT_EQ(g.minor, i);
        EXPECT_EQ(g.model, "NVIDIA A100-SXM4-80GB");
        EXPECT_EQ(g.brand, "nvidia");
        EXPECT_EQ(g.arch, "8.0");
    }
    EXPECT_EQ(host->gpus[0].uuid, "GPU-abcd0000-5f1a-4c2b-9d3e-000000000000");
    EXPECT_EQ(host->gpus[1].bus_id, "0000:17:00.0");
    EXPECT_EQ(host->uvm_major, 508);
}

TEST(Discovery, LibrariesMatchTheModuleVersionExactly) {
    const auto& root = test::SharedFakeRoot::get(1);
    FERRY_REQUIRE_FAKE_ROOT(root);
    auto host = discover_nvidia(root.open());
    ASSERT_TRUE(host) << host.error().message;
    const DriverFile* cuda = library(*host, "libcuda.so.1");
    ASSERT_TRUE(cuda);
    EXPECT_EQ(cuda->path, "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
    EXPECT_EQ(cuda->names, (std::vector<std::string>{"libcuda.so.1", "libcuda.so"}));
    EXPECT_TRUE(cuda->wanted_by.has(Cap::compute));
    EXPECT_FALSE(cuda->lib32);
    ASSERT_TRUE(library(*host, "libnvidia-ml.so.1"));
    EXPECT_TRUE(library(*host, "libnvidia-ml.so.1")->wanted_by.has(Cap::utility));
    ASSERT_TRUE(library(*host, "libnvidia-glcore.so.535.104.05"));
    EXPECT_TRUE(library(*host, "libGLX_nvidia.so.0")->wanted_by.has(Cap::graphics));
    // libnvidia-fbc.so.470.82.01 (graphics) and the stale libnvidia-opencl.so.1 in
    // /usr/local/lib/stale are left out; the current libnvidia-opencl is kept.
    EXPECT_FALSE(library(*host, "libnvidia-fbc.so.1"));
    ASSERT_TRUE(library(*host, "libnvidia-opencl.so.1"));
    EXPECT_EQ(library(*host, "libnvidia-opencl.so.1")->path,
              "/usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.535.104.05");
    EXPECT_EQ(host->skipped.size(), 2u);
    EXPECT_EQ(host->libraries.size(), 14u);
}

TEST(Discovery, BinariesFirmwareSocketsAndDevices) {
    const auto& root = test::SharedFakeRoot::get(2);
    FERRY_REQUIRE_FAKE_ROOT(root);
    auto host = discover_nvidia(root.open());
    ASSERT_TRUE(host) << host.error().message;
    std::vector<std::string> bins;
    for (const auto& b : host->binaries)
        bins.push_back(b.path);
    EXPECT_EQ(bins, (std::vector<std::string>{"/usr/bin/nvidia-smi", "/usr/bin/nvidia-debugdump",
                                              "/usr/bin/nvidia-persistenced",
                                              "/usr/bin/nvidia-cuda-mps-control",
                                              "/usr/bin/nvidia-cuda-mps-server"}));
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : host->files)
        files.emplace_back(f.path, f.container);
    // /lib is a link to usr/lib on this (merged-/usr) host: the source is the real file.
    EXPECT_EQ(files, (std::vector<std::pair<std::string, std::string>>{
                         {"/usr/lib/firmware/nvidia/535.104.05/gsp_ga10x.bin",
                          "/lib/firmware/nvidia/535.104.05/gsp_ga10x.bin"},
                         {"/usr/lib/firmware/nvidia/535.104.05/gsp_tu10x.bin",
                          "/lib/firmware/nvidia/535.104.05/gsp_tu10x.bin"},
                         {"/run/nvidia-persistenced/socket", "/run/nvidia-persistenced/socket"},
                         {"/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
                          "/usr/share/glvnd/egl_vendor.d/10_nvidia.json"}}));
    std::vector<std::string> nodes;
    for (const auto& d : host->control_devices) {
        nodes.push_back(d.path + " " + std::to_string(d.major) + ":" + std::to_string(d.minor));
        EXPECT_EQ(d.present, test::can_mknod()) << d.path;
    }
    std::vector<std::string> want = {"/dev/nvidiactl 195:255", "/dev/nvidia-uvm 508:0",
                                     "/dev/nvidia-uvm-tools 508:1"};
    if (test::can_mknod()) want.push_back("/dev/nvidia-modeset 195:254");
    EXPECT_EQ(nodes, want);
    EXPECT_EQ(host->caps_major, 509);
    std::vector<std::string> caps;
    for (const auto& d : host->caps_devices)
        caps.push_back(d.path + " " + std::to_string(d.major) + ":" + std::to_string(d.minor));
    std::vector<std::string> want_caps;
    if (test::can_mknod())
        want_caps = {"/dev/nvidia-caps/nvidia-cap1 509:1", "/dev/nvidia-caps/nvidia-cap2 509:2"};
    EXPECT_EQ(caps, want_caps);
}

TEST(Discovery, NoDriverIsNotAnError) {
    test::TempDir dir;
    auto root = HostRoot::open(dir.path());
    ASSERT_TRUE(root);
    auto host = discover_nvidia(*root);
    ASSERT_TRUE(host) << host.error().message;
    EXPECT_FALSE(host->driver_loaded);
    EXPECT_TRUE(host->gpus.empty());
}

TEST(Discovery, DriverWithoutGpusOrCacheOrProcDevices) {
    const auto& shared = test::SharedFakeRoot::get(0);
    FERRY_REQUIRE_FAKE_ROOT(shared);
    auto host = discover_nvidia(shared.open());
    ASSERT_TRUE(host) << host.error().message;
    EXPECT_TRUE(host->driver_loaded);
    EXPECT_TRUE(host->gpus.empty());
    EXPECT_FALSE(host->libraries.empty());

    test::TempDir dir;
    ASSERT_TRUE(fs::make_dirs(dir / "proc/driver/nvidia/gpus/0000:01:00.0"));
    ASSERT_TRUE(fs::make_dirs(dir / "proc/driver/nvidia/gpus/0000:02:00.0"));
    ASSERT_TRUE(write_file_atomic(dir / "proc/driver/nvidia/version",
                                  "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  "
                                  "550.54.14  Release Build  (dvs-builder@U16)  Thu Feb 22 "
                                  "01:25:25 UTC 2024\n"));
    // One GPU has a complete information file, the other none (skipped with a warning).
    ASSERT_TRUE(
        write_file_atomic(dir / "proc/driver/nvidia/gpus/0000:02:00.0/information",
                          "Model: \t\t Tesla T4\nGPU UUID: \t GPU-1\nDevice Minor: \t 3\n"));
    auto root = HostRoot::open(dir.path());
    ASSERT_TRUE(root);
    auto bare = discover_nvidia(*root);
    ASSERT_TRUE(bare) << bare.error().message;
    EXPECT_EQ(bare->driver_version, "550.54.14");
    EXPECT_EQ(bare->cuda_version, "12.4");
    ASSERT_EQ(bare->gpus.size(), 1u);
    EXPECT_EQ(bare->gpus[0].index, 0u);
    EXPECT_EQ(bare->gpus[0].minor, 3u);
    EXPECT_EQ(bare->gpus[0].bus_id, "0000:02:00.0");
    EXPECT_EQ(bare->gpus[0].brand, "tesla");
    EXPECT_EQ(bare->gpus[0].arch, "7.5");
    EXPECT_TRUE(bare->libraries.empty());
    EXPECT_EQ(bare->uvm_major, -1);
    ASSERT_EQ(bare->control_devices.size(), 1u);  // nvidiactl: fixed numbers
    EXPECT_EQ(bare->control_devices[0].path, "/dev/nvidiactl");
}

TEST(Discovery, MalformedVersionFile) {
    test::TempDir dir;
    ASSERT_TRUE(fs::make_dirs(dir / "proc/driver/nvidia"));
    ASSERT_TRUE(write_file_atomic(dir / "proc/driver/nvidia/version", "garbage\n"));
    auto root = HostRoot::open(dir.path());
    ASSERT_TRUE(root);
    auto host = discover_nvidia(*root);
    ASSERT_FALSE(host);
    EXPECT_EQ(host.error().message,
              "`/proc/driver/nvidia/version`: no driver version in `garbage`");
}

TEST(DriverTables, CudaVersions) {
    EXPECT_EQ(cuda_version_for_driver("535.104.05"), "12.2");
    EXPECT_EQ(cuda_version_for_driver("550.54.14"), "12.4");
    EXPECT_EQ(cuda_version_for_driver("565.57.01"), "12.7");
    EXPECT_EQ(cuda_version_for_driver("470.82.01"), "11.4");
    EXPECT_EQ(cuda_version_for_driver("999.1"), "13.0");
    EXPECT_FALSE(cuda_version_for_driver("340.108"));
    EXPECT_EQ(driver_branch_for_cuda("12.4"), "550");
    EXPECT_EQ(driver_branch_for_cuda("12.3.2"), "550");
    EXPECT_EQ(driver_branch_for_cuda("11.0"), "450");
    EXPECT_FALSE(driver_branch_for_cuda("14.0"));
}

TEST(DriverTables, ModelsToBrandAndArch) {
    EXPECT_EQ(arch_for_model("NVIDIA H100 80GB HBM3"), "9.0");
    EXPECT_EQ(arch_for_model("NVIDIA H200"), "9.0");
    EXPECT_EQ(arch_for_model("NVIDIA A100-SXM4-40GB"), "8.0");
    EXPECT_EQ(arch_for_model("NVIDIA A10G"), "8.6");
    EXPECT_EQ(arch_for_model("NVIDIA GeForce RTX 4090"), "8.9");
    EXPECT_EQ(arch_for_model("Quadro RTX 4000"), "7.5");
    EXPECT_EQ(arch_for_model("NVIDIA RTX 5000 Ada Generation"), "8.9");
    EXPECT_EQ(arch_for_model("Tesla V100-SXM2-16GB"), "7.0");
    EXPECT_EQ(arch_for_model("Tesla T4"), "7.5");
    EXPECT_EQ(arch_for_model("Some Future GPU"), "");
    EXPECT_EQ(brand_for_model("Tesla T4"), "tesla");
    EXPECT_EQ(brand_for_model("NVIDIA GeForce RTX 3090"), "geforce");
    EXPECT_EQ(brand_for_model("Quadro RTX 6000"), "quadrortx");
    EXPECT_EQ(brand_for_model("NVIDIA RTX A6000"), "nvidiartx");
    EXPECT_EQ(brand_for_model("NVIDIA TITAN V"), "titan");
    EXPECT_EQ(brand_for_model("NVIDIA H100 80GB HBM3"), "nvidia");
}

TEST(DriverTables, VersionCompare) {
    EXPECT_EQ(compare_versions("12.10", "12.9"), 1);
    EXPECT_EQ(compare_versions("12", "12.0"), 0);
    EXPECT_EQ(compare_versions("535.104.05", "535.104.5"), 0);
    EXPECT_EQ(compare_versions("11.8", "12"), -1);
    EXPECT_FALSE(compare_versions("12.x", "12"));
}

TEST(DriverTables, FakeLibcudaAgreesWithTheTable) {
    // The fake libcuda's cuDriverGetVersion comes from the script's copy of the table.
    for (const char* version : {"470.82.01", "550.54.14"}) {
        test::TempDir dir;
        ASSERT_EQ(test::build_fake_root(dir / "r", 0, version), "");
        auto root = HostRoot::open(dir / "r");
        ASSERT_TRUE(root);
        auto host = discover_nvidia(*root);
        ASSERT_TRUE(host);
        std::string probe =
            "printf '#include <dlfcn.h>\\n#include <stdio.h>\\nint main(int c,char**v){"
            "void*h=dlopen(v[1],RTLD_NOW);int(*f)(int*)=(int(*)(int*))dlsym(h,"
            "\"cuDriverGetVersion\");int x=0;f(&x);printf(\"%%d.%%d\",x/1000,"
            "x%%1000/10);return 0;}' > " +
            dir / "p.c" + " && gcc -o " + dir / "p " + dir / "p.c && " + dir / "p " +
            dir / "r/usr/lib/x86_64-linux-gnu/libcuda.so.1 > " + dir / "out";
        ASSERT_EQ(std::system(probe.c_str()), 0);
        EXPECT_EQ(*fs::read_file(dir / "out"), host->cuda_version) << version;
    }
}

}  // namespace
}  // namespace ferry::gpu
