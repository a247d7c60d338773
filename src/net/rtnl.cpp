// Each operation is an encoder from rtnl_requests.cpp sent on the namespace's socket, with the
// error context built only on failure. Links are named in requests where the kernel looks them
// up by name (IFLA_IFNAME on RTM_SETLINK/RTM_DELLINK/RTM_GETLINK); where it wants an index
// (addresses, routes, a rename, a bridge port's protinfo, a master) one RTM_GETLINK finds it
// first. Route dumps are parsed here into Route values.

#include "ferry/net/rtnl.hpp"

#include <linux/if_link.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ferry::net {

namespace {

std::string cat(std::string_view a, std::string_view b, std::string_view c = {},
                std::string_view d = {}) {
    std::string s(a);
    s += b;
    s += c;
    s += d;
    return s;
}

// One route message of a dump as a Route; nullopt when it is not of the main table.
std::optional<Route> parse_route(const nlmsghdr& nh) {
    if (nh.nlmsg_type != RTM_NEWROUTE || nh.nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg)))
        return std::nullopt;
    auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(&nh));
    auto attrs = parse_attrs(RTM_RTA(rtm), RTM_PAYLOAD(&nh), RTA_MAX);
    Route r;
    r.table = rtm->rtm_table;
    if (auto* t = attrs.get(RTA_TABLE); t && RTA_PAYLOAD(t) >= sizeof(uint32_t))
        std::memcpy(&r.table, RTA_DATA(t), sizeof(uint32_t));
    if (r.table != RT_TABLE_MAIN) return std::nullopt;
    r.type = rtm->rtm_type;
    r.protocol = rtm->rtm_protocol;
    if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return std::nullopt;
    r.dst.address.family = rtm->rtm_family == AF_INET ? Family::v4 : Family::v6;
    r.dst.prefix = rtm->rtm_dst_len;
    size_t size = r.dst.address.size();
    if (auto* d = attrs.get(RTA_DST); d && RTA_PAYLOAD(d) >= size)
        std::memcpy(r.dst.address.bytes.data(), RTA_DATA(d), size);
    if (auto* g = attrs.get(RTA_GATEWAY); g && RTA_PAYLOAD(g) >= size) {
        IpAddress gw;
        gw.family = r.dst.address.family;
        std::memcpy(gw.bytes.data(), RTA_DATA(g), size);
        r.gateway = gw;
    }
    if (auto* o = attrs.get(RTA_OIF); o && RTA_PAYLOAD(o) >= sizeof(uint32_t))
        std::memcpy(&r.oif, RTA_DATA(o), sizeof(uint32_t));
    return r;
}

}  // namespace

Result<Rtnl> Rtnl::open() {
    return Rtnl(TRY(NlSocket::open("open rtnetlink socket")));
}

Result<Rtnl> Rtnl::open_in(int netns_fd) {
    return Rtnl(TRY(NlSocket::open_in(netns_fd, "open rtnetlink socket in network namespace")));
}

template <class Make>
Result<void> Rtnl::ack(std::string_view what, Make make) {
    uint32_t seq = m_sock.next_seq();
    return m_sock.transact(make(seq), seq, what);
}

Result<void> Rtnl::create_bridge(std::string_view name, std::optional<uint32_t> mtu) {
    return ack(cat("create bridge ", name),
               [&](uint32_t seq) { return new_bridge_request(seq, name, mtu); });
}

Result<std::optional<int>> Rtnl::link_index(std::string_view name) {
    uint32_t seq = m_sock.next_seq();
    int index = 0;
    auto r = m_sock.transact(
        get_link_request(seq, name), seq, cat("find link ", name), [&](const nlmsghdr& nh) {
            if (nh.nlmsg_type != RTM_NEWLINK || nh.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)))
                return;
            index = static_cast<const ifinfomsg*>(NLMSG_DATA(&nh))->ifi_index;
        });
    if (!r && r.error().sys_errno == ENODEV) return std::nullopt;
    if (!r) return std::unexpected(std::move(r).error());
    if (index <= 0) return fail_errno(cat("find link ", name), EPROTO);
    return index;
}

