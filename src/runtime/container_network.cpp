// A container's bridge networks at start and stop; see container_network.hpp for the order of
// things. Errors keep docker 20.10's daemon words where a user sees them: `network X not found`,
// `driver failed programming external connectivity on endpoint NAME (ID): Bind for
// 0.0.0.0:8080 failed: port is already allocated`, and, for a port a host process holds (docker
// with its userland proxy finds it by binding; ferry binds to look), `... Error starting
// userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use`.

#include "ferry/runtime/container_network.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "ferry/net/firewall.hpp"
#include "ferry/net/ipam.hpp"
#include "ferry/net/rtnl.hpp"
#include "ferry/net/sysctl.hpp"
#include "ferry/runtime/container_dns.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/runtime/rootless_netns.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr uint32_t k_default_mtu = 1500;

std::string option(const net::Network& n, const std::string& key) {
    auto it = n.options.find(key);
    return it == n.options.end() ? std::string() : it->second;
}

net::FirewallNetwork firewall_of(const Attachment& a) {
    net::FirewallNetwork f;
    f.bridge = a.bridge;
    f.internal = a.network.internal;
    for (const auto& s : a.network.subnets) {
        std::string text = net::format_cidr(net::network_of(s.subnet));
        if (s.subnet.address.family == net::Family::v4 && f.subnet4.empty()) f.subnet4 = text;
        if (s.subnet.address.family == net::Family::v6 && f.subnet6.empty()) f.subnet6 = text;
    }
    return f;
}

Result<net::MacAddr> parse_mac(std::string_view text) {
    net::MacAddr mac{};
    auto parts = split(text, text.find('-') != std::string_view::npos ? '-' : ':');
    if (parts.size() != 6) return fail("invalid MAC address `" + std::string(text) + "`");
    for (size_t i = 0; i < 6; ++i) {
        if (parts[i].size() != 2) return fail("invalid MAC address `" + std::string(text) + "`");
        mac[i] = static_cast<uint8_t>(std::stoi(std::string(parts[i]), nullptr, 16));
    }
    return mac;
}

// The default bridge takes docker's 172.17.0.0/16 unless a host route (a dockerd's docker0)
// has it: then, while its bridge does not exist and nobody holds an address on it, it moves to
// the first default pool that overlaps nothing, as docker picks docker0's subnet.
Result<net::Network> settle_default_bridge(net::NetworkStore& store, const net::Network& n) {
    if (::if_nametoindex(bridge_name(n).c_str()) != 0) return n;
    auto text = fs::read_file("/proc/net/route", 1 << 20);
    std::vector<net::Cidr> routes = text ? net::parse_proc_net_route(*text) : std::vector<net::Cidr>{};
    return store.settle_default_bridge(routes);
}

