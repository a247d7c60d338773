#pragma once
// `ferry update`: a container's resources and restart policy changed as docker's daemon does
// (daemon/update.go, container.UpdateContainer): the request is merged into its HostConfig
// (0 and unset keep what is there), the runtime spec's resources are recomputed from that, both
// are recorded for the next start, and a running container's cgroup gets the new limits at
// once. A running container that has no cgroup of its own (a cgroup v1 host and a container
// started without limits, freezer.hpp) gets one now, and its processes are moved into it; its
// monitor removes it when the container exits (it is told every cgroup directory the container
// may come to have). A new restart policy also reaches the running monitor (the
// restart-policy file it reads when the container exits). The caller holds the container's
// lock.

#include <optional>
#include <string>
#include <vector>

#include "ferry/runtime/container_plan.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct UpdateRequest {
    std::optional<int64_t> memory;       // --memory bytes
    std::optional<int64_t> memory_swap;  // --memory-swap bytes, -1 unlimited
    std::optional<double> cpus;          // --cpus
    std::optional<int64_t> cpu_shares;   // --cpu-shares
    std::optional<int64_t> pids_limit;   // --pids-limit, -1 (or 0) unlimited
    std::optional<Restart> restart;      // --restart
};

// The daemon's checks of an update request alone, with its words: `Minimum memory limit
// allowed is 6MB`, `Minimum memoryswap limit should be larger than memory limit, see usage`,
// `Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available`.
Result<void> check_update(const UpdateRequest& request);

// Updates record's container. Fails with docker's `Cannot update container <id>: Memory limit
// should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
// `...: Restart policy cannot be updated because AutoRemove is enabled for the container`,
// `...: the minimum allowed cpu-shares is 2`, or a cgroup error, the record unchanged.
Result<void> update_container(const ContainerStore& store, const ContainerRecord& record,
                              const UpdateRequest& request);

}  // namespace ferry::runtime
