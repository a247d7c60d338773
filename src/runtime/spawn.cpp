// spawn_container, crun-style: everything that can be decided is decided in the parent (mount
// options parsed, seccomp compiled, namespaces opened, cgroup created and limited), then one
// clone3 creates the child in its new namespaces, with a pidfd. The child runs a function, not a
// new program: it waits for the go-ahead (after the parent wrote its uid/gid maps and put it in
// its cgroup), becomes non-dumpable, joins namespaces given by path, unshares its cgroup
// namespace, builds its file system, pivots, and execs. Parent and child share one SEQPACKET
// socket: errors come back as messages, and a successful execve closes the child's end
// (close-on-exec), which the parent reads as end-of-file.

#include "ferry/runtime/spawn.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/net/loopback.hpp"
#include "ferry/runtime/namespaces.hpp"
#include "ferry/runtime/sync_socket.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"

namespace ferry::runtime {

namespace {

// Everything the child needs, built by the parent before the clone.
struct InitPlan {
    NamespacePlan ns;
    RootfsPlan rootfs;
    ProcessPlan process;
    std::string hostname;
    bool become_root = false;        // setresuid/gid 0 in a new user namespace that maps 0
    bool dumpable_for_maps = false;  // stay dumpable until the parent's go-ahead
};

bool has_limits(const oci::Resources& r) {
    return r.memory || r.cpu || r.pids || (r.block_io && r.block_io->weight);
}

// Creates and limits the container's cgroup; rootless without delegation, returns none.
Result<std::unique_ptr<Cgroup>> make_cgroup(const oci::RuntimeSpec& spec, const SpawnRequest& req) {
    const oci::Linux* l = spec.linux ? &*spec.linux : nullptr;
    std::string wanted = l ? l->cgroups_path : "";
    bool resources = l && l->resources;
    if (wanted.empty() && req.default_cgroup_path.empty()) {
        if (resources && has_limits(*l->resources))
            return fail("resource limits need a cgroup path");
        return nullptr;
    }
    const CgroupSystem* sys = req.cgroups ? req.cgroups : TRY(host_cgroups());
    auto own = sys->self.find(sys->layout == CgroupLayout::v2 ? "" : "pids");
    std::string path = resolve_cgroup_path(wanted, own == sys->self.end() ? "/" : own->second,
                                           req.default_cgroup_path);
    bool rootless = ::geteuid() != 0;
    if (req.cgroup_track_only && resources && has_limits(*l->resources))
        return fail("resource limits need a cgroup that is more than tracking");
    auto cg = Cgroup::open(*sys, path,
                           req.cgroup_track_only ? CgroupOpen::track : CgroupOpen::create);
    if (!cg) {
        int err = cg.error().sys_errno;
        if (rootless && (err == EACCES || err == EPERM || err == EROFS)) {
            if (resources && has_limits(*l->resources))
                log::warn("resource limits ignored: cgroup `" + path +
                          "` is not delegated to this user");
            return nullptr;
        }
        return std::unexpected(std::move(cg.error()));
    }
    if (resources && !req.cgroup_track_only) {
        oci::Resources res = *l->resources;
        if (rootless) res.devices.clear();  // a user namespace cannot reach other devices anyway
        auto applied = (*cg)->apply(res);
        if (!applied) {
            (void)(*cg)->destroy();
            return std::unexpected(std::move(applied.error()).prefix("cgroup `" + path + "`"));
        }
    }
    return std::move(*cg);
}

// The calling user's ids in the container's user namespace when the container's root is
// someone else (RootfsPlan::open_as): rootless, with root mapped to another id.
std::optional<std::pair<uint32_t, uint32_t>> user_ids(const oci::Linux& l) {
    if (::geteuid() == 0) return std::nullopt;
    auto inside = [](const std::vector<oci::IdMapping>& maps,
                     uint32_t host) -> std::optional<uint32_t> {
        for (const auto& m : maps)
            if (host >= m.host_id && host - m.host_id < m.size) return m.container_id + host - m.host_id;
        return std::nullopt;
    };
    auto uid = inside(l.uid_mappings, ::geteuid());
    auto gid = inside(l.gid_mappings, ::getegid());
    if (!uid || !gid || *uid == 0) return std::nullopt;
    return std::pair{*uid, *gid};
}

Result<InitPlan> plan_init(const oci::RuntimeSpec& spec, const SpawnRequest& req) {
    if (!spec.process) return fail("spec: field `process`: missing");
    InitPlan plan;
    const oci::Linux empty;
    const oci::Linux& l = spec.linux ? *spec.linux : empty;
    plan.ns = TRY(plan_namespaces(l.namespaces));
    bool new_user = plan.ns.clone_flags & CLONE_NEWUSER;
    if (::geteuid() != 0 && !plan.ns.has_user())
        return fail("a rootless container needs a user namespace");
    if (new_user && (l.uid_mappings.empty() || l.gid_mappings.empty()))
        return fail("spec: a new user namespace needs linux.uidMappings and linux.gidMappings");
    const CgroupSystem* cgroups = nullptr;
    for (const auto& m : spec.mounts)
        if (m.type == "cgroup" || m.type == "cgroup2")
            cgroups = req.cgroups ? req.cgroups : TRY(host_cgroups());
    std::string rootfs = req.rootfs.empty() ? spec.root.path : req.rootfs;
    if (rootfs.empty()) return fail("spec: field `root.path`: missing");
    plan.rootfs = TRY(plan_rootfs(spec, rootfs, req.overlay, plan.ns, cgroups, user_ids(l)));
    const oci::Seccomp* seccomp = l.seccomp ? &*l.seccomp : nullptr;
    std::optional<SeccompProgram> cached;
    if (seccomp && !req.seccomp && !req.seccomp_cache_dir.empty())
        cached = TRY(compile_seccomp_cached(*seccomp, req.seccomp_cache_dir));
    plan.process = TRY(plan_process(*spec.process, seccomp, cached ? &*cached : req.seccomp));
    if (!spec.process->terminal) plan.process.stdio = req.stdio;
    plan.process.stdio_fds = req.stdio_fds;
    plan.process.extra_fds = req.extra_fds;
    plan.process.set_groups = !setgroups_denied(l.uid_mappings, l.gid_mappings);
    plan.process.die_with_parent = req.die_with_parent;
    plan.hostname = spec.hostname;
    if (!plan.hostname.empty() && !plan.ns.has(CLONE_NEWUTS))
        return fail("a hostname needs a uts namespace of the container's own");
    plan.become_root =
        new_user && id_is_mapped(l.uid_mappings, 0) && id_is_mapped(l.gid_mappings, 0);
    // Rootless, the parent opens the child's /proc files (maps, a namespace for before_start).
    plan.dumpable_for_maps = plan.ns.has_user() && ::geteuid() != 0;
    return plan;
}

// The child's steps; returns only on failure (exec_process does not return).
Result<void> run_init(const InitPlan& plan, SyncSocket& sync) {
    reset_signals();
    ::umask(0);  // device nodes and mount points get exactly the modes asked for
    if (!plan.dumpable_for_maps) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    TRY(sync.expect(SyncKind::go));
    // Not dumpable from here on: a process of the container can never open ferry's memory or
    // /proc/PID/exe (CVE-2019-5736).
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail_errno("set non-dumpable");
    if (plan.become_root) {
        if (::setresgid(0, 0, 0) != 0) return fail_errno("become root in the user namespace");
        if (::setresuid(0, 0, 0) != 0) return fail_errno("become root in the user namespace");
    }
    TRY(join_namespaces(plan.ns.joins));
    // A network namespace of its own gets a working loopback, as docker's (--network none).
    if (plan.ns.clone_flags & CLONE_NEWNET) TRY(net::bring_up_loopback());
    if (plan.ns.new_cgroup && ::unshare(CLONE_NEWCGROUP) != 0)
        return fail_errno("create cgroup namespace");
    if (!plan.hostname.empty() && ::sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
        return fail_errno("set hostname `" + plan.hostname + "`");
    TRY(setup_rootfs(plan.rootfs));
    Fd console;
    if (plan.process.stdio == StdioMode::pty)
        console = TRY(open_console(sync, plan.process.console_size, ConsoleBind::dev_console));
    TRY(enter_cwd(plan.process.cwd, CwdMissing::create));
    exec_process(plan.process, sync, std::move(console));
}

[[noreturn]] void child_main(const InitPlan& plan, SyncSocket& sync) {
    auto r = run_init(plan, sync);
    sync.fail_and_exit(r.error());
}

clone_args clone_args_for(const InitPlan& plan, int cgroup_fd, int* pidfd) {
    clone_args args{};
    args.flags = plan.ns.clone_flags | (pidfd ? CLONE_PIDFD : CLONE_PARENT);
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = pidfd ? SIGCHLD : 0;  // CLONE_PARENT: the caller's own (SIGCHLD)
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    return args;
}

// A user namespace given by path that an unprivileged caller cannot create the other namespaces
// from outside of (the rootless networks' namespace, rootless_netns.hpp): a short-lived
// intermediate joins it and clones the container as this process's child (CLONE_PARENT), as
// runc's nsexec does. The child finds itself in the user namespace already.
Result<Pid> clone_through_user_namespace(const InitPlan& plan, int cgroup_fd,
                                         SyncSocket& parent_end, SyncSocket& child_end) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd report_r(report[0]), report_w(report[1]);
    pid_t middle = ::fork();
    if (middle < 0) return fail_errno("fork");
    if (middle == 0) {
        report_r.reset();
        long out[3] = {-1, 0, 0};  // the child's pid, errno, the step that failed (1: join)
        if (::setns(plan.ns.joins.front().fd.get(), CLONE_NEWUSER) != 0) {
            out[1] = errno;
            out[2] = 1;
        } else {
            clone_args args = clone_args_for(plan, cgroup_fd, nullptr);
            out[0] = ::syscall(SYS_clone3, &args, sizeof args);
            if (out[0] == 0) {
                parent_end.fd().reset();
                child_main(plan, child_end);
            }
            out[1] = out[0] < 0 ? errno : 0;
        }
        (void)!::write(report_w.get(), out, sizeof out);
        ::_exit(0);
    }
    report_w.reset();
    long got[3] = {-1, 0, 0};
    ssize_t n;
    while ((n = ::read(report_r.get(), got, sizeof got)) < 0 && errno == EINTR) {
    }
    while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (n != sizeof got) return fail("clone container process: the intermediate process died");
    if (got[2] == 1)
        return fail_errno("join user namespace `" + plan.ns.joins.front().path + "`",
                          static_cast<int>(got[1]));
    if (got[0] < 0) return fail_errno("clone container process", static_cast<int>(got[1]));
    // The child is this process's: its pid cannot be reused before this process waits for it.
    return Pid::open(static_cast<pid_t>(got[0]));
}

// clone3 into the planned namespaces (and straight into the cgroup at cgroup_fd, when >= 0);
// returns the child's Pid in the parent and runs the child.
Result<Pid> clone_child(const InitPlan& plan, int cgroup_fd, SyncSocket& parent_end,
                        SyncSocket& child_end) {
    if (::geteuid() != 0 && !plan.ns.joins.empty() &&
        plan.ns.joins.front().flag == CLONE_NEWUSER && plan.ns.clone_flags != 0) {
        if (plan.ns.join_pid) return fail("joining a user and a pid namespace needs root");
        return clone_through_user_namespace(plan, cgroup_fd, parent_end, child_end);
    }
    Fd own_pid_ns;
    if (plan.ns.join_pid) {
        own_pid_ns = TRY(fs::open("/proc/self/ns/pid", O_RDONLY));
        if (::setns(plan.ns.join_pid.get(), CLONE_NEWPID) != 0)
            return fail_errno("join pid namespace");
    }
    int pidfd = -1;
    clone_args args = clone_args_for(plan, cgroup_fd, &pidfd);
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        parent_end.fd().reset();
        child_main(plan, child_end);
    }
    int err = errno;
    if (own_pid_ns) ::setns(own_pid_ns.get(), CLONE_NEWPID);
    if (pid < 0) return fail_errno("clone container process", err);
    return Pid(Fd(pidfd), static_cast<pid_t>(pid));
}

// Parent side after the clone: maps, cgroup, go-ahead, then messages until exec.
Result<Fd> start_child(const oci::RuntimeSpec& spec, const InitPlan& plan, const Pid& child,
                       Cgroup* cgroup, bool in_cgroup, const SyncSocket& sync,
                       const std::function<Result<void>(pid_t)>& before_start, bool& own_error) {
    if (plan.ns.clone_flags & CLONE_NEWUSER) {
        auto r = write_id_mappings(child.pid(), spec.linux->uid_mappings, spec.linux->gid_mappings);
        if (!r)
            return std::unexpected(std::move(r.error()).prefix("write user namespace mappings"));
    }
    if (cgroup && !in_cgroup) TRY(cgroup->add(child.pid()));
    if (before_start) {
        auto set_up = before_start(child.pid());
        own_error = !set_up;
        TRY(std::move(set_up));
    }
    TRY(sync.send(SyncKind::go));
    Fd console;
    for (;;) {
        auto msg = TRY(sync.receive());
        if (!msg) return console;  // the child exec'd
        if (msg->kind == SyncKind::fd && msg->text == "console") {
            console = std::move(msg->fd);
            continue;
        }
        if (msg->kind == SyncKind::error && msg->text.empty())  // from the trampoline
            return std::unexpected(
                exec_failure(plan.process.args.front(), msg->sys_errno, msg->exit_code));
        if (msg->kind == SyncKind::error)
            return std::unexpected(Error{std::move(msg->text), msg->sys_errno, msg->exit_code});
        return fail("unexpected message on sync socket");
    }
}

}  // namespace

