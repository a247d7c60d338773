#pragma once
// `ferry pause` and `unpause`: a running container's processes frozen with the cgroup freezer
// (freezer.hpp finds or makes the cgroup) and the state recorded as `paused`, as docker's
// daemon does, with its words. Signals meant to end a paused container (kill, stop, rm -f) thaw
// it after they are sent, as docker resumes it, so that they take effect. Every function here
// expects the caller to hold the container's lock (container_lock.hpp).

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Freezes the container and records it paused. Fails with docker's `Container <id> is not
// running`, `Container <id> is already paused`, `Container <id> is restarting, wait until the
// container is running`, or `Cannot pause container <id>: <why>`.
Result<void> pause_container(const ContainerStore& store, const ContainerRecord& record);

// Thaws a paused container and records it running. Fails with `Container <id> is not paused`
// or `Cannot unpause container <id>: <why>`.
Result<void> unpause_container(const ContainerStore& store, const ContainerRecord& record);

// For a container in state (read by the caller) that is paused: records it running, so that
// its exit is never overwritten by a stale `paused`; nothing otherwise. Returns whether it was
// paused (then thaw_after_signal must follow the signal).
Result<bool> unmark_paused(const ContainerStore& store, const ContainerRecord& record,
                           ContainerState state);

// Thaws the container after the signal that ends it was sent; errors are ignored, as docker
// only warns (the container is being stopped anyway).
void thaw_after_signal(const ContainerStore& store, const ContainerRecord& record,
                       const ContainerState& state);

}  // namespace ferry::runtime
