// The firewall's nft text, exactly, and the readers of nft's JSON listings. The real thing (rules
// in the kernel, traffic through them) is tests/integration/net_firewall.sh.

#include "ferry/net/firewall_rules.hpp"

#include <gtest/gtest.h>

namespace ferry::net {
namespace {

FirewallNetwork net0() { return {.bridge = "fb0", .subnet4 = "10.88.0.0/24", .subnet6 = "", .internal = false}; }

TEST(FirewallRules, SkeletonIp) {
    EXPECT_EQ(skeleton_commands(Family::v4),
              "add table ip ferry\n"
              "add map ip ferry pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
              "add map ip ferry pub_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
              "add map ip ferry fwd_in { type ifname : verdict; }\n"
              "add map ip ferry fwd_out { type ifname : verdict; }\n"
              "add map ip ferry post_out { type ifname : verdict; }\n"
              "add map ip ferry post_src { type ipv4_addr : verdict; flags interval; }\n"
              "add chain ip ferry publish\n"
              "add chain ip ferry prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
              "add chain ip ferry output { type nat hook output priority -100; policy accept; }\n"
              "add chain ip ferry forward { type filter hook forward priority filter; policy accept; }\n"
              "add chain ip ferry postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
              "flush chain ip ferry publish\n"
              "add rule ip ferry publish meta l4proto { tcp, udp } dnat ip to ip daddr . meta l4proto . th dport map @pub_ip\n"
              "add rule ip ferry publish meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pub_any\n"
              "flush chain ip ferry prerouting\n"
              "add rule ip ferry prerouting fib daddr type local jump publish\n"
              "flush chain ip ferry output\n"
              "add rule ip ferry output fib daddr type local jump publish\n"
              "flush chain ip ferry forward\n"
              "add rule ip ferry forward oifname vmap @fwd_in\n"
              "add rule ip ferry forward iifname vmap @fwd_out\n"
              "flush chain ip ferry postrouting\n"
              "add rule ip ferry postrouting oifname vmap @post_out\n"
              "add rule ip ferry postrouting ip saddr vmap @post_src\n");
}

TEST(FirewallRules, SkeletonIp6UsesIp6Types) {
    auto text = skeleton_commands(Family::v6);
    EXPECT_NE(text.find("add map ip6 ferry pub_ip { type ipv6_addr . inet_proto . inet_service : "
                        "ipv6_addr . inet_service; }\n"), std::string::npos);
    EXPECT_NE(text.find("dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub_ip\n"),
              std::string::npos);
    EXPECT_NE(text.find("add rule ip6 ferry postrouting ip6 saddr vmap @post_src\n"), std::string::npos);
}

TEST(FirewallRules, NetworkChains) {
    EXPECT_EQ(network_chain_commands(net0(), Family::v4),
              "add chain ip ferry in_fb0\nflush chain ip ferry in_fb0\n"
              "add rule ip ferry in_fb0 iifname \"fb0\" accept\n"
              "add rule ip ferry in_fb0 ct state established,related accept\n"
              "add rule ip ferry in_fb0 ct status dnat accept\n"
              "add rule ip ferry in_fb0 drop\n"
              "add chain ip ferry out_fb0\nflush chain ip ferry out_fb0\n"
              "add rule ip ferry out_fb0 accept\n"
              "add chain ip ferry post_into_fb0\nflush chain ip ferry post_into_fb0\n"
              "add rule ip ferry post_into_fb0 ip saddr 127.0.0.0/8 masquerade\n"
              "add rule ip ferry post_into_fb0 ip saddr 10.88.0.0/24 ct status dnat masquerade\n"
              "add chain ip ferry post_from_fb0\nflush chain ip ferry post_from_fb0\n"
              "add rule ip ferry post_from_fb0 oifname != \"fb0\" masquerade\n");
}

TEST(FirewallRules, InternalNetworkChains) {
    auto net = net0();
    net.internal = true;
    EXPECT_EQ(network_chain_commands(net, Family::v4),
              "add chain ip ferry in_fb0\nflush chain ip ferry in_fb0\n"
              "add rule ip ferry in_fb0 iifname \"fb0\" accept\n"
              "add rule ip ferry in_fb0 drop\n"
              "add chain ip ferry out_fb0\nflush chain ip ferry out_fb0\n"
              "add rule ip ferry out_fb0 drop\n"
              "add chain ip ferry post_into_fb0\nflush chain ip ferry post_into_fb0\n"
              "add rule ip ferry post_into_fb0 ip saddr 127.0.0.0/8 masquerade\n"
              "add rule ip ferry post_into_fb0 ip saddr 10.88.0.0/24 ct status dnat masquerade\n"
              "add chain ip ferry post_from_fb0\nflush chain ip ferry post_from_fb0\n");
}

TEST(FirewallRules, Ip6NetworkHasNoLocalhostMasquerade) {
    auto net = net0();
    net.subnet6 = "fd88::/64";
    auto text = network_chain_commands(net, Family::v6);
    EXPECT_EQ(text.find("127.0.0.0/8"), std::string::npos);
    EXPECT_NE(text.find("add rule ip6 ferry post_into_fb0 ip6 saddr fd88::/64 ct status dnat masquerade\n"),
              std::string::npos);
}

TEST(FirewallRules, NetworkElements) {
    EXPECT_EQ(network_element_commands(net0(), Family::v4),
              "add element ip ferry fwd_in { \"fb0\" : jump in_fb0 }\n"
              "add element ip ferry fwd_out { \"fb0\" : jump out_fb0 }\n"
              "add element ip ferry post_out { \"fb0\" : jump post_into_fb0 }\n"
              "add element ip ferry post_src { 10.88.0.0/24 : jump post_from_fb0 }\n");
}

TEST(FirewallRules, RemovalAddsBeforeDeletingSoItRunsTwice) {
    auto text = network_removal_commands(net0(), Family::v4);
    EXPECT_TRUE(text.starts_with("add table ip ferry\nadd chain ip ferry in_fb0\n"));
    auto add = text.find("add element ip ferry fwd_in { \"fb0\" : jump in_fb0 }\n");
    auto del = text.find("delete element ip ferry fwd_in { \"fb0\" }\n");
    ASSERT_NE(add, std::string::npos);
    ASSERT_NE(del, std::string::npos);
    EXPECT_LT(add, del);
    EXPECT_TRUE(text.ends_with("flush chain ip ferry post_from_fb0\ndelete chain ip ferry post_from_fb0\n"));
}

TEST(FirewallRules, PublishAndUnpublish) {
    std::vector<PublishedPort> ports = {
        {.host_ip = "", .host_port = 8080, .container_ip = "10.88.0.2", .container_port = 80, .proto = Proto::tcp},
        {.host_ip = "127.0.0.1", .host_port = 53, .container_ip = "10.88.0.2", .container_port = 5353, .proto = Proto::udp},
        {.host_ip = "", .host_port = 8080, .container_ip = "fd88::2", .container_port = 80, .proto = Proto::tcp}};
    EXPECT_EQ(publish_commands(ports),
              "add element ip ferry pub_any { tcp . 8080 : 10.88.0.2 . 80 }\n"
              "add element ip ferry pub_ip { 127.0.0.1 . udp . 53 : 10.88.0.2 . 5353 }\n"
              "add element ip6 ferry pub_any { tcp . 8080 : fd88::2 . 80 }\n");
    EXPECT_EQ(unpublish_commands(ports),
              "delete element ip ferry pub_any { tcp . 8080 }\n"
              "delete element ip ferry pub_ip { 127.0.0.1 . udp . 53 }\n"
              "delete element ip6 ferry pub_any { tcp . 8080 }\n");
}

TEST(FirewallRules, DockerUser) {
    EXPECT_EQ(docker_user_insert_commands("fb0", Family::v4),
              "insert rule ip filter DOCKER-USER oifname \"fb0\" counter accept comment \"ferry bridge fb0\"\n"
              "insert rule ip filter DOCKER-USER iifname \"fb0\" counter accept comment \"ferry bridge fb0\"\n");
    std::vector<uint64_t> handles = {4, 7};
    EXPECT_EQ(docker_user_delete_commands(handles, Family::v6),
              "delete rule ip6 filter DOCKER-USER handle 4\ndelete rule ip6 filter DOCKER-USER handle 7\n");
}

TEST(FirewallRules, Validation) {
    EXPECT_TRUE(validate_network(net0()));
    auto bad = net0();
    bad.bridge = "fb0\" accept";
    EXPECT_EQ(validate_network(bad).error().message, "invalid bridge name `fb0\" accept`");
    bad.bridge = "a-very-long-bridge";
    EXPECT_EQ(validate_network(bad).error().message, "invalid bridge name `a-very-long-bridge`");
    bad = net0();
    bad.subnet4 = "10.88.0.0/33";
    EXPECT_EQ(validate_network(bad).error().message, "invalid subnet `10.88.0.0/33`");
    bad = net0();
    bad.subnet6 = "fd88::/x";
    EXPECT_EQ(validate_network(bad).error().message, "invalid subnet `fd88::/x`");
    PublishedPort p{.host_ip = "::1", .host_port = 1, .container_ip = "10.88.0.2", .container_port = 1, .proto = Proto::tcp};
    EXPECT_EQ(validate_port(p).error().message, "invalid host IP `::1`");
    p.host_ip = "";
    p.container_ip = "10.88.0.2 . 1";
    EXPECT_EQ(validate_port(p).error().message, "invalid container IP `10.88.0.2 . 1`");
    p.container_ip = "10.88.0.2";
    p.host_port = 0;
    EXPECT_EQ(validate_port(p).error().message, "invalid port 0");
}

TEST(FirewallRules, ParsePublished) {
    std::string json = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
        {"table": {"family": "ip", "name": "ferry", "handle": 1}},
        {"map": {"family": "ip", "name": "pub_any", "table": "ferry", "elem": [
            [{"concat": ["udp", 53]}, {"concat": ["10.0.0.3", 5353]}],
            [{"concat": ["tcp", 8080]}, {"concat": ["10.0.0.2", 80]}]]}},
        {"map": {"family": "ip", "name": "pub_ip", "table": "ferry", "elem": [
            [{"concat": ["127.0.0.1", "tcp", 80]}, {"concat": ["10.0.0.3", 81]}]]}},
        {"map": {"family": "ip", "name": "fwd_in", "table": "ferry", "elem": [["fb0", {"jump": {"target": "in_fb0"}}]]}}]})";
    auto ports = parse_published(json);
    ASSERT_EQ(ports.size(), 3u);
    EXPECT_EQ(ports[0], (PublishedPort{"", 53, "10.0.0.3", 5353, Proto::udp}));
    EXPECT_EQ(ports[1], (PublishedPort{"", 8080, "10.0.0.2", 80, Proto::tcp}));
    EXPECT_EQ(ports[2], (PublishedPort{"127.0.0.1", 80, "10.0.0.3", 81, Proto::tcp}));
    EXPECT_TRUE(parse_published("not json").empty());
}