Result<int> Rtnl::require_index(std::string_view name, std::string_view what) {
    auto index = TRY_CTX(std::string(what), link_index(name));
    if (!index) return fail_errno(what, ENODEV);
    return *index;
}

Result<void> Rtnl::create_veth(const VethSpec& spec) {
    return ack(cat("create veth pair ", spec.name),
               [&](uint32_t seq) { return new_veth_request(seq, spec); });
}

Result<void> Rtnl::change_link(std::string_view name, const LinkChanges& changes) {
    std::string what = cat("configure link ", name);
    int index = changes.new_name ? TRY(require_index(name, what)) : 0;
    return ack(what, [&](uint32_t seq) { return set_link_request(seq, index, name, changes); });
}

Result<void> Rtnl::rename_link(std::string_view name, std::string_view new_name) {
    std::string what = cat("rename link ", name, " to ", new_name);
    int index = TRY(require_index(name, what));
    LinkChanges changes{.new_name = std::string(new_name)};
    return ack(what, [&](uint32_t seq) { return set_link_request(seq, index, name, changes); });
}

Result<void> Rtnl::set_mac(std::string_view name, const MacAddr& mac) {
    LinkChanges changes{.mac = mac};
    return ack(cat("set MAC address of ", name),
               [&](uint32_t seq) { return set_link_request(seq, 0, name, changes); });
}

Result<void> Rtnl::set_mtu(std::string_view name, uint32_t mtu) {
    LinkChanges changes{.mtu = mtu};
    return ack(cat("set MTU of ", name),
               [&](uint32_t seq) { return set_link_request(seq, 0, name, changes); });
}

Result<void> Rtnl::set_master(std::string_view name, std::string_view bridge) {
    std::string what = cat("attach ", name, " to bridge ", bridge);
    LinkChanges changes{.master = TRY(require_index(bridge, what))};
    return ack(what, [&](uint32_t seq) { return set_link_request(seq, 0, name, changes); });
}

Result<void> Rtnl::set_up(std::string_view name) {
    LinkChanges changes{.up = true};
    return ack(cat("set link ", name, " up"),
               [&](uint32_t seq) { return set_link_request(seq, 0, name, changes); });
}

Result<void> Rtnl::delete_link(std::string_view name) {
    return ack(cat("delete link ", name),
               [&](uint32_t seq) { return del_link_request(seq, name); });
}

Result<void> Rtnl::set_hairpin(std::string_view name, bool on) {
    std::string what = cat("set hairpin mode of ", name);
    int index = TRY(require_index(name, what));
    return ack(what, [&](uint32_t seq) { return hairpin_request(seq, index, on); });
}

Result<void> Rtnl::add_address(std::string_view name, const Cidr& prefix) {
    std::string what = cat("add address ", format_cidr(prefix), " to ", name);
    int index = TRY(require_index(name, what));
    return ack(what, [&](uint32_t seq) { return new_address_request(seq, index, prefix); });
}

Result<void> Rtnl::add_default_route(const IpAddress& gateway, std::string_view name) {
    std::string what = cat("add default route via ", format_ip(gateway));
    int oif = name.empty() ? 0 : TRY(require_index(name, what));
    return ack(what, [&](uint32_t seq) { return new_default_route_request(seq, gateway, oif); });
}

Result<std::vector<Route>> Rtnl::routes(Family family) {
    std::string what = family == Family::v6 ? "list IPv6 routes" : "list IPv4 routes";
    std::vector<Route> out;
    uint32_t seq = m_sock.next_seq();
    auto request = dump_routes_request(seq, address_family(family));
    TRY(m_sock.dump(request, seq, what, [&](const nlmsghdr& nh) {
        if (auto r = parse_route(nh); r && r->dst.address.family == family) out.push_back(*r);
    }));
    return out;
}

}  // namespace ferry::net
