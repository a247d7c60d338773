#pragma once
// The address values the rtnetlink client takes and gives: an IPv4 or IPv6 address as the
// kernel's bytes (network order), a prefix (address and length), a link-layer MAC address, and
// docker's MAC for a container's IPv4 address.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::net {

// An IPv4 (family AF_INET, 4 bytes used) or IPv6 (AF_INET6, 16 bytes) address, network order.
struct InetAddr {
    int family = 0;
    std::array<uint8_t, 16> bytes{};

    // The address's length in bytes: 4 or 16.
    size_t size() const { return family == 0x2 /* AF_INET */ ? 4 : 16; }
    bool operator==(const InetAddr&) const = default;
};

// An address with a prefix length: 172.17.0.1/16, fd00::1/64.
struct InetPrefix {
    InetAddr addr;
    uint8_t len = 0;
    bool operator==(const InetPrefix&) const = default;
};

// A link-layer (Ethernet) address.
using MacAddr = std::array<uint8_t, 6>;

// Parses a dotted IPv4 or textual IPv6 address. Fails with `invalid IP address: TEXT`.
Result<InetAddr> parse_inet_addr(std::string_view text);
// Parses ADDRESS/LEN (LEN within the family's bits). Fails with `invalid CIDR address: TEXT`.
Result<InetPrefix> parse_inet_prefix(std::string_view text);
// The address as text (inet_ntop's form).
std::string to_string(const InetAddr& addr);
// ADDRESS/LEN.
std::string to_string(const InetPrefix& prefix);

// docker's MAC for a container's IPv4 address (libnetwork's genMAC): 02:42 then the address's
// four bytes, so 172.17.0.2 gives 02:42:ac:11:00:02. ip must be IPv4.
MacAddr mac_from_ipv4(const InetAddr& ip);
// The MAC as six lower-case hex pairs joined by colons.
std::string to_string(const MacAddr& mac);

}  // namespace ferry::net
