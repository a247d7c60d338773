#pragma once
// `network connect` / `disconnect` on a running container (rootful), as docker hot-plugs an
// endpoint: see container_connect.cpp.

#include <string>

#include "ferry/net/network.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class ContainerStore;
struct ContainerRecord;
struct EndpointConfig;

// The file that tells a container's monitor to give its networks back through ferry (a network
// was connected while it ran).
std::string network_down_marker(const ContainerStore& store, const std::string& id);

// Joins the running container (init pid, monitor monitor_pid) to the network now: a lease, an
// interface ethN, its live settings and names. Fails with docker's words, leasing nothing.
Result<void> connect_running(const ContainerStore& store, const ContainerRecord& r,
                             const EndpointConfig& wanted, int pid, int monitor_pid);

// Takes the running container off the network now: its ports there, its interface, its lease,
// its live settings and names. Nothing when it is not on the network.
Result<void> disconnect_running(const ContainerStore& store, const ContainerRecord& r,
                                const net::Network& n, int pid);

}  // namespace ferry::runtime
