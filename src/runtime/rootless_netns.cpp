// The rootless networks' namespace: its holder, pasta, and the helpers that act inside it; see
// rootless_netns.hpp.

#include "ferry/runtime/rootless_netns.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "ferry/net/loopback.hpp"
#include "ferry/net/network_store.hpp"
#include "ferry/runtime/container_dns.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr const char* k_pasta = "/usr/bin/pasta";
constexpr const char* k_comm = "ferry-netns";

std::string state_path(const std::string& run_root) {
    return run_root + "/rootless-netns";
}

struct State {
    pid_t holder = 0;
    int64_t holder_start = 0;
    pid_t pasta = 0;
    int64_t pasta_start = 0;
};

State read_state(const std::string& run_root) {
    State s;
    auto text = fs::read_file(state_path(run_root), 256);
    if (!text) return s;
    auto f = split(trim(*text), ' ');
    if (f.size() != 4) return s;
    auto num = [](std::string_view v) { return parse_i64(v).value_or(0); };
    s.holder = static_cast<pid_t>(num(f[0]));
    s.holder_start = num(f[1]);
    s.pasta = static_cast<pid_t>(num(f[2]));
    s.pasta_start = num(f[3]);
    return s;
}

bool alive(pid_t pid, int64_t start) {
    return pid > 0 && start != 0 && process_start_time(pid) == start;
}

bool holder_alive(const State& s) {
    if (!alive(s.holder, s.holder_start)) return false;
    auto comm = fs::read_file("/proc/" + std::to_string(s.holder) + "/comm", 64);
    return comm && trim(*comm) == k_comm;
}

void write_byte(int fd, char c) {
    while (::write(fd, &c, 1) < 0 && errno == EINTR) {
    }
}

char read_byte(int fd) {
    char c = 0;
    ssize_t n;
    while ((n = ::read(fd, &c, 1)) < 0 && errno == EINTR) {
    }
    return n == 1 ? c : 0;
}

