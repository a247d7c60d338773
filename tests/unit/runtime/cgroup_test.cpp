#include "ferry/runtime/cgroup.hpp"

#include <gtest/gtest.h>

#include "ferry/runtime/devices.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

constexpr std::string_view k_mountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "50 22 0:32 / /mnt/my\\040mem rw,relatime - cgroup cgroup rw,memory\n"
    "51 22 0:40 / /mnt/other rw,relatime - cgroup cgroup rw,pids\n";

TEST(Cgroup, ParseHierarchies) {
    auto h = parse_cgroup_hierarchies(k_mountinfo);
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(h[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(h[0].key(), "cpu,cpuacct");
    EXPECT_EQ(h[1].mount_point, "/sys/fs/cgroup/memory");  // the first mount of a hierarchy
    EXPECT_EQ(h[2].controllers, (std::vector<std::string>{"name=systemd"}));
    EXPECT_EQ(h[3].mount_point, "/mnt/other");
}

TEST(Cgroup, ParseProcCgroup) {
    auto m = parse_proc_cgroup(
        "12:pids:/user.slice\n4:memory:/a/b\n1:name=systemd:/x\n0::/init.scope\n");
    EXPECT_EQ(m["pids"], "/user.slice");
    EXPECT_EQ(m["memory"], "/a/b");
    EXPECT_EQ(m["name=systemd"], "/x");
    EXPECT_EQ(m[""], "/init.scope");
}

TEST(Cgroup, ResolvePath) {
    EXPECT_EQ(resolve_cgroup_path("/ferry/abc", "/user.slice", "/x"), "/ferry/abc");
    EXPECT_EQ(resolve_cgroup_path("ferry/abc", "/user.slice", "/x"), "/user.slice/ferry/abc");
    EXPECT_EQ(resolve_cgroup_path("", "/user.slice", "ferry/x"), "/ferry/x");
    EXPECT_EQ(resolve_cgroup_path("/../../a", "/", ""), "/a");
}

oci::Resources limits() {
    oci::Resources r;
    r.memory = oci::MemoryResources{64 << 20, 128 << 20, 32 << 20};
    r.cpu = oci::CpuResources{512, 50000, 100000, "0-1", "0"};
    r.pids = oci::PidsResources{64};
    r.block_io = oci::BlockIoResources{500};
    r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"},
                 {true, "c", 1, 3, "rwm"},
                 {true, "c", 136, std::nullopt, "rw"},
                 {false, "b", 8, 0, "r"}};
    return r;
}

TEST(Cgroup, V1Writes) {
    auto w = cgroup_v1_writes(limits());
    ASSERT_TRUE(w);
    EXPECT_EQ(*w, (std::vector<CgroupWrite>{
                      {"memory", "memory.limit_in_bytes", "67108864"},
                      {"memory", "memory.memsw.limit_in_bytes", "134217728"},
                      {"memory", "memory.soft_limit_in_bytes", "33554432"},
                      {"cpu", "cpu.shares", "512"},
                      {"cpu", "cpu.cfs_period_us", "100000"},
                      {"cpu", "cpu.cfs_quota_us", "50000"},
                      {"cpuset", "cpuset.cpus", "0-1"},
                      {"cpuset", "cpuset.mems", "0"},
                      {"pids", "pids.max", "64"},
                      {"blkio", "blkio.weight", "500"},
                      {"devices", "devices.deny", "a"},
                      {"devices", "devices.allow", "c 1:3 rwm"},
                      {"devices", "devices.allow", "c 136:* rw"},
                      {"devices", "devices.deny", "b 8:0 r"},
                  }));
}

TEST(Cgroup, V2Writes) {
    auto w = cgroup_v2_writes(limits());
    ASSERT_TRUE(w);
    EXPECT_EQ(*w, (std::vector<CgroupWrite>{
                      {"", "memory.max", "67108864"},
                      {"", "memory.swap.max", "67108864"},
                      {"", "memory.low", "33554432"},
                      {"", "cpu.weight", "20"},
                      {"", "cpu.max", "50000 100000"},
                      {"", "cpuset.cpus", "0-1"},
                      {"", "cpuset.mems", "0"},
                      {"", "pids.max", "64"},
                      {"", "io.weight", "default 4950"},
                  }));
    oci::Resources unlimited;
    unlimited.memory = oci::MemoryResources{-1, -1, std::nullopt};
    unlimited.pids = oci::PidsResources{0};
    unlimited.cpu = oci::CpuResources{std::nullopt, -1, std::nullopt, "", ""};
    auto u = cgroup_v2_writes(unlimited);
    ASSERT_TRUE(u);
    EXPECT_EQ(*u, (std::vector<CgroupWrite>{{"", "memory.max", "max"},
                                            {"", "memory.swap.max", "max"},
                                            {"", "cpu.max", "max 100000"},
                                            {"", "pids.max", "max"}}));
}

TEST(Cgroup, Conversions) {
    EXPECT_EQ(cpu_shares_to_weight(2), 1u);
    EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
    EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
    oci::Resources r;
    r.memory = oci::MemoryResources{100, 50, std::nullopt};
    auto w = cgroup_v2_writes(r);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().message, "memory+swap limit (50) is below the memory limit (100)");
    oci::Resources bad;
    bad.devices = {{true, "x", 1, 1, "rwm"}};
    auto d = cgroup_v1_writes(bad);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message, "device rule: invalid type `x`");
    bad.devices = {{true, "c", 1, 1, "rwx"}};
    d = cgroup_v1_writes(bad);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message, "device rule: invalid access `rwx`");
}

