#pragma once
// Starting a container under its monitor.
//
//   ferry (CLI) ──fork──► S: setsid; spawn_container (the init is S's child, with
//                            PR_SET_PDEATHSIG=SIGKILL); state := running; report to the CLI;
//                            exec ferry-monitor (same process: the init stays its child)
//
// The monitor (helpers/monitor.c) then owns the container's output, stdin and exit status (see
// its header). A restart policy makes the monitor exec `ferry __restart ID`, which runs
// supervise_in_place: spawn again as this process's child, exec the monitor again.

#include <optional>
#include <string>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct StartRequest {
    const ContainerStore* store = nullptr;
    const ContainerRecord* record = nullptr;
    // A connected socket the monitor treats as an attached client from the first byte of
    // output (ferry run without -d, start -a); -1 for none.
    int client_fd = -1;
    // The path of ferry's binary, exec'd by the monitor for restarts.
    std::string ferry_binary;
    // The container's runtime spec when the caller has it in memory (create then start);
    // null: read from the store. The supervisor, a forked copy of the caller, changes its own
    // copy of it (the caller's is left as it was).
    oci::RuntimeSpec* spec = nullptr;
    // The size of the caller's terminal, given to a container with a terminal from its start
    // (docker's ConsoleSize), so the first command already sees it.
    std::optional<oci::ConsoleSize> console_size = std::nullopt;
};

struct Started {
    int pid = 0;          // the container init
    int monitor_pid = 0;  // the supervisor, a child of the caller until it exits
};

// Starts a created or exited container under a new monitor and returns once it runs (or
// failed to start: the error names why, with docker's exit status 126/127 for a command that
// cannot be run; the state file then says exited with that error).
Result<Started> start_container(const StartRequest& request);

// `ferry __restart ID BACKOFF_MS`, run by the monitor's process after it recorded the
// restart (status restarting, restart count already counted) and waited BACKOFF_MS: spawns the
// container again in place and execs a new monitor, which doubles the back-off next time.
// Returns only on failure.
Result<void> restart_in_place(const ContainerStore& store, const std::string& id,
                              const std::string& ferry_binary, int64_t backoff_ms);

// The path of the running ferry binary.
std::string self_binary();

}  // namespace ferry::runtime
