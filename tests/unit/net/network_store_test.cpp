// The network store on a temporary root: predefined networks, creation with docker's checks
// and words, lookups, leases (lowest free, requested, released, reclaimed), removal, and
// damaged files reported by check.

#include "ferry/net/network_store.hpp"

#include <gtest/gtest.h>

#include <set>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::net {
namespace {

NetworkRequest request(const std::string& name, std::vector<std::string> subnets = {},
                       std::vector<std::string> gateways = {}) {
    NetworkRequest r;
    r.name = name;
    r.subnets = std::move(subnets);
    r.gateways = std::move(gateways);
    return r;
}

std::string error_of(const Result<Network>& r) {
    return r ? "" : r.error().message;
}

TEST(NetworkStore, PredefinedNetworksAlwaysExist) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto all = *store.list();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].name, "bridge");
    EXPECT_EQ(all[0].driver, "bridge");
    ASSERT_EQ(all[0].subnets.size(), 1u);
    EXPECT_EQ(format_cidr(all[0].subnets[0].subnet), "172.17.0.0/16");
    EXPECT_EQ(format_ip(all[0].subnets[0].gateway), "172.17.0.1");
    EXPECT_EQ(all[1].name, "host");
    EXPECT_EQ(all[2].driver, "null");
    auto again = *NetworkStore::open(root.path());  // a second open keeps the same records
    EXPECT_EQ((*again.list())[0].id, all[0].id);
    auto rm = store.remove(all[0]);
    ASSERT_FALSE(rm);
    EXPECT_EQ(rm.error().message, "bridge is a pre-defined network and cannot be removed");
    EXPECT_EQ(rm.error().exit_code, 1);
}

TEST(NetworkStore, CreateTakesTheNextDefaultSubnetAndRoundTrips) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto a = *store.create(request("a"), {});
    EXPECT_EQ(format_cidr(a.subnets[0].subnet), "172.18.0.0/16");
    EXPECT_EQ(format_ip(a.subnets[0].gateway), "172.18.0.1");
    EXPECT_EQ(a.id.size(), 64u);
    auto b = *store.create(request("b"), {*parse_cidr("172.19.0.0/16")});  // a host route
    EXPECT_EQ(format_cidr(b.subnets[0].subnet), "172.20.0.0/16");
    auto found = *store.find("b");
    EXPECT_EQ(found.id, b.id);
    EXPECT_EQ((*store.find(b.id.substr(0, 12))).name, "b");
    EXPECT_EQ(network_record_json(found), network_record_json(b));
}

TEST(NetworkStore, CreateRefusesWithDockersWords) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    ASSERT_TRUE(store.create(request("x", {"10.99.0.0/16"}), {}));
    EXPECT_EQ(error_of(store.create(request("x"), {})), "network with name x already exists");
    EXPECT_EQ(error_of(store.create(request("y", {"10.99.128.0/17"}), {})),
              "Pool overlaps with other one on this address space");
    EXPECT_EQ(error_of(store.create(request("y", {"172.17.5.0/24"}), {})),
              "Pool overlaps with other one on this address space");
    EXPECT_EQ(error_of(store.create(request("y", {"10.1.0.0/16"}, {"10.2.0.1"}), {})),
              "no matching subnet for gateway 10.2.0.1");
    EXPECT_EQ(error_of(store.create(request("y", {}, {"10.2.0.1"}), {})),
              "every ip-range or gateway must have a corresponding subnet");
    EXPECT_EQ(error_of(store.create(request("y", {"foo"}), {})),
              "Invalid subnet foo : invalid CIDR address: foo");
    auto r = request("y");
    r.driver = "foo";
    EXPECT_EQ(error_of(store.create(r, {})), "plugin \"foo\" not found");
    r.driver = "host";
    EXPECT_EQ(error_of(store.create(r, {})), "only one instance of \"host\" network is allowed");
    r = request("y");
    r.ipv6 = true;
    EXPECT_EQ(error_of(store.create(r, {})),
              "could not find an available, non-overlapping IPv6 address pool among the "
              "defaults to assign to the network");
    auto missing = store.find("nosuch");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "network nosuch not found");
    EXPECT_EQ(missing.error().exit_code, 1);
    EXPECT_EQ((*store.list()).size(), 4u);  // nothing of the refused ones was written
}

