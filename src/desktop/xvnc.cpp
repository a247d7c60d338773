#include "ferry/desktop/xvnc.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/child.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::desktop {

namespace {

constexpr int k_start_timeout_ms = 10'000;

// The last non-empty line of Xvnc's log (why it stopped).
std::string last_log_line(const std::string& dir) {
    auto text = fs::read_file(server_log(dir), 1 << 20);
    if (!text) return "no log";
    std::string last;
    for (const auto& line : split(*text, '\n')) {
        std::string_view l = trim(line);
        if (l.starts_with("(EE)")) l = trim(l.substr(4));  // X's error mark, alone or leading
        if (!l.empty()) last = std::string(l);
    }
    return last.empty() ? "it said nothing" : last;
}

std::vector<std::string> server_args(const std::string& xvnc, const ServerRequest& r, int fd) {
    std::vector<std::string> args = {
        xvnc, "-displayfd", std::to_string(fd), "-rfbport", "-1", "-rfbunixpath",
        r.socket, "-rfbunixmode", "0600", "-nolisten", "tcp", "-nolisten", "local",
        "-auth", cookie_file(r.dir), "-SecurityTypes", "None", "-AlwaysShared",
        "-geometry", format_geometry(r.geometry), "-depth", "24"};
    if (!r.shared_memory) args.insert(args.end(), {"-extension", "MIT-SHM"});
    return args;
}

}  // namespace

std::string cookie_file(const std::string& dir) { return dir + "/Xauthority"; }
std::string server_log(const std::string& dir) { return dir + "/Xvnc.log"; }

Result<std::string> find_xvnc() {
    if (std::string xvnc = fs::find_on_path("Xvnc"); !xvnc.empty()) return xvnc;
    return fail(
        "--desktop needs TigerVNC's Xvnc, which is not installed: install Debian's "
        "tigervnc-standalone-server");
}

Result<Server> start_server(const ServerRequest& r) {
    std::string xvnc = TRY(find_xvnc());
    for (const std::string& dir : {r.dir, r.socket.substr(0, r.socket.rfind('/'))}) {
        TRY(fs::make_dirs(dir, 0700));
        if (::chmod(dir.c_str(), 0700) != 0) return fail_errno("chmod `" + dir + "`");
    }
    // A fresh cookie at every start; readable through the container's read-only bind (the
    // directory keeps everyone else out).
    std::array<uint8_t, 16> cookie{};
    if (::getrandom(cookie.data(), cookie.size(), 0) != static_cast<ssize_t>(cookie.size()))
        return fail_errno("getrandom");
    TRY(write_file_atomic(cookie_file(r.dir), xauthority_entry(cookie), 0644,
                          Durability::process_crash));
    ::unlink(r.socket.c_str());  // a killed server's
    Fd log = TRY(fs::open(server_log(r.dir), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd ready(p[0]), ready_w(p[1]);
    auto args = server_args(xvnc, r, ready_w.get());
    pid_t pid = TRY(start_child(std::move(args), ChildIo{.out = log.get(), .err = log.get(),
                                                         .keep = ready_w.get(),
                                                         .death_signal = SIGTERM,
                                                         .detached = true}));
    ready_w.reset();
    std::string said;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_start_timeout_ms);
    while (said.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{ready.get(), POLLIN, 0};
        int n = left.count() > 0 ? ::poll(&pfd, 1, static_cast<int>(left.count())) : 0;
        if (n < 0 && errno == EINTR) continue;
        char buf[32];
        ssize_t got = n > 0 ? ::read(ready.get(), buf, sizeof buf) : 0;
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {  // timed out, or it exited
            std::string why = n > 0 ? last_log_line(r.dir) : "it gave no display in 10 s";
            stop_server(pid);
            return fail("Xvnc did not start: " + why);
        }
        said.append(buf, static_cast<size_t>(got));
    }
    auto display = parse_i64(trim(said.substr(0, said.find('\n'))));
    if (!display || *display < 0) {
        stop_server(pid);
        return fail("Xvnc did not start: it gave the display `" + said + "`");
    }
    Server s;
    s.pid = pid;
    s.display = static_cast<int>(*display);
    s.x_socket = "/tmp/.X11-unix/X" + std::to_string(s.display);
    return s;
}

void stop_server(pid_t pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

void stop_all(const Server& server) {
    stop_server(server.front_pid);
    stop_server(server.web_pid);
    stop_server(server.pid);
}

}  // namespace ferry::desktop
