// When a container on a cgroup v1 host may skip its cgroup (device_policy.hpp): docker's default
// spec may; limits, extra devices, no seccomp filter, or the host's pid namespace may not.

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

}  // namespace
}  // namespace ferry::runtime
