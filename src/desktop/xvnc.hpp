#pragma once
// The host side of a desktop: one TigerVNC Xvnc per container, started by the container's
// supervisor before the container (so the monitor, which it becomes, owns it) as the invoking
// user. It speaks RFB only on an owner-only unix socket in the container's run directory (no TCP
// port, -rfbport -1), listens for X clients only on its path socket in /tmp/.X11-unix (no TCP,
// no abstract socket: -nolisten tcp -nolisten local), accepts only the cookie written before it
// starts, and has MIT-SHM only when the container shares the host's IPC namespace. It dies with
// the process that started it (PR_SET_PDEATHSIG), and picks a free display itself (-displayfd):
// a stale /tmp/.X<N>-lock of a killed server is the X server's own business, never "display
// already in use".

#include <sys/types.h>

#include <string>

#include "ferry/desktop/desktop.hpp"
#include "ferry/util/result.hpp"

namespace ferry::desktop {

// The files of a container's desktop, in dir (its run directory's desktop/, mode 0700). The RFB
// socket is elsewhere (ServerRequest::socket): a unix socket's path has at most 107 bytes.
std::string cookie_file(const std::string& dir);  // dir/Xauthority: the X cookie
std::string server_log(const std::string& dir);   // dir/Xvnc.log: what Xvnc said

// The Xvnc on PATH. Fails with `--desktop needs TigerVNC's Xvnc, which is not installed:
// install Debian's tigervnc-standalone-server`.
Result<std::string> find_xvnc();

struct ServerRequest {
    std::string dir;          // the desktop directory (made, 0700)
    std::string socket;       // the RFB socket (mode 0600; its directory is made, 0700)
    Geometry geometry;
    bool shared_memory = false;  // MIT-SHM (only with the host's IPC namespace)
};
struct Server {
    pid_t pid = 0;
    int display = -1;
    std::string x_socket;  // /tmp/.X11-unix/X<display>
    pid_t web_pid = 0;     // its websockify (novnc.hpp), when one was started
    pid_t front_pid = 0;   // its TLS front (tls_front.hpp), with --desktop-listen
};

// Writes a fresh cookie and starts Xvnc as this thread's child; returns once it listens (its
// display number arrives on -displayfd), at most 10 s. Fails with `Xvnc did not start: <its
// last line>`.
Result<Server> start_server(const ServerRequest& request);

// Stops a server (SIGTERM) and reaps it.
void stop_server(pid_t pid);
// Stops the front, the web server and Xvnc.
void stop_all(const Server& server);

}  // namespace ferry::desktop
