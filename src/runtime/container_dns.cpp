// aardvark-dns driven from its configuration files; see container_dns.hpp.

#include "ferry/runtime/container_dns.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>

#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/rootless_netns.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

// The running aardvark-dns of dir, from its pid file: 0 when none.
pid_t running_aardvark(const std::string& dir) {
    auto text = fs::read_file(dir + "/aardvark.pid", 64);
    if (!text) return 0;
    auto pid = parse_i64(trim(*text));
    if (!pid || *pid <= 0) return 0;
    auto comm = fs::read_file("/proc/" + std::to_string(*pid) + "/comm", 64);
    if (!comm || trim(*comm) != "aardvark-dns") return 0;
    return static_cast<pid_t>(*pid);
}

// Starts aardvark-dns on dir (in holder's user and network namespaces when given); it goes to
// the background itself once its sockets are bound.
Result<void> start_aardvark(const std::string& binary, const std::string& dir, pid_t holder) {
    std::optional<RootlessNamespaces> ns;
    if (holder) ns = TRY(RootlessNamespaces::open(holder));
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) {
        if (ns && !ns->join()) ::_exit(126);
        ::close_range(3, ~0U, 0);
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
        ::setsid();
        ::execl(binary.c_str(), binary.c_str(), "--config", dir.c_str(), "-p", "53", "run",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail("name resolution: `" + binary + " --config " + dir +
                    " -p 53 run` failed (status " + std::to_string(WEXITSTATUS(status)) + ")");
    return {};
}

// The inodes of the UDP sockets bound to port 53 in table (a namespace's /proc/net/udp), by
// local address as the kernel writes it: the IPv4 address in little-endian hex, then ":0035";
// the inode is the tenth field.
std::map<std::string, std::string> port53_inodes(const std::string& table) {
    std::map<std::string, std::string> out;
    for (const auto& line : split(table, '\n')) {
        auto fields = split(line, ' ');
        std::erase_if(fields, [](const std::string& f) { return f.empty(); });
        if (fields.size() > 9 && fields[1].ends_with(":0035")) out[fields[1]] = fields[9];
    }
    return out;
}

// dns_listeners of dir's files, read now.
DnsListeners read_listeners(const std::string& dir, const std::string& udp_table) {
    std::map<std::string, std::string> files;
    auto names = fs::list_dir(dir);
    auto table = fs::read_file(udp_table, 4 << 20);
    if (!names || !table) return {};
    for (const auto& name : *names) {
        if (name == "aardvark.pid" || name.find(".tmp-") != std::string::npos) continue;
        if (auto text = fs::read_file(dir + "/" + name, 1 << 20)) files[name] = std::move(*text);
    }
    return dns_listeners(files, *table);
}

// Waits (2 s at most) until aardvark-dns, sent SIGHUP after `before` was read, has bound its
// sockets again (dns_reload_done): a container that asks in between must not find the port
// closed. Every reload is sent and waited for under dns.lock, so `before` is the state after
// the last one; the sockets are read until two reads agree (a read can fall between two of
// them). The names it reread are there then.
void wait_for_listeners(const std::string& dir, const std::string& udp_table,
                        const DnsListeners& before, const std::string& own) {
    DnsListeners seen;
    for (int i = 0; i < 8000; ++i) {
        auto now = read_listeners(dir, udp_table);
        if (dns_reload_done(before, now, own) && now == seen) return;
        seen = std::move(now);
        timespec ts{0, 250'000};
        ::nanosleep(&ts, nullptr);
    }
}

}  // namespace

DnsListeners dns_listeners(const std::map<std::string, std::string>& network_files,
                           const std::string& udp_table) {
    auto bound = port53_inodes(udp_table);
    DnsListeners out;
    for (const auto& [name, text] : network_files)
        for (const auto& gw : split(text.substr(0, text.find('\n')), ','))
            if (auto ip = net::parse_ip(gw); ip && ip->family == net::Family::v4) {
                char key[16];
                std::snprintf(key, sizeof key, "%02X%02X%02X%02X:0035", ip->bytes[3],
                              ip->bytes[2], ip->bytes[1], ip->bytes[0]);
                auto it = bound.find(key);
                out[name + " " + gw] = it == bound.end() ? "" : it->second;
            }
    return out;
}

bool dns_reload_done(const DnsListeners& before, const DnsListeners& now, const std::string& own) {
    for (const auto& [key, inode] : now) {
        auto was = before.find(key);
        bool bound = was != before.end() && !was->second.empty();
        if (!bound && !key.starts_with(own + " ")) continue;
        if (inode.empty() || (bound && was->second == inode)) return false;
    }
    return true;
}

std::string aardvark_path() {
    for (const char* p : {"/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

void stop_aardvark(const std::string& dir) {
    if (pid_t pid = running_aardvark(dir)) ::kill(pid, SIGKILL);
    // A pid file left behind makes the next aardvark-dns give up at once.
    ::unlink((dir + "/aardvark.pid").c_str());
}

Result<void> update_dns(const std::string& dir, const net::NetworkStore& store,
                        const net::Network& network, pid_t holder) {
    if (network.name == "bridge" || network.driver != "bridge") return {};
    std::string binary = aardvark_path();
    if (binary.empty()) return {};
    TRY(fs::make_dirs(dir, 0755));
    // Beside the directory, not in it: aardvark-dns reads every file there as a network.
    auto held = TRY(FileLock::acquire(dir + ".lock", LockMode::exclusive));
    std::string gateways;
    for (const auto& s : network.subnets)
        gateways += (gateways.empty() ? "" : ",") + net::format_ip(s.gateway);
    std::string text = gateways + "\n";
    size_t entries = 0;
    for (const auto& [id, l] : TRY(store.leases(network.id))) {
        if (!lease_held(l) || l.names.empty()) continue;
        std::string line = id + " " + (l.ipv4 ? net::format_ip(l.ipv4->address) : "") + " " +
                           (l.ipv6 ? net::format_ip(l.ipv6->address) : "") + " " + join(l.names);
        if (!l.dns.empty()) line += " " + join(l.dns);
        text += line + "\n";
        ++entries;
    }
    std::string path = dir + "/" + network.name;
    if (entries == 0) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno("remove `" + path + "`");
    } else {
        TRY(write_file_atomic(path, text, 0644, Durability::process_crash));
    }
    std::string table = holder ? "/proc/" + std::to_string(holder) + "/net/udp" : "/proc/net/udp";
    DnsListeners before;
    if (pid_t pid = running_aardvark(dir)) {
        before = read_listeners(dir, table);
        ::kill(pid, SIGHUP);  // it rereads every file, and exits when none is left
    } else if (entries > 0) {
        TRY(start_aardvark(binary, dir, holder));
    }
    // Also after the last name of this network went, while other networks' files remain
    // (`before` holds them): their sockets are bound again.
    if (entries > 0 || !before.empty()) wait_for_listeners(dir, table, before, network.name);
    return {};
}

}  // namespace ferry::runtime
