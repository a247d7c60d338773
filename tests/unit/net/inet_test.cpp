// Address parsing and printing, and docker's MAC from an IPv4 address.

#include "ferry/net/inet.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace ferry::net {
namespace {

TEST(Inet, ParsesAndPrintsBothFamilies) {
    auto v4 = parse_inet_addr("172.17.0.2");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, AF_INET);
    EXPECT_EQ(v4->size(), 4u);
    EXPECT_EQ(to_string(*v4), "172.17.0.2");
    auto v6 = parse_inet_addr("fd00:0:0::1");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->family, AF_INET6);
    EXPECT_EQ(v6->size(), 16u);
    EXPECT_EQ(to_string(*v6), "fd00::1");
}

TEST(Inet, RefusesBadAddressesWithTheirText) {
    auto bad = parse_inet_addr("172.17.0.256");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "invalid IP address: 172.17.0.256");
}

TEST(Inet, ParsesPrefixes) {
    auto p = parse_inet_prefix("10.89.0.1/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->len, 24);
    EXPECT_EQ(to_string(*p), "10.89.0.1/24");
    auto p6 = parse_inet_prefix("fd89::1/64");
    ASSERT_TRUE(p6);
    EXPECT_EQ(to_string(*p6), "fd89::1/64");
    for (const char* bad :
         {"10.0.0.1", "10.0.0.1/33", "10.0.0.1/", "10.0.0.1/2x", "fd00::/129", "x/8"}) {
        auto r = parse_inet_prefix(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, std::string("invalid CIDR address: ") + bad);
    }
}

TEST(Inet, DockerMacFromIpv4) {
    auto ip = parse_inet_addr("172.17.0.2");
    ASSERT_TRUE(ip);
    MacAddr mac = mac_from_ipv4(*ip);
    EXPECT_EQ(mac, (MacAddr{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}));
    EXPECT_EQ(to_string(mac), "02:42:ac:11:00:02");
    EXPECT_EQ(to_string(mac_from_ipv4(*parse_inet_addr("10.255.0.171"))), "02:42:0a:ff:00:ab");
}

}  // namespace
}  // namespace ferry::net
