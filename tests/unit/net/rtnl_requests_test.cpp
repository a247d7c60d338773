// The rtnetlink requests' bytes: two checked byte for byte against a hand-assembled message (the
// layout the kernel parses), the rest by walking their attributes.

#include "ferry/net/rtnl_requests.hpp"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "ferry/net/netlink.hpp"

namespace ferry::net {
namespace {

// Hand assembly of expected messages, in host byte order as netlink is.
struct Bytes {
    std::vector<uint8_t> v;
    Bytes& u8(uint8_t x) { return raw(&x, 1); }
    Bytes& u16(uint16_t x) { return raw(&x, 2); }
    Bytes& u32(uint32_t x) { return raw(&x, 4); }
    Bytes& str(const char* s) { return raw(s, std::strlen(s) + 1); }
    Bytes& pad() {
        while (v.size() % 4)
            v.push_back(0);
        return *this;
    }
    Bytes& raw(const void* p, size_t n) {
        auto* b = static_cast<const uint8_t*>(p);
        v.insert(v.end(), b, b + n);
        return *this;
    }
};

constexpr uint16_t k_create = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;

Cidr prefix(const char* text) {
    auto p = parse_cidr(text);
    EXPECT_TRUE(p) << text;
    return p.value_or(Cidr{});
}

TEST(RtnlRequests, BridgeBytes) {
    Bytes want;
    want.u32(68).u16(RTM_NEWLINK).u16(k_create).u32(5).u32(0);  // nlmsghdr
    want.u8(AF_UNSPEC).u8(0).u16(0).u32(0).u32(0).u32(0);       // ifinfomsg
    want.u16(11).u16(IFLA_IFNAME).str("ferry0").pad();
    want.u16(8).u16(IFLA_MTU).u32(1500);
    want.u16(16).u16(IFLA_LINKINFO);
    want.u16(11).u16(IFLA_INFO_KIND).str("bridge").pad();
    EXPECT_EQ(new_bridge_request(5, "ferry0", 1500), want.v);
}

TEST(RtnlRequests, Ipv4AddressBytes) {
    Bytes want;
    want.u32(48).u16(RTM_NEWADDR).u16(k_create).u32(9).u32(0);   // nlmsghdr
    want.u8(AF_INET).u8(16).u8(0).u8(RT_SCOPE_UNIVERSE).u32(3);  // ifaddrmsg
    want.u16(8).u16(IFA_LOCAL).u8(172).u8(17).u8(0).u8(1);
    want.u16(8).u16(IFA_ADDRESS).u8(172).u8(17).u8(0).u8(1);
    want.u16(8).u16(IFA_BROADCAST).u8(172).u8(17).u8(255).u8(255);
    EXPECT_EQ(new_address_request(9, 3, prefix("172.17.0.1/16")), want.v);
}

// The message's header, its family header as T, and its attributes.
template <class T>
struct Parsed {
    nlmsghdr nh;
    T hdr;
    NlAttrs attrs;
};

template <class T>
Parsed<T> parse(const std::vector<uint8_t>& bytes, uint16_t max) {
    Parsed<T> p;
    EXPECT_GE(bytes.size(), NLMSG_SPACE(sizeof(T)));
    std::memcpy(&p.nh, bytes.data(), sizeof p.nh);
    EXPECT_EQ(p.nh.nlmsg_len, bytes.size());
    std::memcpy(&p.hdr, bytes.data() + NLMSG_HDRLEN, sizeof(T));
    p.attrs = parse_attrs(bytes.data() + NLMSG_SPACE(sizeof(T)),
                          bytes.size() - NLMSG_SPACE(sizeof(T)), max);
    return p;
}

std::string str(const rtattr* a) {
    return a ? std::string(static_cast<const char*>(RTA_DATA(a))) : "<none>";
}

uint32_t u32(const rtattr* a) {
    uint32_t v = 0;
    if (a) std::memcpy(&v, RTA_DATA(a), sizeof v);
    return v;
}

TEST(RtnlRequests, VethPeerIsNamedAndPlacedInTheNamespace) {
    auto bytes = new_veth_request(1, {"veth1a", "tmp1a", 42, 1400});
    auto p = parse<ifinfomsg>(bytes, IFLA_MAX);
    EXPECT_EQ(p.nh.nlmsg_flags, k_create);
    EXPECT_EQ(str(p.attrs.get(IFLA_IFNAME)), "veth1a");
    EXPECT_EQ(u32(p.attrs.get(IFLA_MTU)), 1400u);
    auto* info = p.attrs.get(IFLA_LINKINFO);
    ASSERT_NE(info, nullptr);
    auto linkinfo = parse_attrs(RTA_DATA(info), RTA_PAYLOAD(info), IFLA_INFO_MAX);
    EXPECT_EQ(str(linkinfo.get(IFLA_INFO_KIND)), "veth");
    auto* data = linkinfo.get(IFLA_INFO_DATA);
    ASSERT_NE(data, nullptr);
    auto veth = parse_attrs(RTA_DATA(data), RTA_PAYLOAD(data), VETH_INFO_MAX);
    auto* peer = veth.get(VETH_INFO_PEER);
    ASSERT_NE(peer, nullptr);
    ASSERT_GE(RTA_PAYLOAD(peer), sizeof(ifinfomsg));
    auto peer_attrs = parse_attrs(static_cast<const uint8_t*>(RTA_DATA(peer)) + sizeof(ifinfomsg),
                                  RTA_PAYLOAD(peer) - sizeof(ifinfomsg), IFLA_MAX);
    EXPECT_EQ(str(peer_attrs.get(IFLA_IFNAME)), "tmp1a");
    EXPECT_EQ(u32(peer_attrs.get(IFLA_NET_NS_FD)), 42u);
    EXPECT_EQ(u32(peer_attrs.get(IFLA_MTU)), 1400u);
    EXPECT_EQ(p.hdr.ifi_flags, 0u);
    EXPECT_EQ(p.attrs.get(IFLA_MASTER), nullptr);
    EXPECT_EQ(peer_attrs.get(IFLA_ADDRESS), nullptr);
}

TEST(RtnlRequests, VethInOneRequestAttachesRaisesAndSetsThePeersMac) {
    MacAddr mac{2, 0x42, 172, 17, 0, 2};
    auto bytes = new_veth_request(1, {"veth1a", "eth0", 42, {}, 3, true, mac});
    auto p = parse<ifinfomsg>(bytes, IFLA_MAX);
    EXPECT_EQ(p.hdr.ifi_flags, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(p.hdr.ifi_change, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(u32(p.attrs.get(IFLA_MASTER)), 3u);
    auto* info = p.attrs.get(IFLA_LINKINFO);
    ASSERT_NE(info, nullptr);
    auto* data = parse_attrs(RTA_DATA(info), RTA_PAYLOAD(info), IFLA_INFO_MAX).get(IFLA_INFO_DATA);
    ASSERT_NE(data, nullptr);
    auto* peer = parse_attrs(RTA_DATA(data), RTA_PAYLOAD(data), VETH_INFO_MAX).get(VETH_INFO_PEER);
    ASSERT_NE(peer, nullptr);
    ifinfomsg peer_hdr;
    std::memcpy(&peer_hdr, RTA_DATA(peer), sizeof peer_hdr);
    EXPECT_EQ(peer_hdr.ifi_flags, 0u);  // raised from its namespace: the kernel refuses it here
    auto peer_attrs = parse_attrs(static_cast<const uint8_t*>(RTA_DATA(peer)) + sizeof(ifinfomsg),
                                  RTA_PAYLOAD(peer) - sizeof(ifinfomsg), IFLA_MAX);
    auto* a = peer_attrs.get(IFLA_ADDRESS);
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(RTA_PAYLOAD(a), 6u);
    EXPECT_EQ(std::memcmp(RTA_DATA(a), mac.data(), 6), 0);
    EXPECT_EQ(u32(peer_attrs.get(IFLA_NET_NS_FD)), 42u);
}

TEST(RtnlRequests, SetLinkByNameOrByIndexForARename) {
    LinkChanges up{.up = true};
    auto by_name = parse<ifinfomsg>(set_link_request(2, 0, "veth1a", up), IFLA_MAX);
    EXPECT_EQ(by_name.nh.nlmsg_type, RTM_SETLINK);
    EXPECT_EQ(by_name.hdr.ifi_index, 0);
    EXPECT_EQ(by_name.hdr.ifi_flags, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(by_name.hdr.ifi_change, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(str(by_name.attrs.get(IFLA_IFNAME)), "veth1a");

    LinkChanges all{
        .new_name = "eth0", .mac = MacAddr{2, 0x42, 10, 0, 0, 2}, .mtu = 9000, .master = 7};
    auto renamed = parse<ifinfomsg>(set_link_request(3, 12, "tmp1a", all), IFLA_MAX);
    EXPECT_EQ(renamed.hdr.ifi_index, 12);
    EXPECT_EQ(renamed.hdr.ifi_change, 0u);
    EXPECT_EQ(str(renamed.attrs.get(IFLA_IFNAME)), "eth0");
    auto* mac = renamed.attrs.get(IFLA_ADDRESS);
    ASSERT_NE(mac, nullptr);
    ASSERT_EQ(RTA_PAYLOAD(mac), 6u);
    EXPECT_EQ(std::memcmp(RTA_DATA(mac), all.mac->data(), 6), 0);
    EXPECT_EQ(u32(renamed.attrs.get(IFLA_MTU)), 9000u);
    EXPECT_EQ(u32(renamed.attrs.get(IFLA_MASTER)), 7u);
}

TEST(RtnlRequests, HairpinIsANestedBridgePortMode) {
    auto bytes = hairpin_request(4, 9, true);
    auto p = parse<ifinfomsg>(bytes, IFLA_MAX);
    EXPECT_EQ(p.nh.nlmsg_type, RTM_SETLINK);
    EXPECT_EQ(p.hdr.ifi_family, AF_BRIDGE);
    EXPECT_EQ(p.hdr.ifi_index, 9);
    auto* protinfo = p.attrs.get(IFLA_PROTINFO);
    ASSERT_NE(protinfo, nullptr);
    // The bridge reads a protinfo without NLA_F_NESTED as an old-style port state byte.
    EXPECT_TRUE(protinfo->rta_type & NLA_F_NESTED);
    auto port = parse_attrs(RTA_DATA(protinfo), RTA_PAYLOAD(protinfo), IFLA_BRPORT_MAX);
    auto* mode = port.get(IFLA_BRPORT_MODE);
    ASSERT_NE(mode, nullptr);
    EXPECT_EQ(RTA_PAYLOAD(mode), 1u);
    EXPECT_EQ(*static_cast<const uint8_t*>(RTA_DATA(mode)), 1);
}

TEST(RtnlRequests, Ipv6AddressSkipsDadAndHasNoBroadcast) {
    auto p = parse<ifaddrmsg>(new_address_request(5, 4, prefix("fd89::2/64")), IFA_MAX);
    EXPECT_EQ(p.hdr.ifa_family, AF_INET6);
    EXPECT_EQ(p.hdr.ifa_prefixlen, 64);
    EXPECT_EQ(p.hdr.ifa_flags, IFA_F_NODAD);
    EXPECT_EQ(p.hdr.ifa_index, 4u);
    ASSERT_NE(p.attrs.get(IFA_LOCAL), nullptr);
    EXPECT_EQ(RTA_PAYLOAD(p.attrs.get(IFA_ADDRESS)), 16u);
    EXPECT_EQ(p.attrs.get(IFA_BROADCAST), nullptr);
    auto p31 = parse<ifaddrmsg>(new_address_request(6, 4, prefix("10.0.0.0/31")), IFA_MAX);
    EXPECT_EQ(p31.attrs.get(IFA_BROADCAST), nullptr);
}

TEST(RtnlRequests, DefaultRouteViaGateway) {
    auto gw = parse_ip("fd89::1");
    ASSERT_TRUE(gw);
    auto p = parse<rtmsg>(new_default_route_request(8, *gw, 5), RTA_MAX);
    EXPECT_EQ(p.nh.nlmsg_type, RTM_NEWROUTE);
    EXPECT_EQ(p.nh.nlmsg_flags, k_create);
    EXPECT_EQ(p.hdr.rtm_family, AF_INET6);
    EXPECT_EQ(p.hdr.rtm_dst_len, 0);
    EXPECT_EQ(p.hdr.rtm_table, RT_TABLE_MAIN);
    EXPECT_EQ(p.hdr.rtm_type, RTN_UNICAST);
    auto* g = p.attrs.get(RTA_GATEWAY);
    ASSERT_NE(g, nullptr);
    ASSERT_EQ(RTA_PAYLOAD(g), 16u);
    EXPECT_EQ(std::memcmp(RTA_DATA(g), gw->bytes.data(), 16), 0);
    EXPECT_EQ(u32(p.attrs.get(RTA_OIF)), 5u);
    auto no_oif = parse<rtmsg>(new_default_route_request(9, *gw, 0), RTA_MAX);
    EXPECT_EQ(no_oif.attrs.get(RTA_OIF), nullptr);
}

TEST(RtnlRequests, RouteDumpAndLinkLookup) {
    auto d = parse<rtmsg>(dump_routes_request(1, AF_INET), RTA_MAX);
    EXPECT_EQ(d.nh.nlmsg_type, RTM_GETROUTE);
    EXPECT_EQ(d.nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    EXPECT_EQ(d.hdr.rtm_family, AF_INET);
    auto g = parse<ifinfomsg>(get_link_request(2, "ferry0"), IFLA_MAX);
    EXPECT_EQ(g.nh.nlmsg_type, RTM_GETLINK);
    EXPECT_EQ(str(g.attrs.get(IFLA_IFNAME)), "ferry0");
    auto del = parse<ifinfomsg>(del_link_request(3, "veth1a"), IFLA_MAX);
    EXPECT_EQ(del.nh.nlmsg_type, RTM_DELLINK);
    EXPECT_EQ(str(del.attrs.get(IFLA_IFNAME)), "veth1a");
}

}  // namespace
}  // namespace ferry::net
