#pragma once
// ferry's NAT, forwarding and port publishing in its own nftables tables (`table ip ferry`,
// `table ip6 ferry`), each change one libnftables transaction; see firewall_rules.hpp for the
// rules themselves. Nothing is a daemon: the kernel's tables are the only state, so a container's
// ports can be listed and reclaimed by key after a kill -9 of the process that published them.

#include <span>
#include <vector>

#include "ferry/net/firewall_rules.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// Sets a network's firewall up, idempotently: net.ipv4.ip_forward=1 (and IPv6 forwarding where
// it has an IPv6 subnet) and route_localnet=1 on its bridge (which must exist), then in one
// transaction ferry's table, the network's chains and dispatch elements, and accept rules for
// its bridge in docker's DOCKER-USER chain where a dockerd made one. Fails with `setting up the
// firewall of `BR`: ...` and changes no rule.
Result<void> add_network(const FirewallNetwork& net);
// Removes what add_network added for the network (its chains, elements and DOCKER-USER rules),
// in one transaction, whether or not they are all there; the network's published ports stay
// (unpublish them first). Fails with `removing the firewall of `BR`: ...`.
Result<void> remove_network(const FirewallNetwork& net);
// Publishes a container's ports as map elements, in one transaction: all or none. The networks
// must have been added. A key (host address, protocol, port) already mapped elsewhere fails with
// `publishing ports: nftables: Error: Could not process rule: File exists` (errno EEXIST).
Result<void> publish(std::span<const PublishedPort> ports);
// Removes a container's ports; ports that are not (or no longer) published are skipped.
Result<void> unpublish(std::span<const PublishedPort> ports);
// Every port published now, both families (nothing where the tables do not exist).
Result<std::vector<PublishedPort>> list_published();
// Deletes ferry's tables and every ferry rule in docker's DOCKER-USER chains, in one transaction.
Result<void> remove_all();

}  // namespace ferry::net
