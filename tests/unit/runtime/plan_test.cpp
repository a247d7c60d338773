// Planning errors: namespaces, processes, the file system, exit statuses, the sync socket.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/runtime/defaults.hpp"
#include "ferry/runtime/namespaces.hpp"
#include "ferry/runtime/pid.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/runtime/sync_socket.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {
namespace {

TEST(Namespaces, Plan) {
    auto plan = plan_namespaces({{"pid", ""}, {"mount", ""}, {"cgroup", ""}, {"user", ""}});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->clone_flags, uint64_t(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUSER));
    EXPECT_TRUE(plan->new_cgroup);
    EXPECT_TRUE(plan->has_user());
    EXPECT_TRUE(plan->has(CLONE_NEWCGROUP));
    EXPECT_FALSE(plan->has(CLONE_NEWNET));

    auto joined =
        plan_namespaces({{"network", "/proc/self/ns/net"}, {"user", "/proc/self/ns/user"}});
    ASSERT_TRUE(joined);
    ASSERT_EQ(joined->joins.size(), 2u);
    EXPECT_EQ(joined->joins[0].type, "user");  // the user namespace is joined first
    EXPECT_TRUE(joined->has(CLONE_NEWNET));
}

TEST(Namespaces, Errors) {
    auto twice = plan_namespaces({{"pid", ""}, {"pid", ""}});
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().message, "namespace `pid` is listed twice");
    auto unknown = plan_namespaces({{"net", ""}});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "unknown namespace type `net`");
    auto missing = plan_namespaces({{"network", "/nonexistent/ns"}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "open `/nonexistent/ns`: No such file or directory");
}

TEST(Process, PlanErrors) {
    oci::Process p;
    auto empty = plan_process(p, nullptr, nullptr);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().message, "process: args must not be empty");
    p.args = {"sh"};
    p.cwd = "work";
    auto cwd = plan_process(p, nullptr, nullptr);
    ASSERT_FALSE(cwd);
    EXPECT_EQ(cwd.error().message, "process: cwd `work` is not an absolute path");
    p.cwd = "/";
    p.rlimits = {{"RLIMIT_BOGUS", 1, 1}};
    auto rl = plan_process(p, nullptr, nullptr);
    ASSERT_FALSE(rl);
    EXPECT_EQ(rl.error().message, "unknown rlimit `RLIMIT_BOGUS`");
    p.rlimits = {{"RLIMIT_NOFILE", 10, 20}};
    auto soft = plan_process(p, nullptr, nullptr);
    ASSERT_FALSE(soft);
    EXPECT_EQ(soft.error().message, "rlimit RLIMIT_NOFILE: soft limit 20 is above hard limit 10");
    p.rlimits = {{"RLIMIT_NOFILE", 20, 10}};
    p.env = {"A=1", "PATH=/opt/bin"};
    p.user.umask = 077;
    auto ok = plan_process(p, nullptr, nullptr);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->path, "/opt/bin");
    EXPECT_EQ(ok->umask, 077u);
    EXPECT_EQ(ok->rlimits[0].value.rlim_cur, 10u);
    EXPECT_EQ(exec_failure("x", ENOENT, 0).exit_code, 127);
    EXPECT_EQ(exec_failure("x", EACCES, 0).message, "exec `x`: Permission denied");
    EXPECT_EQ(exec_failure("x", EACCES, 0).exit_code, 126);
}

Result<RootfsPlan> plan(const oci::RuntimeSpec& spec) {
    auto ns = plan_namespaces(spec.linux->namespaces);
    if (!ns) return std::unexpected(ns.error());
    CgroupSystem cgroups;
    return plan_rootfs(spec, "/tmp", std::nullopt, *ns, &cgroups);
}

