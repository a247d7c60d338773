#include "ferry/gpu/cdi.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <set>

#include "fake_root.hpp"
#include "ferry/gpu/cdi_hooks.hpp"
#include "ferry/gpu/setup.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::gpu {
namespace {

constexpr const char* k_amd = R"(cdiVersion: 0.5.0
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
)";

// A host with an AMD GPU's nodes (mknod as root; fifos otherwise, which only the type check
// tells apart) and the given spec files.
class Cdi : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(fs::make_dirs(dir / "dev/dri"));
        ASSERT_TRUE(fs::make_dirs(dir / "etc/cdi"));
        ASSERT_TRUE(fs::make_dirs(dir / "var/run/cdi"));
        node("/dev/kfd", 238, 0);
        node("/dev/dri/renderD128", 226, 128);
        node("/dev/dri/renderD129", 226, 129);
    }
    void node(const std::string& path, unsigned major, unsigned minor) {
        std::string p = dir.path() + path;
        if (test::can_mknod())
            ASSERT_EQ(::mknod(p.c_str(), S_IFCHR | 0666, makedev(major, minor)), 0);
        else
            ASSERT_EQ(::mkfifo(p.c_str(), 0666), 0);
    }
    void spec(const std::string& path, const std::string& text) {
        ASSERT_TRUE(write_file_atomic(dir.path() + path, text));
    }
    HostRoot host() { return std::move(*HostRoot::open(dir.path())); }
    Result<Edits> resolve(std::vector<std::string> devices) {
        HostRoot h = host();
        auto reg = CdiRegistry::load(h, default_cdi_dirs());
        auto e = reg.resolve(devices);
        if (e) TRY(finalize_edits(*e, h));
        return e;
    }
    test::TempDir dir;
};

TEST_F(Cdi, HandWrittenAmdSpec) {
    spec("/etc/cdi/amd.yaml", k_amd);
    auto e = resolve({"amd.com/gpu=0"});
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_EQ(e->cdi.device_nodes.size(), 2u);
    EXPECT_EQ(e->cdi.device_nodes[0].path, "/dev/kfd");  // spec-wide edits first
    EXPECT_EQ(e->cdi.device_nodes[0].host_path, dir / "dev/kfd");
    EXPECT_EQ(e->cdi.device_nodes[1].path, "/dev/dri/renderD128");
    EXPECT_EQ(e->cdi.env, std::vector<std::string>{"HSA_ENABLE_SDMA=0"});
    if (test::can_mknod()) {
        EXPECT_EQ(e->cdi.device_nodes[1].type, "c");
        EXPECT_EQ(e->cdi.device_nodes[1].major, 226);
        EXPECT_EQ(e->cdi.device_nodes[1].minor, 128);
        EXPECT_EQ(e->device_rules,
                  (std::vector<DeviceRule>{{'c', 238, 0, "rwm"}, {'c', 226, 128, "rwm"}}));
    }
    // Two devices of one spec: its spec-wide edits once.
    auto both = resolve({"amd.com/gpu=0", "amd.com/gpu=1"});
    ASSERT_TRUE(both) << both.error().message;
    EXPECT_EQ(both->cdi.device_nodes.size(), 3u);
    EXPECT_EQ(both->cdi.env.size(), 1u);
}

TEST_F(Cdi, VarRunWinsOverEtc) {
    spec("/etc/cdi/amd.yaml", k_amd);
    std::string newer = k_amd;
    newer.replace(newer.find("HSA_ENABLE_SDMA=0"), 17, "HSA_ENABLE_SDMA=1");
    spec("/var/run/cdi/amd.json", "");  // not a spec: reported only if needed
    spec("/var/run/cdi/amd-dynamic.yaml", newer);
    auto e = resolve({"amd.com/gpu=0"});
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->cdi.env, std::vector<std::string>{"HSA_ENABLE_SDMA=1"});
}

