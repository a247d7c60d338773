#include "ferry/desktop/novnc.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/child.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::desktop {

namespace {

// A port of 127.0.0.1 free now (the kernel's choice; websockify binds it a moment later).
Result<int> free_port() {
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return fail_errno("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return fail_errno("a port of 127.0.0.1 for the desktop's web page");
    return ntohs(addr.sin_port);
}

}  // namespace

std::optional<WebTools> find_web_tools() {
    WebTools t{"/usr/bin/websockify", "/usr/share/novnc"};
    if (::access(t.websockify.c_str(), X_OK) != 0 ||
        ::access((t.pages + "/vnc.html").c_str(), R_OK) != 0)
        return std::nullopt;
    return t;
}

Result<WebServer> start_web(const WebTools& tools, const std::string& dir,
                            const std::string& rfb_socket) {
    WebServer w;
    w.port = TRY(free_port());
    w.token = random_hex(16);
    TRY(write_file_atomic(dir + "/tokens", w.token + ": unix_socket:" + rfb_socket + "\n", 0600,
                          Durability::process_crash));
    TRY(write_file_atomic(dir + "/web", std::to_string(w.port) + " " + w.token + "\n", 0600,
                          Durability::process_crash));
    std::vector<std::string> args = {tools.websockify, "--web", tools.pages, "--token-plugin",
                                     "TokenFile", "--token-source", dir + "/tokens",
                                     "127.0.0.1:" + std::to_string(w.port)};
    // Its output is not kept (/dev/null): it logs each request's path, the token in it.
    w.pid = TRY(start_child(std::move(args), ChildIo{.death_signal = SIGTERM, .detached = true}));
    return w;
}

std::optional<std::string> web_address(const std::string& dir) {
    auto text = fs::read_file(dir + "/web", 4096);
    if (!text) return std::nullopt;
    auto parts = split(trim(*text), ' ');
    if (parts.size() != 2) return std::nullopt;
    return "http://127.0.0.1:" + parts[0] + "/vnc.html?path=websockify%3Ftoken%3D" + parts[1] +
           "&autoconnect=1&resize=remote";
}

}  // namespace ferry::desktop
