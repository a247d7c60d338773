// The network store: small JSON files under one lock. Reads list networks/ and parse each
// record (a few per store; no index to keep in step). Changes take networks/lock exclusive,
// re-read what they check (names, subnets, leases) and write with write_file_atomic, so two
// creates of one name or two leases of one address cannot both succeed. The predefined
// networks are written on first open, with random IDs, as docker's daemon makes them at its
// first start.

#include "ferry/net/network_store.hpp"

#include <unistd.h>
#include <algorithm>
#include <cerrno>

#include <cstdio>

#include "ferry/core/store_health.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::net {

namespace {

constexpr size_t k_max_file = 4u << 20;

bool is_record_name(const std::string& name) {
    return name.size() == 64 + 5 && name.ends_with(".json") && is_lower_hex(name.substr(0, 64));
}

// The default bridge's Linux name: docker's docker0 is ferry0 for the store at /var/lib/ferry;
// another store (--root) gets its own, ferry<8 hex of its path>, since two stores sharing one
// bridge would disagree on its subnet.
std::string default_bridge_name(const std::string& store_root) {
    if (store_root == "/var/lib/ferry") return "ferry0";
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : store_root) h = (h ^ c) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "ferry%08x", h);
    return buf;
}

Network predefined(const std::string& name, const std::string& store_root) {
    Network n;
    n.id = random_hex(32);
    n.name = name;
    n.driver = name == "none" ? "null" : name;
    n.created_ns = now_unix_ns();
    n.ipam_options_null = true;
    if (name == "bridge") {
        auto subnet = *parse_cidr("172.17.0.0/16");
        n.subnets.push_back({subnet, std::nullopt, first_host(subnet)});
        n.options = {{"com.docker.network.bridge.default_bridge", "true"},
                     {"com.docker.network.bridge.enable_icc", "true"},
                     {"com.docker.network.bridge.enable_ip_masquerade", "true"},
                     {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
                     {"com.docker.network.bridge.name", default_bridge_name(store_root)},
                     {"com.docker.network.driver.mtu", "1500"}};
    }
    return n;
}

std::string mac_for(const std::optional<Cidr>& ipv4) {
    std::string tail;  // four bytes: the IPv4 address, else random
    if (ipv4) {
        char buf[9];
        std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", ipv4->address.bytes[0],
                      ipv4->address.bytes[1], ipv4->address.bytes[2], ipv4->address.bytes[3]);
        tail = buf;
    } else {
        tail = random_hex(4);
    }
    std::string mac = "02:42";
    for (size_t i = 0; i < 8; i += 2)
        mac += ":" + tail.substr(i, 2);
    return mac;
}

std::string leases_json(const std::map<std::string, Lease>& leases) {
    Json j = Json::object();
    for (const auto& [id, l] : leases) {
        Json e = Json::object();
        e["IPv4Address"] = l.ipv4 ? format_cidr(*l.ipv4) : "";
        e["IPv6Address"] = l.ipv6 ? format_cidr(*l.ipv6) : "";
        e["MacAddress"] = l.mac;
        if (l.holder_pid > 0) {
            e["HolderPid"] = l.holder_pid;
            e["HolderStart"] = l.holder_start;
        }
        if (!l.names.empty()) e["Names"] = l.names;
        if (!l.dns.empty()) e["Dns"] = l.dns;
        if (!l.ifname.empty()) e["Interface"] = l.ifname;
        j[id] = std::move(e);
    }
    return to_go_json(j) + "\n";
}