TEST_F(Cdi, UnresolvableAndConflictingDevices) {
    spec("/etc/cdi/amd.yaml", k_amd);
    auto e = resolve({"amd.com/gpu=7", "vendor.com/x=y", "amd.com/gpu=0"});
    ASSERT_FALSE(e);
    EXPECT_EQ(
        e.error().message,
        "CDI device injection failed: unresolvable CDI devices amd.com/gpu=7, vendor.com/x=y");
    spec("/etc/cdi/broken.yaml",
         "cdiVersion: 0.5.0\nkind: amd.com/gpu\ndevices:\n- name: x y\n"
         "  containerEdits:\n    env: [A=1]\n");
    e = resolve({"amd.com/gpu=7"});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message,
              "CDI device injection failed: unresolvable CDI devices amd.com/gpu=7 (CDI spec "
              "`/etc/cdi/broken.yaml`: field `devices[0].name`: invalid device name `x y`)");
    EXPECT_TRUE(resolve({"amd.com/gpu=0"}));  // a broken neighbour does not block others
    spec("/etc/cdi/amd-copy.yaml", k_amd);
    e = resolve({"amd.com/gpu=0"});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message,
              "CDI device injection failed: conflicting CDI device amd.com/gpu=0 (defined by "
              "`/etc/cdi/amd-copy.yaml` and `/etc/cdi/amd.yaml`)");
    EXPECT_EQ(resolve({"amd.com/gpu"}).error().message,
              "invalid CDI device `amd.com/gpu`: expected vendor/class=name");
}

TEST_F(Cdi, MissingHostDevice) {
    spec("/etc/cdi/amd.yaml", k_amd);
    ASSERT_EQ(::unlink((dir / "dev/kfd").c_str()), 0);
    auto e = resolve({"amd.com/gpu=0"});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message, "device `/dev/kfd`: open `/dev/kfd`: No such file or directory");
}

TEST(CdiGenerate, NvidiaSpecForEightGpus) {
    const auto& root = test::SharedFakeRoot::get(8);
    FERRY_REQUIRE_FAKE_ROOT(root);
    auto host = discover_nvidia(root.open());
    ASSERT_TRUE(host);
    auto spec = generate_nvidia_cdi(*host);
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->version, "0.5.0");  // device names start with a digit
    EXPECT_EQ(spec->kind, "nvidia.com/gpu");
    ASSERT_EQ(spec->devices.size(), 17u);
    EXPECT_EQ(spec->devices[0].name, "0");
    EXPECT_EQ(spec->devices[1].name, "GPU-abcd0000-5f1a-4c2b-9d3e-000000000000");
    EXPECT_EQ(spec->devices[16].name, "all");
    EXPECT_EQ(spec->devices[16].edits.device_nodes.size(), 8u);
    bool soname_mount = false;
    for (const auto& m : spec->edits.mounts)
        soname_mount |= m.container_path == "/usr/lib/x86_64-linux-gnu/libcuda.so.1" &&
                        m.host_path == "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05";
    EXPECT_TRUE(soname_mount);
    for (auto format : {oci::cdi::Format::json, oci::cdi::Format::yaml}) {
        std::string text = oci::cdi::write_spec(*spec, format);
        auto back = oci::cdi::parse_spec(text, format, "generated");
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->edits, spec->edits);
        EXPECT_EQ(back->devices.size(), spec->devices.size());
    }
    NvidiaHost none;
    EXPECT_EQ(generate_nvidia_cdi(none).error().message,
              "no NVIDIA driver is loaded (no /proc/driver/nvidia/version)");
}

