// The network flags of run/create: values as docker records them and every error message (the
// expected texts are docker's: go-connections/nat's, docker/cli's opts validators, runconfig's
// validateNetMode).

#include <gtest/gtest.h>

#include "ferry/cli/run_flags.hpp"

namespace ferry::cli {
namespace {

runtime::RunOptions ok(std::vector<std::string> args) {
    auto r = parse_run_args("ferry create", args);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->run : runtime::RunOptions{};
}

std::string error(std::vector<std::string> args) {
    auto r = parse_run_args("ferry create", args);
    if (r) return "<no error>";
    std::string m = r.error().message;
    std::string hint = " (see `ferry create --help`)";
    if (m.ends_with(hint)) m.resize(m.size() - hint.size());
    return m;
}

TEST(RunFlagsNetwork, Publish) {
    auto o = ok({"-p", "8080:80", "-p", "127.0.0.1::53/UDP", "-p", "[::1]:7000-7001:90-91",
                 "-p", "8000-8010:5000", "-p", "published=81,target=8081", "-P", "img"});
    net::PortMap want = {{"80/tcp", {{"", "8080"}}},
                         {"53/udp", {{"127.0.0.1", ""}}},
                         {"90/tcp", {{"::1", "7000"}}},
                         {"91/tcp", {{"::1", "7001"}}},
                         {"5000/tcp", {{"", "8000-8010"}}},
                         {"8081/tcp", {{"", "81"}}}};
    EXPECT_EQ(o.net.port_bindings, want);
    EXPECT_TRUE(o.net.publish_all);
    EXPECT_EQ(o.net.exposed_ports, (std::set<std::string>{"5000/tcp", "53/udp", "80/tcp",
                                                          "8081/tcp", "90/tcp", "91/tcp"}));
    EXPECT_EQ(ok({"-p", "80", "-p", "80", "img"}).net.port_bindings.at("80/tcp").size(), 2u);
}

TEST(RunFlagsNetwork, PublishErrors) {
    EXPECT_EQ(error({"-p", "abc", "img"}), "invalid containerPort: abc");
    EXPECT_EQ(error({"-p", "80:abc", "img"}), "invalid containerPort: abc");
    EXPECT_EQ(error({"-p", "80:99999", "img"}), "invalid containerPort: 99999");
    EXPECT_EQ(error({"-p", "abc:80", "img"}), "invalid hostPort: abc");
    EXPECT_EQ(error({"-p", "80-79:80", "img"}), "invalid hostPort: 80-79");
    EXPECT_EQ(error({"-p", "80/xyz", "img"}), "invalid proto: xyz");
    EXPECT_EQ(error({"-p", "8000-8010:80-85", "img"}),
              "invalid ranges specified for container and host Ports: 80-85 and 8000-8010");
    EXPECT_EQ(error({"-p", "1.2.3.x:80:80", "img"}), "invalid IP address: 1.2.3.x");
    EXPECT_EQ(error({"-p", "1.2.3.4:80:80:90", "img"}), "invalid IP address: 1.2.3.4:80");
    EXPECT_EQ(error({"-p", "", "img"}), "no port specified: <empty>");
    EXPECT_EQ(error({"-p", "80:", "img"}), "no port specified: 80:<empty>");
    EXPECT_EQ(error({"-p", "published=80,x", "img"}),
              "invalid publish opts format (should be name=value but got 'x')");
}

TEST(RunFlagsNetwork, Expose) {
    auto o = ok({"--expose", "80", "--expose", "53/udp", "--expose", "9000-9002", "img"});
    EXPECT_EQ(o.net.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp", "9000/tcp",
                                                          "9001/tcp", "9002/tcp"}));
    EXPECT_TRUE(o.net.port_bindings.empty());
    EXPECT_EQ(error({"--expose", "1:2", "img"}), "invalid port format for --expose: 1:2");
    EXPECT_EQ(error({"--expose", "abc", "img"}),
              "invalid range format for --expose: abc, error: strconv.ParseUint: parsing "
              "\"abc\": invalid syntax");
    EXPECT_EQ(error({"--expose", "99999", "img"}),
              "invalid range format for --expose: 99999, error: strconv.ParseUint: parsing "
              "\"99999\": value out of range");
    EXPECT_EQ(error({"--expose", "90-80", "img"}),
              "invalid range format for --expose: 90-80, error: Invalid range specified for the "
              "Port: 90-80");
}

