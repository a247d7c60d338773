#pragma once
// A desktop in the browser: Debian's websockify serving noVNC's pages on 127.0.0.1 and bridging
// its WebSocket to the desktop's RFB socket, for callers that hold the desktop's random token
// (websockify's TokenFile plugin: one line, `TOKEN: unix_socket:SOCKET`, in the owner-only
// desktop directory). Started beside Xvnc by the container's supervisor and stopped with it by
// the monitor. The token is never on a command line, and websockify's output (it logs each
// connection's path, token included) is not kept: it appears in no log; `ferry desktop` prints
// the URL that carries it.

#include <sys/types.h>

#include <optional>
#include <string>

#include "ferry/util/result.hpp"

namespace ferry::desktop {

// websockify and noVNC's pages, when both are installed (Debian: websockify, novnc).
struct WebTools {
    std::string websockify;
    std::string pages;  // /usr/share/novnc
};
std::optional<WebTools> find_web_tools();

struct WebServer {
    pid_t pid = 0;
    int port = 0;
    std::string token;  // 32 hex digits
};

// Starts websockify for the RFB socket on a free port of 127.0.0.1, as this thread's child (it
// dies with it); writes dir/tokens and dir/web ("PORT TOKEN", read by web_address). Does not
// wait for it to listen.
Result<WebServer> start_web(const WebTools& tools, const std::string& dir,
                            const std::string& rfb_socket);

// The address a browser opens (noVNC's page, connecting with the token, resizing the remote
// screen to its window); nullopt when the desktop has no web server.
std::optional<std::string> web_address(const std::string& dir);

}  // namespace ferry::desktop
