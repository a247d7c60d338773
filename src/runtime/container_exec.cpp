// exec joins the container's namespaces through runtime/exec_in. Without a terminal the
// process gets ferry's own stdout/stderr (and stdin with -i) directly: no relay, no copies.
// With -t it gets a pty in the container's /dev/pts whose master is relayed here, in raw mode,
// with window size changes forwarded.

#include "ferry/runtime/container_exec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <optional>

#include "ferry/runtime/attach.hpp"
#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/device_policy.hpp"
#include "ferry/runtime/exec.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/user_db.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"
#include "ferry/util/terminal.hpp"

namespace ferry::runtime {

namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq == std::string::npos ? kv.size() : eq);
    std::erase_if(env, [&](const std::string& e) {
        return e.size() > key.size() && e.starts_with(key) && e[key.size()] == '=';
    });
    if (eq != std::string::npos) env.push_back(kv);
}

void copy_winsize(int to) {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0 || ::ioctl(1, TIOCGWINSZ, &ws) == 0)
        ::ioctl(to, TIOCSWINSZ, &ws);
}

// Relays our terminal and the pty master until the process exits; returns its status.
Result<int> relay_pty(Executed& ex, bool interactive, const std::string& detach_keys) {
    std::string keys = TRY(parse_detach_keys(detach_keys));
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &mask, &old);
    Fd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC));
    std::optional<RawMode> raw;
    if (interactive && ::isatty(0)) raw.emplace(0);
    int master = ex.pty_master.get();
    copy_winsize(master);
    bool in_open = interactive, out_open = true;
    size_t matched = 0;
    char buf[65536];
    while (out_open) {
        pollfd fds[3] = {{master, POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {0, POLLIN, 0}};
        if (::poll(fds, in_open ? 3 : 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            if (::read(sigfd.get(), &si, sizeof si) > 0) copy_winsize(master);
        }
        if (in_open && fds[2].revents) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n <= 0) {
                in_open = false;
                (void)fs::write_all(master, "\x04");
            } else {
                std::string pass;
                for (ssize_t i = 0; i < n; ++i) {
                    if (buf[i] == keys[matched]) {
                        if (++matched == keys.size()) {
                            ::sigprocmask(SIG_SETMASK, &old, nullptr);
                            return 0;  // detached: the process runs on
                        }
                        continue;
                    }
                    pass.append(keys, 0, matched);
                    matched = 0;
                    pass += buf[i];
                }
                (void)fs::write_all(master, pass);
            }
        }
        if (fds[0].revents) {
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) out_open = false;  // EIO once the slave side is closed
            else (void)fs::write_all(1, std::string_view(buf, static_cast<size_t>(n)));
        }
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return ex.pid.wait();
}

}  // namespace

Result<int> exec_container(const ContainerStore& store, const ContainerRecord& r,
                           const ExecOptions& o) {
    ContainerState st = TRY(store.state(r.id));
    if (!is_active(st) || st.pid <= 0 || process_start_time(st.pid) != st.pid_start)
        return fail_with_status("Container " + r.id + " is not running", k_exit_error);
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    if (!spec.process) return fail("container " + r.id.substr(0, 12) + ": spec has no process");
    // A container without a device cgroup (device_policy.hpp) keeps device nodes out of its
    // /dev by its seccomp filter alone: the exec'd process gets the same filter, and no
    // --privileged (without the filter, and with CAP_SYS_ADMIN, every host device is in reach).
    if (runs_without_cgroup(*TRY(host_cgroups()), spec)) {
        if (o.privileged)
            return fail("cannot exec --privileged in container " + r.id.substr(0, 12) +
                        ": it has no device cgroup (started without resource limits on a "
                        "cgroup v1 host)");
        confine_device_syscalls(spec);
    }
    oci::Process p = *spec.process;
    p.args = o.command;
    p.terminal = o.tty;
    p.console_size.reset();
    if (auto ws = window_size(); ws && o.tty) p.console_size = oci::ConsoleSize{ws->rows, ws->cols};
    if (!o.workdir.empty()) p.cwd = o.workdir;
    if (!o.user.empty()) {
        Fd root = TRY(fs::open("/proc/" + std::to_string(st.pid) + "/root",
                               O_PATH | O_DIRECTORY));
        auto read = [&](const char* path) -> std::optional<std::string> {
            auto f = fs::open_in_root(root.get(), path, O_RDONLY);
            if (!f) return std::nullopt;
            auto text = fs::read_all(f->get(), 16u << 20);
            return text ? std::optional<std::string>(*text) : std::nullopt;
        };
        std::optional<std::vector<PasswdEntry>> passwd;
        std::optional<std::vector<GroupEntry>> group;
        if (auto t = read("/etc/passwd")) passwd = parse_passwd(*t);
        if (auto t = read("/etc/group")) group = parse_group(*t);
        // docker's exec fails here inside the container's runtime: status 126.
        auto resolved = resolve_exec_user(o.user, passwd, group);
        if (!resolved) resolved.error().exit_code = k_exit_cannot_invoke;
        ExecUser u = TRY(std::move(resolved));
        p.user.uid = u.uid;
        p.user.gid = u.gid;
        // the primary group too, as docker's exec (and run) give it
        p.user.additional_gids = {u.gid};
        p.user.additional_gids.insert(p.user.additional_gids.end(), u.supplementary.begin(),
                                      u.supplementary.end());
        set_env(p.env, "HOME=" + u.home);
        if (!u.name.empty()) set_env(p.env, "USER=" + u.name);
    }
    if (o.tty) set_env(p.env, "TERM=xterm");
    for (const auto& e : o.env) set_env(p.env, e);
    if (o.privileged) {
        auto all = privileged_capabilities();
        p.capabilities = oci::Capabilities{all, all, {}, all, {}};
    }
    Fd null = TRY(fs::open("/dev/null", O_RDWR));
    ExecRequest req;
    req.container_pid = st.pid;
    req.process = &p;
    const oci::Seccomp* seccomp =
        spec.linux && spec.linux->seccomp && !o.privileged ? &*spec.linux->seccomp : nullptr;
    req.seccomp = seccomp;
    req.seccomp_cache_dir = store.run_dir("seccomp-cache");
    if (!o.tty) {
        req.stdio = StdioMode::fds;
        if (o.detach)
            req.stdio_fds = {null.get(), null.get(), null.get()};
        else
            req.stdio_fds = {o.interactive ? 0 : null.get(), 1, 2};
    }
    Executed ex = TRY(exec_in(req));
    if (o.detach) return 0;
    if (o.tty) return relay_pty(ex, o.interactive, o.detach_keys);
    return ex.pid.wait();
}

}  // namespace ferry::runtime