TEST(Cgroup, DockerDefaultDeviceRules) {
    auto w = cgroup_v1_writes(oci::Resources{docker_default_device_rules(), {}, {}, {}, {}});
    ASSERT_TRUE(w);
    ASSERT_EQ(w->size(), 13u);
    EXPECT_EQ((*w)[0], (CgroupWrite{"devices", "devices.deny", "a"}));
    EXPECT_EQ((*w)[1], (CgroupWrite{"devices", "devices.allow", "c *:* m"}));
    EXPECT_EQ((*w)[2], (CgroupWrite{"devices", "devices.allow", "b *:* m"}));
    EXPECT_EQ((*w)[11], (CgroupWrite{"devices", "devices.allow", "c 136:* rwm"}));
    EXPECT_EQ((*w)[12], (CgroupWrite{"devices", "devices.allow", "c 10:200 rwm"}));
}

// A fake v1 tree: real directories and files standing in for the kernel's control files.
struct FakeV1 {
    test::TempDir dir;
    CgroupSystem system;
    FakeV1() {
        for (const char* c : {"memory", "cpuset", "pids"}) {
            EXPECT_TRUE(fs::make_dirs(dir / c));
            system.hierarchies.push_back({{c}, dir / c});
        }
        EXPECT_TRUE(write_file_atomic(dir / "cpuset/cpuset.cpus", "0-3\n"));
        EXPECT_TRUE(write_file_atomic(dir / "cpuset/cpuset.mems", "0\n"));
        system.layout = CgroupLayout::v1;
    }
};

TEST(Cgroup, V1OnAFakeTree) {
    FakeV1 fake;
    // Intermediate cpuset levels must exist with files, as the kernel would make them.
    ASSERT_TRUE(fs::make_dirs(fake.dir / "cpuset/ferry/c1"));
    for (const char* level : {"cpuset/ferry", "cpuset/ferry/c1"}) {
        ASSERT_TRUE(write_file_atomic(fake.dir / (std::string(level) + "/cpuset.cpus"), ""));
        ASSERT_TRUE(write_file_atomic(fake.dir / (std::string(level) + "/cpuset.mems"), ""));
    }
    auto cg = Cgroup::open(fake.system, "/ferry/c1", CgroupOpen::create);
    ASSERT_TRUE(cg) << cg.error().message;
    EXPECT_TRUE(fs::lexists(fake.dir / "memory/ferry/c1"));
    EXPECT_TRUE(fs::lexists(fake.dir / "pids/ferry/c1"));
    EXPECT_EQ(*fs::read_file(fake.dir / "cpuset/ferry/c1/cpuset.cpus"), "0-3");
    EXPECT_EQ(*fs::read_file(fake.dir / "cpuset/ferry/c1/cpuset.mems"), "0");

    ASSERT_TRUE(write_file_atomic(fake.dir / "memory/ferry/c1/memory.limit_in_bytes", ""));
    ASSERT_TRUE(write_file_atomic(fake.dir / "pids/ferry/c1/pids.max", ""));
    oci::Resources r;
    r.memory = oci::MemoryResources{1 << 20, std::nullopt, std::nullopt};
    r.pids = oci::PidsResources{10};
    ASSERT_TRUE((*cg)->apply(r));
    EXPECT_EQ(*fs::read_file(fake.dir / "memory/ferry/c1/memory.limit_in_bytes"), "1048576");
    EXPECT_EQ(*fs::read_file(fake.dir / "pids/ferry/c1/pids.max"), "10");

    oci::Resources freezer_less;
    freezer_less.block_io = oci::BlockIoResources{100};
    auto missing = (*cg)->apply(freezer_less);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "cgroup controller `blkio` is not mounted");

    ASSERT_TRUE(write_file_atomic(fake.dir / "pids/ferry/c1/pids.max", ""));
    ::unlink((fake.dir / "memory/ferry/c1/memory.limit_in_bytes").c_str());
    auto gone = (*cg)->apply(r);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().message,
              "set `memory.limit_in_bytes` to `1048576`: No such file or directory");

    auto existing = Cgroup::open(fake.system, "/ferry/none", CgroupOpen::existing);
    ASSERT_FALSE(existing);
    EXPECT_EQ(existing.error().message,
              "open cgroup `" + fake.dir / "memory" + "/ferry/none`: No such file or directory");
}

TEST(Cgroup, V2OnAFakeTree) {
    test::TempDir dir;
    CgroupSystem system;
    system.layout = CgroupLayout::v2;
    system.unified = dir.path();
    ASSERT_TRUE(write_file_atomic(dir / "cgroup.controllers", "cpu io memory pids hugetlb\n"));
    ASSERT_TRUE(write_file_atomic(dir / "cgroup.subtree_control", "memory\n"));
    ASSERT_TRUE(fs::make_dirs(dir / "ferry"));
    ASSERT_TRUE(write_file_atomic(dir / "ferry/cgroup.controllers", "cpu io memory pids\n"));
    ASSERT_TRUE(write_file_atomic(dir / "ferry/cgroup.subtree_control", "\n"));
    auto cg = Cgroup::open(system, "/ferry/c2", CgroupOpen::create);
    ASSERT_TRUE(cg) << cg.error().message;
    EXPECT_EQ(*fs::read_file(dir / "cgroup.subtree_control"), "+cpu +pids +io");
    EXPECT_EQ(*fs::read_file(dir / "ferry/cgroup.subtree_control"), "+cpu +memory +pids +io");
    EXPECT_TRUE(fs::lexists(dir / "ferry/c2"));
    EXPECT_EQ((*cg)->path(), "/ferry/c2");
    ASSERT_TRUE((*cg)->destroy());
    EXPECT_FALSE(fs::lexists(dir / "ferry/c2"));
    EXPECT_TRUE((*cg)->destroy());  // already gone
}

}  // namespace
}  // namespace ferry::runtime
