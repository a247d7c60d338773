// go-connections/nat's grammar and docker's CLI printers: ps's PORTS column (DisplayablePorts)
// and port's lines.

#include "ferry/net/port_spec.hpp"

#include <gtest/gtest.h>

namespace ferry::net {
namespace {

TEST(PortSpec, Mappings) {
    auto m = parse_port_spec("8000-8001:80");
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].port, "80/tcp");
    EXPECT_EQ((*m)[0].binding.host_port, "8000-8001");
    m = parse_port_spec("::1:80:80");  // a bare IPv6 address: everything before the ports
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)[0].binding, (PortBinding{"::1", "80"}));
    m = parse_port_spec("80/tcp/udp");  // docker 20.10's SplitProtoPort ignores the rest
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)[0].port, "80/tcp");
    m = parse_port_spec("0:80/sctp");
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)[0].port, "80/sctp");
    EXPECT_EQ((*m)[0].binding.host_port, "0");
    EXPECT_EQ(parse_port_spec("[::1:80:80").error().message,
              "invalid IP address [::1: address [::1: missing ']' in address");
}

TEST(PortSpec, Addresses) {
    EXPECT_EQ(join_host_port("::", "8080"), "[::]:8080");
    EXPECT_EQ(join_host_port("0.0.0.0", "8080"), "0.0.0.0:8080");
}

TEST(PortSpec, DisplayablePorts) {
    PortMap live = {{"80/tcp", {{"0.0.0.0", "8080"}, {"::", "8080"}}},
                    {"443/tcp", {}},
                    {"53/udp", {{"0.0.0.0", "53"}}},
                    {"54/udp", {{"0.0.0.0", "54"}}},
                    {"55/udp", {{"0.0.0.0", "55"}}},
                    {"9000/tcp", {}},
                    {"9001/tcp", {}}};
    // docker's order: a group broken by a gap is written at once, the open ones at the end.
    EXPECT_EQ(displayable_ports(live),
              "443/tcp, 0.0.0.0:53-55->53-55/udp, 9000-9001/tcp, 0.0.0.0:8080->80/tcp, "
              ":::8080->80/tcp");
    EXPECT_EQ(displayable_ports({}), "");
    EXPECT_EQ(displayable_ports({{"80/tcp", {}}}), "80/tcp");
}

TEST(PortSpec, PortLines) {
    PortMap live = {{"80/tcp", {{"0.0.0.0", "8080"}, {"::", "8080"}}},
                    {"9/udp", {{"0.0.0.0", "49153"}}},
                    {"443/tcp", {}}};
    EXPECT_EQ(port_lines(live), (std::vector<std::string>{"9/udp -> 0.0.0.0:49153",
                                                          "80/tcp -> 0.0.0.0:8080",
                                                          "80/tcp -> [::]:8080"}));
    auto one = port_lines(live, "80", "web");
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, (std::vector<std::string>{"0.0.0.0:8080", "[::]:8080"}));
    auto none = port_lines(live, "81", "web");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, "No public port '81' published for web");
    EXPECT_EQ(none.error().exit_code, 1);
    EXPECT_FALSE(port_lines(live, "443/tcp", "web"));
    EXPECT_TRUE(port_lines(live, "9/udp", "web"));
}

}  // namespace
}  // namespace ferry::net
