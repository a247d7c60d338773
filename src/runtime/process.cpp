// Process start-up, runc's order: rlimits and the oom score while still privileged; seccomp
// early unless no_new_privs is set (loading a filter without no_new_privs needs CAP_SYS_ADMIN,
// which is about to go); the bounding set (dropping needs CAP_SETPCAP), then groups, gid, uid
// with PR_SET_KEEPCAPS, the other capability sets,
// no_new_privs, seccomp late when no_new_privs allows it, the umask, the descriptors, execve.
// Descriptors: the wanted ones are first copied above the target range, then dup2'd into
// 0, 1, 2, 3, ...; everything else is marked close-on-exec with close_range, so no descriptor of
// ferry's reaches the container. The command is looked up in the process's PATH as docker does,
// then run through the exec trampoline (trampoline.hpp); a failed execve is reported on the sync
// socket with exit status 127 (not found) or 126.

#include "ferry/runtime/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "ferry/runtime/mounts.hpp"
#include "ferry/runtime/trampoline.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

constexpr std::pair<std::string_view, int> k_rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

Result<void> apply_rlimits(const ProcessPlan& plan) {
    for (const auto& l : plan.rlimits) {
        if (::prlimit(0, static_cast<__rlimit_resource>(l.resource), &l.value, nullptr) == 0)
            continue;
        int err = errno;
        std::string what = "set " + l.name + " to " + std::to_string(l.value.rlim_cur) + ":" +
                           std::to_string(l.value.rlim_max);
        auto e = fail_errno(what, err);
        if (err == EPERM) e.error().message += " (raising a hard limit needs CAP_SYS_RESOURCE)";
        return e;
    }
    return {};
}

Result<void> set_user(const ProcessPlan& plan) {
    if (plan.set_groups && ::setgroups(plan.groups.size(), plan.groups.data()) != 0)
        return fail_errno("setgroups");
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail_errno("keep capabilities");
    if (::setresgid(plan.gid, plan.gid, plan.gid) != 0)
        return fail_errno("setgid to " + std::to_string(plan.gid));
    if (::setresuid(plan.uid, plan.uid, plan.uid) != 0)
        return fail_errno("setuid to " + std::to_string(plan.uid));
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return fail_errno("keep capabilities");
    return {};
}

// Moves fd to the lowest number at or above floor when it is below it (close-on-exec).
Result<void> lift(int& fd, int floor, const char* what) {
    if (fd < 0 || fd >= floor) return {};
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) return fail_errno(std::string("move ") + what);
    ::close(fd);
    fd = moved;
    return {};
}

// Puts the wanted descriptors at 0, 1, 2, 3, ... and marks everything above close-on-exec; the
// sync socket and the trampoline are moved out of the way first.
Result<void> install_fds(const ProcessPlan& plan, int console, SyncSocket& sync, int& trampoline) {
    std::vector<int> wanted;
    for (int i = 0; i < 3; ++i) {
        if (console >= 0)
            wanted.push_back(console);
        else if (plan.stdio == StdioMode::fds && plan.stdio_fds[static_cast<size_t>(i)] >= 0)
            wanted.push_back(plan.stdio_fds[static_cast<size_t>(i)]);
        else
            wanted.push_back(i);
    }
    wanted.insert(wanted.end(), plan.extra_fds.begin(), plan.extra_fds.end());
    int n = static_cast<int>(wanted.size());
    int sync_fd = sync.fd().release();
    auto lifted = lift(sync_fd, n, "sync socket");
    sync.fd().reset(sync_fd);
    if (!lifted) return lifted;
    TRY(lift(trampoline, n, "exec trampoline"));
    std::vector<int> copies;
    for (int i = 0; i < n; ++i) {
        int fd = wanted[static_cast<size_t>(i)];
        int c = ::fcntl(fd, F_DUPFD_CLOEXEC, n);
        if (c < 0 && errno == EBADF && fd == i && i < 3)
            c = -1;  // ferry's own was closed
        else if (c < 0)
            return fail_errno("duplicate descriptor " + std::to_string(fd));
        copies.push_back(c);
    }
    for (int i = 0; i < n; ++i) {
        int c = copies[static_cast<size_t>(i)];
        if (c < 0) continue;
        if (::dup2(c, i) < 0) return fail_errno("install descriptor " + std::to_string(i));
        ::close(c);
    }
    if (::close_range(static_cast<unsigned>(n), ~0u, CLOSE_RANGE_CLOEXEC) != 0)
        return fail_errno("close descriptors");
    return {};
}

