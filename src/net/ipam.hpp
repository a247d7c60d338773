#pragma once
// IP address management for ferry's networks, pure, on inet.hpp's addresses and prefixes: prefix
// arithmetic (contains, overlaps, first host), the lowest free address of a subnet, and docker's
// default address pools (libnetwork/ipamutils: 172.17.0.0/16 ... 172.31.0.0/16 as /16s, then
// 192.168.0.0/16 as /20s), from which a network without --subnet takes the first prefix that
// overlaps nothing in use.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ferry/net/inet.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// The prefix with its host bits cleared (10.99.0.5/16 -> 10.99.0.0/16).
Cidr network_of(const Cidr& cidr);
// Whether ip lies in cidr (same family, same network bits).
bool contains(const Cidr& cidr, const IpAddress& ip);
// Whether two prefixes share an address (one contains the other's network).
bool overlaps(const Cidr& a, const Cidr& b);
// The network address plus n (wrapping inside the address, not the prefix).
IpAddress add(const IpAddress& ip, uint64_t n);
// The first host address of a prefix: the default gateway (172.18.0.0/16 -> 172.18.0.1).
IpAddress first_host(const Cidr& cidr);
// The last address of a prefix (its IPv4 broadcast address).
IpAddress last_address(const Cidr& cidr);

// The lowest address of range (the subnet itself when absent) that is in subnet, is neither the
// subnet's network address nor (IPv4) its broadcast address, and is not in used (which holds
// the gateway and the leased addresses). nullopt when all are taken.
std::optional<IpAddress> lowest_free(const Cidr& subnet, const std::optional<Cidr>& range,
                                     const std::vector<IpAddress>& used);

// docker's local default pools split into the prefixes networks take, in order: 172.17.0.0/16
// to 172.31.0.0/16, then 192.168.0.0/20 to 192.168.240.0/20.
std::vector<Cidr> default_pool_prefixes();
// The first default-pool prefix that overlaps none of in_use (ferry's networks' subnets and the
// host's routes). Fails with docker's `could not find an available, non-overlapping IPv4 address
// pool among the defaults to assign to the network`.
Result<Cidr> next_default_subnet(const std::vector<Cidr>& in_use);

// Parses /proc/net/route (the kernel's IPv4 routing table, hex little-endian) into the prefixes
// of its routes other than the default route; unreadable lines are skipped.
std::vector<Cidr> parse_proc_net_route(std::string_view text);

}  // namespace ferry::net
