#pragma once
// A container's network as the store keeps it and docker's inspect, ps and port show it: the
// network flags create recorded (NetworkRequest, in config.json), and the live settings a start
// writes to containers/<id>/network.json — docker's NetworkSettings object as inspect prints it
// (Ports with the host ports chosen, Networks with addresses) — and removes when the container
// stops. Without that file (created, stopped, or host/none networking) inspect shows docker's
// placeholder endpoint, ps an empty PORTS column and port nothing, as docker does.

#include <optional>
#include <string>

#include "ferry/net/port_spec.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/runtime/container_plan.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class ContainerStore;
struct ContainerRecord;

// The network a network mode names: docker's "default" (run without --network) is the bridge
// network; other modes are themselves.
std::string mode_network(const std::string& mode);

// True when no network flag was given.
bool is_empty(const NetworkRequest& n);
// The request as config.json keeps it, and back (unknown or malformed fields are dropped).
Json network_request_json(const NetworkRequest& n);
NetworkRequest network_request_from(const Json& j);

// A port map as docker's JSON: keys in Go's map order, each a [{"HostIp","HostPort"}] list, or
// null for a port without bindings when null_for_empty (NetworkSettings.Ports' exposed ports).
Json port_map_json(const net::PortMap& map, bool null_for_empty = false);
// A port map from docker's JSON (PortBindings or NetworkSettings.Ports); nulls are empty lists.
net::PortMap port_map_from(const Json& j);

// The live settings a start wrote (nullopt when there are none). Fails only when the file is
// there but cannot be read or parsed.
Result<std::optional<Json>> load_network_settings(const ContainerStore& store,
                                                  const std::string& id);
// Replaces containers/<id>/network.json atomically with docker's NetworkSettings object (the
// start path calls it once the container's network is up).
Result<void> write_network_settings(const ContainerStore& store, const std::string& id,
                                    const Json& settings);
// Removes the live settings (the container stopped); nothing when there are none.
Result<void> clear_network_settings(const ContainerStore& store, const std::string& id);

// inspect's NetworkSettings: the live settings when a start wrote them, else docker's
// placeholder for a container that is not running: empty addresses, Ports {}, and one
// endpoint named after the network mode with the requested IPAMConfig and Aliases (none for
// container:NAME, which has no endpoint of its own).
Json network_settings_json(const ContainerRecord& r, const std::optional<Json>& live);

// The live port map (NetworkSettings.Ports) of a container; empty when it has none.
net::PortMap live_ports(const std::optional<Json>& live);

}  // namespace ferry::runtime
