// exec_in. The namespaces to join are those of the container's init that differ from ferry's
// (compared by inode); they are entered in one setns call on the init's pidfd (Linux 5.8+), which
// orders the user namespace first and is atomic. A pid namespace applies only to children, so
// an intermediate child joins everything and clones the real process with CLONE_PARENT: it
// becomes ferry's own child, inside the container's pid namespace, and its pidfd comes back over
// the sync socket. The intermediate joins the container's cgroups first (writing "0" into
// cgroup.procs descriptors opened by ferry), so the process is born inside them.

#include "ferry/runtime/exec.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/namespaces.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/sync_socket.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr int k_ns_flags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                              CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};

// The namespaces of pid that are not ferry's own.
Result<int> differing_namespaces(pid_t pid) {
    int flags = 0;
    for (int flag : k_ns_flags) {
        std::string name(proc_ns_name(flag));
        struct stat mine {
        }, theirs{};
        std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
        if (::stat(path.c_str(), &theirs) != 0) {
            if (errno == ENOENT) continue;  // a namespace type this kernel lacks
            return fail_errno("stat `" + path + "`");
        }
        if (::stat(("/proc/self/ns/" + name).c_str(), &mine) != 0) continue;
        if (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev) flags |= flag;
    }
    return flags;
}

struct ExecPlan {
    Pid target;
    int ns_flags = 0;
    std::vector<Fd> cgroup_procs;
    ProcessPlan process;
};

long clone3_child(uint64_t flags, int* pidfd) {
    clone_args args{};
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    return ::syscall(SYS_clone3, &args, sizeof args);
}

// The process itself, inside every namespace; never returns.
[[noreturn]] void run_process(const ExecPlan& plan, SyncSocket& sync) {
    auto steps = [&]() -> Result<Fd> {
        Fd console;
        if (plan.process.stdio == StdioMode::pty)
            console = TRY(open_console(sync, plan.process.console_size, ConsoleBind::none));
        TRY(enter_cwd(plan.process.cwd, CwdMissing::fail));
        return console;
    };
    auto console = steps();
    if (!console) sync.fail_and_exit(console.error());
    exec_process(plan.process, sync, std::move(*console));
}

// The intermediate child: cgroups, namespaces, then the process (itself, or a CLONE_PARENT
// child when a pid namespace must take effect).
Result<void> run_intermediate(const ExecPlan& plan, SyncSocket& sync) {
    reset_signals();
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail_errno("set non-dumpable");
    for (const auto& fd : plan.cgroup_procs)
        if (::write(fd.get(), "0", 1) != 1) return fail_errno("join cgroup");
    if (plan.ns_flags && ::setns(plan.target.fd(), plan.ns_flags) != 0)
        return fail_errno("join namespaces");
    if (!(plan.ns_flags & CLONE_NEWPID)) run_process(plan, sync);
    int pidfd = -1;
    long pid = clone3_child(CLONE_PARENT, &pidfd);
    if (pid == 0) run_process(plan, sync);
    if (pid < 0) return fail_errno("clone process");
    TRY(sync.send(SyncKind::fd, "pid " + std::to_string(pid), pidfd));
    ::_exit(0);
}

Result<ExecPlan> plan_exec(const ExecRequest& req) {
    if (!req.process) return fail("no process");
    ExecPlan plan;
    plan.target = TRY(Pid::open(req.container_pid));
    plan.ns_flags = TRY(differing_namespaces(req.container_pid));
    if (req.join_cgroup) {
        const CgroupSystem* sys = req.cgroups ? req.cgroups : TRY(host_cgroups());
        auto procs = open_procs_of(*sys, req.container_pid);
        if (procs)
            plan.cgroup_procs = std::move(*procs);
        else if (::geteuid() == 0)
            return std::unexpected(std::move(procs.error()).prefix("join cgroup"));
        else
            log::debug("exec: not joining the container's cgroup: " + procs.error().message);
    }
    std::optional<SeccompProgram> cached;
    if (req.seccomp && !req.precompiled && !req.seccomp_cache_dir.empty())
        cached = TRY(compile_seccomp_cached(*req.seccomp, req.seccomp_cache_dir));
    plan.process =
        TRY(plan_process(*req.process, req.seccomp, cached ? &*cached : req.precompiled));
    plan.process.new_session = req.process->terminal;
    if (!req.process->terminal) plan.process.stdio = req.stdio;
    plan.process.stdio_fds = req.stdio_fds;
    plan.process.extra_fds = req.extra_fds;
    if (req.set_groups) {
        plan.process.set_groups = *req.set_groups;
    } else if (plan.ns_flags & CLONE_NEWUSER) {
        auto text = fs::read_file("/proc/" + std::to_string(req.container_pid) + "/setgroups", 64);
        plan.process.set_groups = !text || text->rfind("deny", 0) != 0;
    }
    return plan;
}

}  // namespace

Result<Executed> exec_in(const ExecRequest& req) {
    auto planned = plan_exec(req);
    if (!planned) return std::unexpected(std::move(planned.error()).prefix("exec in container"));
    ExecPlan plan = std::move(*planned);
    auto [parent_end, child_end] = TRY(SyncSocket::make_pair());
    int pidfd = -1;
    long pid = clone3_child(0, &pidfd);
    if (pid == 0) {
        parent_end.fd().reset();
        auto r = run_intermediate(plan, child_end);
        child_end.fail_and_exit(r.error());
    }
    if (pid < 0) return fail_errno("exec in container: clone");
    child_end.fd().reset();
    Pid intermediate(Fd(pidfd), static_cast<pid_t>(pid));
    Executed out;
    bool via_intermediate = plan.ns_flags & CLONE_NEWPID;
    // Read until end-of-file, even after an error: the process's pidfd may come after the
    // process's own error, and the process must be reaped (a zombie of ours left in the
    // container's pid namespace would keep its init from ever finishing its exit).
    std::optional<Error> failed;
    for (;;) {
        auto msg = parent_end.receive();
        if (!msg) {
            failed = std::move(msg.error());
            break;
        }
        if (!*msg) break;
        auto& m = **msg;
        if (m.kind == SyncKind::fd && m.text.rfind("pid ", 0) == 0)
            out.pid =
                Pid(std::move(m.fd), static_cast<pid_t>(parse_i64(m.text.substr(4)).value_or(0)));
        else if (m.kind == SyncKind::fd && m.text == "console")
            out.pty_master = std::move(m.fd);
        else if (m.kind == SyncKind::error && !failed)
            failed = m.text.empty()  // from the trampoline
                         ? exec_failure(plan.process.args.front(), m.sys_errno, m.exit_code)
                         : Error{std::move(m.text), m.sys_errno, m.exit_code};
    }
    if (failed) {
        if (out.pid) {
            (void)out.pid.kill(SIGKILL);
            (void)out.pid.wait();
        }
        (void)intermediate.kill(SIGKILL);
        (void)intermediate.wait();
        return std::unexpected(std::move(*failed).prefix("exec in container"));
    }
    if (via_intermediate) {
        (void)intermediate.wait();
        if (!out.pid) return fail("exec in container: the process was not started");
    } else {
        out.pid = std::move(intermediate);
    }
    return out;
}

}  // namespace ferry::runtime