// The file to run for the command, found as docker (Go's exec.LookPath) does: a name with a
// slash as it is, else the first regular, executable PATH entry.
Result<std::string> find_command(const ProcessPlan& plan) {
    const std::string& name = plan.args.front();
    if (name.find('/') != std::string::npos) return name;
    size_t pos = 0;
    while (pos <= plan.path.size()) {
        size_t end = plan.path.find(':', pos);
        if (end == std::string::npos) end = plan.path.size();
        std::string dir = plan.path.substr(pos, end - pos);
        pos = end + 1;
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111))
            return candidate;
    }
    return std::unexpected(
        Error{"exec `" + name + "`: executable file not found in $PATH", ENOENT, k_exit_not_found});
}

// Runs the command (through the trampoline when there is one); returns only on failure.
Error exec_command(const ProcessPlan& plan, int sync_fd, int trampoline) {
    auto target = find_command(plan);
    if (!target) return target.error();
    std::vector<char*> argv, envp;
    for (const auto& e : plan.env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    if (trampoline < 0) {
        for (const auto& a : plan.args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execve(target->c_str(), argv.data(), envp.data());
        return exec_failure(plan.args.front(), errno, 0);
    }
    std::string fd_text = std::to_string(sync_fd);
    argv.push_back(fd_text.data());
    argv.push_back(target->data());
    for (const auto& a : plan.args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // The trampoline inherits the sync socket and marks it close-on-exec itself.
    if (::fcntl(sync_fd, F_SETFD, 0) != 0) return fail_errno("pass sync socket").error();
    ::syscall(SYS_execveat, trampoline, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    int err = errno;
    ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
    return fail_errno("exec trampoline", err).error();
}

Result<void> prepare(const ProcessPlan& plan, SyncSocket& sync, int console, int& trampoline) {
    TRY(apply_rlimits(plan));
    if (plan.oom_score_adj) {
        Fd fd = TRY(fs::open("/proc/self/oom_score_adj", O_WRONLY));
        auto r = fs::write_all(fd.get(), std::to_string(*plan.oom_score_adj));
        if (!r) return std::unexpected(std::move(r.error()).prefix("set oom_score_adj"));
    }
    if (plan.seccomp && !plan.no_new_privileges) TRY(load_seccomp(*plan.seccomp));
    if (plan.caps) TRY(apply_bounding_set(*plan.caps));
    TRY(set_user(plan));
    if (plan.caps) TRY(apply_capabilities(*plan.caps));
    // After the credential changes, which clear it: the container dies with its supervisor.
    if (plan.die_with_parent && ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        return fail_errno("set parent-death signal");
    if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail_errno("set no_new_privs");
    if (plan.seccomp && plan.no_new_privileges) TRY(load_seccomp(*plan.seccomp));
    ::umask(plan.umask);
    if (plan.new_session && ::setsid() < 0 && errno != EPERM) return fail_errno("setsid");
    if (console >= 0 && ::ioctl(console, TIOCSCTTY, 0) != 0)
        return fail_errno("set controlling terminal");
    TRY(install_fds(plan, console, sync, trampoline));
    return {};
}

}  // namespace

Result<int> rlimit_resource(std::string_view name) {
    for (const auto& [n, r] : k_rlimits)
        if (n == name) return r;
    return fail("unknown rlimit `" + std::string(name) + "`");
}

Result<ProcessPlan> plan_process(const oci::Process& process, const oci::Seccomp* seccomp,
                                 const SeccompProgram* precompiled) {
    ProcessPlan plan;
    if (process.args.empty()) return fail("process: args must not be empty");
    plan.args = process.args;
    plan.env = process.env;
    plan.path = std::string(k_default_path);
    for (const auto& e : process.env)
        if (e.rfind("PATH=", 0) == 0) plan.path = e.substr(5);
    plan.cwd = process.cwd.empty() ? "/" : process.cwd;
    if (plan.cwd.front() != '/')
        return fail("process: cwd `" + plan.cwd + "` is not an absolute path");
    plan.uid = process.user.uid;
    plan.gid = process.user.gid;
    plan.groups.assign(process.user.additional_gids.begin(), process.user.additional_gids.end());
    plan.umask = static_cast<mode_t>(process.user.umask.value_or(022) & 0777);
    if (process.capabilities) plan.caps = TRY(capability_sets(*process.capabilities));
    for (const auto& r : process.rlimits) {
        int resource = TRY(rlimit_resource(r.type));
        if (r.soft > r.hard)
            return fail("rlimit " + r.type + ": soft limit " + std::to_string(r.soft) +
                        " is above hard limit " + std::to_string(r.hard));
        plan.rlimits.push_back({resource, rlimit{r.soft, r.hard}, r.type});
    }
    plan.oom_score_adj = process.oom_score_adj;
    plan.no_new_privileges = process.no_new_privileges;
    if (precompiled)
        plan.seccomp = *precompiled;
    else if (seccomp)
        plan.seccomp = TRY(compile_seccomp(*seccomp));
    plan.console_size = process.console_size;
    if (process.terminal) plan.stdio = StdioMode::pty;
    plan.trampoline = TRY(trampoline_fd());
    return plan;
}

void reset_signals() {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        ::signal(sig, SIG_DFL);
    }
}

Result<Fd> open_console(const SyncSocket& sync, const std::optional<oci::ConsoleSize>& size,
                        ConsoleBind bind) {
    Fd master = TRY(fs::open("/dev/ptmx", O_RDWR | O_NOCTTY));
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0)
        return fail_errno("unlock pseudo-terminal");
    int slave_fd = ::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_fd < 0) return fail_errno("open pseudo-terminal slave");
    Fd slave(slave_fd);
    if (size && size->width && size->height) {
        winsize ws{static_cast<unsigned short>(size->height),
                   static_cast<unsigned short>(size->width), 0, 0};
        if (::ioctl(slave.get(), TIOCSWINSZ, &ws) != 0) return fail_errno("set terminal size");
    }
    if (bind == ConsoleBind::dev_console) {
        Fd root = TRY(fs::open("/", O_PATH | O_DIRECTORY));
        if (fs::open_in_root(root.get(), "/dev", O_PATH | O_DIRECTORY)) {
            Fd target = TRY(ensure_target(root.get(), "/dev/console", TargetKind::file));
            Fd source = TRY(clone_mount(slave.get(), "", false));
            auto r = attach_mount(source.get(), target.get());
            if (!r) return std::unexpected(std::move(r.error()).prefix("bind `/dev/console`"));
        }
    }
    TRY(sync.send(SyncKind::fd, "console", master.get()));
    return slave;
}

Result<void> enter_cwd(const std::string& cwd, CwdMissing missing) {
    Fd root = TRY(fs::open("/", O_PATH | O_DIRECTORY));
    if (missing == CwdMissing::fail) {
        auto dir = fs::open_in_root(root.get(), cwd, O_PATH | O_DIRECTORY);
        if (!dir) {
            Error e = fail_errno("chdir to `" + cwd + "`", dir.error().sys_errno).error();
            e.exit_code = k_exit_cannot_invoke;
            return std::unexpected(std::move(e));
        }
        if (::fchdir(dir->get()) != 0) return fail_errno("chdir to `" + cwd + "`");
        return {};
    }
    auto dir = ensure_target(root.get(), cwd, TargetKind::directory);
    if (!dir) return std::unexpected(std::move(dir.error()).prefix("chdir to `" + cwd + "`"));
    if (::fchdir(dir->get()) != 0) return fail_errno("chdir to `" + cwd + "`");
    return {};
}

Error exec_failure(const std::string& command, int err, int exit_code) {
    if (!exit_code)
        exit_code = err == ENOENT || err == ENOTDIR ? k_exit_not_found : k_exit_cannot_invoke;
    Error e = fail_errno("exec `" + command + "`", err).error();
    e.exit_code = exit_code;
    return e;
}

void exec_process(const ProcessPlan& plan, SyncSocket& sync, Fd console) {
    int trampoline = plan.trampoline;
    auto ready = prepare(plan, sync, console.get(), trampoline);
    if (!ready) sync.fail_and_exit(ready.error());
    Error e = exec_command(plan, sync.get(), trampoline);
    sync.fail_and_exit(e);
}

}  // namespace ferry::runtime
