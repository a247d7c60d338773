// spawn_container and exec_in on real containers made of the host's static busybox. They need
// root (the integration tests cover rootless users) and skip without it.

#include "ferry/runtime/spawn.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "ferry/runtime/defaults.hpp"
#include "ferry/runtime/exec.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

class Spawn : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root";
        if (std::system("command -v busybox >/dev/null 2>&1") != 0) GTEST_SKIP() << "no busybox";
        m_root = m_dir / "rootfs";
        std::string cmd = "mkdir -p " + m_root + "/bin " + m_root +
                          "/etc && cp \"$(command -v busybox)\" " + m_root +
                          "/bin/busybox && for a in sh ls cat echo sleep true; do ln -s busybox " +
                          m_root + "/bin/$a; done";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }

    oci::RuntimeSpec spec(std::vector<std::string> args) {
        auto s = docker_default_spec(m_root, std::move(args));
        EXPECT_TRUE(s);
        return *s;
    }

    // Runs spec with stdout captured; returns {status, output}.
    std::pair<int, std::string> run(const oci::RuntimeSpec& s, std::vector<int> extra = {}) {
        int out[2];
        EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
        Fd read_end(out[0]), write_end(out[1]);
        SpawnRequest req;
        req.spec = &s;
        req.stdio = StdioMode::fds;
        req.stdio_fds = {-1, write_end.get(), 2};
        req.extra_fds = std::move(extra);
        auto c = spawn_container(req);
        EXPECT_TRUE(c) << (c ? "" : c.error().message);
        if (!c) return {-1, ""};
        write_end.reset();
        std::string text = fs::read_all(read_end.get()).value_or("");
        auto status = c->pid.wait();
        return {status.value_or(-1), text};
    }

    test::TempDir m_dir;
    std::string m_root;
};

TEST_F(Spawn, RunsAndCapturesOutput) {
    auto [status, out] = run(spec({"sh", "-c", "echo hello; hostname; exit 3"}));
    EXPECT_EQ(status, 3);
    EXPECT_EQ(split(out, '\n')[0], "hello");
}

TEST_F(Spawn, NoDescriptorLeaks) {
    int stray = ::dup(2);  // not close-on-exec: must still not reach the container
    ASSERT_GE(stray, 0);
    int pipe_fds[2];
    ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
    Fd r(pipe_fds[0]), w(pipe_fds[1]);
    auto [status, out] =
        run(spec({"sh", "-c", "cd /proc/self/fd && echo *; echo extra >&3"}), {w.get()});
    ::close(stray);
    w.reset();
    EXPECT_EQ(status, 0);
    // sh's own descriptors: 0, 1, 2, the extra one as 3, and the directory it lists.
    auto fds = split(trim(split(out, '\n')[0]), ' ');
    EXPECT_LE(fds.size(), 5u) << out;
    for (const auto& fd : fds)
        EXPECT_LE(parse_u64(fd).value_or(99), 4u) << out;
    EXPECT_EQ(fs::read_all(r.get()).value_or(""), "extra\n");
}

TEST_F(Spawn, CommandNotFound) {
    auto s = spec({"no-such-command"});
    SpawnRequest req;
    req.spec = &s;
    auto c = spawn_container(req);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message,
              "container init: exec `no-such-command`: executable file not found in $PATH");
    EXPECT_EQ(c.error().exit_code, 127);
    s.process->args = {"/etc"};
    c = spawn_container(req);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "container init: exec `/etc`: Permission denied");
    EXPECT_EQ(c.error().exit_code, 126);
}

TEST_F(Spawn, SetupErrorsComeBackWithContext) {
    auto s = spec({"true"});
    s.mounts.push_back({"/x", "nosuchfs", "nosuchfs", {}});
    SpawnRequest req;
    req.spec = &s;
    auto c = spawn_container(req);
    ASSERT_FALSE(c);
    EXPECT_EQ(
        c.error().message,
        "container init: mount `nosuchfs` on `/x`: open file system `nosuchfs`: No such device");
    EXPECT_EQ(c.error().exit_code, 125);
}