Result<std::map<std::string, Lease>> parse_leases(std::string_view text) {
    auto doc = TRY(parse_json(text, k_max_file));
    if (!doc.is_object()) return fail("expected a JSON object");
    std::map<std::string, Lease> out;
    for (const auto& [id, value] : doc.items()) {
        auto o = TRY(JsonObject::view(value, id));
        Lease l;
        if (auto v4 = TRY(o.string_or_empty("IPv4Address")); !v4.empty())
            l.ipv4 = TRY(parse_cidr(v4));
        if (auto v6 = TRY(o.string_or_empty("IPv6Address")); !v6.empty())
            l.ipv6 = TRY(parse_cidr(v6));
        l.mac = TRY(o.string_or_empty("MacAddress"));
        l.ifname = TRY(o.string_or_empty("Interface"));
        if (value.contains("HolderPid")) {
            const Json& pid = value["HolderPid"];
            const Json& start = value["HolderStart"];
            if (!pid.is_number_integer() || !start.is_number_integer())
                return fail(id + ": HolderPid and HolderStart must be integers");
            l.holder_pid = pid.get<int>();
            l.holder_start = start.get<int64_t>();
        }
        for (const char* key : {"Names", "Dns"}) {
            if (!value.contains(key)) continue;
            auto& list = std::string_view(key) == "Names" ? l.names : l.dns;
            const Json& v = value[key];
            if (!v.is_array()) return fail(id + ": " + key + " must be a list");
            for (const auto& s : v) {
                if (!s.is_string()) return fail(id + ": " + key + " must hold strings");
                list.push_back(s.get<std::string>());
            }
        }
        out[id] = l;
    }
    return out;
}

// The address for one family: the one asked for (checked), else the lowest free.
Result<std::optional<Cidr>> pick(const Network& n, Family family,
                                 const std::optional<IpAddress>& want,
                                 const std::map<std::string, Lease>& leases) {
    std::vector<IpAddress> used;
    for (const auto& [id, l] : leases) {
        const auto& a = family == Family::v4 ? l.ipv4 : l.ipv6;
        if (a) used.push_back(a->address);
    }
    const Subnet* first = nullptr;
    for (const auto& s : n.subnets) {
        if (s.subnet.address.family != family) continue;
        if (!first) first = &s;
        if (want && contains(s.subnet, *want)) {
            if (*want == s.gateway || std::find(used.begin(), used.end(), *want) != used.end())
                return fail_with_status("Address already in use", 1);
            return Cidr{*want, s.subnet.prefix};
        }
    }
    if (want)
        return fail_with_status("invalid address " + format_ip(*want) +
                                    ": It does not belong to any of this network's subnets",
                                1);
    if (!first) return std::optional<Cidr>();
    for (const auto& s : n.subnets) {
        if (s.subnet.address.family != family) continue;
        auto taken = used;
        taken.push_back(s.gateway);
        if (auto ip = lowest_free(s.subnet, s.range, taken)) return Cidr{*ip, s.subnet.prefix};
    }
    return fail_with_status(
        std::string("no available ") + (family == Family::v4 ? "IPv4" : "IPv6") +
            " addresses on this network's address pools: " + n.name + " (" + n.id + ")",
        1);
}

}  // namespace

Result<NetworkStore> NetworkStore::open(const std::string& store_root) {
    NetworkStore store(store_root + "/networks");
    TRY(fs::make_dirs(store.m_dir + "/leases", 0700));
    TRY(store.ensure_predefined());
    return store;
}

Result<std::vector<NetworkFinding>> NetworkStore::check_store(const std::string& store_root,
                                                              bool repair) {
    NetworkStore store(store_root + "/networks");
    if (!fs::lexists(store.m_dir + "/lock")) return std::vector<NetworkFinding>{};
    return store.check(repair);
}

Result<FileLock> NetworkStore::lock() const {
    return FileLock::acquire(m_dir + "/lock", LockMode::exclusive);
}

// The names of the readable records (a damaged one is check()'s to report, not this).
std::vector<std::string> readable_names(const std::string& dir) {
    std::vector<std::string> out;
    auto names = fs::list_dir(dir);
    for (const auto& name : names ? *names : std::vector<std::string>{}) {
        if (!is_record_name(name)) continue;
        auto text = fs::read_file(dir + "/" + name, k_max_file);
        if (!text) continue;
        if (auto n = parse_network_record(*text)) out.push_back(n->name);
    }
    return out;
}

