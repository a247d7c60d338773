#pragma once
// The docker-shaped description of a container that `ferry container inspect` and `ferry
// inspect` print: docker's field names and order (Id, Created, Path, Args, State, Image, the
// paths, Name, RestartCount, Driver, Platform, HostConfig, GraphDriver, Mounts, Config,
// NetworkSettings), from the container's record, its state and its runtime spec.

#include <vector>

#include "ferry/oci/json.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The document for record, with state as it is now. Fails when the state or spec cannot be read.
Result<Json> inspect_container(const ContainerStore& store, const ContainerRecord& record);

// docker's State object for a state (times as RFC 3339, docker's zero time when unset).
Json state_json(const ContainerState& state);

// docker's Mounts: the spec's bind mounts other than ferry's own files (hostname, hosts and
// resolv.conf in the container's run_dir, the init), volumes (sources under
// store_root/volumes/NAME/) as Type volume.
Json mounts_json(const oci::RuntimeSpec& spec, const std::string& store_root,
                 const std::string& run_dir);

}  // namespace ferry::runtime
