// `network connect` and `disconnect` on a running container (rootful): the same lease and links
// a start makes, for one network, into the namespace of the running container; its monitor holds
// the lease (it lives as long as the container) and, marked so, calls `ferry __network-down` at
// the exit to give back what it does not know of.

#include "ferry/runtime/container_connect.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

#include "ferry/net/firewall.hpp"
#include "ferry/net/rtnl.hpp"
#include "ferry/runtime/container_dns.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// The next free interface index: past every ethN the container has on any network.
Result<size_t> next_interface(const net::NetworkStore& ns, const std::string& id) {
    size_t next = 0;
    for (const auto& n : TRY(ns.list())) {
        auto leases = TRY(ns.leases(n.id));
        auto it = leases.find(id);
        if (it == leases.end() || !it->second.ifname.starts_with("eth")) continue;
        auto k = parse_i64(std::string_view(it->second.ifname).substr(3));
        if (k && *k >= 0) next = std::max(next, static_cast<size_t>(*k) + 1);
    }
    return next;
}

void update_names(const ContainerStore& store, const net::NetworkStore& ns,
                  const net::Network& n) {
    if (auto dns = update_dns(store.run_dir("dns"), ns, n); !dns)
        log::warn("name resolution on network " + n.name + ": " + dns.error().message);
}

}  // namespace

std::string network_down_marker(const ContainerStore& store, const std::string& id) {
    return store.dir(id) + "/network-down";
}

Result<void> connect_running(const ContainerStore& store, const ContainerRecord& r,
                             const EndpointConfig& wanted, int pid, int monitor_pid) {
    auto ns = TRY(net::NetworkStore::open(store.root()));
    size_t index = TRY(next_interface(ns, r.id));
    Attachment a = TRY(lease_attachment(ns, r, wanted, index, monitor_pid));
    auto undo = [&](Error e) -> Result<void> {
        (void)ns.release(a.network.id, r.id);
        return std::unexpected(std::move(e));
    };
    // Marked first: from here the monitor leaves the clean-up to ferry.
    if (auto marked = fs::open(network_down_marker(store, r.id), O_WRONLY | O_CREAT, 0644); !marked)
        return undo(std::move(marked.error()));
    auto netns = fs::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY);
    if (!netns) return undo(std::move(netns.error()));
    bool routed4 = true, routed6 = true;  // the container keeps its default routes
    if (auto linked = link_attachment(netns->get(), a, routed4, routed6); !linked)
        return undo(std::move(linked.error()));
    Json settings = TRY(load_network_settings(store, r.id)).value_or(Json::object());
    if (!settings.contains("Networks") || !settings["Networks"].is_object())
        settings["Networks"] = Json::object();
    settings["Networks"][a.network.name] = endpoint_json(wanted, a);
    TRY(write_network_settings(store, r.id, settings));
    update_names(store, ns, a.network);
    return {};
}

Result<void> disconnect_running(const ContainerStore& store, const ContainerRecord& r,
                                const net::Network& n, int pid) {
    auto ns = TRY(net::NetworkStore::open(store.root()));
    auto leases = TRY(ns.leases(n.id));
    auto it = leases.find(r.id);
    if (it == leases.end()) return {};
    const net::Lease& l = it->second;
    // Its ports on this network's addresses, then its interface (the pair goes with it).
    auto live = TRY(load_network_settings(store, r.id));
    bool published = false;
    for (const auto& [key, bindings] : live_ports(live)) published = published || !bindings.empty();
    if (published) TRY(unpublish_ports_of({l}));
    if (!l.ifname.empty()) {
        Fd netns = TRY(fs::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY));
        auto ctr = TRY(net::Rtnl::open_in(netns.get()));
        auto gone = ctr.delete_link(l.ifname);
        if (!gone && gone.error().sys_errno != ENODEV) return std::unexpected(gone.error());
    }
    TRY(ns.release(n.id, r.id));
    if (live && live->contains("Networks") && (*live)["Networks"].is_object()) {
        Json settings = *live;
        settings["Networks"].erase(n.name);
        TRY(write_network_settings(store, r.id, settings));
    }
    update_names(store, ns, n);
    return {};
}

}  // namespace ferry::runtime