Result<void> NetworkStore::ensure_predefined() {
    // The mark says all three were there (a start reads it instead of every record); check
    // --repair takes it away with any record it removes.
    std::string mark = m_dir + "/predefined";
    if (fs::lexists(mark)) return {};
    auto has_all = [&] {
        auto names = readable_names(m_dir);
        int found = 0;
        for (const auto& n : names)
            found += is_predefined(n) ? 1 : 0;
        return found == 3;
    };
    if (has_all()) return write_file_atomic(mark, "", 0644, Durability::process_crash);
    auto held = TRY(lock());
    auto names = readable_names(m_dir);
    for (const char* name : {"bridge", "host", "none"})
        if (std::find(names.begin(), names.end(), name) == names.end())
            TRY(write_record(predefined(name, m_dir.substr(0, m_dir.size() - 9))));
    TRY(write_file_atomic(mark, "", 0644, Durability::process_crash));
    return {};
}

Result<void> NetworkStore::write_record(const Network& n) const {
    return write_file_atomic(m_dir + "/" + n.id + ".json", network_record_json(n), 0644);
}

Result<void> NetworkStore::write_leases(const std::string& id,
                                        const std::map<std::string, Lease>& l) const {
    std::string path = m_dir + "/leases/" + id + ".json";
    if (l.empty()) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            return fail_errno("remove `" + path + "`");
        return {};
    }
    // Leases describe running containers, which a power failure ends: a kill-safe rename is
    // enough (a lease lost with the machine has no holder to lose it to).
    return write_file_atomic(path, leases_json(l), 0644, Durability::process_crash);
}

Result<std::vector<Network>> NetworkStore::list() const {
    auto names = TRY(fs::list_dir(m_dir));
    std::vector<Network> out;
    for (const auto& name : names) {
        if (!is_record_name(name)) continue;
        std::string path = m_dir + "/" + name;
        auto text = fs::read_file(path, k_max_file);
        if (!text && text.error().sys_errno == ENOENT) continue;  // removed meanwhile
        if (!text) return std::unexpected(text.error());
        auto n = parse_network_record(*text);
        if (!n) return damaged("network record", path, n.error().message);
        out.push_back(std::move(*n));
    }
    std::sort(out.begin(), out.end(),
              [](const Network& a, const Network& b) { return a.name < b.name; });
    return out;
}

Result<std::optional<Network>> NetworkStore::lookup(std::string_view key) const {
    if (key.size() == 64 && is_lower_hex(key)) {  // a full ID: its record alone
        std::string path = m_dir + "/" + std::string(key) + ".json";
        auto text = fs::read_file(path, k_max_file);
        if (text) {
            auto n = parse_network_record(*text);
            if (!n) return damaged("network record", path, n.error().message);
            return *n;  // (a network named after another's full ID is not looked for)
        } else if (text.error().sys_errno != ENOENT) {
            return std::unexpected(text.error());
        }
    }
    auto all = TRY(list());
    for (const auto& n : all)
        if (n.name == key) return n;
    for (const auto& n : all)
        if (n.id == key) return n;
    std::vector<const Network*> prefixed;
    for (const auto& n : all)
        if (!key.empty() && n.id.starts_with(key)) prefixed.push_back(&n);
    if (prefixed.size() > 1)
        return fail_with_status("network " + std::string(key) + " is ambiguous (" +
                                    std::to_string(prefixed.size()) +
                                    " matches found based on ID prefix)",
                                1);
    if (prefixed.size() == 1) return *prefixed[0];
    return std::optional<Network>();
}

Result<Network> NetworkStore::find(std::string_view key) const {
    auto n = TRY(lookup(key));
    if (!n) return fail_with_status("network " + std::string(key) + " not found", 1);
    return *n;
}

