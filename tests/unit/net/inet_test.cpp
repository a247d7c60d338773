// Address and prefix parsing and printing as Go does (docker's words for bad ones), and
// docker's MAC from an IPv4 address.

#include "ferry/net/inet.hpp"

#include <gtest/gtest.h>

namespace ferry::net {
namespace {

TEST(Inet, ParsesAndPrintsBothFamilies) {
    auto v4 = parse_ip("172.17.0.2");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, Family::v4);
    EXPECT_EQ(v4->size(), 4u);
    EXPECT_EQ(format_ip(*v4), "172.17.0.2");
    auto v6 = parse_ip("fd00:0:0::1");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->family, Family::v6);
    EXPECT_EQ(v6->size(), 16u);
    EXPECT_EQ(format_ip(*v6), "fd00::1");
    EXPECT_EQ(format_ip(*parse_ip("0:0:0:0:0:0:0:1")), "::1");
}

TEST(Inet, PrintsIpv4MappedAsGoDoes) {
    auto mapped = parse_ip("::ffff:1.2.3.4");
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->family, Family::v6);  // the family its text has
    EXPECT_EQ(format_ip(*mapped), "1.2.3.4");
}

TEST(Inet, RefusesBadAddressesWithTheirText) {
    for (const char* bad : {"172.17.0.256", "1.2.3", "01.2.3.4", "host", "", "fd00::1::2"}) {
        auto r = parse_ip(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, std::string("invalid IP address: ") + bad);
    }
}

TEST(Inet, ParsesPrefixesAsTyped) {
    auto p = parse_cidr("10.89.0.1/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->prefix, 24);
    EXPECT_EQ(format_cidr(*p), "10.89.0.1/24");
    EXPECT_EQ(format_cidr(*parse_cidr("10.99.0.5/16")), "10.99.0.5/16");  // host part kept
    auto p6 = parse_cidr("fd89::1/64");
    ASSERT_TRUE(p6);
    EXPECT_EQ(p6->address.family, Family::v6);
    EXPECT_EQ(format_cidr(*p6), "fd89::1/64");
    EXPECT_EQ(format_cidr(*parse_cidr("fd00::/128")), "fd00::/128");
}

TEST(Inet, BadCidrsGetGosWords) {
    for (const char* bad : {"foo", "x/8", "10.99.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/08",
                            "fd00::/129", "10.0.0.0/-1", "10.0.0.0/1x", "10.0.0.0/0032"}) {
        auto r = parse_cidr(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, std::string("invalid CIDR address: ") + bad);
    }
}

TEST(Inet, DockerMacFromIpv4) {
    auto ip = parse_ip("172.17.0.2");
    ASSERT_TRUE(ip);
    MacAddr mac = mac_from_ipv4(*ip);
    EXPECT_EQ(mac, (MacAddr{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}));
    EXPECT_EQ(to_string(mac), "02:42:ac:11:00:02");
    EXPECT_EQ(to_string(mac_from_ipv4(*parse_ip("10.255.0.171"))), "02:42:0a:ff:00:ab");
}

}  // namespace
}  // namespace ferry::net