TEST(NetworkStore, InspectShowsTheUsersConfigElseWhatWasAllocated) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto typed = *store.create(request("t", {"10.99.0.5/16"}), {});
    auto doc = network_inspect_json(typed, Json::object());
    EXPECT_EQ(to_go_json(doc["IPAM"]),
              R"({"Driver":"default","Options":{},"Config":[{"Subnet":"10.99.0.5/16"}]})");
    EXPECT_EQ(format_ip(typed.subnets[0].gateway), "10.99.0.1");
    auto r = request("six", {"fd00:1::/64"});
    r.ipv6 = true;
    auto six = *store.create(r, {});
    EXPECT_EQ(to_go_json(network_inspect_json(six, Json::object())["IPAM"]["Config"]),
              R"([{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"},{"Subnet":"fd00:1::/64"}])");
    auto bridge = *store.find("bridge");
    EXPECT_TRUE(network_inspect_json(bridge, Json::object())["IPAM"]["Options"].is_null());
}

LeaseRequest asking(const char* ipv4) {
    LeaseRequest r;
    r.ipv4 = *parse_ip(ipv4);
    return r;
}

TEST(NetworkStore, LeasesTakeTheLowestFreeAddressAndComeBack) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto n = *store.create(request("n", {"10.5.0.0/29"}), {});
    std::string c1(64, '1'), c2(64, '2'), c3(64, '3');
    auto l1 = *store.lease(n.id, c1, {});
    EXPECT_EQ(format_cidr(*l1.ipv4), "10.5.0.2/29");
    EXPECT_EQ(l1.mac, "02:42:0a:05:00:02");
    EXPECT_EQ(format_cidr(*store.lease(n.id, c1, {})->ipv4), "10.5.0.2/29");  // same again
    auto taken = store.lease(n.id, c2, asking("10.5.0.2"));
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().message, "Address already in use");
    auto outside = store.lease(n.id, c2, asking("10.6.0.2"));
    ASSERT_FALSE(outside);
    EXPECT_EQ(outside.error().message,
              "invalid address 10.6.0.2: It does not belong to any of this network's subnets");
    EXPECT_EQ(format_cidr(*store.lease(n.id, c2, asking("10.5.0.5"))->ipv4),
              "10.5.0.5/29");
    EXPECT_EQ(format_cidr(*store.lease(n.id, c3, {})->ipv4), "10.5.0.3/29");
    auto rm = store.remove(n);
    ASSERT_FALSE(rm);
    EXPECT_EQ(rm.error().message,
              "error while removing network: network n id " + n.id + " has active endpoints");
    EXPECT_TRUE(*store.release(n.id, c3));
    EXPECT_FALSE(*store.release(n.id, c3));
    std::set<std::string> alive = {c1};
    auto gone = *store.reclaim([&](const std::string& id, const Lease&) { return alive.contains(id); });
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].network, "n");
    EXPECT_EQ(gone[0].container_id, c2);
    EXPECT_EQ((*store.leases(n.id)).size(), 1u);
    EXPECT_TRUE(store.release(n.id, c1));
    EXPECT_TRUE(store.remove(n));
    EXPECT_FALSE(*store.lookup("n"));
}

TEST(NetworkStore, ExhaustedSubnetSaysSo) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto n = *store.create(request("tiny", {"10.7.0.0/30"}), {});
    ASSERT_TRUE(store.lease(n.id, std::string(64, 'a'), {}));
    auto full = store.lease(n.id, std::string(64, 'b'), {});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().message,
              "no available IPv4 addresses on this network's address pools: tiny (" + n.id + ")");
}

TEST(NetworkStore, DamagedFilesAreReportedNotSkipped) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto n = *store.create(request("d"), {});
    ASSERT_TRUE(store.lease(n.id, std::string(64, 'a'), {}));
    std::string path = store.dir() + "/" + n.id + ".json";
    ASSERT_TRUE(write_file_atomic(path, "{\"Name\":"));
    auto listed = store.list();
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().sys_errno, EUCLEAN);
    EXPECT_NE(listed.error().message.find(path), std::string::npos);
    auto found = *store.check(false);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_FALSE(found[0].removed);
    found = *store.check(true);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(found[0].removed);
    EXPECT_EQ((*store.list()).size(), 3u);
    EXPECT_FALSE(fs::lexists(store.dir() + "/leases/" + n.id + ".json"));
    EXPECT_TRUE((*store.check(false)).empty());
}

}  // namespace
}  // namespace ferry::net
