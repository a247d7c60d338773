// Text in, text out: every function here returns nft commands or reads nft's JSON listings, and
// touches nothing. Names and addresses are validated before they reach the text (a bridge name is
// at most 15 of [A-Za-z0-9_.-], addresses go through parse_ip), so the text cannot be steered by
// what a user typed. Per-network chain names are the bridge's name behind a fixed prefix, which
// nft accepts unquoted.

#include "ferry/net/firewall_rules.hpp"

#include <nlohmann/json.hpp>

namespace ferry::net {

namespace {

std::string_view fam(Family f) { return f == Family::v4 ? "ip" : "ip6"; }
std::string_view addr_type(Family f) { return f == Family::v4 ? "ipv4_addr" : "ipv6_addr"; }
std::string_view proto_name(Proto p) { return p == Proto::tcp ? "tcp" : "udp"; }

// `ip ferry` or `ip6 ferry`.
std::string table(Family f) { return std::string(fam(f)) + " ferry"; }

bool valid_address(std::string_view text, Family f) {
    auto ip = parse_ip(text);
    return ip && ip->family == f;
}

bool valid_subnet(std::string_view text, Family f) {
    auto cidr = parse_cidr(text);
    return cidr && cidr->address.family == f;
}

const std::string& subnet_of(const FirewallNetwork& net, Family f) {
    return f == Family::v4 ? net.subnet4 : net.subnet6;
}

std::string element_key(const PublishedPort& p) {
    std::string key;
    if (!p.host_ip.empty()) key = p.host_ip + " . ";
    key += std::string(proto_name(p.proto)) + " . " + std::to_string(p.host_port);
    return key;
}

std::string_view port_map(const PublishedPort& p) { return p.host_ip.empty() ? "pub_any" : "pub_ip"; }

std::string maps(Family f) {
    std::string t = table(f);
    std::string a(addr_type(f));
    return "add map " + t + " pub_any { type inet_proto . inet_service : " + a +
           " . inet_service; }\n"
           "add map " + t + " pub_ip { type " + a + " . inet_proto . inet_service : " + a +
           " . inet_service; }\n"
           "add map " + t + " fwd_in { type ifname : verdict; }\n"
           "add map " + t + " fwd_out { type ifname : verdict; }\n"
           "add map " + t + " post_out { type ifname : verdict; }\n"
           "add map " + t + " post_src { type " + a + " : verdict; flags interval; }\n";
}

// The four (map, key, chain) triples that dispatch to a network's chains.
struct Dispatch {
    std::string_view map;
    std::string key;
    std::string chain;
};

std::vector<Dispatch> dispatches(const FirewallNetwork& net, Family f) {
    std::string quoted = "\"" + net.bridge + "\"";
    return {{"fwd_in", quoted, "in_" + net.bridge},
            {"fwd_out", quoted, "out_" + net.bridge},
            {"post_out", quoted, "post_into_" + net.bridge},
            {"post_src", subnet_of(net, f), "post_from_" + net.bridge}};
}

// The JSON value as a string (nft prints numbers for ports, strings for addresses).
std::string scalar(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    return {};
}

bool parse_port(const nlohmann::json& v, uint16_t& out) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > 65535) return false;
    out = static_cast<uint16_t>(v.get<uint64_t>());
    return true;
}

// One map element [{"concat": key}, {"concat": [addr, port]}] into `port`.
bool parse_element(const nlohmann::json& el, bool with_ip, PublishedPort& port) {
    if (!el.is_array() || el.size() != 2) return false;
    const auto& key = el[0].is_object() ? el[0].value("concat", nlohmann::json()) : nlohmann::json();
    const auto& val = el[1].is_object() ? el[1].value("concat", nlohmann::json()) : nlohmann::json();
    size_t n = with_ip ? 3 : 2;
    if (!key.is_array() || key.size() != n || !val.is_array() || val.size() != 2) return false;
    if (with_ip) port.host_ip = scalar(key[0]);
    std::string proto = scalar(key[n - 2]);
    if (proto != "tcp" && proto != "udp") return false;
    port.proto = proto == "tcp" ? Proto::tcp : Proto::udp;
    port.container_ip = scalar(val[0]);
    return parse_port(key[n - 1], port.host_port) && parse_port(val[1], port.container_port);
}

}  // namespace

Family family_of(const PublishedPort& port) {
    return port.container_ip.find(':') == std::string::npos ? Family::v4 : Family::v6;
}

