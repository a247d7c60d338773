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

#include "ferry/net/port_spec.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct ContainerRecord;

struct PastaPlan {
    std::vector<std::string> forwards;  // -t/-u arguments
    net::PortMap live_ports;            // NetworkSettings.Ports
};

// Chooses the host ports (checked free by a bind, as the rootful path). Fails with docker's
// words.
Result<PastaPlan> plan_pasta(const ContainerRecord& r);

// Runs pasta against process pid's user and network namespaces and waits until it has
// configured them (pid_file written); returns pasta's pid, a child of the caller. Fails with
// `rootless networking: pasta: ...` and its first error line.
Result<int> start_pasta(const PastaPlan& plan, int pid, const std::string& pid_file);

// docker's NetworkSettings of a rootless container: its network's placeholder endpoint, the
// ports forwarded.
Json pasta_network_settings(const ContainerRecord& r, const PastaPlan& plan);

}  // namespace ferry::runtime
