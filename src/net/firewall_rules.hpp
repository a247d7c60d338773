#pragma once
// ferry's NAT, forwarding and published ports as nftables command text, built by pure functions
// (unit-tested on exact text) for firewall.cpp to hand to libnftables as one transaction.
//
// ferry's rules live only in its own tables, `table ip ferry` and `table ip6 ferry`:
//   - base chains prerouting/output (nat, `fib daddr type local`) jump to `publish`, which DNATs
//     through two maps: pub_ip keyed by (host address . proto . port) and pub_any keyed by
//     (proto . port), both mapping to (container address . port); a container's published ports
//     are map ELEMENTS, added and removed atomically and found again by key after a kill -9;
//   - forward and postrouting dispatch by interface or source through verdict maps (fwd_in by
//     output bridge, fwd_out by input bridge, post_out by output bridge, post_src by source subnet)
//     to a network's own chains (in_BR, out_BR, post_into_BR, post_from_BR), so that a network is
//     added and removed as chains plus elements, without rule handles.
// The only rules outside these tables are two per bridge in docker's DOCKER-USER chain (where a
// dockerd made one), commented `ferry bridge BR`, so that docker's FORWARD policy drop spares
// ferry's bridges; ferry's own forward chain still decides for them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/net/inet.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// A transport protocol of a published port.
enum class Proto { tcp, udp };

// A bridge network as the firewall sees it.
struct FirewallNetwork {
    std::string bridge;   // the Linux bridge's name, at most 15 of [A-Za-z0-9_.-]
    std::string subnet4;  // "10.88.0.0/16"
    std::string subnet6;  // "fd00:1::/64", or empty for none
    bool internal = false;  // --internal: nothing in or out except within the bridge
};

// One published port of a container.
struct PublishedPort {
    std::string host_ip;  // a host address to answer on, or empty for any
    uint16_t host_port = 0;
    std::string container_ip;  // IPv4 or IPv6: decides the table
    uint16_t container_port = 0;
    Proto proto = Proto::tcp;

    bool operator==(const PublishedPort&) const = default;
};

// The family of a port's container address (ip6 where it holds a colon).
Family family_of(const PublishedPort& port);

// Checks a network's bridge name and subnets. Fails with `invalid bridge name `x``, `invalid
// subnet `x``.
Result<void> validate_network(const FirewallNetwork& net);
// Checks a port's addresses (same family on both sides) and ports (not 0). Fails with `invalid
// host IP `x``, `invalid container IP `x``, `invalid port 0`.
Result<void> validate_port(const PublishedPort& port);

// ferry's table for `family`: the maps, base chains and their dispatch rules (each base chain
// flushed and refilled, so running it again changes nothing; map elements are kept).
std::string skeleton_commands(Family family);
// A network's chains (flushed and refilled) and its elements in the dispatch maps, for `family`
// (for ip6 only where the network has an IPv6 subnet). To follow skeleton_commands in one
// transaction, after network_chain_commands (see firewall.cpp).
std::string network_element_commands(const FirewallNetwork& net, Family family);
// A network's chains and rules, referring to no map.
std::string network_chain_commands(const FirewallNetwork& net, Family family);
// Removes a network's elements and chains; runs whether or not they exist.
std::string network_removal_commands(const FirewallNetwork& net, Family family);
// Adds ports as map elements (`add element`: a key already held for another container fails the
// transaction with EEXIST; the same mapping again changes nothing).
std::string publish_commands(std::span<const PublishedPort> ports);
// Removes ports' map elements; fails where one is absent.
std::string unpublish_commands(std::span<const PublishedPort> ports);
// Two rules at the head of docker's DOCKER-USER chain in `table ip|ip6 filter` accepting packets
// in and out of the bridge, in the form iptables-nft lists (`-i BR -m comment ... -j ACCEPT`).
std::string docker_user_insert_commands(std::string_view bridge, Family family);
// Deletes rules of `table ip|ip6 filter` chain DOCKER-USER by handle.
std::string docker_user_delete_commands(std::span<const uint64_t> handles, Family family);

// The comment ferry's DOCKER-USER rules carry for a bridge: `ferry bridge BR`.
std::string docker_user_comment(std::string_view bridge);
// The handles of the rules in a JSON listing (`nft -j -a list chain`) whose comment is `comment`,
// or every ferry rule's (comment starting `ferry bridge `) where comment is empty.
std::vector<uint64_t> parse_rule_handles(std::string_view json, std::string_view comment);
// Deletions of the dispatch-map elements that jump to the chains of net's bridge under another
// key than net's (a store removed with its bridge up, then made again with a new subnet: the
// old element would keep the chain busy), from a JSON listing of ferry's table.
std::string stale_element_commands(std::string_view json, const FirewallNetwork& net, Family family);
// The published ports in a JSON listing of ferry's table (`nft -j list table ip ferry`).
std::vector<PublishedPort> parse_published(std::string_view json);

}  // namespace ferry::net