Result<void> validate_network(const FirewallNetwork& net) {
    bool ok = !net.bridge.empty() && net.bridge.size() <= 15;
    for (char c : net.bridge)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-');
    if (!ok) return fail("invalid bridge name `" + net.bridge + "`");
    if (!valid_subnet(net.subnet4, Family::v4)) return fail("invalid subnet `" + net.subnet4 + "`");
    if (!net.subnet6.empty() && !valid_subnet(net.subnet6, Family::v6))
        return fail("invalid subnet `" + net.subnet6 + "`");
    return {};
}

Result<void> validate_port(const PublishedPort& port) {
    Family f = family_of(port);
    if (!valid_address(port.container_ip, f))
        return fail("invalid container IP `" + port.container_ip + "`");
    if (!port.host_ip.empty() && !valid_address(port.host_ip, f))
        return fail("invalid host IP `" + port.host_ip + "`");
    if (port.host_port == 0 || port.container_port == 0) return fail("invalid port 0");
    return {};
}

std::string skeleton_commands(Family f) {
    std::string t = table(f);
    std::string out = "add table " + t + "\n" + maps(f);
    out += "add chain " + t + " publish\n"
           "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
           "add chain " + t + " output { type nat hook output priority -100; policy accept; }\n"
           "add chain " + t + " forward { type filter hook forward priority filter; policy accept; }\n"
           "add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n";
    std::string f_name(fam(f));
    out += "flush chain " + t + " publish\n"
           "add rule " + t + " publish meta l4proto { tcp, udp } dnat " + f_name + " to " + f_name +
           " daddr . meta l4proto . th dport map @pub_ip\n"
           "add rule " + t + " publish meta l4proto { tcp, udp } dnat " + f_name +
           " to meta l4proto . th dport map @pub_any\n"
           "flush chain " + t + " prerouting\n"
           "add rule " + t + " prerouting fib daddr type local jump publish\n"
           "flush chain " + t + " output\n"
           "add rule " + t + " output fib daddr type local jump publish\n"
           "flush chain " + t + " forward\n"
           "add rule " + t + " forward oifname vmap @fwd_in\n"
           "add rule " + t + " forward iifname vmap @fwd_out\n"
           "flush chain " + t + " postrouting\n"
           "add rule " + t + " postrouting oifname vmap @post_out\n"
           "add rule " + t + " postrouting " + f_name + " saddr vmap @post_src\n";
    return out;
}

std::string network_chain_commands(const FirewallNetwork& net, Family f) {
    std::string t = table(f);
    std::string br = "\"" + net.bridge + "\"";
    std::string out;
    auto chain = [&](const std::string& name, std::initializer_list<std::string> rules) {
        out += "add chain " + t + " " + name + "\nflush chain " + t + " " + name + "\n";
        for (const auto& r : rules)
            if (!r.empty()) out += "add rule " + t + " " + name + " " + r + "\n";
    };
    const std::string& subnet = subnet_of(net, f);
    std::string saddr = std::string(fam(f)) + " saddr ";
    if (net.internal) {
        chain("in_" + net.bridge, {"iifname " + br + " accept", "drop"});
        chain("out_" + net.bridge, {"drop"});
    } else {
        chain("in_" + net.bridge, {"iifname " + br + " accept",
                                   "ct state established,related accept",
                                   "ct status dnat accept", "drop"});
        chain("out_" + net.bridge, {"accept"});
    }
    chain("post_into_" + net.bridge,
          {f == Family::v4 ? saddr + "127.0.0.0/8 masquerade" : std::string(),
           saddr + subnet + " ct status dnat masquerade"});
    chain("post_from_" + net.bridge,
          {net.internal ? std::string() : "oifname != " + br + " masquerade"});
    return out;
}

std::string network_element_commands(const FirewallNetwork& net, Family f) {
    std::string out;
    for (const auto& d : dispatches(net, f))
        out += "add element " + table(f) + " " + std::string(d.map) + " { " + d.key + " : jump " +
               d.chain + " }\n";
    return out;
}

std::string network_removal_commands(const FirewallNetwork& net, Family f) {
    std::string t = table(f);
    std::string out = "add table " + t + "\n";
    auto ds = dispatches(net, f);
    for (const auto& d : ds) out += "add chain " + t + " " + d.chain + "\n";
    out += maps(f);
    out += network_element_commands(net, f);
    for (const auto& d : ds)
        out += "delete element " + t + " " + std::string(d.map) + " { " + d.key + " }\n";
    for (const auto& d : ds)
        out += "flush chain " + t + " " + d.chain + "\ndelete chain " + t + " " + d.chain + "\n";
    return out;
}

