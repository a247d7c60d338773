// `ferry network` argument parsing; the commands themselves are covered by
// tests/integration/network_cmds.sh.

#include "ferry/cli/network_cmd.hpp"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

template <class T>
std::string error_of(const Result<T>& r) {
    return r ? "<no error>" : r.error().message;
}

TEST(NetworkCmd, CreateTakesDockersStringsAndMaps) {
    std::vector<std::string> args = {"--subnet",   "10.1.0.0/16,fd00::/64",
                                     "--gateway",  "10.1.0.254",
                                     "--ip-range", "10.1.2.0/24",
                                     "--internal", "--ipv6",
                                     "--label",    "a=b",
                                     "--label",    "c",
                                     "-o",         "com.docker.network.bridge.name=br9",
                                     "-d",         "bridge",
                                     "lab"};
    auto o = parse_network_create(args);
    ASSERT_TRUE(o) << error_of(o);
    const auto& r = o->request;
    EXPECT_EQ(r.name, "lab");
    EXPECT_EQ(r.subnets, (std::vector<std::string>{"10.1.0.0/16", "fd00::/64"}));
    EXPECT_EQ(r.gateways, (std::vector<std::string>{"10.1.0.254"}));
    EXPECT_EQ(r.ip_ranges, (std::vector<std::string>{"10.1.2.0/24"}));
    EXPECT_TRUE(r.internal);
    EXPECT_TRUE(r.ipv6);
    EXPECT_EQ(r.labels, (std::map<std::string, std::string>{{"a", "b"}, {"c", ""}}));
    EXPECT_EQ(r.options.at("com.docker.network.bridge.name"), "br9");
    std::vector<std::string> none;
    EXPECT_EQ(error_of(parse_network_create(none)),
              "`ferry network create` requires exactly 1 argument (see `ferry network create "
              "--help`)");
}

TEST(NetworkCmd, IpamConsolidationIsDockersClients) {
    net::NetworkRequest r;
    r.subnets = {"10.1.0.0/16", "10.2.0.0/16"};
    r.gateways = {"10.2.0.9", "10.1.0.9"};
    r.ip_ranges = {"10.2.5.0/24"};
    auto c = net::consolidate_ipam(r);
    ASSERT_TRUE(c) << error_of(c);
    ASSERT_EQ(c->size(), 2u);
    EXPECT_EQ((*c)[0].gateway, "10.1.0.9");
    EXPECT_EQ((*c)[1].gateway, "10.2.0.9");
    EXPECT_EQ((*c)[1].ip_range, "10.2.5.0/24");
    r.gateways = {"10.1.0.9", "10.1.0.8"};
    EXPECT_EQ(error_of(net::consolidate_ipam(r)),
              "cannot configure multiple gateways (10.1.0.8, 10.1.0.9) for the same subnet "
              "(10.1.0.0/16)");
    r.gateways = {};
    r.subnets = {"10.1.0.0/16", "10.1.128.0/17"};
    EXPECT_EQ(error_of(net::consolidate_ipam(r)),
              "multiple overlapping subnet configuration is not supported");
}

TEST(NetworkCmd, LsInspectRmPruneConnect) {
    std::vector<std::string> ls = {"-q", "--no-trunc", "-f", "driver=bridge"};
    auto l = parse_network_ls(ls);
    ASSERT_TRUE(l);
    EXPECT_TRUE(l->quiet);
    EXPECT_TRUE(l->no_trunc);
    EXPECT_EQ(l->filters, (std::vector<std::string>{"driver=bridge"}));
    std::vector<std::string> inspect = {"-f", "{{.Name}}", "a", "b"};
    EXPECT_EQ(parse_network_inspect(inspect)->names, (std::vector<std::string>{"a", "b"}));
    std::vector<std::string> rm = {"-f", "a"};
    EXPECT_TRUE(parse_network_rm(rm)->force);
    std::vector<std::string> prune = {"-f", "--filter", "until=1h"};
    EXPECT_TRUE(parse_network_prune(prune)->force);
    std::vector<std::string> connect = {"--ip", "10.1.0.5", "--alias", "db,pg", "lab", "c1"};
    auto c = parse_network_connect(connect);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->network, "lab");
    EXPECT_EQ(c->container, "c1");
    EXPECT_EQ(c->ipv4, "10.1.0.5");
    EXPECT_EQ(c->aliases, (std::vector<std::string>{"db", "pg"}));
    std::vector<std::string> one = {"lab"};
    EXPECT_EQ(error_of(parse_network_disconnect(one)),
              "`ferry network disconnect` requires exactly 2 arguments (see `ferry network "
              "disconnect --help`)");
}

}  // namespace
}  // namespace ferry::cli
