#pragma once
// The client side of a monitor's attach protocol (see helpers/monitor.c): relays the
// container's output to this process's stdout/stderr, this process's stdin to the container,
// terminal size changes, and signals; ends when the container exits, when the user types the
// detach keys, or when the monitor goes away.

#include <csignal>
#include <optional>
#include <string>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct AttachOptions {
    bool forward_stdin = false;  // send our stdin (run -i, attach without --no-stdin)
    bool tty = false;            // the container has a terminal: raw mode, resize, detach keys
    std::string detach_keys = "ctrl-p,ctrl-q";
    bool relay_stdout = true;    // write the container's stdout to ours (run -a picks)
    bool relay_stderr = true;    // and its stderr to ours
    int stdout_fd = 1;           // where "ours" is (ferry build keeps a stage's output aside)
    int stderr_fd = 2;
    int signal_target = 0;       // with a pid, every signal we receive (but SIGCHLD, SIGPIPE,
                                 // SIGURG and the fault signals) is sent to it, as docker's
                                 // sig-proxy does; without a tty unless proxy_with_tty
    bool proxy_with_tty = false; // run's --sig-proxy: also with a tty
    bool close_stdin_at_eof = true;  // the end of our stdin closes the container's (docker's
                                     // StdinOnce); otherwise forwarding just stops
    bool caller_takes_interrupts = false;  // SIGINT, SIGTERM and SIGHUP are left to the
                                           // caller (ferry build cancels its step)
};

struct AttachOutcome {
    std::optional<int> exit_code;  // the container's status when it exited while attached
    bool detached = false;         // the user typed the detach keys
};

// Connects to the attach socket of a running container.
Result<Fd> connect_attach(const std::string& run_dir);

// The signals a session takes over: SIGWINCH, SIGQUIT, SIGINT, SIGTERM and SIGHUP (those three
// not when interrupts is false), and with forwarding every other proxied one. A client that starts the container before its session blocks
// them first, so that one arriving in between waits for the session to relay it instead of
// ending the client.
sigset_t session_signals(bool forwarding, bool interrupts = true);

// Whether a session with these options forwards signals to signal_target.
bool forwards_signals(const AttachOptions& o);

// Runs the session on a connected socket until one of the ends above. A signal that is not
// forwarded (SIGINT, SIGTERM, SIGHUP, SIGQUIT) ends this process as it would have without the
// session, after the terminal is restored; the container runs on.
Result<AttachOutcome> attach_session(int sock, const AttachOptions& options);

// Parses docker's --detach-keys ("ctrl-p,ctrl-q", "ctrl-a,x"); fails with `invalid detach keys
// `x``.
Result<std::string> parse_detach_keys(std::string_view spec);

}  // namespace ferry::runtime
