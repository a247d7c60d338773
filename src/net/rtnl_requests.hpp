#pragma once
// The rtnetlink requests Rtnl sends, as pure functions from what to do to the message's bytes
// (sequence number given), so each can be checked byte for byte without a kernel.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/net/inet.hpp"

namespace ferry::net {

// A veth pair: name stays in the namespace of the socket that creates it; peer_name is made
// directly in the namespace peer_netns_fd (IFLA_NET_NS_FD), so the peer never appears on the
// host. mtu, when given, applies to both ends. The rest lets one request do what would take
// three more: the host end attached to bridge index master (when > 0) and up; the peer with MAC
// peer_mac (since the peer is born in the container's namespace, it can be born as eth0). The
// peer cannot be raised in the same request (the kernel opens it before the pair is joined:
// ENOTCONN); set it up from its namespace.
struct VethSpec {
    std::string name;
    std::string peer_name;
    int peer_netns_fd = -1;
    std::optional<uint32_t> mtu{};
    int master = 0;
    bool up = false;
    std::optional<MacAddr> peer_mac{};
};

// Changes to one existing link, made by one RTM_SETLINK in the kernel's order: MAC, MTU, name,
// flags (up), master. Older kernels rename only a link that is down, so a rename comes in the same
// request as `up` or before it, never after.
struct LinkChanges {
    std::optional<std::string> new_name{};  // rename (needs the link's index)
    std::optional<MacAddr> mac{};
    std::optional<uint32_t> mtu{};
    std::optional<int> master{};  // the bridge's index; 0 detaches
    bool up = false;              // set IFF_UP
};

// RTM_NEWLINK creating bridge name (exclusive), with mtu when given.
std::vector<uint8_t> new_bridge_request(uint32_t seq, std::string_view name,
                                        std::optional<uint32_t> mtu);
// RTM_NEWLINK creating the veth pair spec (exclusive).
std::vector<uint8_t> new_veth_request(uint32_t seq, const VethSpec& spec);
// RTM_GETLINK for the link called name.
std::vector<uint8_t> get_link_request(uint32_t seq, std::string_view name);
// RTM_SETLINK making changes to the link with index (when > 0) or else called name. A rename
// needs index > 0.
std::vector<uint8_t> set_link_request(uint32_t seq, int index, std::string_view name,
                                      const LinkChanges& changes);
// RTM_DELLINK of the link called name (a veth takes its peer with it).
std::vector<uint8_t> del_link_request(uint32_t seq, std::string_view name);
// RTM_SETLINK (AF_BRIDGE) setting the hairpin mode of bridge port index: IFLA_PROTINFO (nested)
// holding IFLA_BRPORT_MODE.
std::vector<uint8_t> hairpin_request(uint32_t seq, int index, bool on);
// RTM_NEWADDR adding prefix to link index (exclusive): IFA_LOCAL and IFA_ADDRESS, IFA_BROADCAST
// for IPv4 prefixes shorter than /31, IFA_F_NODAD for IPv6 (usable at once).
std::vector<uint8_t> new_address_request(uint32_t seq, int index, const Cidr& prefix);
// RTM_NEWROUTE adding a default route of gateway's family via gateway in the main table
// (exclusive), out of link oif when > 0.
std::vector<uint8_t> new_default_route_request(uint32_t seq, const IpAddress& gateway, int oif);
// RTM_GETROUTE dump of family's routes (AF_INET or AF_INET6).
std::vector<uint8_t> dump_routes_request(uint32_t seq, int family);

}  // namespace ferry::net