TEST(CdiGenerate, NvidiaDevicesResolveWithoutASpecFile) {
    const auto& root = test::SharedFakeRoot::get(8);
    FERRY_REQUIRE_FAKE_ROOT(root);
    HostRoot host = root.open();
    test::TempDir image;
    auto rootfs = fs::open(image.path(), O_PATH | O_DIRECTORY);
    ASSERT_TRUE(rootfs);
    SetupRequest req;
    req.cdi_devices = {"nvidia.com/gpu=3"};
    DirRootfs view(rootfs->get());
    req.rootfs = &view;
    auto e = gpu_setup(host, req);
    ASSERT_TRUE(e) << e.error().message;
    std::vector<std::string> nodes;
    for (const auto& n : e->cdi.device_nodes)
        nodes.push_back(n.path);
    EXPECT_TRUE(std::find(nodes.begin(), nodes.end(), "/dev/nvidia3") != nodes.end());
    EXPECT_TRUE(std::find(nodes.begin(), nodes.end(), "/dev/nvidia0") == nodes.end());
    ASSERT_TRUE(e->ld_cache);  // the mounted libraries are registered
    auto cache = parse_ld_cache(*e->ld_cache);
    ASSERT_TRUE(cache);
    bool libcuda = false;
    for (const auto& entry : cache->entries)
        libcuda |= entry.name == "libcuda.so.1";
    EXPECT_TRUE(libcuda);

    // Asked twice (--gpus and CDI): each node, mount and link once.
    req.gpus = "device=3";
    auto twice = gpu_setup(host, req);
    ASSERT_TRUE(twice) << twice.error().message;
    nodes.clear();
    for (const auto& n : twice->cdi.device_nodes)
        nodes.push_back(n.path);
    EXPECT_EQ(std::count(nodes.begin(), nodes.end(), "/dev/nvidia3"), 1);
    EXPECT_EQ(std::count(nodes.begin(), nodes.end(), "/dev/nvidiactl"), 1);
    std::set<std::string> targets;
    for (const auto& m : twice->cdi.mounts)
        EXPECT_TRUE(targets.insert(m.container_path).second);
}

// The hooks nvidia-ctk writes are done natively; links land at canonical paths of the image.
TEST(CdiHooks, NvidiaHooksBecomeEditsOthersAreDropped) {
    test::TempDir image;
    ASSERT_TRUE(fs::make_dirs(image / "usr/lib/x86_64-linux-gnu"));
    ASSERT_EQ(::symlink("usr/lib", (image / "lib").c_str()), 0);
    auto rootfs = fs::open(image.path(), O_PATH | O_DIRECTORY);
    ASSERT_TRUE(rootfs);
    DirRootfs view(rootfs->get());
    Edits e;
    e.cdi.hooks = {
        {"createContainer",
         "/usr/bin/nvidia-cdi-hook",
         {"nvidia-cdi-hook", "create-symlinks", "--link",
          "libcuda.so.1::/lib/x86_64-linux-gnu/libcuda.so", "--link=../a::/usr/lib/b"},
         {},
         {}},
        {"createContainer",
         "/usr/bin/nvidia-ctk",
         {"nvidia-ctk", "hook", "update-ldcache", "--folder", "/usr/lib/x86_64-linux-gnu"},
         {},
         {}},
        {"createContainer",
         "/usr/bin/nvidia-cdi-hook",
         {"nvidia-cdi-hook", "--debug", "chmod", "--mode", "755", "--path", "/dev/dri"},
         {},
         {}},
    };
    auto r = interpret_cdi_hooks(e, view);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(e.cdi.hooks.empty());
    std::vector<Symlink> want = {{"/usr/lib/x86_64-linux-gnu/libcuda.so", "libcuda.so.1"},
                                 {"/usr/lib/b", "../a"}};
    EXPECT_EQ(e.symlinks, want);

    // An unknown hook is left out (with a warning), not run.
    Edits other;
    other.cdi.hooks = {{"prestart", "/usr/local/bin/my-hook", {"my-hook", "x"}, {}, {}}};
    ASSERT_TRUE(interpret_cdi_hooks(other, view));
    EXPECT_TRUE(other.cdi.hooks.empty());
    EXPECT_TRUE(other.symlinks.empty());
}

}  // namespace
}  // namespace ferry::gpu
