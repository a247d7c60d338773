// Addresses are 16-byte big-endian arrays with a family, so every operation (masking, adding,
// comparing) is one byte loop for both families. Allocation walks up from the range's first
// address: networks hold at most a few thousand leases, and the walk stops at the first free one.

#include "ferry/net/ipam.hpp"

#include <algorithm>
#include <charconv>

#include "ferry/util/strings.hpp"

namespace ferry::net {

namespace {

// The mask bit count of a byte index: how many of byte i's bits belong to a /prefix.
int bits_in_byte(int prefix, size_t i) {
    return std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
}

}  // namespace

Cidr network_of(const Cidr& cidr) {
    Cidr out = cidr;
    for (size_t i = 0; i < out.address.bytes.size(); ++i) {
        int bits = i < cidr.address.size() ? bits_in_byte(cidr.prefix, i) : 0;
        out.address.bytes[i] &= static_cast<uint8_t>(bits == 0 ? 0 : 0xff << (8 - bits));
    }
    return out;
}

bool contains(const Cidr& cidr, const IpAddress& ip) {
    if (cidr.address.family != ip.family) return false;
    return network_of(cidr).address == network_of(Cidr{ip, cidr.prefix}).address;
}

bool overlaps(const Cidr& a, const Cidr& b) {
    return contains(a, network_of(b).address) || contains(b, network_of(a).address);
}

IpAddress add(const IpAddress& ip, uint64_t n) {
    IpAddress out = ip;
    unsigned carry = 0;
    for (size_t i = ip.size(); i-- > 0;) {
        unsigned sum = out.bytes[i] + static_cast<unsigned>(n & 0xff) + carry;
        out.bytes[i] = static_cast<uint8_t>(sum);
        carry = sum >> 8;
        n >>= 8;
        if (n == 0 && carry == 0) break;
    }
    return out;
}

IpAddress first_host(const Cidr& cidr) {
    return add(network_of(cidr).address, 1);
}

IpAddress last_address(const Cidr& cidr) {
    IpAddress out = network_of(cidr).address;
    for (size_t i = 0; i < out.size(); ++i) {
        int bits = bits_in_byte(cidr.prefix, i);
        out.bytes[i] |= static_cast<uint8_t>(bits == 8 ? 0 : 0xff >> bits);
    }
    return out;
}

std::optional<IpAddress> lowest_free(const Cidr& subnet, const std::optional<Cidr>& range,
                                     const std::vector<IpAddress>& used) {
    const Cidr& from = range ? *range : subnet;
    const IpAddress network = network_of(subnet).address;
    const IpAddress last = last_address(from);
    const bool v4 = subnet.address.family == Family::v4;
    for (IpAddress ip = network_of(from).address;; ip = add(ip, 1)) {
        bool skip = ip == network || (v4 && subnet.prefix < 31 && ip == last_address(subnet)) ||
                    !contains(subnet, ip) || std::find(used.begin(), used.end(), ip) != used.end();
        if (!skip) return ip;
        if (ip == last) return std::nullopt;
    }
}

std::vector<Cidr> default_pool_prefixes() {
    std::vector<Cidr> out;
    for (int second = 17; second <= 31; ++second)
        out.push_back(*parse_cidr("172." + std::to_string(second) + ".0.0/16"));
    for (int third = 0; third < 256; third += 16)
        out.push_back(*parse_cidr("192.168." + std::to_string(third) + ".0/20"));
    return out;
}

Result<Cidr> next_default_subnet(const std::vector<Cidr>& in_use) {
    for (const auto& candidate : default_pool_prefixes()) {
        bool taken = std::any_of(in_use.begin(), in_use.end(),
                                 [&](const Cidr& c) { return overlaps(candidate, c); });
        if (!taken) return candidate;
    }
    return fail(
        "could not find an available, non-overlapping IPv4 address pool among the "
        "defaults to assign to the network");
}

std::vector<Cidr> parse_proc_net_route(std::string_view text) {
    std::vector<Cidr> out;
    bool header = true;
    for (const auto& line : split(text, '\n')) {
        if (header) {
            header = false;
            continue;
        }
        std::vector<std::string> fields;
        for (const auto& f : split(line, '\t'))
            if (!trim(f).empty()) fields.emplace_back(trim(f));
        if (fields.size() < 8) continue;
        uint32_t dest = 0, mask = 0;
        auto parse_hex = [](std::string_view s, uint32_t& v) {
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
            return ec == std::errc() && end == s.data() + s.size();
        };
        if (!parse_hex(fields[1], dest) || !parse_hex(fields[7], mask)) continue;
        if (mask == 0) continue;  // the default route overlaps everything
        Cidr c;
        for (int i = 0; i < 4; ++i)  // the kernel prints the in-memory (little-endian) word
            c.address.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(dest >> (8 * i));
        c.prefix = __builtin_popcount(mask);
        out.push_back(c);
    }
    return out;
}

}  // namespace ferry::net
