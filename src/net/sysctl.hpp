#pragma once
// The kernel settings bridge networking needs, written under /proc/sys/net. /proc/sys/net shows
// the network namespace of the thread that opens the file, so write_sysctl acts on the calling
// thread's namespace and write_sysctl_in on another's (joined and left on the calling thread).
// A value already in place is not written again (no write access needed then, and no change).

#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::net {

// Sets /proc/sys/KEY to value (KEY as `net/ipv4/ip_forward`, `net/ipv4/conf/ferry0/
// route_localnet`). Fails with `set sysctl `/proc/sys/KEY` to VALUE: strerror`, or
// `invalid sysctl key `KEY`` for a key outside net/ or with an empty or `..` component.
Result<void> write_sysctl(std::string_view key, std::string_view value);
// As write_sysctl, in the network namespace netns_fd; the calling thread is back in its own
// namespace when this returns.
Result<void> write_sysctl_in(int netns_fd, std::string_view key, std::string_view value);

// Turns on IPv4 forwarding (net.ipv4.ip_forward = 1), as docker does for bridge networks.
Result<void> enable_ip_forward();
// Sets net.ipv4.conf.IFNAME.route_localnet (a bridge's, so that DNAT from 127.0.0.1 reaches a
// container: docker's published ports on the loopback address without its userland proxy).
Result<void> set_route_localnet(std::string_view ifname, bool on);
// Sets net.ipv6.conf.IFNAME.disable_ipv6 (a container's eth0 on a network without IPv6).
Result<void> set_ipv6_disabled(std::string_view ifname, bool disabled);

}  // namespace ferry::net
