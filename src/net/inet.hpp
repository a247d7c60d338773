#pragma once
// ferry's one set of address values: an IPv4 or IPv6 address as the kernel's bytes (network
// order), a prefix (an address and a length), a link-layer MAC address, and docker's MAC for a
// container's IPv4 address; parsed and printed as Go's net package does, with docker's words
// for bad ones. The rtnetlink client, the firewall, IPAM and the network flags all take these.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::net {

// An address family: IPv4 or IPv6 (nftables' `ip` and `ip6` tables).
enum class Family { v4, v6 };

// One IPv4 or IPv6 address, in network byte order (IPv4 in the first 4 bytes).
struct IpAddress {
    Family family = Family::v4;
    std::array<uint8_t, 16> bytes{};

    // The address's length in bytes: 4 or 16.
    size_t size() const { return family == Family::v4 ? 4 : 16; }
    auto operator<=>(const IpAddress&) const = default;
};

// An address with a prefix length, as typed: `10.99.0.5/16` keeps its host part (docker
// prints a subnet as the user gave it, and an interface's address is such a prefix).
struct Cidr {
    IpAddress address;
    int prefix = 0;

    auto operator<=>(const Cidr&) const = default;
};

// A link-layer (Ethernet) address.
using MacAddr = std::array<uint8_t, 6>;

// The family's AF_INET or AF_INET6.
int address_family(Family family);

// Parses a dotted IPv4 (no leading zeros) or a textual IPv6 address, in the family its text
// has. Fails with `invalid IP address: TEXT`.
Result<IpAddress> parse_ip(std::string_view text);
// The address as Go prints it: IPv6 in RFC 5952's shortest form, an IPv4-mapped IPv6 address
// as its dotted IPv4 (net.ParseIP("::ffff:1.2.3.4").String() is "1.2.3.4").
std::string format_ip(const IpAddress& ip);
// Parses `ADDRESS/PREFIX` (PREFIX decimal without leading zeros, within the family's bits).
// Fails with Go's `invalid CIDR address: TEXT`.
Result<Cidr> parse_cidr(std::string_view text);
// `ADDRESS/PREFIX` with the address as typed.
std::string format_cidr(const Cidr& cidr);

// docker's MAC for a container's IPv4 address (libnetwork's genMAC): 02:42 then the address's
// four bytes, so 172.17.0.2 gives 02:42:ac:11:00:02. ip must be IPv4.
MacAddr mac_from_ipv4(const IpAddress& ip);
// The MAC as six lower-case hex pairs joined by colons.
std::string to_string(const MacAddr& mac);

}  // namespace ferry::net