// A bind test of (ip, port, proto) on the host: 0 when free, else the errno. Port 0 binds an
// ephemeral port, returned in port.
int try_bind(const net::IpAddress& ip, uint16_t& port, net::Proto proto) {
    int family = net::address_family(ip.family);
    Fd s(::socket(family, (proto == net::Proto::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
    if (!s) return errno;
    int one = 1;
    if (proto == net::Proto::tcp) ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len;
    if (ip.family == net::Family::v4) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        std::memcpy(&a->sin_addr, ip.bytes.data(), 4);
        len = sizeof *a;
    } else {
        ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        std::memcpy(&a->sin6_addr, ip.bytes.data(), 16);
        len = sizeof *a;
    }
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return errno;
    if (port == 0) {
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&ss), &len);
        port = ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                             : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
    return 0;
}

// Whether a published port holds (host ip, proto, port) already: the same key, or any address
// against a given one.
bool taken(const std::vector<net::PublishedPort>& published, const std::string& host_ip,
           uint16_t port, net::Proto proto) {
    return std::any_of(published.begin(), published.end(), [&](const net::PublishedPort& p) {
        return p.host_port == port && p.proto == proto &&
               (p.host_ip.empty() || host_ip.empty() || p.host_ip == host_ip);
    });
}

std::string endpoint_words(const ContainerRecord& r, const Attachment& a) {
    return "driver failed programming external connectivity on endpoint " + r.name + " (" +
           a.endpoint_id + "): ";
}

// The container's exposed ports: the image's and --expose/-p's, as port keys.
std::set<std::string> exposed_ports(const ContainerRecord& r) {
    std::set<std::string> out = r.net.exposed_ports;
    if (r.config.is_object() && r.config.contains("ExposedPorts") &&
        r.config["ExposedPorts"].is_object())
        for (auto it = r.config["ExposedPorts"].begin(); it != r.config["ExposedPorts"].end(); ++it)
            out.insert(it.key());
    for (const auto& [key, bindings] : r.net.port_bindings) out.insert(key);
    return out;
}

// Whether this host has IPv6 (its sysctl, and a socket of the family).
bool ipv6_on_host() {
    static const bool on = [] {
        auto disabled = fs::read_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", 16);
        if (!disabled || trim(*disabled) != "0") return false;
        Fd s(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
        return static_cast<bool>(s);
    }();
    return on;
}

// Chooses the host side of every published port, on the first network's addresses.
Result<void> plan_ports(const ContainerRecord& r, NetworkPlan& plan) {
    const Attachment& a = plan.attachments.front();
    auto bindings = TRY(requested_bindings(r, plan.live_ports));
    if (bindings.empty()) return {};
    // Rootless, the proxies' binds are the only record (nothing of the host's nftables).
    bool rootless = plan.rootless_holder != 0;
    std::vector<net::PublishedPort> published;
    if (!rootless) published = TRY(net::list_published());
    for (const auto& b : bindings) {
        const auto& container_ip = b.bind_ip.family == net::Family::v4 ? a.lease.ipv4 : a.lease.ipv6;
        if (!container_ip) continue;  // an IPv6 host address for a container without one
        uint16_t port = TRY(choose_host_port(plan.error_prefix, b.bind_ip, b.shown_ip, b.host_ip,
                                             b.host_port, b.proto, published));
        net::PublishedPort p{b.host_ip, port, net::format_ip(container_ip->address),
                             b.container_port, b.proto};
        published.push_back(p);
        (rootless ? plan.proxied : plan.ports).push_back(p);
        plan.live_ports[b.key].push_back({b.shown_ip, std::to_string(port)});
        // On every address: the IPv6 ones too, through the proxy (docker's `:::PORT`).
        if (b.host_ip.empty() && b.bind_ip.family == net::Family::v4 && ipv6_on_host()) {
            plan.proxied.push_back({"::", port, p.container_ip, b.container_port, b.proto});
            plan.live_ports[b.key].push_back({"::", std::to_string(port)});
        }
    }
    return {};
}

// The networks a start joins: the network mode's, then the connected ones.
std::vector<EndpointConfig> wanted_networks(const ContainerRecord& r) {
    std::vector<EndpointConfig> out = {
        {mode_network(r.network), "", r.net.ip, r.net.ip6, r.net.aliases}};
    out.insert(out.end(), r.endpoints.begin(), r.endpoints.end());
    return out;
}

Result<std::optional<net::IpAddress>> optional_ip(const std::string& text) {
    if (text.empty()) return std::optional<net::IpAddress>();
    return std::optional<net::IpAddress>(TRY(net::parse_ip(text)));
}

}  // namespace

std::string endpoint_id(const net::Network& n, const std::string& container_id) {
    return sha256_hex(n.id + container_id);
}

namespace {

// remove_bridge in the calling process's network namespace.
Result<void> remove_bridge_here(const net::Network& n) {
    Attachment a;
    a.network = n;
    a.bridge = bridge_name(n);
    // Ports still published to its addresses (containers killed with their monitors).
    std::vector<net::PublishedPort> stale;
    for (const auto& p : TRY(net::list_published())) {
        auto ip = net::parse_ip(p.container_ip);
        for (const auto& s : n.subnets)
            if (ip && net::contains(s.subnet, *ip)) stale.push_back(p);
    }
    if (!stale.empty()) TRY(net::unpublish(stale));
    TRY(net::remove_network(firewall_of(a)));
    auto host = TRY(net::Rtnl::open());
    auto gone = host.delete_link(a.bridge);
    if (!gone && gone.error().sys_errno != ENODEV) return std::unexpected(gone.error());
    return {};
}

}  // namespace

Result<void> remove_bridge(const net::Network& n, const std::string& run_root) {
    if (n.driver != "bridge") return {};
    if (::geteuid() == 0) return remove_bridge_here(n);
    pid_t holder = rootless_netns_holder(run_root);  // rootless: in the networks' namespace
    if (holder == 0) return {};
    return in_rootless_netns(holder, [&] { return remove_bridge_here(n); });
}

bool uses_bridge(const ContainerRecord& r) {
    return !r.network.empty() && r.network != "host" && r.network != "none" &&
           !r.network.starts_with("container:");
}

std::string bridge_name(const net::Network& n) {
    std::string name = option(n, "com.docker.network.bridge.name");
    return name.empty() ? "br-" + n.id.substr(0, 12) : name;
}

Result<uint16_t> choose_host_port(const std::string& error_prefix, const net::IpAddress& bind_ip,
                                  const std::string& shown_ip, const std::string& host_ip,
                                  const std::string& spec, net::Proto proto,
                                  const std::vector<net::PublishedPort>& published) {
    std::string proto_name = proto == net::Proto::tcp ? "tcp" : "udp";
    std::string v = bind_ip.family == net::Family::v4 ? "4" : "6";
    if (spec.empty()) {
        for (int attempt = 0; attempt < 64; ++attempt) {
            uint16_t port = 0;
            if (int err = try_bind(bind_ip, port, proto))
                return fail(error_prefix + "Error starting userland proxy: listen " +
                            proto_name + v + " " + net::join_host_port(shown_ip, "0") +
                            ": bind: " + go_strerror(err));
            if (!taken(published, host_ip, port, proto)) return port;
        }
        return fail(error_prefix + "no free host port for " + proto_name);
    }
    auto dash = spec.find('-');
    auto first = parse_i64(spec.substr(0, dash));
    auto last = dash == std::string::npos ? first : parse_i64(spec.substr(dash + 1));
    if (!first || !last || *first < 1 || *last > 65535 || *first > *last)
        return fail("invalid hostPort: " + spec);
    std::string failure;
    for (int64_t p = *first; p <= *last; ++p) {
        auto port = static_cast<uint16_t>(p);
        std::string where = net::join_host_port(shown_ip, std::to_string(port));
        if (taken(published, host_ip, port, proto)) {
            if (failure.empty())
                failure = "Bind for " + where + " failed: port is already allocated";
            continue;
        }
        if (int err = try_bind(bind_ip, port, proto)) {
            if (failure.empty())
                failure = "Error starting userland proxy: listen " + proto_name + v + " " + where +
                          ": bind: " + go_strerror(err);
            continue;
        }
        return port;
    }
    return fail(error_prefix + failure);
}

Result<std::vector<Binding>> requested_bindings(const ContainerRecord& r, net::PortMap& live_ports) {
    auto exposed = exposed_ports(r);
    net::PortMap bindings = r.net.port_bindings;
    if (r.net.publish_all)
        for (const auto& key : exposed)
            if (!bindings.contains(key)) bindings[key] = {net::PortBinding{}};
    for (const auto& key : exposed) live_ports[key];
    std::vector<Binding> out;
    for (const auto& [key, list] : bindings) {
        auto split_key = net::split_port_key(key);
        if (!split_key) return fail("invalid port `" + key + "`");
        auto [container_port, proto_name] = *split_key;
        if (proto_name == "sctp") return fail("--publish " + key + ": sctp is not supported");
        for (const auto& b : list) {
            Binding o;
            o.key = key;
            o.container_port = container_port;
            o.proto = proto_name == "udp" ? net::Proto::udp : net::Proto::tcp;
            o.host_port = b.host_port;
            o.bind_ip = *net::parse_ip("0.0.0.0");
            if (!b.host_ip.empty()) o.bind_ip = TRY(net::parse_ip(b.host_ip));
            bool any = b.host_ip.empty() || b.host_ip == "0.0.0.0" || b.host_ip == "::";
            o.shown_ip = b.host_ip.empty() ? "0.0.0.0" : b.host_ip;
            o.host_ip = any ? "" : net::format_ip(o.bind_ip);
            out.push_back(std::move(o));
        }
    }
    return out;
}

bool lease_held(const net::Lease& lease) {
    return lease.holder_pid > 0 && process_start_time(lease.holder_pid) == lease.holder_start;
}

Result<void> unpublish_ports_of(const std::vector<net::Lease>& leases) {
    std::vector<std::string> ips;
    for (const auto& l : leases)
        for (const auto& a : {l.ipv4, l.ipv6})
            if (a) ips.push_back(net::format_ip(a->address));
    if (ips.empty() || ::geteuid() != 0) return {};
    // An element whose container address only these leases held.
    std::vector<net::PublishedPort> orphans;
    for (const auto& p : TRY(net::list_published()))
        if (std::find(ips.begin(), ips.end(), p.container_ip) != ips.end()) orphans.push_back(p);
    if (!orphans.empty()) TRY(net::unpublish(orphans));
    return {};
}

Result<size_t> reclaim_dead_leases(net::NetworkStore& store) {
    std::vector<net::Lease> dead;
    auto gone = TRY(store.reclaim([&](const std::string&, const net::Lease& l) {
        if (lease_held(l)) return true;
        dead.push_back(l);
        return false;
    }));
    TRY(unpublish_ports_of(dead));
    return gone.size();
}

Result<Attachment> lease_attachment(net::NetworkStore& ns, const ContainerRecord& r,
                                    const EndpointConfig& w, size_t index, int holder_pid) {
    auto found = ns.find(w.network_id.empty() ? w.network : w.network_id);
    if (!found) return std::unexpected(std::move(found.error()));
    net::Network n = std::move(*found);
    if (n.driver != "bridge")
        return std::unexpected(Error{"network " + n.name + ": a container joins a " +
                                         n.driver + " network only as its network mode "
                                         "(--network " + n.name + ")", 0, 125});
    if (n.name == "bridge") {
        auto settled = settle_default_bridge(ns, n);
        if (!settled) return std::unexpected(std::move(settled.error()));
        n = std::move(*settled);
    }
    net::LeaseRequest want;
    want.ipv4 = TRY(optional_ip(w.ipv4));
    want.ipv6 = TRY(optional_ip(w.ipv6));
    want.ifname = "eth" + std::to_string(index);
    want.holder_pid = holder_pid;
    want.holder_start = process_start_time(holder_pid);
    if (n.name != "bridge") {  // names resolve on user-defined networks only, as docker's
        want.names = {r.name, r.id.substr(0, 12)};
        want.names.insert(want.names.end(), w.aliases.begin(), w.aliases.end());
        want.dns = r.net.dns;
    }
    // Leases on this network whose holder died go in the same step (a kill -9 of their
    // monitors), their published ports after it.
    std::vector<net::Lease> dead;
    auto lease = ns.lease(
        n.id, r.id, want, [](const std::string&, const net::Lease& l) { return lease_held(l); },
        &dead);
    if (!lease) return std::unexpected(std::move(lease.error()));
    if (!dead.empty()) TRY(unpublish_ports_of(dead));
    Attachment a;
    a.network = std::move(n);
    a.lease = std::move(*lease);
    if (index == 0 && !r.net.mac_address.empty()) a.lease.mac = trim(r.net.mac_address);
    if (a.network.name != "bridge") a.aliases.push_back(r.id.substr(0, 12));
    a.aliases.insert(a.aliases.end(), w.aliases.begin(), w.aliases.end());
    a.bridge = bridge_name(a.network);
    auto mtu = parse_i64(option(a.network, "com.docker.network.driver.mtu"));
    a.mtu = mtu && *mtu > 0 ? static_cast<uint32_t>(*mtu) : k_default_mtu;
    a.ifname = a.lease.ifname;
    a.host_veth = "veth" + random_hex(4).substr(0, 7);
    a.endpoint_id = endpoint_id(a.network, r.id);
    return a;
}

Result<NetworkPlan> plan_network(const ContainerStore& store, const ContainerRecord& r,
                                 int holder_pid, pid_t rootless_holder) {
    auto ns = TRY(net::NetworkStore::open(store.root()));
    NetworkPlan plan;
    plan.rootless_holder = rootless_holder;
    auto fail_plan = [&](Error e) -> Result<NetworkPlan> {
        (void)release_network(store.root(), r.id);
        return std::unexpected(std::move(e));
    };
    auto wanted = wanted_networks(r);
    for (size_t i = 0; i < wanted.size(); ++i) {
        auto a = lease_attachment(ns, r, wanted[i], i, holder_pid);
        if (!a) return fail_plan(std::move(a.error()));
        plan.attachments.push_back(std::move(*a));
    }
    plan.error_prefix = endpoint_words(r, plan.attachments.front());
    auto ports = plan_ports(r, plan);
    if (!ports) return fail_plan(std::move(ports.error()));
    return plan;
}

Result<void> link_attachment(int netns_fd, const Attachment& a, bool& routed4, bool& routed6) {
    auto host = TRY(net::Rtnl::open());
    // The bridge and its firewall are made by the first start that needs them (and again after a
    // reboot, or a `network rm` that took them); later starts find them in place.
    auto index = TRY(host.link_index(a.bridge));
    if (!index) {
        auto made = host.create_bridge(a.bridge, a.mtu);
        if (!made && made.error().sys_errno != EEXIST) return std::unexpected(made.error());
        if (made)
            for (const auto& s : a.network.subnets)
                TRY(host.add_address(a.bridge, net::Cidr{s.gateway, s.subnet.prefix}));
        TRY(host.set_up(a.bridge));
        index = TRY(host.link_index(a.bridge));
        if (!index) return fail("bridge " + a.bridge + " vanished while being made");
        TRY(net::add_network(firewall_of(a)));
        log::trace("wire: bridge and firewall");
    }
    TRY(host.create_veth({a.host_veth, a.ifname, netns_fd, a.mtu, *index, true,
                          TRY(parse_mac(a.lease.mac))}));
    TRY(host.set_hairpin(a.host_veth, true));
    auto ctr = TRY(net::Rtnl::open_in(netns_fd));
    TRY(ctr.set_up(a.ifname));
    if (a.lease.ipv4) TRY(ctr.add_address(a.ifname, *a.lease.ipv4));
    if (a.lease.ipv6)
        TRY(ctr.add_address(a.ifname, *a.lease.ipv6));
    else
        TRY(net::write_sysctl_in(netns_fd, "net/ipv6/conf/" + a.ifname + "/disable_ipv6", "1"));
    if (a.network.internal) return {};
    for (const auto& s : a.network.subnets) {
        bool v4 = s.subnet.address.family == net::Family::v4;
        bool& routed = v4 ? routed4 : routed6;
        if (routed || !(v4 ? a.lease.ipv4 : a.lease.ipv6)) continue;
        TRY(ctr.add_default_route(s.gateway, a.ifname));
        routed = true;
    }
    return {};
}

Result<void> wire_network(NetworkPlan& plan, int pid) {
    std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
    Fd netns = TRY(fs::open(ns_path, O_RDONLY));
    bool routed4 = false, routed6 = false;
    auto link_all = [&]() -> Result<void> {
        for (const auto& a : plan.attachments)
            TRY(link_attachment(netns.get(), a, routed4, routed6));
        return {};
    };
    if (plan.rootless_holder)
        TRY(in_rootless_netns(plan.rootless_holder, link_all));
    else
        TRY(link_all());
    log::trace("wire: addresses");
    if (!plan.ports.empty()) {
        auto published = net::publish(plan.ports);
        if (!published && published.error().sys_errno == ENOENT) {
            // ferry's table is gone (`nft flush ruleset`): set the networks up again, once.
            for (const auto& a : plan.attachments) TRY(net::add_network(firewall_of(a)));
            published = net::publish(plan.ports);
        }
        if (!published && published.error().sys_errno == EEXIST) {
            const auto& p = plan.ports.front();
            return fail(plan.error_prefix + "Bind for " +
                        net::join_host_port(p.host_ip.empty() ? "0.0.0.0" : p.host_ip,
                                            std::to_string(p.host_port)) +
                        " failed: port is already allocated");
        }
        TRY(std::move(published));
        log::trace("wire: published");
    }
    plan.sandbox_key = ns_path;
    return {};
}

Json endpoint_json(const EndpointConfig& wanted, const Attachment& a) {
    Json ipam = nullptr;
    if (!wanted.ipv4.empty() || !wanted.ipv6.empty()) {
        ipam = Json::object();
        if (!wanted.ipv4.empty()) ipam["IPv4Address"] = wanted.ipv4;
        if (!wanted.ipv6.empty()) ipam["IPv6Address"] = wanted.ipv6;
    }
    std::string gw4, gw6;
    for (const auto& s : a.network.subnets)
        (s.subnet.address.family == net::Family::v4 ? gw4 : gw6) = net::format_ip(s.gateway);
    Json e;
    e["IPAMConfig"] = ipam;
    e["Links"] = nullptr;
    e["Aliases"] = a.aliases.empty() ? Json(nullptr) : Json(a.aliases);
    e["NetworkID"] = a.network.id;
    e["EndpointID"] = a.endpoint_id;
    e["Gateway"] = a.lease.ipv4 ? gw4 : "";
    e["IPAddress"] = a.lease.ipv4 ? net::format_ip(a.lease.ipv4->address) : "";
    e["IPPrefixLen"] = a.lease.ipv4 ? a.lease.ipv4->prefix : 0;
    e["IPv6Gateway"] = a.lease.ipv6 ? gw6 : "";
    e["GlobalIPv6Address"] = a.lease.ipv6 ? net::format_ip(a.lease.ipv6->address) : "";
    e["GlobalIPv6PrefixLen"] = a.lease.ipv6 ? a.lease.ipv6->prefix : 0;
    e["MacAddress"] = a.lease.mac;
    e["DriverOpts"] = nullptr;
    return e;
}

Json live_network_settings(const ContainerRecord& r, const NetworkPlan& plan) {
    Json networks = Json::object();
    auto wanted = wanted_networks(r);
    for (size_t i = 0; i < plan.attachments.size(); ++i)
        networks[plan.attachments[i].network.name] = endpoint_json(wanted[i], plan.attachments[i]);
    // The top-level address fields describe the default bridge only, as docker's.
    Json top = networks.contains("bridge") ? networks["bridge"] : Json::object();
    auto field = [&](const char* key, Json fallback) {
        return top.contains(key) ? top[key] : fallback;
    };
    Json s;
    s["Bridge"] = "";
    s["SandboxID"] = r.id;
    s["HairpinMode"] = false;
    s["LinkLocalIPv6Address"] = "";
    s["LinkLocalIPv6PrefixLen"] = 0;
    Json ports = Json::object();
    for (const auto& key : net::sorted_keys(plan.live_ports)) {
        const auto& list = plan.live_ports.at(key);
        if (list.empty()) {
            ports[key] = nullptr;
            continue;
        }
        Json l = Json::array();
        for (const auto& b : list) l.push_back({{"HostIp", b.host_ip}, {"HostPort", b.host_port}});
        ports[key] = std::move(l);
    }
    s["Ports"] = std::move(ports);
    s["SandboxKey"] = plan.sandbox_key;
    s["SecondaryIPAddresses"] = nullptr;
    s["SecondaryIPv6Addresses"] = nullptr;
    s["EndpointID"] = field("EndpointID", "");
    s["Gateway"] = field("Gateway", "");
    s["GlobalIPv6Address"] = field("GlobalIPv6Address", "");
    s["GlobalIPv6PrefixLen"] = field("GlobalIPv6PrefixLen", 0);
    s["IPAddress"] = field("IPAddress", "");
    s["IPPrefixLen"] = field("IPPrefixLen", 0);
    s["IPv6Gateway"] = field("IPv6Gateway", "");
    s["MacAddress"] = field("MacAddress", "");
    s["Networks"] = std::move(networks);
    return s;
}

Result<void> release_network(const std::string& store_root, const std::string& id,
                             bool published, const std::string& dns_dir, pid_t netns_holder) {
    auto ns = TRY(net::NetworkStore::open(store_root));
    std::vector<std::pair<std::string, net::Lease>> held;
    std::vector<net::Network> left;
    for (const auto& n : TRY(ns.list())) {
        auto leases = TRY(ns.leases(n.id));
        if (auto it = leases.find(id); it != leases.end()) {
            held.emplace_back(n.id, it->second);
            left.push_back(n);
        }
    }
    if (held.empty()) return {};
    // Ports first: a kill between the two leaves a lease whose holder is dead, and reclaiming it
    // takes its ports too.
    if (published) {
        std::vector<net::Lease> leases;
        for (const auto& [network, l] : held) leases.push_back(l);
        TRY(unpublish_ports_of(leases));
    }
    for (const auto& [network, l] : held) TRY(ns.release(network, id));
    if (!dns_dir.empty())
        for (const auto& n : left) TRY(update_dns(dns_dir, ns, n, netns_holder));
    return {};
}

}  // namespace ferry::runtime
