// The monitor's own lease release (helpers/monitor_leases.c) on files the network store wrote:
// the two sides of one protocol, kept in step here.

#include <gtest/gtest.h>

#include "ferry/net/network_store.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

extern "C" int release_lease(const char* root, const char* network_id, const char* container_id);

namespace ferry::net {
namespace {

NetworkRequest request(const std::string& name, const std::string& subnet) {
    NetworkRequest r;
    r.name = name;
    r.subnets = {subnet};
    return r;
}

TEST(MonitorLeases, ReleasesOneLeaseAsTheStoreWouldRead) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto n = *store.create(request("n", "10.9.0.0/24"), {});
    std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
    LeaseRequest named;
    named.names = {"web", "bbbbbbbbbbbb", "db"};
    named.dns = {"1.1.1.1"};
    named.ifname = "eth1";
    named.holder_pid = 1;
    named.holder_start = 42;
    ASSERT_TRUE(store.lease(n.id, a, {}));
    ASSERT_TRUE(store.lease(n.id, b, named));
    ASSERT_TRUE(store.lease(n.id, c, {}));
    // The middle one, the first, an absent one, the last: the file stays readable throughout.
    EXPECT_EQ(release_lease(root.path().c_str(), n.id.c_str(), b.c_str()), 0);
    auto left = *store.leases(n.id);
    EXPECT_EQ(left.size(), 2u);
    EXPECT_TRUE(left.contains(a) && left.contains(c));
    EXPECT_EQ(release_lease(root.path().c_str(), n.id.c_str(), a.c_str()), 0);
    EXPECT_EQ(release_lease(root.path().c_str(), n.id.c_str(), a.c_str()), 0);
    left = *store.leases(n.id);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(format_cidr(*left.at(c).ipv4), "10.9.0.4/24");
    EXPECT_EQ(release_lease(root.path().c_str(), n.id.c_str(), c.c_str()), 0);
    EXPECT_TRUE(store.leases(n.id)->empty());
    EXPECT_FALSE(fs::lexists(root.path() + "/networks/leases/" + n.id + ".json"));
    EXPECT_TRUE(store.remove(n));
}

TEST(NetworkStore, LeasesKeepTheirHolderNamesAndInterface) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto n = *store.create(request("n", "10.9.0.0/24"), {});
    LeaseRequest want;
    want.names = {"web", "db"};
    want.dns = {"1.1.1.1"};
    want.ifname = "eth0";
    want.holder_pid = 7;
    want.holder_start = 9;
    std::string id(64, 'a');
    ASSERT_TRUE(store.lease(n.id, id, want));
    auto l = store.leases(n.id)->at(id);
    EXPECT_EQ(l.names, want.names);
    EXPECT_EQ(l.dns, want.dns);
    EXPECT_EQ(l.ifname, "eth0");
    EXPECT_EQ(l.holder_pid, 7);
    EXPECT_EQ(l.holder_start, 9);
    // The same container again (a restart): the same address, the new holder.
    want.holder_pid = 8;
    EXPECT_EQ(format_cidr(*store.lease(n.id, id, want)->ipv4), "10.9.0.2/24");
    EXPECT_EQ(store.leases(n.id)->at(id).holder_pid, 8);
}

TEST(NetworkStore, TheDefaultBridgeMovesOffAHostRoute) {
    test::TempDir root;
    auto store = *NetworkStore::open(root.path());
    auto settled = *store.settle_default_bridge({*parse_cidr("172.17.0.0/16")});
    EXPECT_EQ(format_cidr(settled.subnets[0].subnet), "172.18.0.0/16");
    EXPECT_EQ(format_ip(settled.subnets[0].gateway), "172.18.0.1");
    EXPECT_EQ(format_cidr(store.find("bridge")->subnets[0].subnet), "172.18.0.0/16");
    // Nothing moves while an address is held, or when nothing overlaps.
    ASSERT_TRUE(store.lease(settled.id, std::string(64, 'a'), {}));
    EXPECT_EQ(format_cidr(store.settle_default_bridge({*parse_cidr("172.18.0.0/16")})->subnets[0].subnet),
              "172.18.0.0/16");
}

}  // namespace
}  // namespace ferry::net