TEST_F(Spawn, ExecIntoARunningContainer) {
    auto s = spec({"sleep", "30"});
    SpawnRequest req;
    req.spec = &s;
    auto c = spawn_container(req);
    ASSERT_TRUE(c) << c.error().message;
    int out[2];
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    Fd r(out[0]), w(out[1]);
    oci::Process p = *s.process;
    p.args = {"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname"};
    ExecRequest e;
    e.container_pid = c->pid.pid();
    e.process = &p;
    e.seccomp = &*s.linux->seccomp;
    e.stdio = StdioMode::fds;
    e.stdio_fds = {-1, w.get(), 2};
    auto x = exec_in(e);
    ASSERT_TRUE(x) << x.error().message;
    w.reset();
    std::string text = fs::read_all(r.get()).value_or("");
    EXPECT_EQ(*x->pid.wait(), 0);
    EXPECT_EQ(split(text, '\n')[0], "sleep 30 ");
    p.args = {"nope"};
    e.stdio = StdioMode::inherit;
    auto missing = exec_in(e);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "exec in container: exec `nope`: executable file not found in $PATH");
    EXPECT_EQ(missing.error().exit_code, 127);
    ASSERT_TRUE(c->pid.kill(SIGKILL));
    EXPECT_EQ(*c->pid.wait(), 137);
}

// The host's cgroups (v1 here, or v2): limits, stats, freezing, killing, removal.
TEST_F(Spawn, CgroupLifecycle) {
    auto s = spec({"sleep", "30"});
    s.linux->resources->memory = oci::MemoryResources{64 << 20, std::nullopt, std::nullopt};
    s.linux->resources->pids = oci::PidsResources{50};
    SpawnRequest req;
    req.spec = &s;
    req.default_cgroup_path = "/ferry-unit/" + random_hex(6);
    auto c = spawn_container(req);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE(c->cgroup);
    auto stats = c->cgroup->stats();
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->memory_limit, uint64_t(64 << 20));
    EXPECT_EQ(stats->pids_current, 1u);
    EXPECT_GT(stats->memory_usage, 0u);
    ASSERT_TRUE(c->cgroup->freeze(true));
    ASSERT_TRUE(c->cgroup->freeze(false));
    ASSERT_TRUE(c->cgroup->kill_all());
    EXPECT_EQ(*c->pid.wait(), 137);
    ASSERT_TRUE(c->cgroup->destroy());
    auto gone = Cgroup::open(**host_cgroups(), c->cgroup->path(), CgroupOpen::existing);
    EXPECT_FALSE(gone);
}

// The v2 implementation on the host's v2 hierarchy (pure v2, or the controller-less one of a
// hybrid host): clone3 straight into the cgroup, the BPF device filter, cgroupns, freeze, kill.
TEST_F(Spawn, CgroupV2DeviceFilter) {
    const CgroupSystem* host = *host_cgroups();
    if (host->unified.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    CgroupSystem v2;
    v2.layout = CgroupLayout::v2;
    v2.unified = host->unified;
    v2.self = {{"", host->self.count("") ? host->self.at("") : "/"}};
    auto s = spec({"sh", "-c",
                   "grep ^0:: /proc/self/cgroup; head -c1 /dev/zero 2>&1; head -c1 /dev/urandom | "
                   "wc -c; sleep 30"});
    std::erase_if(s.linux->resources->devices,
                  [](const oci::DeviceRule& r) { return r.major == 1 && r.minor == 5; });
    int out[2];
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    Fd r(out[0]), w(out[1]);
    SpawnRequest req;
    req.spec = &s;
    req.cgroups = &v2;
    req.stdio = StdioMode::fds;
    req.stdio_fds = {-1, w.get(), w.get()};
    req.default_cgroup_path = "/ferry-unit-" + random_hex(6);
    auto c = spawn_container(req);
    ASSERT_TRUE(c) << c.error().message;
    w.reset();
    // Born in it (CLONE_INTO_CGROUP); the shell may already have children there too.
    std::string procs =
        fs::read_file(v2.unified + c->cgroup->path() + "/cgroup.procs").value_or("");
    auto listed = split(trim(procs), '\n');
    EXPECT_NE(std::find(listed.begin(), listed.end(), std::to_string(c->pid.pid())), listed.end())
        << procs;
    std::string text;  // what the container prints before its sleep
    char buf[256];
    while (std::count(text.begin(), text.end(), '\n') < 3) {
        ssize_t n = ::read(r.get(), buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    EXPECT_EQ(text, "0::/\nhead: /dev/zero: Operation not permitted\n1\n");
    ASSERT_TRUE(c->cgroup->freeze(true));
    ASSERT_TRUE(c->cgroup->freeze(false));
    ASSERT_TRUE(c->cgroup->kill_all());
    EXPECT_EQ(*c->pid.wait(), 137);
    ASSERT_TRUE(c->cgroup->destroy());
    EXPECT_FALSE(fs::lexists(v2.unified + c->cgroup->path()));
}

}  // namespace
}  // namespace ferry::runtime
