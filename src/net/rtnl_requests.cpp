// Each request as the kernel's rtnetlink handlers parse it (net/core/rtnetlink.c,
// net/ipv4/devinet.c, net/ipv6/addrconf.c, net/ipv4/fib_frontend.c, drivers/net/veth.c,
// net/bridge/br_netlink.c), and as iproute2 and vishvananda/netlink (docker's) build them:
// creations carry NLM_F_CREATE | NLM_F_EXCL so an existing object is EEXIST, never reused;
// everything asks for an acknowledgement so the kernel's errno comes back.

#include "ferry/net/rtnl_requests.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include "ferry/net/netlink.hpp"

namespace ferry::net {

namespace {

constexpr uint16_t k_create = NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;

// The ifinfomsg of a link request: family, and the link by index (0: by name or none).
ifinfomsg link_header(int family = AF_UNSPEC, int index = 0) {
    ifinfomsg ifi{};
    ifi.ifi_family = static_cast<unsigned char>(family);
    ifi.ifi_index = index;
    return ifi;
}

// A link creation's ifinfomsg, asking for the link up when up.
ifinfomsg link_header_up(bool up) {
    ifinfomsg ifi = link_header();
    if (up) {
        ifi.ifi_flags = IFF_UP;
        ifi.ifi_change = IFF_UP;
    }
    return ifi;
}

}  // namespace

std::vector<uint8_t> new_bridge_request(uint32_t seq, std::string_view name,
                                        std::optional<uint32_t> mtu) {
    NlRequest req(RTM_NEWLINK, k_create);
    req.put(link_header());
    req.attr_str(IFLA_IFNAME, name);
    if (mtu) req.attr_u32(IFLA_MTU, *mtu);
    size_t info = req.begin_nest(IFLA_LINKINFO);
    req.attr_str(IFLA_INFO_KIND, "bridge");
    req.end_nest(info);
    return req.bytes(seq);
}

std::vector<uint8_t> new_veth_request(uint32_t seq, const VethSpec& spec) {
    NlRequest req(RTM_NEWLINK, k_create);
    req.put(link_header_up(spec.up));
    req.attr_str(IFLA_IFNAME, spec.name);
    if (spec.mtu) req.attr_u32(IFLA_MTU, *spec.mtu);
    if (spec.master > 0) req.attr_u32(IFLA_MASTER, static_cast<uint32_t>(spec.master));
    size_t info = req.begin_nest(IFLA_LINKINFO);
    req.attr_str(IFLA_INFO_KIND, "veth");
    size_t data = req.begin_nest(IFLA_INFO_DATA);
    size_t peer = req.begin_nest(VETH_INFO_PEER);
    req.put(link_header());
    req.attr_str(IFLA_IFNAME, spec.peer_name);
    if (spec.mtu) req.attr_u32(IFLA_MTU, *spec.mtu);
    if (spec.peer_mac) req.attr(IFLA_ADDRESS, spec.peer_mac->data(), spec.peer_mac->size());
    if (spec.peer_netns_fd >= 0)
        req.attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(spec.peer_netns_fd));
    req.end_nest(peer);
    req.end_nest(data);
    req.end_nest(info);
    return req.bytes(seq);
}

std::vector<uint8_t> get_link_request(uint32_t seq, std::string_view name) {
    NlRequest req(RTM_GETLINK, NLM_F_ACK);
    req.put(link_header());
    req.attr_str(IFLA_IFNAME, name);
    req.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return req.bytes(seq);
}

std::vector<uint8_t> set_link_request(uint32_t seq, int index, std::string_view name,
                                      const LinkChanges& changes) {
    NlRequest req(RTM_SETLINK, NLM_F_ACK);
    ifinfomsg ifi = link_header(AF_UNSPEC, index);
    if (changes.up) {
        ifi.ifi_flags = IFF_UP;
        ifi.ifi_change = IFF_UP;
    }
    req.put(ifi);
    if (changes.new_name)
        req.attr_str(IFLA_IFNAME, *changes.new_name);
    else if (index <= 0)
        req.attr_str(IFLA_IFNAME, name);
    if (changes.mac) req.attr(IFLA_ADDRESS, changes.mac->data(), changes.mac->size());
    if (changes.mtu) req.attr_u32(IFLA_MTU, *changes.mtu);
    if (changes.master) req.attr_u32(IFLA_MASTER, static_cast<uint32_t>(*changes.master));
    return req.bytes(seq);
}

std::vector<uint8_t> del_link_request(uint32_t seq, std::string_view name) {
    NlRequest req(RTM_DELLINK, NLM_F_ACK);
    req.put(link_header());
    req.attr_str(IFLA_IFNAME, name);
    return req.bytes(seq);
}

std::vector<uint8_t> hairpin_request(uint32_t seq, int index, bool on) {
    NlRequest req(RTM_SETLINK, NLM_F_ACK);
    req.put(link_header(AF_BRIDGE, index));
    size_t protinfo = req.begin_nest(IFLA_PROTINFO | NLA_F_NESTED);
    req.attr_u8(IFLA_BRPORT_MODE, on ? 1 : 0);
    req.end_nest(protinfo);
    return req.bytes(seq);
}

std::vector<uint8_t> new_address_request(uint32_t seq, int index, const Cidr& prefix) {
    NlRequest req(RTM_NEWADDR, k_create);
    const IpAddress& a = prefix.address;
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<unsigned char>(address_family(a.family));
    ifa.ifa_prefixlen = static_cast<unsigned char>(prefix.prefix);
    ifa.ifa_flags = a.family == Family::v6 ? IFA_F_NODAD : 0;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = static_cast<uint32_t>(index);
    req.put(ifa);
    req.attr(IFA_LOCAL, a.bytes.data(), a.size());
    req.attr(IFA_ADDRESS, a.bytes.data(), a.size());
    if (a.family == Family::v4 && prefix.prefix < 31) {
        IpAddress broadcast = a;
        for (int bit = prefix.prefix; bit < 32; ++bit)
            broadcast.bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
        req.attr(IFA_BROADCAST, broadcast.bytes.data(), 4);
    }
    return req.bytes(seq);
}

std::vector<uint8_t> new_default_route_request(uint32_t seq, const IpAddress& gateway, int oif) {
    NlRequest req(RTM_NEWROUTE, k_create);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(address_family(gateway.family));
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = RTPROT_BOOT;
    rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    rtm.rtm_type = RTN_UNICAST;
    req.put(rtm);
    req.attr(RTA_GATEWAY, gateway.bytes.data(), gateway.size());
    if (oif > 0) req.attr_u32(RTA_OIF, static_cast<uint32_t>(oif));
    return req.bytes(seq);
}

std::vector<uint8_t> dump_routes_request(uint32_t seq, int family) {
    NlRequest req(RTM_GETROUTE, NLM_F_DUMP);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(family);
    req.put(rtm);
    return req.bytes(seq);
}

}  // namespace ferry::net
