// aardvark-dns's sockets read from /proc/net/udp, and when a reload counts as done.

#include "ferry/runtime/container_dns.hpp"

#include <gtest/gtest.h>

namespace ferry::runtime {
namespace {

const char* k_header =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode ref pointer drops\n";

// A /proc/net/udp line for ip_hex:port_hex with inode.
std::string udp_line(const std::string& ip_hex, const std::string& port_hex, const std::string& inode) {
    return " 3365: " + ip_hex + ":" + port_hex +
           " 00000000:0000 07 00000000:00000000 00:00000000 00000000  1007        0 " + inode +
           " 2 000000001c2d4088 0\n";
}

TEST(DnsListeners, ReadsEachIpv4GatewaysPort53ByInode) {
    // 172.19.0.1 is 010013AC in the kernel's little-endian hex; 0035 is port 53.
    std::string table = std::string(k_header) + udp_line("010013AC", "0035", "4275633") +
                        udp_line("010012AC", "0050", "111") + udp_line("010012AC", "0035", "4274628");
    auto got = dns_listeners({{"lab", "172.19.0.1,fd00::1\n0123 172.19.0.2  web\n"},
                              {"other", "172.18.0.1\n"},
                              {"gone", "10.99.0.1\n"}},
                             table);
    DnsListeners want = {{"lab 172.19.0.1", "4275633"},
                         {"other 172.18.0.1", "4274628"},  // not the socket on port 80
                         {"gone 10.99.0.1", ""}};          // IPv6 gateways are not read
    EXPECT_EQ(got, want);
}

TEST(DnsListeners, ReloadDoneWhenOwnAndEveryBoundNetworkHaveNewSockets) {
    DnsListeners before = {{"lab 172.19.0.1", "10"}, {"other 172.18.0.1", "20"}};
    EXPECT_FALSE(dns_reload_done(before, before, "lab"));
    // Closed for the reload: not done.
    EXPECT_FALSE(dns_reload_done(before, {{"lab 172.19.0.1", ""}, {"other 172.18.0.1", ""}}, "lab"));
    // Own rebound, the other not yet: not done.
    EXPECT_FALSE(dns_reload_done(before, {{"lab 172.19.0.1", "11"}, {"other 172.18.0.1", "20"}}, "lab"));
    EXPECT_FALSE(dns_reload_done(before, {{"lab 172.19.0.1", "11"}, {"other 172.18.0.1", ""}}, "lab"));
    EXPECT_TRUE(dns_reload_done(before, {{"lab 172.19.0.1", "11"}, {"other 172.18.0.1", "21"}}, "lab"));
}

TEST(DnsListeners, ANewNetworkMustBeBoundAndOneNeverBoundIsNotWaitedFor) {
    // lab is new (its file written before `before` was read, nothing bound yet); gone never
    // answered (its bridge is missing), so nothing waits for it.
    DnsListeners before = {{"lab 172.19.0.1", ""}, {"gone 10.99.0.1", ""}};
    EXPECT_FALSE(dns_reload_done(before, {{"lab 172.19.0.1", ""}, {"gone 10.99.0.1", ""}}, "lab"));
    EXPECT_TRUE(dns_reload_done(before, {{"lab 172.19.0.1", "5"}, {"gone 10.99.0.1", ""}}, "lab"));
    // A name prefix of another network is not the network: "la" is not "lab".
    EXPECT_TRUE(dns_reload_done(before, {{"lab 172.19.0.1", ""}}, "la"));
}

TEST(DnsListeners, AStopThatRemovedItsNetworkWaitsForTheOthers) {
    DnsListeners before = {{"lab 172.19.0.1", "10"}, {"other 172.18.0.1", "20"}};
    EXPECT_FALSE(dns_reload_done(before, {{"other 172.18.0.1", "20"}}, "lab"));
    EXPECT_TRUE(dns_reload_done(before, {{"other 172.18.0.1", "21"}}, "lab"));
}

}  // namespace
}  // namespace ferry::runtime
