// Address values by way of inet_pton/inet_ntop, whose grammar matches Go's net.ParseIP for what
// users type (dotted quads without leading zeros, RFC 4291 IPv6 with :: and embedded IPv4) and
// whose output is RFC 5952's, as Go prints, but for IPv4-mapped addresses, which Go prints as
// IPv4.

#include "ferry/net/inet.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>

namespace ferry::net {

int address_family(Family family) {
    return family == Family::v4 ? AF_INET : AF_INET6;
}

Result<IpAddress> parse_ip(std::string_view text) {
    std::string s(text);
    IpAddress ip;
    ip.family = s.find(':') == std::string::npos ? Family::v4 : Family::v6;
    if (::inet_pton(address_family(ip.family), s.c_str(), ip.bytes.data()) != 1)
        return fail("invalid IP address: " + s);
    return ip;
}

std::string format_ip(const IpAddress& ip) {
    static constexpr uint8_t k_v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t* bytes = ip.bytes.data();
    int af = address_family(ip.family);
    if (ip.family == Family::v6 && std::equal(k_v4_mapped, k_v4_mapped + 12, bytes)) {
        af = AF_INET;
        bytes += 12;
    }
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(af, bytes, buf, sizeof buf);
    return buf;
}

Result<Cidr> parse_cidr(std::string_view text) {
    auto bad = [&] { return fail("invalid CIDR address: " + std::string(text)); };
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return bad();
    auto ip = parse_ip(text.substr(0, slash));
    auto digits = text.substr(slash + 1);
    if (!ip || digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
        return bad();
    int prefix = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size()) return bad();
    if (prefix < 0 || prefix > static_cast<int>(ip->size()) * 8) return bad();
    return Cidr{*ip, prefix};
}

std::string format_cidr(const Cidr& cidr) {
    return format_ip(cidr.address) + "/" + std::to_string(cidr.prefix);
}

MacAddr mac_from_ipv4(const IpAddress& ip) {
    return {0x02, 0x42, ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]};
}

std::string to_string(const MacAddr& mac) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < mac.size(); ++i) {
        if (i) out += ':';
        out += k_hex[mac[i] >> 4];
        out += k_hex[mac[i] & 0xf];
    }
    return out;
}

}  // namespace ferry::net