Result<Network> NetworkStore::create(const NetworkRequest& r,
                                     const std::vector<Cidr>& host_routes) {
    if (r.driver == "host" || r.driver == "null")
        return fail_with_status("only one instance of \"" + r.driver + "\" network is allowed", 1);
    if (r.driver != "bridge") return fail_with_status("plugin \"" + r.driver + "\" not found", 1);
    auto config = TRY(consolidate_ipam(r));
    auto held = TRY(lock());
    auto all = TRY(list());
    for (const auto& n : all)
        if (n.name == r.name)
            return fail_with_status("network with name " + r.name + " already exists", 1);
    std::vector<Cidr> in_use;
    for (const auto& n : all)
        for (const auto& s : n.subnets)
            in_use.push_back(s.subnet);
    Network n;
    n.id = random_hex(32);
    n.name = r.name;
    n.driver = r.driver;
    n.created_ns = now_unix_ns();
    n.internal = r.internal;
    n.ipv6 = r.ipv6;
    n.attachable = r.attachable;
    n.user_config = config;
    n.options = r.options;
    n.labels = r.labels;
    bool have_v4 = false, have_v6 = false;
    for (const auto& c : config) {
        Subnet s;
        s.subnet = *parse_cidr(c.subnet);
        for (const auto& used : in_use)
            if (overlaps(used, s.subnet))
                return fail_with_status("Pool overlaps with other one on this address space", 1);
        if (!c.ip_range.empty()) s.range = *parse_cidr(c.ip_range);
        s.gateway = c.gateway.empty() ? first_host(s.subnet) : *parse_ip(c.gateway);
        (s.subnet.address.family == Family::v4 ? have_v4 : have_v6) = true;
        n.subnets.push_back(s);
    }
    if (r.ipv6 && !have_v6)
        return fail_with_status(
            "could not find an available, non-overlapping IPv6 address pool "
            "among the defaults to assign to the network",
            1);
    if (!have_v4) {
        auto taken = in_use;
        taken.insert(taken.end(), host_routes.begin(), host_routes.end());
        auto subnet = next_default_subnet(taken);
        if (!subnet) return fail_with_status(subnet.error().message, 1);
        n.subnets.insert(n.subnets.begin(), Subnet{*subnet, std::nullopt, first_host(*subnet)});
    }
    std::stable_partition(n.subnets.begin(), n.subnets.end(),
                          [](const Subnet& s) { return s.subnet.address.family == Family::v4; });
    TRY(write_record(n));
    return n;
}

Result<void> NetworkStore::remove(const Network& n) {
    if (is_predefined(n.name))
        return fail_with_status(n.name + " is a pre-defined network and cannot be removed", 1);
    auto held = TRY(lock());
    if (!TRY(leases(n.id)).empty())
        return fail_with_status("error while removing network: network " + n.name + " id " + n.id +
                                    " has active endpoints",
                                1);
    std::string path = m_dir + "/" + n.id + ".json";
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno("remove `" + path + "`");
    return {};
}

Result<std::map<std::string, Lease>> NetworkStore::leases(const std::string& id) const {
    std::string path = m_dir + "/leases/" + id + ".json";
    auto text = fs::read_file(path, k_max_file);
    if (!text && text.error().sys_errno == ENOENT) return std::map<std::string, Lease>{};
    if (!text) return std::unexpected(text.error());
    auto parsed = parse_leases(*text);
    if (!parsed) return damaged("network leases", path, parsed.error().message);
    return parsed;
}

