#pragma once
// The client side of a monitor's attach protocol (see helpers/monitor.c): relays the
// container's output to this process's stdout/stderr, this process's stdin to the container,
// terminal size changes, and signals; ends when the container exits, when the user types the
// detach keys, or when the monitor goes away.

#include <optional>
#include <string>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct AttachOptions {
    bool forward_stdin = false;  // send our stdin (run -i, attach without --no-stdin)
    bool tty = false;            // the container has a terminal: raw mode, resize, detach keys
    std::string detach_keys = "ctrl-p,ctrl-q";
    int signal_target = 0;       // with a pid, SIGINT/SIGTERM/SIGHUP/SIGQUIT we receive are
                                 // forwarded to it (docker's --sig-proxy) when there is no tty
    bool close_stdin_at_eof = true;  // the end of our stdin closes the container's (docker's
                                     // StdinOnce); otherwise forwarding just stops
};

struct AttachOutcome {
    std::optional<int> exit_code;  // the container's status when it exited while attached
    bool detached = false;         // the user typed the detach keys
};

// Connects to the attach socket of a running container.
Result<Fd> connect_attach(const std::string& run_dir);

// Runs the session on a connected socket until one of the ends above.
Result<AttachOutcome> attach_session(int sock, const AttachOptions& options);

// Parses docker's --detach-keys ("ctrl-p,ctrl-q", "ctrl-a,x"); fails with `invalid detach keys
// `x``.
Result<std::string> parse_detach_keys(std::string_view spec);

}  // namespace ferry::runtime