TEST(Rootfs, PlanErrors) {
    auto spec = *docker_default_spec("/tmp", {"sh"});
    EXPECT_TRUE(plan(spec));

    auto host_net = spec;
    std::erase_if(host_net.linux->namespaces, [](const auto& n) { return n.type == "network"; });
    host_net.linux->sysctl = {{"net.ipv4.ip_forward", "1"}};
    auto r = plan(host_net);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "sysctl `net.ipv4.ip_forward` is not allowed in the host's network namespace");

    auto vm = spec;
    vm.linux->sysctl = {{"vm.swappiness", "1"}};
    r = plan(vm);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "sysctl `vm.swappiness` is not in a separate kernel namespace");

    auto ipc = spec;
    ipc.linux->sysctl = {
        {"kernel.shmmax", "1"}, {"fs.mqueue.msg_max", "20"}, {"net.core.somaxconn", "1"}};
    EXPECT_TRUE(plan(ipc));

    auto bind = spec;
    bind.mounts.push_back({"/data", "bind", "/nonexistent/src", {"rbind"}});
    r = plan(bind);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bind mount source `/nonexistent/src`: No such file or directory");

    auto opt = spec;
    opt.mounts.push_back({"/x", "tmpfs", "tmpfs", {"idmap"}});
    r = plan(opt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "mount `/x`: unsupported mount option `idmap`");

    auto rel = spec;
    rel.mounts.push_back({"x", "tmpfs", "tmpfs", {}});
    r = plan(rel);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "mount destination `x` is not an absolute path");

    auto prop = spec;
    prop.linux->rootfs_propagation = "sideways";
    r = plan(prop);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "unknown rootfs propagation `sideways`");
}

TEST(Rootfs, UserNamespaceDropsAnUnmappedDevptsGroup) {
    auto spec = *docker_default_spec("/tmp", {"sh"});
    spec.linux->namespaces.push_back({"user", ""});
    spec.linux->gid_mappings = {{0, 1000, 1}};
    auto r = plan(spec);
    ASSERT_TRUE(r) << r.error().message;
    for (const auto& m : r->mounts) {
        if (m.mount.type != "devpts") continue;
        for (const auto& kv : m.options.data)
            EXPECT_NE(kv.first, "gid");
    }
    EXPECT_EQ(r->device_mode, DeviceMode::bind);
}

TEST(DockerDefaults, Spec) {
    auto spec = docker_default_spec("rootfs", {"true"});
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->process->capabilities->bounding.size(), 14u);
    EXPECT_TRUE(spec->process->capabilities->inheritable.empty());
    EXPECT_EQ(spec->mounts.size(), 7u);
    EXPECT_EQ(spec->linux->masked_paths.front(), "/proc/asound");
    EXPECT_EQ(spec->linux->readonly_paths.back(), "/proc/sysrq-trigger");
    EXPECT_TRUE(spec->linux->seccomp);
    EXPECT_EQ(spec->linux->resources->devices.size(), 13u);
}

TEST(Pid, ExitStatusAsDocker) {
    EXPECT_EQ(docker_exit_status(3 << 8), 3);
    EXPECT_EQ(docker_exit_status(9), 137);
    pid_t child = ::fork();
    if (child == 0) _exit(7);
    auto p = Pid::open(child);
    ASSERT_TRUE(p);
    auto status = p->wait();
    ASSERT_TRUE(status);
    EXPECT_EQ(*status, 7);
    child = ::fork();
    if (child == 0) {
        ::pause();
        _exit(0);
    }
    auto q = Pid::open(child);
    ASSERT_TRUE(q);
    auto running = q->try_wait();
    ASSERT_TRUE(running);
    EXPECT_FALSE(*running);
    ASSERT_TRUE(q->kill(SIGTERM));
    EXPECT_EQ(*q->wait(), 128 + SIGTERM);
    EXPECT_TRUE(q->kill(SIGTERM));  // reaped: not an error
}

TEST(SyncSocket, MessagesAndDescriptors) {
    auto pair = SyncSocket::make_pair();
    ASSERT_TRUE(pair);
    auto& [a, b] = *pair;
    ASSERT_TRUE(a.send(SyncKind::go));
    auto go = b.expect(SyncKind::go);
    ASSERT_TRUE(go);
    Fd file = *fs::open("/dev/null", O_RDONLY);
    ASSERT_TRUE(a.send(SyncKind::fd, "console", file.get()));
    auto fd = b.receive();
    ASSERT_TRUE(fd && *fd);
    EXPECT_EQ((*fd)->text, "console");
    EXPECT_TRUE((*fd)->fd);
    EXPECT_TRUE(::fcntl((*fd)->fd.get(), F_GETFD) & FD_CLOEXEC);
    ASSERT_TRUE(a.send_error(Error{"mount `proc` on `/proc`: Permission denied", EPERM, 125}));
    auto err = b.expect(SyncKind::go);
    ASSERT_FALSE(err);
    EXPECT_EQ(err.error().message, "mount `proc` on `/proc`: Permission denied");
    EXPECT_EQ(err.error().sys_errno, EPERM);
    a.fd().reset();
    auto eof = b.receive();
    ASSERT_TRUE(eof);
    EXPECT_FALSE(*eof);
    auto gone = b.expect(SyncKind::go);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().message, "exited before it was ready");
}

}  // namespace
}  // namespace ferry::runtime