TEST(RunFlagsNetwork, HostsAndDns) {
    auto o = ok({"--add-host", "a:1.2.3.4", "--add-host", "b=[::1]", "--add-host",
                 "gw:host-gateway", "--dns", "0:0::1", "--dns", "8.8.8.8", "--dns-search",
                 "example.com.", "--dns-search", ".", "--dns-option", "ndots:2", "--dns-opt",
                 "rotate", "-h", "box", "--ip", "172.18.0.5", "--ip6", "2001:db8:0::33",
                 "--mac-address", "92:d0:c6:0a:29:33", "--network-alias", "web", "--net-alias",
                 "www", "--network", "mynet", "img"});
    EXPECT_EQ(o.net.extra_hosts, (std::vector<std::string>{"a:1.2.3.4", "b:::1", "gw:host-gateway"}));
    EXPECT_EQ(o.net.dns, (std::vector<std::string>{"::1", "8.8.8.8"}));
    EXPECT_EQ(o.net.dns_search, (std::vector<std::string>{"example.com", "."}));
    EXPECT_EQ(o.net.dns_options, (std::vector<std::string>{"ndots:2", "rotate"}));
    EXPECT_EQ(o.net.ip, "172.18.0.5");
    EXPECT_EQ(o.net.ip6, "2001:db8::33");
    EXPECT_EQ(o.net.mac_address, "92:d0:c6:0a:29:33");
    EXPECT_EQ(o.net.aliases, (std::vector<std::string>{"web", "www"}));
    EXPECT_EQ(o.network, "mynet");
    EXPECT_EQ(o.hostname, "box");
}

TEST(RunFlagsNetwork, HostsAndDnsErrors) {
    auto inv = [](const std::string& v, const std::string& flag, const std::string& msg) {
        return "invalid argument \"" + v + "\" for \"" + flag + "\" flag: " + msg;
    };
    EXPECT_EQ(error({"--add-host", "x", "img"}),
              inv("x", "--add-host", "bad format for add-host: \"x\""));
    EXPECT_EQ(error({"--add-host", ":1.2.3.4", "img"}),
              inv(":1.2.3.4", "--add-host", "bad format for add-host: \":1.2.3.4\""));
    EXPECT_EQ(error({"--add-host", "a:b", "img"}),
              inv("a:b", "--add-host", "invalid IP address in add-host: \"b\""));
    EXPECT_EQ(error({"--dns", "x", "img"}),
              inv("x", "--dns", "IP address is not correctly formatted: x"));
    EXPECT_EQ(error({"--dns-search", "-x", "img"}), inv("-x", "--dns-search", "-x is not a valid domain"));
    EXPECT_EQ(error({"--dns-search", "123", "img"}), inv("123", "--dns-search", "123 is not a valid domain"));
    EXPECT_EQ(error({"--ip", "1.2.3", "img"}),
              inv("1.2.3", "--ip", "invalid string being converted to IP address: 1.2.3"));
    EXPECT_EQ(error({"--ip6", "x", "img"}),
              inv("x", "--ip6", "invalid string being converted to IP address: x"));
    EXPECT_EQ(error({"--mac-address", "zz", "img"}), "zz is not a valid mac address");
    EXPECT_EQ(error({"--mac-address", "92:d0:c6:0a:29", "img"}),
              "92:d0:c6:0a:29 is not a valid mac address");
    EXPECT_EQ(ok({"--mac-address", "92-D0-C6-0A-29-33", "img"}).net.mac_address,
              "92-D0-C6-0A-29-33");
}

TEST(RunFlagsNetwork, NetworkModes) {
    EXPECT_EQ(ok({"img"}).network, "default");  // docker's NetworkMode without --network
    for (const char* mode : {"host", "none", "bridge", "container:web", "mynet"})
        EXPECT_EQ(ok({"--network", mode, "img"}).network, mode);
    EXPECT_EQ(error({"--network", "container:", "img"}),
              "invalid network mode: invalid container format container:<name|id>");
    EXPECT_EQ(error({"--network", "container:web", "-h", "x", "img"}),
              "conflicting options: hostname and the network mode");
    EXPECT_EQ(error({"--network", "container:web", "--dns", "1.1.1.1", "img"}),
              "conflicting options: dns and the network mode");
    EXPECT_EQ(error({"--network", "container:web", "--add-host", "a:1.1.1.1", "img"}),
              "conflicting options: custom host-to-IP mapping and the network mode");
    EXPECT_EQ(error({"--network", "container:web", "-p", "80", "img"}),
              "conflicting options: port publishing and the container type network mode");
    EXPECT_EQ(error({"--network", "container:web", "-P", "img"}),
              "conflicting options: port publishing and the container type network mode");
    EXPECT_EQ(error({"--network", "container:web", "--expose", "80", "img"}),
              "conflicting options: port exposing and the container type network mode");
    EXPECT_EQ(error({"--network", "host", "--mac-address", "92:d0:c6:0a:29:33", "img"}),
              "conflicting options: mac-address and the network mode");
}

}  // namespace
}  // namespace ferry::cli