std::string publish_commands(std::span<const PublishedPort> ports) {
    std::string out;
    for (const auto& p : ports)
        out += "add element " + table(family_of(p)) + " " + std::string(port_map(p)) + " { " +
               element_key(p) + " : " + p.container_ip + " . " +
               std::to_string(p.container_port) + " }\n";
    return out;
}

std::string unpublish_commands(std::span<const PublishedPort> ports) {
    std::string out;
    for (const auto& p : ports)
        out += "delete element " + table(family_of(p)) + " " + std::string(port_map(p)) + " { " +
               element_key(p) + " }\n";
    return out;
}

std::string docker_user_comment(std::string_view bridge) {
    return "ferry bridge " + std::string(bridge);
}

std::string docker_user_insert_commands(std::string_view bridge, Family f) {
    std::string head = "insert rule " + std::string(fam(f)) + " filter DOCKER-USER ";
    std::string tail = "\" counter accept comment \"" + docker_user_comment(bridge) + "\"\n";
    std::string br(bridge);
    return head + "oifname \"" + br + tail + head + "iifname \"" + br + tail;
}

std::string docker_user_delete_commands(std::span<const uint64_t> handles, Family f) {
    std::string out;
    for (uint64_t h : handles)
        out += "delete rule " + std::string(fam(f)) + " filter DOCKER-USER handle " +
               std::to_string(h) + "\n";
    return out;
}

std::vector<uint64_t> parse_rule_handles(std::string_view json, std::string_view comment) {
    std::vector<uint64_t> out;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) return out;
    for (const auto& item : doc["nftables"]) {
        if (!item.is_object() || !item.contains("rule")) continue;
        const auto& rule = item["rule"];
        if (!rule.is_object() || !rule.contains("comment") || !rule["comment"].is_string() ||
            !rule.contains("handle") || !rule["handle"].is_number_unsigned())
            continue;
        auto text = rule["comment"].get<std::string>();
        bool match = comment.empty() ? text.starts_with("ferry bridge ") : text == comment;
        if (match) out.push_back(rule["handle"].get<uint64_t>());
    }
    return out;
}

namespace {

// An element key as nft's JSON gives it, written back in nft's syntax: a prefix as addr/len, a
// string (an interface name) quoted; "" for a form not expected in ferry's maps.
std::string element_key_text(const nlohmann::json& key) {
    if (key.is_string()) {
        std::string s = key.get<std::string>();
        return s.find_first_of(".:") == std::string::npos ? "\"" + s + "\"" : s;
    }
    if (key.is_object() && key.contains("prefix") && key["prefix"].is_object()) {
        const auto& p = key["prefix"];
        if (p.contains("addr") && p["addr"].is_string() && p.contains("len"))
            return p["addr"].get<std::string>() + "/" + scalar(p["len"]);
    }
    return {};
}

}  // namespace

std::string stale_element_commands(std::string_view json, const FirewallNetwork& net, Family f) {
    std::string out;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) return out;
    auto ds = dispatches(net, f);
    for (const auto& item : doc["nftables"]) {
        if (!item.is_object() || !item.contains("map")) continue;
        const auto& map = item["map"];
        if (!map.is_object() || !map.contains("elem") || !map["elem"].is_array()) continue;
        std::string name = map.contains("name") ? scalar(map["name"]) : std::string();
        auto d = std::ranges::find_if(ds, [&](const Dispatch& x) { return x.map == name; });
        if (d == ds.end()) continue;
        for (const auto& el : map["elem"]) {
            if (!el.is_array() || el.size() != 2 || !el[1].is_object() || !el[1].contains("jump"))
                continue;
            const auto& jump = el[1]["jump"];
            if (!jump.is_object() || !jump.contains("target") || scalar(jump["target"]) != d->chain)
                continue;
            std::string key = element_key_text(el[0]);
            if (key.empty() || key == d->key) continue;
            out += "delete element " + table(f) + " " + name + " { " + key + " }\n";
        }
    }
    return out;
}

std::vector<PublishedPort> parse_published(std::string_view json) {
    std::vector<PublishedPort> out;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) return out;
    for (const auto& item : doc["nftables"]) {
        if (!item.is_object() || !item.contains("map")) continue;
        const auto& map = item["map"];
        if (!map.is_object() || !map.contains("elem") || !map["elem"].is_array()) continue;
        std::string name = map.contains("name") ? scalar(map["name"]) : std::string();
        if (name != "pub_any" && name != "pub_ip") continue;
        for (const auto& el : map["elem"]) {
            PublishedPort port;
            if (parse_element(el, name == "pub_ip", port)) out.push_back(std::move(port));
        }
    }
    return out;
}

}  // namespace ferry::net