Result<Lease> NetworkStore::lease(const std::string& network_id, const std::string& container_id,
                                  const LeaseRequest& want, const LeaseHeldFn& held_by,
                                  std::vector<Lease>* dropped) {
    auto held = TRY(lock());
    auto n = TRY(find(network_id));
    auto all = TRY(leases(n.id));
    bool changed = false;
    if (held_by)
        for (auto it = all.begin(); it != all.end();) {
            if (it->first == container_id || held_by(it->first, it->second)) {
                ++it;
                continue;
            }
            if (dropped) dropped->push_back(it->second);
            it = all.erase(it);
            changed = true;
        }
    if (changed) TRY(write_leases(n.id, all));
    if (auto it = all.find(container_id); it != all.end()) {
        Lease& l = it->second;
        if (l.holder_pid != want.holder_pid || l.holder_start != want.holder_start ||
            l.names != want.names || l.dns != want.dns || l.ifname != want.ifname) {
            l.holder_pid = want.holder_pid;
            l.holder_start = want.holder_start;
            l.names = want.names;
            l.dns = want.dns;
            l.ifname = want.ifname;
            TRY(write_leases(n.id, all));
        }
        return l;
    }
    Lease l;
    l.holder_pid = want.holder_pid;
    l.holder_start = want.holder_start;
    l.names = want.names;
    l.dns = want.dns;
    l.ifname = want.ifname;
    l.ipv4 = TRY(pick(n, Family::v4, want.ipv4, all));
    if (n.ipv6 || want.ipv6) l.ipv6 = TRY(pick(n, Family::v6, want.ipv6, all));
    l.mac = mac_for(l.ipv4);
    all[container_id] = l;
    TRY(write_leases(n.id, all));
    return l;
}

Result<bool> NetworkStore::release(const std::string& network_id, const std::string& container_id) {
    auto held = TRY(lock());
    auto all = TRY(leases(network_id));
    if (all.erase(container_id) == 0) return false;
    TRY(write_leases(network_id, all));
    return true;
}

Result<Network> NetworkStore::settle_default_bridge(const std::vector<Cidr>& host_routes) {
    auto held = TRY(lock());
    auto n = TRY(find("bridge"));
    if (n.subnets.empty()) return n;
    bool clash = std::any_of(host_routes.begin(), host_routes.end(),
                             [&](const Cidr& r) { return overlaps(r, n.subnets[0].subnet); });
    if (!clash || !TRY(leases(n.id)).empty()) return n;
    std::vector<Cidr> in_use = host_routes;
    for (const auto& other : TRY(list()))
        if (other.id != n.id)
            for (const auto& s : other.subnets) in_use.push_back(s.subnet);
    auto subnet = TRY(next_default_subnet(in_use));
    n.subnets[0] = {subnet, std::nullopt, first_host(subnet)};
    TRY(write_record(n));
    return n;
}

Result<std::vector<Reclaimed>> NetworkStore::reclaim(const LeaseHeldFn& held_by) {
    auto held = TRY(lock());
    std::vector<Reclaimed> out;
    for (const auto& n : TRY(list())) {
        auto all = TRY(leases(n.id));
        bool changed = false;
        for (auto it = all.begin(); it != all.end();) {
            if (held_by(it->first, it->second)) {
                ++it;
                continue;
            }
            out.push_back({n.name, it->first});
            it = all.erase(it);
            changed = true;
        }
        if (changed) TRY(write_leases(n.id, all));
    }
    return out;
}

Result<std::vector<NetworkFinding>> NetworkStore::check(bool repair) {
    auto held = TRY(lock());
    std::vector<NetworkFinding> out;
    auto look = [&](const std::string& dir, bool record) -> Result<void> {
        for (const auto& name : TRY(fs::list_dir(dir))) {
            if (!is_record_name(name)) continue;
            std::string path = dir + "/" + name;
            auto text = fs::read_file(path, k_max_file);
            if (!text) continue;
            std::string detail;
            if (record) {
                auto r = parse_network_record(*text);
                if (r) continue;
                detail = r.error().message;
            } else {
                auto l = parse_leases(*text);
                if (l) continue;
                detail = l.error().message;
            }
            NetworkFinding f{
                damaged(record ? "network record" : "network leases", path, detail).error().message,
                false};
            if (repair) {
                f.removed = ::unlink(path.c_str()) == 0;
                (void)::unlink((m_dir + "/predefined").c_str());  // made again if it was one
                if (record) (void)::unlink((dir + "/leases/" + name).c_str());
            }
            out.push_back(std::move(f));
        }
        return {};
    };
    TRY(look(m_dir, true));
    TRY(look(m_dir + "/leases", false));
    return out;
}

}  // namespace ferry::net
