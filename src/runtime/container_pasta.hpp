#pragma once
// Rootless networking with pasta (Debian's passt), as podman 5 does by default: no privileged
// helper of ferry's own. The container's network namespace gets a tap interface that pasta, a
// process of the user's, connects to the host's sockets: the host's addresses and routes copied
// in (--config-net), TCP and UDP ports forwarded from the host (-t, -u) for what -p and -P
// publish, nothing forwarded otherwise (-t none ...). pasta is started between the container's
// clone and its first instruction, as a child of the process that becomes the container's monitor
// (so it dies with it), and writes its pid file once the namespace is configured; the monitor
// stops it when the container exits (--stop-pid).

#include <string>
#include <vector>

#include "ferry/net/firewall_rules.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct ContainerRecord;

struct PastaPlan {
    bool slirp = false;                      // slirp4netns instead of pasta
    std::vector<std::string> forwards;       // pasta's -t/-u arguments
    std::vector<net::PublishedPort> ports;   // the same, for slirp4netns (no container_ip)
    net::PortMap live_ports;                 // NetworkSettings.Ports
};

// The rootless tool for a network mode: "pasta" and "slirp4netns" name theirs (podman's modes);
// the default is pasta when installed, else slirp4netns (the fallback). "" for another mode.
std::string rootless_tool(const std::string& mode);
// Whether a rootless network tool (pasta or slirp4netns) is installed.
bool rootless_network_available();

// Chooses the host ports (checked free by a bind, as the rootful path). Fails with docker's
// words.
Result<PastaPlan> plan_pasta(const ContainerRecord& r, bool slirp);

// Runs pasta against process pid's user and network namespaces and waits until it has
// configured them (pid_file written); returns pasta's pid, a child of the caller. Fails with
// `rootless networking: pasta: ...` and its first error line.
Result<int> start_pasta(const PastaPlan& plan, int pid, const std::string& pid_file);

// slirp4netns instead (Debian's, the fallback): the tap interface configured as 10.0.2.100/24
// (--configure), the ports forwarded through its API socket (api_socket), no access to the
// host's loopback; returns its pid, a child of the caller, once it says it is ready.
Result<int> start_slirp(const PastaPlan& plan, int pid, const std::string& api_socket);

// docker's NetworkSettings of a rootless container: its network's placeholder endpoint, the
// ports forwarded.
Json pasta_network_settings(const ContainerRecord& r, const PastaPlan& plan);

}  // namespace ferry::runtime
