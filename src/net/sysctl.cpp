// A sysctl write is open, read, compare, write: the file is read first so that a value already
// set costs no write (ip_forward is set once per host, not per start). Keys are checked to stay
// under /proc/sys/net, since interface names come from records and flags.

#include "ferry/net/sysctl.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "ferry/util/fd.hpp"

namespace ferry::net {

namespace {

bool valid_key(std::string_view key) {
    if (!key.starts_with("net/")) return false;
    size_t start = 0;
    for (;;) {
        size_t slash = key.find('/', start);
        std::string_view part = key.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

std::string_view trim_newline(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
    return s;
}

}  // namespace

Result<void> write_sysctl(std::string_view key, std::string_view value) {
    if (!valid_key(key)) return fail("invalid sysctl key `" + std::string(key) + "`");
    std::string path = "/proc/sys/" + std::string(key);
    std::string what = "set sysctl `" + path + "` to " + std::string(value);
    Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd && errno == EACCES) fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno(what);
    char buf[64];
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
    if (n >= 0 && trim_newline(std::string_view(buf, static_cast<size_t>(n))) == value) return {};
    std::string text = std::string(value) + "\n";
    ssize_t w;
    do
        w = ::pwrite(fd.get(), text.data(), text.size(), 0);
    while (w < 0 && errno == EINTR);
    if (w < 0) return fail_errno(what);
    if (static_cast<size_t>(w) != text.size()) return fail_errno(what, EIO);
    return {};
}

Result<void> write_sysctl_in(int netns_fd, std::string_view key, std::string_view value) {
    std::string what = "set sysctl `/proc/sys/" + std::string(key) + "` in network namespace";
    Fd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!self) return fail_errno(what + ": open `/proc/thread-self/ns/net`");
    if (::setns(netns_fd, CLONE_NEWNET) != 0) return fail_errno(what + ": join");
    auto r = write_sysctl(key, value);
    if (::setns(self.get(), CLONE_NEWNET) != 0)
        return fail_errno(what + ": return to own network namespace");
    return r;
}

Result<void> enable_ip_forward() {
    return write_sysctl("net/ipv4/ip_forward", "1");
}

Result<void> set_route_localnet(std::string_view ifname, bool on) {
    return write_sysctl("net/ipv4/conf/" + std::string(ifname) + "/route_localnet", on ? "1" : "0");
}

Result<void> set_ipv6_disabled(std::string_view ifname, bool disabled) {
    return write_sysctl("net/ipv6/conf/" + std::string(ifname) + "/disable_ipv6",
                        disabled ? "1" : "0");
}

}  // namespace ferry::net
