#pragma once
// Published ports of a container on a rootless bridge network, as podman's rootlessport: the
// container's address lives in the rootless networks' namespace (rootless_netns.hpp), which no
// nftables rule of the host can reach, so a process of the user's listens on the host's ports
// and connects, from inside that namespace, to the container's.
//
// The proxy binds the host ports first (docker's userland-proxy words when one is taken), then
// joins the namespace and runs one epoll loop: a TCP connection is accepted, a connection to the
// container made, and the bytes spliced both ways through a pipe per direction (no copy through
// user space), half-closes passed on; a UDP client gets a socket of its own towards the
// container, forgotten after 60 s without traffic. It is a child of the process that becomes the
// container's monitor, dies with it (PR_SET_PDEATHSIG), and is killed by it at the container's
// end (--stop-pid).

#include <sys/types.h>

#include <string>
#include <vector>

#include "ferry/net/firewall_rules.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Binds every port's host side and forks the proxy into holder's namespaces (holder 0: it stays
// in the caller's: rootful, the [::] side of a port published on every address, which nftables
// cannot send to a container's IPv4 address, as docker's userland proxy does). error_prefix is
// docker's `driver failed programming external connectivity on endpoint N (ID): `. Returns the
// proxy's pid, a child of the caller.
Result<pid_t> start_port_proxy(const std::vector<net::PublishedPort>& ports, pid_t holder,
                               const std::string& error_prefix);

}  // namespace ferry::runtime
