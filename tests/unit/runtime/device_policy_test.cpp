// When a container on a cgroup v1 host may skip its cgroup (device_policy.hpp): docker's default
// spec may; limits, extra devices, no seccomp filter, or the host's pid namespace may not. A
// process exec'd into such a container gets the mknod rules without the nodev mounts.

#include "ferry/runtime/device_policy.hpp"

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

}  // namespace
}  // namespace ferry::runtime