Result<const CgroupSystem*> host_cgroups() {
    static std::optional<CgroupSystem> cached;
    if (!cached) cached = TRY(detect_cgroups());
    return &*cached;
}

Result<Spawned> spawn_container(const SpawnRequest& req) {
    if (!req.spec) return fail("spawn: no spec");
    const oci::RuntimeSpec& spec = *req.spec;
    InitPlan plan = TRY(plan_init(spec, req));
    Spawned out;
    out.cgroup = TRY(make_cgroup(spec, req));
    auto [parent_end, child_end] = TRY(SyncSocket::make_pair());
    Fd cgroup_dir;
    if (out.cgroup) {
        auto dir = out.cgroup->clone_target();
        if (!dir) {
            (void)out.cgroup->destroy();
            return std::unexpected(std::move(dir.error()));
        }
        cgroup_dir = std::move(*dir);
    }
    auto child = clone_child(plan, cgroup_dir ? cgroup_dir.get() : -1, parent_end, child_end);
    child_end.fd().reset();
    if (!child) {
        if (out.cgroup) (void)out.cgroup->destroy();
        return std::unexpected(std::move(child.error()));
    }
    bool own_error = false;  // before_start's: not the container init's
    auto started = start_child(spec, plan, *child, out.cgroup.get(), bool(cgroup_dir), parent_end,
                               req.before_start, own_error);
    if (!started) {
        (void)child->kill(SIGKILL);
        auto status = child->wait();
        if (out.cgroup) (void)out.cgroup->destroy();
        Error e = std::move(started.error());
        if (e.exit_code == 0) e.exit_code = k_exit_failed;
        (void)status;
        if (own_error) return std::unexpected(std::move(e));
        return std::unexpected(std::move(e).prefix("container init"));
    }
    out.pid = std::move(*child);
    out.pty_master = std::move(*started);
    return out;
}

}  // namespace ferry::runtime
