#include "ferry/runtime/cgroup_bpf.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/runtime/devices.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"

namespace ferry::runtime {
namespace {

TEST(DeviceFilter, Shape) {
    // Loads (6), one block per rule after the last reset (rules are tested last to first), the
    // default verdict (2).
    auto none = build_device_filter({});
    ASSERT_EQ(none.size(), 8u);
    EXPECT_EQ(none[6].code, BPF_ALU64 | BPF_MOV | BPF_K);
    EXPECT_EQ(none[6].imm, 1);  // no rules: allow

    auto deny_all = build_device_filter({{false, "a", std::nullopt, std::nullopt, "rwm"}});
    ASSERT_EQ(deny_all.size(), 8u);
    EXPECT_EQ(deny_all[6].imm, 0);

    // c 1:3 rwm: type, major, minor checks, then return 1.
    auto one = build_device_filter(
        {{false, "", std::nullopt, std::nullopt, ""}, {true, "c", 1, 3, "rwm"}});
    ASSERT_EQ(one.size(), 6u + 5u + 2u);
    EXPECT_EQ(one[6].code, BPF_JMP | BPF_JNE | BPF_K);
    EXPECT_EQ(one[6].imm, BPF_DEVCG_DEV_CHAR);
    EXPECT_EQ(one[6].off, 4);   // past the whole block
    EXPECT_EQ(one[7].imm, 1);   // major
    EXPECT_EQ(one[8].imm, 3);   // minor
    EXPECT_EQ(one[9].imm, 1);   // allow
    EXPECT_EQ(one[11].imm, 0);  // default deny

    auto docker = build_device_filter(docker_default_device_rules());
    EXPECT_GT(docker.size(), 60u);
}

bool cgroup2_at(const std::string& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

// The filter enforced by the kernel: a process in the cgroup may open /dev/null but not
// /dev/zero. Needs root and a cgroup v2 hierarchy (controllers are not needed).
TEST(DeviceFilter, Enforced) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    std::string root = cgroup2_at("/sys/fs/cgroup")           ? "/sys/fs/cgroup"
                       : cgroup2_at("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified"
                                                              : "";
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    std::string dir = root + "/ferry-bpf-test-" + random_hex(4);
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    Fd cg = *fs::open(dir, O_RDONLY | O_DIRECTORY);
    auto prog = load_device_filter(build_device_filter(
        {{false, "a", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rw"}}));
    ASSERT_TRUE(prog) << prog.error().message;
    ASSERT_TRUE(attach_device_filter(cg.get(), prog->get()));
    // Attaching again replaces the program rather than adding a second one.
    auto again = load_device_filter(build_device_filter(
        {{false, "a", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rw"}}));
    ASSERT_TRUE(again);
    ASSERT_TRUE(attach_device_filter(cg.get(), again->get()));
    pid_t pid = ::fork();
    if (pid == 0) {
        Fd procs = *fs::open(dir + "/cgroup.procs", O_WRONLY);
        if (::write(procs.get(), "0", 1) != 1) _exit(10);
        int null_fd = ::open("/dev/null", O_RDWR);
        if (null_fd < 0) _exit(11);
        int zero_fd = ::open("/dev/zero", O_RDONLY);
        if (zero_fd >= 0 || errno != EPERM) _exit(12);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace ferry::runtime
