#pragma once
// A container's bridge networks (rootful): what a start leases and wires, and what its end gives
// back. Nothing is a daemon; the store's leases and the kernel's links and nftables maps are the
// only state.
//
//   start, in the process that becomes the container's monitor (its pid holds the leases):
//     plan_network    before the container is spawned: each network's record (the default
//                     bridge's subnet moved off a host route first, as docker moves docker0),
//                     an address lease per network (leases whose holder died go first), the
//                     host ports chosen (a random one where none is given) and checked free;
//     wire_network    between the container's clone and its first instruction (SpawnRequest::
//                     before_start): the bridge when missing, with its firewall; a veth per
//                     network, its peer made straight in the container's namespace as eth0,
//                     eth1, ...; addresses, the default route, hairpin; the ports published in
//                     one nftables transaction;
//     live_network_settings  docker's NetworkSettings, written to network.json;
//   end, by the monitor once the container has exited (`ferry __network-down ID`):
//     release_network the container's published ports, then its leases; the veths go with its
//                     namespace, in the kernel's own time.
// A start that fails after leasing calls release_network itself; a kill -9 anywhere leaves
// leases whose holder is dead, which the next start on that network (or `network rm`, `network
// prune`) reclaims with their ports.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/net/firewall_rules.hpp"
#include "ferry/net/network_store.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class ContainerStore;
struct ContainerRecord;
struct EndpointConfig;

// One network a container joins at start.
struct Attachment {
    net::Network network;
    net::Lease lease;
    std::vector<std::string> aliases;  // as docker lists them (the short ID first on user networks)
    std::string bridge;                // the Linux bridge
    uint32_t mtu = 1500;
    std::string ifname;     // in the container: eth0, eth1, ...
    std::string host_veth;  // on the host: veth + 7 hex
    std::string endpoint_id;
};

struct NetworkPlan {
    std::vector<Attachment> attachments;  // the network mode's first, then those connected
    std::vector<net::PublishedPort> ports;  // rootful: nftables elements
    net::PortMap live_ports;  // NetworkSettings.Ports: exposed keys, host ports chosen
    std::string sandbox_key;  // /proc/PID/ns/net once wired
    std::string error_prefix;  // docker's `driver failed programming ... on endpoint N (ID): `
    // Rootless: the holder of the namespace the networks live in (rootless_netns.hpp), and the
    // ports its proxy forwards (port_proxy.hpp) instead of `ports`.
    pid_t rootless_holder = 0;
    std::vector<net::PublishedPort> proxied;
};

// True when the container's network mode is a bridge network (bridge or a user network's name).
bool uses_bridge(const ContainerRecord& r);

// Leases and chooses, before the spawn; holder: the monitor-to-be's pid. Fails with docker's
// words (unknown network, address taken, port already allocated), leasing nothing.
// rootless_holder: the rootless networks' namespace (0 rootful).
Result<NetworkPlan> plan_network(const ContainerStore& store, const ContainerRecord& r,
                                 int holder_pid, pid_t rootless_holder = 0);

// Wires the planned networks into the namespace of process pid (rootless: from inside the
// rootless networks' namespace). Fails naming what failed; partial links go with the namespace
// (the caller kills the process), ports published are taken back.
Result<void> wire_network(NetworkPlan& plan, int pid);

// docker's NetworkSettings for a running container on the planned networks.
Json live_network_settings(const ContainerRecord& r, const NetworkPlan& plan);

// Gives back what the container with this ID holds: published ports (looked for only when
// `published` says it may have some: the listing costs milliseconds), then address leases on
// every network; with dns_dir, the name resolution of the networks it leaves is updated
// (container_dns.hpp; rootless, the resolver is in netns_holder's namespace). Nothing when it
// holds nothing.
Result<void> release_network(const std::string& store_root, const std::string& id,
                             bool published = true, const std::string& dns_dir = "",
                             pid_t netns_holder = 0);

// Removes the published ports whose container address is one of these (given back) leases'.
Result<void> unpublish_ports_of(const std::vector<net::Lease>& leases);

// Gives back the leases (and their ports) of holders that died. Returns how many.
Result<size_t> reclaim_dead_leases(net::NetworkStore& store);

// The endpoint ID of a container on a network (as inspect shows it, in both directions).
std::string endpoint_id(const net::Network& n, const std::string& container_id);

// Takes a removed bridge network's Linux bridge and firewall chains away (rootless: in the
// rootless networks' namespace of run_root while it runs; nothing where they do not exist).
Result<void> remove_bridge(const net::Network& n, const std::string& run_root);

// One host binding of a published port, as requested (-p, -P and the exposed ports).
struct Binding {
    std::string key;  // "80/tcp"
    uint16_t container_port = 0;
    net::Proto proto = net::Proto::tcp;
    std::string host_port;  // as given: "", "8080", "8000-8010"
    net::IpAddress bind_ip;  // where a bind test looks: the address given, else 0.0.0.0
    std::string shown_ip;    // as docker shows it: "0.0.0.0" for every address
    std::string host_ip;     // "" for every address
};
// The bindings a container asks for; every exposed port gets its (empty) key in live_ports.
Result<std::vector<Binding>> requested_bindings(const ContainerRecord& r, net::PortMap& live_ports);

// The host port of one `-p` binding: spec "" (a random free port), "8000-8010" (the first free
// one) or "8080", checked free by a bind on the host and against published (ports other
// containers hold). host_ip "" is every address. Fails with docker's words after error_prefix.
Result<uint16_t> choose_host_port(const std::string& error_prefix, const net::IpAddress& bind_ip,
                                  const std::string& shown_ip, const std::string& host_ip,
                                  const std::string& spec, net::Proto proto,
                                  const std::vector<net::PublishedPort>& published);

// The pieces `network connect` and `disconnect` reuse on a running container:
// Leases one network (by ID, else name) as the container's interface eth<index>, giving back
// first the leases there whose holder died. Fails with docker's words.
Result<Attachment> lease_attachment(net::NetworkStore& ns, const ContainerRecord& r,
                                    const EndpointConfig& wanted, size_t index, int holder_pid);
// Links one leased network into the namespace netns_fd (its bridge and firewall made when
// missing), with the default routes of the families not routed yet.
Result<void> link_attachment(int netns_fd, const Attachment& a, bool& routed4, bool& routed6);
// The endpoint object of NetworkSettings.Networks for one attachment.
Json endpoint_json(const EndpointConfig& wanted, const Attachment& a);

// Whether a lease's holder process still runs.
bool lease_held(const net::Lease& lease);

// The Linux bridge of a bridge network: its com.docker.network.bridge.name option, else docker's
// br-<first 12 of the ID>.
std::string bridge_name(const net::Network& n);

}  // namespace ferry::runtime
