// `ferry network connect` and `disconnect`: an endpoint is what a container asks of a network
// (the network, --ip, --ip6, --alias), kept in the container's record under its lock, as docker
// keeps NetworkSettings.Networks. Addresses are leased when the container starts on the network
// (the start path), and given back on disconnect. A container in host or none mode shares or
// has no network stack and refuses other networks, with docker's words.

#include "ferry/cli/network_cmd.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "ferry/runtime/container_connect.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/rootless_netns.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// docker's checks of --ip/--ip6 against the network (daemon/container_operations.go).
Result<void> check_requested_ip(const net::Network& n, const std::string& ip, net::Family family) {
    if (ip.empty()) return {};
    auto parsed = net::parse_ip(ip);
    if (!parsed || parsed->family != family)
        return fail_with_status(std::string("invalid ") +
                                    (family == net::Family::v4 ? "IPv4" : "IPv6") +
                                    " address: " + ip,
                                1);
    if (n.name == "bridge")
        return fail_with_status(
            "user specified IP address is supported on user defined "
            "networks only",
            1);
    if (n.user_config.empty())
        return fail_with_status(
            "user specified IP address is supported only when connecting "
            "to networks with user configured subnets",
            1);
    for (const auto& s : n.subnets)
        if (net::contains(s.subnet, *parsed)) return {};
    return fail_with_status(
        "invalid address " + ip + ": It does not belong to any of this network's subnets", 1);
}

// The init pid of a running (or paused) container; nullopt otherwise.
std::optional<int> running_pid(const runtime::ContainerStore& store,
                               const runtime::ContainerRecord& r) {
    auto st = store.state(r.id);
    if (!st || st->pid <= 0 || runtime::process_start_time(st->pid) != st->pid_start)
        return std::nullopt;
    return st->pid;
}

bool connected(const runtime::ContainerRecord& r, const net::Network& n) {
    return std::any_of(r.endpoints.begin(), r.endpoints.end(),
                       [&](const runtime::EndpointConfig& e) { return e.network_id == n.id; });
}

}  // namespace

Result<NetworkConnectOptions> parse_network_connect(Args args) {
    NetworkConnectOptions o;
    FlagSet flags("ferry network connect", "[OPTIONS] NETWORK CONTAINER",
                  "Connect a container to a network");
    flags.add_custom(0, "alias", "strings", "Add network-scoped alias for the container",
                     [&o](const std::string& v) {
                         for (const auto& a : split(v, ','))
                             if (!a.empty()) o.aliases.push_back(a);
                         return std::string();
                     });
    flags.add_string(0, "ip", &o.ipv4, "IPv4 address (e.g., \"172.30.100.104\")");
    flags.add_string(0, "ip6", &o.ipv6, "IPv6 address (e.g., \"2001:db8::33\")");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, 2));
    o.network = pos[0];
    o.container = pos[1];
    return o;
}

Result<int> run_network_connect(const NetworkConnectOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto locked = runtime::find_locked(containers, o.container, LockMode::exclusive);
    if (!locked) return fail_with_status(locked.error().message, 1);
    auto& record = locked->record;
    auto store = TRY(net::NetworkStore::open(ctx.root));
    auto n = TRY(store.find(o.network));
    if (runtime::mode_network(record.network) == n.name || connected(record, n))
        return fail_with_status(
            "endpoint with name " + record.name + " already exists in network " + n.name, 1);
    if (record.network == "host" || n.name == "host")
        return fail_with_status(
            "container sharing network namespace with another container or "
            "host cannot be connected to any other network",
            1);
    if (record.network == "none" || n.name == "none")
        return fail_with_status(
            "container cannot be connected to multiple networks with one of "
            "the networks in private (none) mode",
            1);
    TRY(check_requested_ip(n, o.ipv4, net::Family::v4));
    TRY(check_requested_ip(n, o.ipv6, net::Family::v6));
    runtime::EndpointConfig endpoint{n.name, n.id, o.ipv4, o.ipv6, o.aliases};
    // A running container joins now (docker's hot-plug); a stopped one at its next start.
    if (auto pid = running_pid(containers, record)) {
        if (::geteuid() != 0)
            return fail_with_status(
                "network connect: a running rootless container joins at its next start; stop it "
                "first",
                1);
        auto st = TRY(containers.state(record.id));
        auto joined =
            runtime::connect_running(containers, record, endpoint, *pid, st.monitor_pid);
        if (!joined) return fail_with_status(joined.error().message, 1);
    }
    record.endpoints.push_back(endpoint);
    TRY(containers.rewrite(record, TRY(containers.load_spec(record.id))));
    return 0;
}

Result<NetworkDisconnectOptions> parse_network_disconnect(Args args) {
    NetworkDisconnectOptions o;
    FlagSet flags("ferry network disconnect", "[OPTIONS] NETWORK CONTAINER",
                  "Disconnect a container from a network");
    flags.add_bool('f', "force", &o.force, "Force the container to disconnect from a network");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, 2));
    o.network = pos[0];
    o.container = pos[1];
    return o;
}

Result<int> run_network_disconnect(const NetworkDisconnectOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto locked = runtime::find_locked(containers, o.container, LockMode::exclusive);
    if (!locked) return fail_with_status(locked.error().message, 1);
    auto& record = locked->record;
    auto store = TRY(net::NetworkStore::open(ctx.root));
    auto n = store.find(o.network);
    std::string name = n ? n->name : o.network;
    if (!n && !o.force) return std::unexpected(n.error());
    auto& eps = record.endpoints;
    auto it = std::find_if(eps.begin(), eps.end(), [&](const runtime::EndpointConfig& e) {
        return n ? e.network_id == n->id : e.network == name;
    });
    if (it == eps.end())
        return fail_with_status(
            "container " + record.id + " is not connected to the network " + name, 1);
    std::string network_id = it->network_id;
    eps.erase(it);
    TRY(containers.rewrite(record, TRY(containers.load_spec(record.id))));
    if (auto pid = running_pid(containers, record); pid && n)
        TRY(runtime::disconnect_running(containers, record, *n, *pid));
    else if (n)
        TRY(store.release(network_id, record.id));
    return 0;
}

Result<int> cmd_internal_network_down(Args args, Context& ctx) {
    if (args.size() != 1 || !is_lower_hex(args[0]) || args[0].size() != 64)
        return fail("__network-down takes a container ID");
    // Whether it published ports: its live settings say (a container removed meanwhile, or
    // whose file is unreadable, is looked up in the firewall).
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto live = runtime::load_network_settings(containers, args[0]);
    bool published = !live || !*live;
    if (live && *live)
        for (const auto& [key, bindings] : runtime::live_ports(*live))
            published = published || !bindings.empty();
    pid_t holder = ::geteuid() != 0 ? runtime::rootless_netns_holder(containers.run_root()) : 0;
    TRY(runtime::release_network(ctx.root, args[0], published, containers.run_dir("dns"),
                                 holder));
    TRY(runtime::clear_network_settings(containers, args[0]));
    ::unlink(runtime::network_down_marker(containers, args[0]).c_str());
    if (::geteuid() != 0)  // the last container on a rootless network stops its namespace
        TRY(runtime::stop_rootless_netns_if_idle(ctx.root, containers.run_root()));
    return 0;
}

Result<int> cmd_network_connect(Args args, Context& ctx) {
    return dispatch(parse_network_connect, run_network_connect, args, ctx);
}
Result<int> cmd_network_disconnect(Args args, Context& ctx) {
    return dispatch(parse_network_disconnect, run_network_disconnect, args, ctx);
}

}  // namespace ferry::cli
