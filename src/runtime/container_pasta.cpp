// pasta driven from the start path; see container_pasta.hpp.

#include "ferry/runtime/container_pasta.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <ctime>

#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/child.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr const char* k_pasta = "/usr/bin/pasta";
constexpr const char* k_slirp = "/usr/bin/slirp4netns";

// A rootless helper: stdout on /dev/null, stderr to err_w and keep (when >= 0) inherited; it
// dies with this thread.
Result<pid_t> spawn_helper(std::vector<std::string> args, int err_w, int keep) {
    return start_child(std::move(args), ChildIo{.err = err_w, .keep = keep});
}

// What a dead helper said on stderr (non-blocking: its children may hold the pipe).
std::string drain(int fd) {
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    return text;
}

// One request on slirp4netns's API socket; fails with its error's words.
Result<void> slirp_request(const std::string& socket_path, const std::string& json) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return fail_errno("slirp4netns API socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) return fail("slirp4netns: API socket path too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return fail_errno("connect to slirp4netns's API socket `" + socket_path + "`");
    TRY(fs::write_all(s.get(), json));
    ::shutdown(s.get(), SHUT_WR);
    std::string reply = fs::read_all(s.get(), 65536).value_or("");
    if (reply.find("\"error\"") != std::string::npos)
        return fail("rootless networking: slirp4netns: " + std::string(trim(reply)));
    return {};
}

// pasta's first error line, without its complaints about syslog (absent in containers and CI).
std::string first_error(const std::string& text) {
    for (const auto& line : split(text, '\n')) {
        std::string l(trim(line));
        if (!l.empty() && l.find("syslog") == std::string::npos) return l;
    }
    return "exited with an error";
}

}  // namespace

std::string rootless_tool(const std::string& mode) {
    if (mode == "pasta" || mode == "slirp4netns") return mode;
    if (mode != "default" && mode != "bridge") return "";
    return ::access(k_pasta, X_OK) == 0 || ::access(k_slirp, X_OK) != 0 ? "pasta" : "slirp4netns";
}

bool rootless_network_available() {
    return ::access(k_pasta, X_OK) == 0 || ::access(k_slirp, X_OK) == 0;
}

Result<PastaPlan> plan_pasta(const ContainerRecord& r, bool slirp) {
    PastaPlan plan;
    plan.slirp = slirp;
    std::string prefix = "driver failed programming external connectivity on endpoint " +
                         r.name + " (" + r.id + "): ";
    for (const auto& b : TRY(requested_bindings(r, plan.live_ports))) {
        uint16_t port = TRY(choose_host_port(prefix, b.bind_ip, b.shown_ip, b.host_ip,
                                             b.host_port, b.proto, {}));
        plan.forwards.push_back(b.proto == net::Proto::tcp ? "-t" : "-u");
        plan.forwards.push_back((b.host_ip.empty() ? "" : b.host_ip + "/") +
                                std::to_string(port) + ":" + std::to_string(b.container_port));
        plan.live_ports[b.key].push_back({b.shown_ip, std::to_string(port)});
        plan.ports.push_back({b.host_ip, port, "", b.container_port, b.proto});
    }
    return plan;
}

Result<int> start_pasta(const PastaPlan& plan, int pid, const std::string& pid_file) {
    if (::access(k_pasta, X_OK) != 0)
        return fail("rootless networking needs pasta (Debian package passt): " +
                    std::string(k_pasta) + " is missing; --network none or host work without it");
    std::string proc = "/proc/" + std::to_string(pid) + "/ns/";
    std::vector<std::string> args = {k_pasta, "--config-net", "--quiet", "--foreground",
                                     "--pid", pid_file};
    bool tcp = false, udp = false;
    for (size_t i = 0; i < plan.forwards.size(); i += 2) {
        tcp = tcp || plan.forwards[i] == "-t";
        udp = udp || plan.forwards[i] == "-u";
    }
    if (!tcp) args.insert(args.end(), {"-t", "none"});
    if (!udp) args.insert(args.end(), {"-u", "none"});
    args.insert(args.end(), {"-T", "none", "-U", "none"});
    args.insert(args.end(), plan.forwards.begin(), plan.forwards.end());
    args.insert(args.end(), {"--userns", proc + "user", "--netns", proc + "net"});
    ::unlink(pid_file.c_str());
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd err_r(err[0]), err_w(err[1]);
    // It dies with the monitor (this process's thread execs it): a monitor killed with -9 takes
    // its container and its pasta along.
    pid_t child = TRY(spawn_helper(args, err_w.get(), -1));
    err_w.reset();
    // In the foreground, pasta writes its pid file once the namespace is configured.
    for (int i = 0; i < 10000; ++i) {
        if (fs::lexists(pid_file)) return child;
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child)
            return fail("rootless networking: pasta: " + first_error(drain(err_r.get())));
        timespec ts{0, 500'000};
        ::nanosleep(&ts, nullptr);
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return fail("rootless networking: pasta did not configure the namespace within 5 s");
}

Result<int> start_slirp(const PastaPlan& plan, int pid, const std::string& api_socket) {
    if (::access(k_slirp, X_OK) != 0)
        return fail("rootless networking needs pasta or slirp4netns (Debian packages passt, "
                    "slirp4netns); --network none or host work without them");
    std::string proc = "/proc/" + std::to_string(pid) + "/ns/";
    int ready[2], err[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd ready_r(ready[0]), ready_w(ready[1]), err_r(err[0]), err_w(err[1]);
    ::unlink(api_socket.c_str());
    pid_t child = TRY(spawn_helper(
        {k_slirp, "--configure", "--mtu=65520", "--disable-host-loopback",
         "--ready-fd=" + std::to_string(ready_w.get()), "--api-socket", api_socket,
         "--userns-path=" + proc + "user", "--netns-type=path", proc + "net", "tap0"},
        err_w.get(), ready_w.get()));
    ready_w.reset();
    err_w.reset();
    char byte = 0;
    ssize_t n;
    while ((n = ::read(ready_r.get(), &byte, 1)) < 0 && errno == EINTR) {
    }
    auto fail_child = [&](std::string what) -> Result<int> {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        return fail(std::move(what));
    };
    if (n != 1) return fail_child("rootless networking: slirp4netns: " + first_error(drain(err_r.get())));
    for (const auto& p : plan.ports) {
        std::string json = std::string("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"") +
                           (p.proto == net::Proto::tcp ? "tcp" : "udp") + "\",\"host_addr\":\"" +
                           (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + "\",\"host_port\":" +
                           std::to_string(p.host_port) + ",\"guest_port\":" +
                           std::to_string(p.container_port) + "}}";
        if (auto sent = slirp_request(api_socket, json); !sent)
            return fail_child(sent.error().message);
    }
    return child;
}

Json pasta_network_settings(const ContainerRecord& r, const PastaPlan& plan) {
    Json s = network_settings_json(r, std::nullopt);
    s["Ports"] = port_map_json(plan.live_ports, true);
    return s;
}

}  // namespace ferry::runtime
