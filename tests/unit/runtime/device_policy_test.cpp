// When a container on a cgroup v1 host may skip its cgroup (device_policy.hpp): docker's default
// spec may; limits, extra devices, no seccomp filter, or the host's pid namespace may not. A
// process exec'd into such a container gets the mknod rules without the nodev mounts.

#include "ferry/runtime/device_policy.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ferry/runtime/defaults.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

oci::RuntimeSpec default_spec() {
    auto s = docker_default_spec("/rootfs", {"true"});
    EXPECT_TRUE(s);
    return *s;
}

bool has_unconditional(const oci::Seccomp& sc, const std::string& name) {
    for (const auto& r : sc.syscalls)
        if (r.args.empty() && std::find(r.names.begin(), r.names.end(), name) != r.names.end())
            return true;
    return false;
}

TEST(NeedsCgroup, DockerDefaultsDoNot) {
    EXPECT_FALSE(needs_cgroup(default_spec()));
}

TEST(NeedsCgroup, LimitsDo) {
    oci::RuntimeSpec s = default_spec();
    if (!s.linux->resources) s.linux->resources.emplace();
    s.linux->resources->pids = oci::PidsResources{64};
    EXPECT_TRUE(needs_cgroup(s));
}

TEST(NeedsCgroup, NoSeccompFilterDoes) {
    oci::RuntimeSpec s = default_spec();
    s.linux->seccomp.reset();
    EXPECT_TRUE(needs_cgroup(s));
}

TEST(NeedsCgroup, HostPidNamespaceDoes) {
    oci::RuntimeSpec s = default_spec();
    std::erase_if(s.linux->namespaces, [](const oci::Namespace& n) { return n.type == "pid"; });
    EXPECT_TRUE(needs_cgroup(s));
}

TEST(NeedsCgroup, JoinedPidNamespaceDoes) {
    oci::RuntimeSpec s = default_spec();
    for (auto& n : s.linux->namespaces)
        if (n.type == "pid") n.path = "/proc/1/ns/pid";
    EXPECT_TRUE(needs_cgroup(s));
}

TEST(RunsWithoutCgroup, OnlyOnV1AndHybridHosts) {
    CgroupSystem v1, hybrid, v2;
    v1.layout = CgroupLayout::v1;
    hybrid.layout = CgroupLayout::hybrid;
    v2.layout = CgroupLayout::v2;
    oci::RuntimeSpec s = default_spec();
    EXPECT_TRUE(runs_without_cgroup(v1, s));
    EXPECT_TRUE(runs_without_cgroup(hybrid, s));
    EXPECT_FALSE(runs_without_cgroup(v2, s));
    s.linux->seccomp.reset();
    EXPECT_FALSE(runs_without_cgroup(v1, s));
}

TEST(ConfineDeviceSyscalls, KeepsMountsAsTheyAre) {
    oci::RuntimeSpec s = default_spec();
    auto mounts = s.mounts;
    auto rules = s.linux->seccomp->syscalls.size();
    confine_device_syscalls(s);
    EXPECT_EQ(s.mounts, mounts);
    EXPECT_GT(s.linux->seccomp->syscalls.size(), rules);
    for (const auto& r : s.linux->seccomp->syscalls) {
        if (std::find(r.names.begin(), r.names.end(), "mknod") != r.names.end()) {
            EXPECT_FALSE(r.args.empty()) << "mknod allowed without a condition";
        }
    }
}

TEST(DevicePolicy, LimitsDevicesAndUnconfinedSeccompNeedOne) {
    auto limited = default_spec();
    limited.linux->resources->memory = oci::MemoryResources{64 << 20, {}, {}};
    EXPECT_TRUE(needs_cgroup(limited));
    auto device = default_spec();
    device.linux->devices.push_back({"/dev/fuse", "c", 10, 229, {}, {}, {}});
    EXPECT_TRUE(needs_cgroup(device));
    auto rules = default_spec();
    rules.linux->resources->devices.push_back({true, "c", 10, 229, "rwm"});
    EXPECT_TRUE(needs_cgroup(rules));
    auto unconfined = default_spec();
    unconfined.linux->seccomp.reset();
    EXPECT_TRUE(needs_cgroup(unconfined));  // CAP_MKNOD and no filter to guard mknod
}

TEST(DevicePolicy, ConfineMountsNodevAndGuardsMknod) {
    auto spec = default_spec();
    spec.mounts.push_back({"/data", "bind", "/host/data", {"rbind", "rw"}});
    OverlaySpec overlay;
    ASSERT_TRUE(spec.linux->seccomp && has_unconditional(*spec.linux->seccomp, "mknod"));
    confine_devices(spec, overlay);
    EXPECT_TRUE(overlay.nodev);
    const auto& data = spec.mounts.back();
    EXPECT_NE(std::find(data.options.begin(), data.options.end(), "nodev"), data.options.end());
    const oci::Seccomp& sc = *spec.linux->seccomp;
    EXPECT_FALSE(has_unconditional(sc, "mknod"));
    EXPECT_FALSE(has_unconditional(sc, "mknodat"));
    // A rule for a regular file type, and one per allowlisted character device.
    size_t mknodat_rules = 0;
    bool null_device = false;
    for (const auto& r : sc.syscalls) {
        if (r.names != std::vector<std::string>{"mknodat"}) continue;
        ++mknodat_rules;
        EXPECT_EQ(r.action, "SCMP_ACT_ALLOW");
        ASSERT_FALSE(r.args.empty());
        EXPECT_EQ(r.args[0].index, 2u);
        EXPECT_EQ(r.args[0].op, "SCMP_CMP_MASKED_EQ");
        if (r.args.size() == 2 && r.args[0].value_two == S_IFCHR && r.args[1].value == 0x103)
            null_device = true;  // 1:3 in the kernel's encoding
    }
    EXPECT_EQ(mknodat_rules, 4u + 10u + 1u);
    EXPECT_TRUE(null_device);
}

}  // namespace
}  // namespace ferry::runtime
