// pasta driven from the start path; see container_pasta.hpp.

#include "ferry/runtime/container_pasta.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr const char* k_pasta = "/usr/bin/pasta";

// pasta's first error line, without its complaints about syslog (absent in containers and CI).
std::string first_error(const std::string& text) {
    for (const auto& line : split(text, '\n')) {
        std::string l(trim(line));
        if (!l.empty() && l.find("syslog") == std::string::npos) return l;
    }
    return "exited with an error";
}

}  // namespace

Result<PastaPlan> plan_pasta(const ContainerRecord& r) {
    PastaPlan plan;
    std::string prefix = "driver failed programming external connectivity on endpoint " +
                         r.name + " (" + r.id + "): ";
    for (const auto& b : TRY(requested_bindings(r, plan.live_ports))) {
        uint16_t port = TRY(choose_host_port(prefix, b.bind_ip, b.shown_ip, b.host_ip,
                                             b.host_port, b.proto, {}));
        plan.forwards.push_back(b.proto == net::Proto::tcp ? "-t" : "-u");
        plan.forwards.push_back((b.host_ip.empty() ? "" : b.host_ip + "/") +
                                std::to_string(port) + ":" + std::to_string(b.container_port));
        plan.live_ports[b.key].push_back({b.shown_ip, std::to_string(port)});
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
    pid_t child = ::fork();
    if (child < 0) return fail_errno("fork");
    if (child == 0) {
        // It dies with the monitor (this process's thread execs it): a monitor killed with -9
        // takes its container and its pasta along.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(err_w.get(), 2);
        ::close_range(3, ~0U, 0);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(k_pasta, argv.data());
        ::_exit(127);
    }
    err_w.reset();
    // In the foreground, pasta writes its pid file once the namespace is configured.
    for (int i = 0; i < 10000; ++i) {
        if (fs::lexists(pid_file)) return child;
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            ::fcntl(err_r.get(), F_SETFL, O_NONBLOCK);
            std::string text;
            char buf[4096];
            ssize_t n;
            while ((n = ::read(err_r.get(), buf, sizeof buf)) > 0)
                text.append(buf, static_cast<size_t>(n));
            return fail("rootless networking: pasta: " + first_error(text));
        }
        timespec ts{0, 500'000};
        ::nanosleep(&ts, nullptr);
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return fail("rootless networking: pasta did not configure the namespace within 5 s");
}

Json pasta_network_settings(const ContainerRecord& r, const PastaPlan& plan) {
    Json s = network_settings_json(r, std::nullopt);
    s["Ports"] = port_map_json(plan.live_ports, true);
    return s;
}

}  // namespace ferry::runtime
