// JSON both ways for the network part of a container's record, and the live settings file.
// Go encodes a map with its keys sorted by bytes, so every map here is written in that order
// (ferry's Json keeps insertion order). The live file is written like the state file: atomic
// rename, no fsync (it describes a running container, which a reboot ends).

#include "ferry/runtime/network_record.hpp"

#include <unistd.h>

#include <cerrno>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

constexpr size_t k_settings_limit = 1 << 20;

std::string settings_path(const ContainerStore& store, const std::string& id) {
    return store.dir(id) + "/network.json";
}

std::vector<std::string> strings_of(const Json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array())
        for (const auto& v : j[key])
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::string string_of(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Json strings_or_null(const std::vector<std::string>& v) {
    return v.empty() ? Json(nullptr) : Json(v);
}

}  // namespace

std::string mode_network(const std::string& mode) {
    return mode == "default" ? "bridge" : mode;
}

bool is_empty(const NetworkRequest& n) {
    return n.port_bindings.empty() && n.exposed_ports.empty() && !n.publish_all &&
           n.extra_hosts.empty() && n.dns.empty() && n.dns_search.empty() &&
           n.dns_options.empty() && n.ip.empty() && n.ip6.empty() && n.mac_address.empty() &&
           n.aliases.empty();
}

Json port_map_json(const net::PortMap& map, bool null_for_empty) {
    Json out = Json::object();
    for (const auto& key : net::sorted_keys(map)) {
        const auto& bindings = map.at(key);
        if (bindings.empty() && null_for_empty) {
            out[key] = nullptr;
            continue;
        }
        Json list = Json::array();
        for (const auto& b : bindings) list.push_back({{"HostIp", b.host_ip}, {"HostPort", b.host_port}});
        out[key] = std::move(list);
    }
    return out;
}

net::PortMap port_map_from(const Json& j) {
    net::PortMap out;
    if (!j.is_object()) return out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        auto& list = out[it.key()];
        if (!it.value().is_array()) continue;
        for (const auto& b : it.value())
            if (b.is_object()) list.push_back({string_of(b, "HostIp"), string_of(b, "HostPort")});
    }
    return out;
}

Json network_request_json(const NetworkRequest& n) {
    Json j = Json::object();
    j["port_bindings"] = port_map_json(n.port_bindings);
    j["exposed_ports"] = std::vector<std::string>(n.exposed_ports.begin(), n.exposed_ports.end());
    j["publish_all"] = n.publish_all;
    j["extra_hosts"] = n.extra_hosts;
    j["dns"] = n.dns;
    j["dns_search"] = n.dns_search;
    j["dns_options"] = n.dns_options;
    j["ip"] = n.ip;
    j["ip6"] = n.ip6;
    j["mac_address"] = n.mac_address;
    j["aliases"] = n.aliases;
    return j;
}

NetworkRequest network_request_from(const Json& j) {
    NetworkRequest n;
    if (!j.is_object()) return n;
    if (j.contains("port_bindings")) n.port_bindings = port_map_from(j["port_bindings"]);
    for (auto& p : strings_of(j, "exposed_ports")) n.exposed_ports.insert(std::move(p));
    n.publish_all = j.contains("publish_all") && j["publish_all"].is_boolean() &&
                    j["publish_all"].get<bool>();
    n.extra_hosts = strings_of(j, "extra_hosts");
    n.dns = strings_of(j, "dns");
    n.dns_search = strings_of(j, "dns_search");
    n.dns_options = strings_of(j, "dns_options");
    n.ip = string_of(j, "ip");
    n.ip6 = string_of(j, "ip6");
    n.mac_address = string_of(j, "mac_address");
    n.aliases = strings_of(j, "aliases");
    return n;
}

Result<std::optional<Json>> load_network_settings(const ContainerStore& store,
                                                  const std::string& id) {
    std::string path = settings_path(store, id);
    if (!fs::lexists(path)) return std::optional<Json>();
    auto text = fs::read_file(path, k_settings_limit);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return std::optional<Json>();  // stopped meanwhile
        return std::unexpected(text.error());
    }
    Json j = TRY_CTX("read `" + path + "`", parse_json(*text, k_settings_limit));
    if (!j.is_object()) return fail("read `" + path + "`: not a JSON object");
    return std::optional<Json>(std::move(j));
}

Result<void> write_network_settings(const ContainerStore& store, const std::string& id,
                                    const Json& settings) {
    return write_file_atomic(settings_path(store, id), settings.dump(), 0644,
                             Durability::process_crash);
}

Result<void> clear_network_settings(const ContainerStore& store, const std::string& id) {
    std::string path = settings_path(store, id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail_errno("remove `" + path + "`");
    return {};
}

Json network_settings_json(const ContainerRecord& r, const std::optional<Json>& live) {
    if (live) return *live;
    const NetworkRequest& n = r.net;
    Json ipam = nullptr;
    if (!n.ip.empty() || !n.ip6.empty()) {
        ipam = Json::object();
        if (!n.ip.empty()) ipam["IPv4Address"] = n.ip;
        if (!n.ip6.empty()) ipam["IPv6Address"] = n.ip6;
    }
    Json endpoint = {{"IPAMConfig", ipam},
                     {"Links", nullptr},
                     {"Aliases", strings_or_null(n.aliases)},
                     {"NetworkID", ""},
                     {"EndpointID", ""},
                     {"Gateway", ""},
                     {"IPAddress", ""},
                     {"IPPrefixLen", 0},
                     {"IPv6Gateway", ""},
                     {"GlobalIPv6Address", ""},
                     {"GlobalIPv6PrefixLen", 0},
                     {"MacAddress", ""},
                     {"DriverOpts", nullptr}};
    Json s;
    s["Bridge"] = "";
    s["SandboxID"] = "";
    s["HairpinMode"] = false;
    s["LinkLocalIPv6Address"] = "";
    s["LinkLocalIPv6PrefixLen"] = 0;
    s["Ports"] = Json::object();
    s["SandboxKey"] = "";
    s["SecondaryIPAddresses"] = nullptr;
    s["SecondaryIPv6Addresses"] = nullptr;
    s["EndpointID"] = "";
    s["Gateway"] = "";
    s["GlobalIPv6Address"] = "";
    s["GlobalIPv6PrefixLen"] = 0;
    s["IPAddress"] = "";
    s["IPPrefixLen"] = 0;
    s["IPv6Gateway"] = "";
    s["MacAddress"] = "";
    s["Networks"] = Json::object();
    if (!r.network.starts_with("container:"))
        s["Networks"][mode_network(r.network)] = std::move(endpoint);
    return s;
}

net::PortMap live_ports(const std::optional<Json>& live) {
    if (!live || !live->is_object() || !live->contains("Ports")) return {};
    return port_map_from((*live)["Ports"]);
}

}  // namespace ferry::runtime
