#pragma once
// `ferry desktop [open] CONTAINER`: how to reach a container's desktop (`run --desktop`), or a
// local viewer started on it.

#include <string>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct DesktopOptions : BaseOptions {
    std::string container;
    bool open = false;   // `ferry desktop open CONTAINER`
    std::string format;  // "json": one JSON object
};

// Parses `ferry desktop` arguments: CONTAINER, or `open CONTAINER`.
Result<DesktopOptions> parse_desktop(Args args);
// Prints the socket, the viewer line for this machine and the `ssh -L` line for another one,
// the browser's address, and with --desktop-listen the TLS address, its password and its
// certificate (with --format json: {"Container","Geometry","Socket","URL","Listen","Password",
// "Certificate","Fingerprint"}), or execs a VNC viewer on the socket.
// Fails (status 1) with `container NAME has no desktop: create it with --desktop` or docker's
// `Container ID is not running`; without a viewer with `no VNC viewer is installed: install
// Debian's tigervnc-viewer, or point a viewer at SOCKET`.
Result<int> run_desktop(const DesktopOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_desktop(Args args, Context& ctx);
// `ferry __desktop-front FD TLS-DIR SOCKET`: --desktop-listen's TLS front (desktop/tls_front.hpp),
// started by the supervisor.
Result<int> cmd_internal_desktop_front(Args args, Context& ctx);

}  // namespace ferry::cli