// The holder: a user namespace (mapped by its parent), then a network namespace with its
// loopback up and forwarding on; then it waits, holding both, until it is killed.
[[noreturn]] void holder_main(int go_r, int ready_w) {
    ::prctl(PR_SET_NAME, k_comm, 0, 0, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    if (::unshare(CLONE_NEWUSER) != 0) ::_exit(1);
    write_byte(ready_w, 'u');
    if (read_byte(go_r) != 'g') ::_exit(1);
    if (::unshare(CLONE_NEWNET) != 0 || !net::bring_up_loopback()) ::_exit(1);
    for (const char* key : {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"}) {
        int fd = ::open(key, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)!::write(fd, "1", 1);
            ::close(fd);
        }
    }
    write_byte(ready_w, 'n');
    ::close(ready_w);
    ::close(go_r);
    for (;;) ::pause();
}

// In the intermediate (a session of its own, so the holder is in no terminal's): forks the
// holder, maps it, attaches pasta, records both. Returns the error's words, "" when done.
std::string start_holder(const std::string& run_root, const std::vector<oci::IdMapping>& uids,
                         const std::vector<oci::IdMapping>& gids) {
    int go[2], ready[2], err[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(ready, O_CLOEXEC) != 0 ||
        ::pipe2(err, O_CLOEXEC) != 0)
        return std::string("pipe: ") + std::strerror(errno);
    pid_t holder = ::fork();
    if (holder < 0) return std::string("fork: ") + std::strerror(errno);
    if (holder == 0) {
        int keep_go = ::fcntl(go[0], F_DUPFD, 100);
        int keep_ready = ::fcntl(ready[1], F_DUPFD, 100);
        ::dup2(keep_go, 3);
        ::dup2(keep_ready, 4);
        ::close_range(5, ~0U, 0);
        holder_main(3, 4);
    }
    ::close(go[0]);
    ::close(ready[1]);
    auto give_up = [&](std::string what) {
        ::kill(holder, SIGKILL);
        return what;
    };
    if (read_byte(ready[0]) != 'u') return give_up("could not create a user namespace");
    if (auto mapped = write_id_mappings(holder, uids, gids); !mapped)
        return give_up(mapped.error().message);
    write_byte(go[1], 'g');
    if (read_byte(ready[0]) != 'n') return give_up("could not create a network namespace");
    std::string proc = "/proc/" + std::to_string(holder) + "/ns/";
    std::string pid_file = state_path(run_root) + ".pasta";
    ::unlink(pid_file.c_str());
    // pasta configures the namespace, then goes to the background: its first process's exit
    // says how that went.
    pid_t pasta = ::fork();
    if (pasta < 0) return give_up(std::string("fork: ") + std::strerror(errno));
    if (pasta == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(err[1], 2);
        ::close_range(3, ~0U, 0);
        ::execl(k_pasta, k_pasta, "--config-net", "--quiet", "--pid", pid_file.c_str(), "-t",
                "none", "-u", "none", "-T", "none", "-U", "none", "--userns",
                (proc + "user").c_str(), "--netns", (proc + "net").c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(err[1]);
    int status = 0;
    while (::waitpid(pasta, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ::fcntl(err[0], F_SETFL, O_NONBLOCK);
        char buf[512] = {};
        ssize_t n = ::read(err[0], buf, sizeof buf - 1);
        std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
        std::string said = "exited with status " + std::to_string(WEXITSTATUS(status));
        for (const auto& line : split(text, '\n'))  // its first words, not syslog's absence
            if (!trim(line).empty() && line.find("syslog") == std::string_view::npos) {
                said = std::string(trim(line));
                break;
            }
        return give_up("pasta: " + said);
    }
    auto pasta_pid = fs::read_file(pid_file, 64);
    ::unlink(pid_file.c_str());
    pid_t daemon = pasta_pid ? static_cast<pid_t>(parse_i64(trim(*pasta_pid)).value_or(0)) : 0;
    std::string state = std::to_string(holder) + " " + std::to_string(process_start_time(holder)) +
                        " " + std::to_string(daemon) + " " +
                        std::to_string(daemon > 0 ? process_start_time(daemon) : 0) + "\n";
    if (auto w = write_file_atomic(state_path(run_root), state, 0600, Durability::process_crash);
        !w) {
        if (daemon > 0) ::kill(daemon, SIGKILL);
        return give_up(w.error().message);
    }
    return "";
}

// Whether the holder maps ids as the container asks (one namespace serves every container).
bool same_mappings(pid_t holder, const std::vector<oci::IdMapping>& uids) {
    auto text = fs::read_file("/proc/" + std::to_string(holder) + "/uid_map", 1 << 16);
    if (!text) return false;
    auto own = parse_id_map(*text);
    if (own.size() != uids.size()) return false;
    for (size_t i = 0; i < own.size(); ++i)
        if (own[i].container_id != uids[i].container_id || own[i].host_id != uids[i].host_id ||
            own[i].size != uids[i].size)
            return false;
    return true;
}

// Runs fn in a forked child; what it returns (an error's words, empty when it went well)
// comes back through a pipe once the child has ended. died: whether the child ended otherwise
// than with status 0.
struct Forked {
    std::string error;
    bool died = false;
};
Result<Forked> run_forked(const std::function<std::string()>& fn) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd report_r(report[0]), report_w(report[1]);
    pid_t child = ::fork();
    if (child < 0) return fail_errno("fork");
    if (child == 0) {
        report_r.reset();
        std::string error = fn();
        (void)!::write(report_w.get(), error.data(), error.size());
        ::_exit(error.empty() ? 0 : 1);
    }
    report_w.reset();
    Forked out;
    out.error = fs::read_all(report_r.get(), 1 << 16).value_or("");
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    out.died = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return out;
}

}  // namespace

pid_t rootless_netns_holder(const std::string& run_root) {
    State s = read_state(run_root);
    return holder_alive(s) ? s.holder : 0;
}

Result<RootlessNetns> ensure_rootless_netns(const std::string& run_root,
                                            const std::vector<oci::IdMapping>& uids,
                                            const std::vector<oci::IdMapping>& gids) {
    RootlessNetns out;
    out.lock = TRY(FileLock::acquire(state_path(run_root) + ".lock", LockMode::exclusive));
    State s = read_state(run_root);
    if (holder_alive(s)) {
        if (!same_mappings(s.holder, uids))
            return fail("rootless networks: the running network namespace maps other ids than "
                        "this container (--userns keep-id and the default cannot share it)");
        out.holder = s.holder;
        return out;
    }
    // The holder died alone: its pasta and resolver serve a namespace nothing reaches.
    if (alive(s.pasta, s.pasta_start)) ::kill(s.pasta, SIGKILL);
    stop_aardvark(run_root + "/dns");  // rootless, it only ever runs in the holder's namespace
    if (::access(k_pasta, X_OK) != 0)
        return fail("rootless networks need pasta (Debian package passt): " +
                    std::string(k_pasta) + " is missing");
    auto started = TRY(run_forked([&]() {
        ::setsid();
        return start_holder(run_root, uids, gids);
    }));
    if (!started.error.empty()) return fail("rootless networks: " + started.error);
    out.holder = rootless_netns_holder(run_root);
    if (out.holder == 0) return fail("rootless networks: the network namespace's holder died");
    return out;
}

Result<RootlessNamespaces> RootlessNamespaces::open(pid_t holder) {
    std::string proc = "/proc/" + std::to_string(holder) + "/ns/";
    RootlessNamespaces ns;
    ns.user = TRY(fs::open(proc + "user", O_RDONLY | O_CLOEXEC));
    ns.net = TRY(fs::open(proc + "net", O_RDONLY | O_CLOEXEC));
    return ns;
}

bool RootlessNamespaces::join() const {
    return ::setns(user.get(), CLONE_NEWUSER) == 0 && ::setns(net.get(), CLONE_NEWNET) == 0;
}

Result<void> in_rootless_netns(pid_t holder, const std::function<Result<void>()>& fn) {
    auto ns = TRY(RootlessNamespaces::open(holder));
    auto ran = TRY(run_forked([&]() -> std::string {
        if (!ns.join())
            return std::string("join the rootless networks' namespace: ") + std::strerror(errno);
        auto r = fn();
        return r ? "" : r.error().message;
    }));
    if (!ran.error.empty()) return fail(ran.error);
    if (ran.died) return fail("rootless networks: the helper in the network namespace died");
    return {};
}

Result<void> stop_rootless_netns_if_idle(const std::string& store_root,
                                         const std::string& run_root) {
    if (!fs::lexists(state_path(run_root))) return {};
    auto lock = TRY(FileLock::acquire(state_path(run_root) + ".lock", LockMode::exclusive));
    State s = read_state(run_root);
    if (holder_alive(s)) {
        auto networks = TRY(net::NetworkStore::open(store_root));
        for (const auto& n : TRY(networks.list()))
            for (const auto& [id, lease] : TRY(networks.leases(n.id)))
                if (lease_held(lease)) return {};
        ::kill(s.holder, SIGKILL);
    }
    if (alive(s.pasta, s.pasta_start)) ::kill(s.pasta, SIGKILL);
    stop_aardvark(run_root + "/dns");
    if (::unlink(state_path(run_root).c_str()) != 0 && errno != ENOENT)
        return fail_errno("remove `" + state_path(run_root) + "`");
    return {};
}

}  // namespace ferry::runtime
