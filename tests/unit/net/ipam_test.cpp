// IPAM arithmetic: network addresses, containment and overlap, allocation order, and docker's
// default pools.

#include "ferry/net/ipam.hpp"

#include <gtest/gtest.h>

namespace ferry::net {
namespace {

IpAddress ip(const char* s) {
    return *parse_ip(s);
}
Cidr cidr(const char* s) {
    return *parse_cidr(s);
}

TEST(Ipam, NetworkOfClearsHostBits) {
    EXPECT_EQ(format_cidr(network_of(cidr("10.99.0.5/16"))), "10.99.0.0/16");
    EXPECT_EQ(format_cidr(network_of(cidr("fd00:1:2:3::9/48"))), "fd00:1:2::/48");
}

TEST(Ipam, ContainsAndOverlaps) {
    EXPECT_TRUE(contains(cidr("172.18.0.0/16"), ip("172.18.255.255")));
    EXPECT_FALSE(contains(cidr("172.18.0.0/16"), ip("172.19.0.0")));
    EXPECT_FALSE(contains(cidr("0.0.0.0/0"), ip("::1")));  // families never mix
    EXPECT_TRUE(overlaps(cidr("10.0.0.0/8"), cidr("10.5.0.0/16")));
    EXPECT_TRUE(overlaps(cidr("10.5.0.0/16"), cidr("10.0.0.0/8")));
    EXPECT_FALSE(overlaps(cidr("10.0.0.0/16"), cidr("10.1.0.0/16")));
    EXPECT_TRUE(overlaps(cidr("fd00::/64"), cidr("fd00::8/125")));
}

TEST(Ipam, GatewayIsTheFirstHost) {
    EXPECT_EQ(format_ip(first_host(cidr("172.18.0.0/16"))), "172.18.0.1");
    EXPECT_EQ(format_ip(first_host(cidr("10.99.0.5/16"))), "10.99.0.1");
    EXPECT_EQ(format_ip(first_host(cidr("fd00:1::/64"))), "fd00:1::1");
    EXPECT_EQ(format_ip(last_address(cidr("192.168.16.0/20"))), "192.168.31.255");
    EXPECT_EQ(format_ip(add(ip("10.0.0.255"), 1)), "10.0.1.0");
}

TEST(Ipam, LowestFreeSkipsNetworkGatewayBroadcastAndLeases) {
    auto subnet = cidr("10.1.2.0/30");  // .0 network, .1 gateway, .2 free, .3 broadcast
    EXPECT_EQ(format_ip(*lowest_free(subnet, std::nullopt, {ip("10.1.2.1")})), "10.1.2.2");
    EXPECT_FALSE(lowest_free(subnet, std::nullopt, {ip("10.1.2.1"), ip("10.1.2.2")}));
    auto big = cidr("172.18.0.0/16");
    EXPECT_EQ(format_ip(*lowest_free(big, std::nullopt, {ip("172.18.0.1"), ip("172.18.0.2")})),
              "172.18.0.3");
    EXPECT_EQ(format_ip(*lowest_free(big, cidr("172.18.5.0/24"), {ip("172.18.0.1")})),
              "172.18.5.0");  // a range's first address is a host of the subnet
    EXPECT_EQ(format_ip(*lowest_free(cidr("fd00::/64"), std::nullopt, {ip("fd00::1")})), "fd00::2");
}

TEST(Ipam, DefaultPoolsAreDockers) {
    auto pools = default_pool_prefixes();
    ASSERT_EQ(pools.size(), 15u + 16u);
    EXPECT_EQ(format_cidr(pools.front()), "172.17.0.0/16");
    EXPECT_EQ(format_cidr(pools[14]), "172.31.0.0/16");
    EXPECT_EQ(format_cidr(pools[15]), "192.168.0.0/20");
    EXPECT_EQ(format_cidr(pools.back()), "192.168.240.0/20");
    EXPECT_EQ(format_cidr(*next_default_subnet({cidr("172.17.0.0/16")})), "172.18.0.0/16");
    EXPECT_EQ(format_cidr(*next_default_subnet({cidr("172.17.0.0/16"), cidr("172.18.3.0/24")})),
              "172.19.0.0/16");
    EXPECT_EQ(format_cidr(*next_default_subnet({cidr("172.16.0.0/12")})), "192.168.0.0/20");
    auto none = next_default_subnet({cidr("172.16.0.0/12"), cidr("192.168.0.0/16")});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message,
              "could not find an available, non-overlapping IPv4 address pool among the "
              "defaults to assign to the network");
}

TEST(Ipam, ReadsTheKernelsRoutes) {
    const char* text =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
    auto routes = parse_proc_net_route(text);
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(format_cidr(routes[0]), "192.168.2.0/24");
    EXPECT_EQ(format_cidr(routes[1]), "172.17.0.0/16");
}

}  // namespace
}  // namespace ferry::net
