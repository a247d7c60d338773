#pragma once
// Acting on running containers: signals, stop with a grace period, waiting for the exit to be
// recorded, and removal. Every action goes through a pidfd opened after checking the process's
// start time, so a recycled PID is never signalled.

#include <chrono>
#include <optional>
#include <string>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Whether the state says the container runs (running, restarting or paused).
bool is_active(const ContainerState& state);

// Sends sig to the container's init. Fails with docker's `Container <id> is not running`.
Result<void> signal_container(const ContainerStore& store, const ContainerRecord& record,
                              int sig);

// `ferry kill`: sends sig to the container's init and, as docker does, treats the exit as the
// user's (restart policies leave the container stopped) unless the container has a stop signal
// of its own and sig is another one (not SIGKILL). A restarting container is only marked; a
// paused one is thawed after the signal when the exit is the user's (docker's resume).
// Fails as signal_container.
Result<void> kill_container(const ContainerStore& store, const ContainerRecord& record, int sig);

// Stops a container as docker does: its stop signal, then SIGKILL after timeout (negative: no
// SIGKILL, the stop signal is waited for however long), and waits until
// its monitor has recorded the exit. A container that is not running is left as it is; a
// paused one is thawed after the stop signal. Marks the stop as the user's, so restart
// policies leave it stopped.
Result<void> stop_container(const ContainerStore& store, const ContainerRecord& record,
                            std::chrono::seconds timeout);

// Waits until the container is not running (the exit recorded) and returns its exit code.
// timeout < 0 waits for ever; on timeout returns nullopt.
Result<std::optional<int>> wait_container(const ContainerStore& store, const std::string& id,
                                          std::chrono::milliseconds timeout);

// Kills a running container with SIGKILL (marked stopped by the user, so no restart follows) and
// waits for its monitor to record the exit; nothing for one that is not running. Fails with
// `container <id> did not stop`.
Result<void> force_stop_container(const ContainerStore& store, const ContainerRecord& record);

// Removes a container: refuses a running one unless force (then kills it first), removes its
// anonymous volumes when volumes is set. Fails with docker's `You cannot remove a running
// container <id>. Stop the container before attempting removal or force remove` (`a paused
// container <id>. Unpause and then stop the container ...`, `a restarting container`).
Result<void> remove_container(const ContainerStore& store, const ContainerRecord& record,
                              bool force, bool volumes);

}  // namespace ferry::runtime
