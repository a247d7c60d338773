#pragma once
// Rtnl: rtnetlink operations for docker-style bridge networking, each one request and one
// acknowledgement on a socket bound to one network namespace. No `ip` program runs.
//
// How the container start path is to call it (rootful; the container's network namespace exists,
// held open as netns_fd, and the network's subnet, gateway, the container's address and the
// veth's host name come from the network record and the address lease):
//   In the host's namespace, with host = Rtnl::open():
//     1. once per network: host.link_index(bridge); when nullopt, host.create_bridge(bridge,
//        mtu), host.add_address(bridge, gateway/len) (and the IPv6 gateway), host.set_up(bridge);
//        write_sysctl("net/ipv4/ip_forward", "1") and, for published ports on 127.0.0.1,
//        write_sysctl("net/ipv4/conf/<bridge>/route_localnet", "1");
//     2. host.create_veth({"veth<id>", "eth0", netns_fd, mtu, bridge_index, true,
//        mac_from_ipv4(ip)}): one request makes the pair, attaches the host end to the bridge
//        and raises it, and makes the peer straight in the container's namespace as eth0 with
//        docker's MAC (it never shows on the host; no temporary name is needed since eth0 cannot
//        clash there). The step-by-step equivalent is create_veth with a temporary peer name,
//        then change_link("veth<id>", {.master = bridge_index, .up = true}) and, in step 4,
//        change_link(tmp, {.new_name = "eth0", .mac = ..., .up = true});
//     3. host.set_hairpin("veth<id>", true), so the container reaches its own published ports;
//   In the container's namespace, with ctr = Rtnl::open_in(netns_fd) (from the host, before or
//   after the container's process exists; nothing in the container runs):
//     4. ctr.set_up("eth0") (the kernel refuses to raise the peer in the creating request);
//     5. ctr.add_address("eth0", ip/len) (and the IPv6 one: usable at once, no DAD);
//        write_sysctl_in(netns_fd, "net/ipv6/conf/eth0/disable_ipv6", "1") when the network has
//        no IPv6;
//     6. ctr.add_default_route(gateway, "eth0") (and the IPv6 gateway's).
//   bench/net_link_bench times steps 2-6: about 1 ms in all, most of it the veth's creation.
//   On stop: the container's namespace going away (its last process and fd gone; a Rtnl opened
//   in it holds it too) makes the kernel delete the pair in the background, at no cost to the
//   stopping command; host.delete_link("veth<id>") does it at once but waits for the kernel's
//   RCU grace periods (tens of ms), so keep it for a veth whose namespace lives on (network
//   disconnect, a namespace held elsewhere). A bridge goes with its network: delete_link.
// Before leasing a subnet, routes(Family::v4) / routes(Family::v6) in the host's namespace list
// the destinations a new network must not overlap (docker's CheckRouteOverlaps).
//
// Errors are one line naming the operation and the link with the kernel's errno:
// `create bridge ferry0: File exists`, `delete link veth1: No such device`; Error::sys_errno holds
// the errno (EEXIST, ENODEV, ...) for callers that tolerate one.

#include <optional>
#include <string_view>
#include <vector>

#include "ferry/net/inet.hpp"
#include "ferry/net/netlink.hpp"
#include "ferry/net/rtnl_requests.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// One route of a dump: destination (length 0 for a default route), gateway when it has one,
// outgoing link index (0 when none), and the kernel's table, type and protocol.
struct Route {
    Cidr dst;
    std::optional<IpAddress> gateway;
    int oif = 0;
    uint32_t table = 0;
    uint8_t type = 0;
    uint8_t protocol = 0;
};

// An rtnetlink client bound to one network namespace; one thread at a time.
class Rtnl {
  public:
    // A client for the calling thread's network namespace. Fails with
    // `open rtnetlink socket: strerror`.
    static Result<Rtnl> open();
    // A client for the network namespace netns_fd (see NlSocket::open_in), which stays bound to
    // it; the calling thread is back in its own namespace when this returns. Fails with
    // `open rtnetlink socket in network namespace: ...`.
    static Result<Rtnl> open_in(int netns_fd);

    // Creates bridge name (with mtu when given), down. `create bridge NAME: File exists` when a
    // link of that name exists.
    Result<void> create_bridge(std::string_view name, std::optional<uint32_t> mtu = {});
    // The index of link name, nullopt when there is none. Fails with `find link NAME: ...`.
    Result<std::optional<int>> link_index(std::string_view name);
    // Creates the veth pair spec, its peer straight in spec.peer_netns_fd's namespace. Fails
    // with `create veth pair NAME: ...`.
    Result<void> create_veth(const VethSpec& spec);
    // Makes changes to link name in one request. Fails with `configure link NAME: ...`.
    Result<void> change_link(std::string_view name, const LinkChanges& changes);
    // Renames link name to new_name (rename it while down: older kernels refuse a link that is
    // up, `Device or resource busy`; 6.x allows it). Fails with
    // `rename link NAME to NEW: ...`.
    Result<void> rename_link(std::string_view name, std::string_view new_name);
    // Sets link name's MAC address. Fails with `set MAC address of NAME: ...`.
    Result<void> set_mac(std::string_view name, const MacAddr& mac);
    // Sets link name's MTU. Fails with `set MTU of NAME: ...`.
    Result<void> set_mtu(std::string_view name, uint32_t mtu);
    // Attaches link name to bridge. Fails with `attach NAME to bridge BRIDGE: ...` (ENODEV when
    // the bridge is missing).
    Result<void> set_master(std::string_view name, std::string_view bridge);
    // Sets link name up. Fails with `set link NAME up: ...`.
    Result<void> set_up(std::string_view name);
    // Deletes link name (a veth with its peer). Fails with `delete link NAME: ...`.
    Result<void> delete_link(std::string_view name);
    // Sets the hairpin mode of bridge port name (traffic may leave by the port it came in on).
    // Fails with `set hairpin mode of NAME: ...`.
    Result<void> set_hairpin(std::string_view name, bool on);

    // Adds prefix (the link's address and its subnet's length) to link name. Fails with
    // `add address ADDR/LEN to NAME: ...` (File exists when it is there already).
    Result<void> add_address(std::string_view name, const Cidr& prefix);
    // Adds the default route of gateway's family via gateway, out of link name when not empty.
    // Fails with `add default route via GATEWAY: ...`.
    Result<void> add_default_route(const IpAddress& gateway, std::string_view name = {});
    // The routes of family in the main table, as docker's overlap check sees them (the kernel's
    // local and other tables left out). A dump that races a route change may miss it, as
    // docker's does. Fails with `list IPv4 routes: ...` / `list IPv6 routes: ...`.
    Result<std::vector<Route>> routes(Family family);

  private:
    explicit Rtnl(NlSocket sock) : m_sock(std::move(sock)) {}
    // Sends one request built by make(seq) and waits for its acknowledgement.
    template <class Make>
    Result<void> ack(std::string_view what, Make make);
    // The index of link name, or ENODEV as `what: No such device`.
    Result<int> require_index(std::string_view name, std::string_view what);

    NlSocket m_sock;
};

}  // namespace ferry::net
