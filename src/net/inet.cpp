// Address values by way of inet_pton/inet_ntop, so every textual form the C library accepts
// (IPv6 with :: and embedded IPv4) is accepted here and printed back canonically.

#include "ferry/net/inet.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>

namespace ferry::net {

static_assert(AF_INET == 0x2, "InetAddr::size assumes AF_INET is 2");

Result<InetAddr> parse_inet_addr(std::string_view text) {
    std::string s(text);
    InetAddr a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return fail("invalid IP address: " + s);
}

Result<InetPrefix> parse_inet_prefix(std::string_view text) {
    auto bad = [&] { return fail("invalid CIDR address: " + std::string(text)); };
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) return bad();
    auto addr = parse_inet_addr(text.substr(0, slash));
    if (!addr) return bad();
    std::string_view len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len_text.empty() ||
        len > addr->size() * 8)
        return bad();
    return InetPrefix{*addr, static_cast<uint8_t>(len)};
}

std::string to_string(const InetAddr& addr) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!::inet_ntop(addr.family, addr.bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

std::string to_string(const InetPrefix& prefix) {
    return to_string(prefix.addr) + "/" + std::to_string(prefix.len);
}

MacAddr mac_from_ipv4(const InetAddr& ip) {
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
