#include "ferry/runtime/device_policy.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "ferry/runtime/defaults.hpp"

namespace ferry::runtime {
namespace {

oci::RuntimeSpec default_spec() {
    auto spec = docker_default_spec("/rootfs", {"true"});
    EXPECT_TRUE(spec);
    return *spec;
}

bool has_unconditional(const oci::Seccomp& sc, const std::string& name) {
    for (const auto& r : sc.syscalls)
        if (r.args.empty() && std::find(r.names.begin(), r.names.end(), name) != r.names.end())
            return true;
    return false;
}

TEST(DevicePolicy, DefaultContainerNeedsNoCgroup) {
    EXPECT_FALSE(needs_cgroup(default_spec()));
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