// A store removed while its bridge was up, then made again with another subnet: the old
// subnet's element still jumps to the bridge's chain and must go before the chain can.
TEST(FirewallRules, StaleElements) {
    std::string json = R"({"nftables": [{"table": {"family": "ip", "name": "ferry"}},
        {"map": {"family": "ip", "name": "fwd_in", "table": "ferry", "elem": [
            ["fb0", {"jump": {"target": "in_fb0"}}], ["fb1", {"jump": {"target": "in_fb1"}}]]}},
        {"map": {"family": "ip", "name": "post_src", "table": "ferry", "elem": [
            [{"prefix": {"addr": "10.88.0.0", "len": 24}}, {"jump": {"target": "post_from_fb0"}}],
            [{"prefix": {"addr": "172.18.0.0", "len": 16}}, {"jump": {"target": "post_from_fb0"}}],
            [{"prefix": {"addr": "172.19.0.0", "len": 16}}, {"jump": {"target": "post_from_fb1"}}]]}}]})";
    EXPECT_EQ(stale_element_commands(json, net0(), Family::v4),
              "delete element ip ferry post_src { 172.18.0.0/16 }\n");
    EXPECT_EQ(stale_element_commands("not json", net0(), Family::v4), "");
}

TEST(FirewallRules, ParseRuleHandles) {
    std::string json = R"({"nftables": [{"chain": {"name": "DOCKER-USER", "handle": 1}},
        {"rule": {"chain": "DOCKER-USER", "handle": 4, "comment": "ferry bridge fb0"}},
        {"rule": {"chain": "DOCKER-USER", "handle": 5, "comment": "ferry bridge fb1"}},
        {"rule": {"chain": "DOCKER-USER", "handle": 6, "comment": "someone else"}},
        {"rule": {"chain": "DOCKER-USER", "handle": 2}}]})";
    EXPECT_EQ(parse_rule_handles(json, docker_user_comment("fb0")), (std::vector<uint64_t>{4}));
    EXPECT_EQ(parse_rule_handles(json, ""), (std::vector<uint64_t>{4, 5}));
}

}  // namespace
}  // namespace ferry::net
