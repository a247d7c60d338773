// go-connections/nat's parsers, line for line where the words matter: a `-p` value splits on
// ':' from the right (the container port last, the host port before it, the rest an IP, in
// brackets for IPv6), the protocol after the first '/' of the container port (anything after a
// second '/' ignored, as docker 20.10's SplitProtoPort), ports as 0-65535 numbers or ranges.
// The printers follow docker's CLI: DisplayablePorts for `ps` (docker 20.10's, whose IPv6
// addresses carry no brackets: ":::8080->80/tcp") and `port`'s lines (net.JoinHostPort,
// natural order, as docker 23+).

#include "ferry/net/port_spec.hpp"

#include <algorithm>
#include <cstring>

#include "ferry/net/inet.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::net {

namespace {

std::optional<int> port_number(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    auto n = parse_u64(s);
    if (!n || *n > 65535) return std::nullopt;
    return static_cast<int>(*n);
}

// nat's parsePortRange: "80" or "80-90" (end >= start).
std::optional<std::pair<int, int>> port_range(std::string_view s) {
    if (s.empty()) return std::nullopt;
    size_t dash = s.find('-');
    auto start = port_number(s.substr(0, dash));
    if (!start) return std::nullopt;
    if (dash == std::string_view::npos || s.substr(0, dash) == s.substr(dash + 1))
        return std::pair{*start, *start};
    auto end = port_number(s.substr(dash + 1));
    if (!end || *end < *start) return std::nullopt;
    return std::pair{*start, *end};
}

// docker 20.10's SplitProtoPort: {proto, port}; tcp when none is given.
std::pair<std::string, std::string> split_proto_port(std::string_view raw) {
    auto parts = split(raw, '/');
    if (raw.empty() || parts.empty() || parts[0].empty()) return {"", ""};
    if (parts.size() == 1 || parts[1].empty()) return {"tcp", parts[0]};
    return {parts[1], parts[0]};
}

struct SpecParts {
    std::string ip, host_port, container_port;
};

SpecParts split_parts(std::string_view raw) {
    auto parts = split(raw, ':');
    size_t n = parts.size();
    if (n == 1) return {"", "", parts[0]};
    if (n == 2) return {"", parts[0], parts[1]};
    std::vector<std::string> ip(parts.begin(), parts.end() - 2);
    return {join(ip, ":"), parts[n - 2], parts[n - 1]};
}

// sortorder.NaturalLess: digit runs compare as numbers, the rest byte by byte.
bool natural_less(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            size_t si = i, sj = j;
            while (i < a.size() && digit(a[i])) ++i;
            while (j < b.size() && digit(b[j])) ++j;
            std::string_view na(a.data() + si, i - si), nb(b.data() + sj, j - sj);
            while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
            while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            continue;
        }
        if (a[i] != b[j]) return a[i] < b[j];
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

}  // namespace

bool is_ipv6(std::string_view s) { return s.find(':') != std::string_view::npos; }

std::string join_host_port(std::string_view host, std::string_view port) {
    if (is_ipv6(host)) return "[" + std::string(host) + "]:" + std::string(port);
    return std::string(host) + ":" + std::string(port);
}

Result<std::vector<PortMapping>> parse_port_spec(std::string_view raw) {
    SpecParts p = split_parts(raw);
    auto [proto, container_port] = split_proto_port(p.container_port);
    if (container_port.empty())
        return fail("no port specified: " + std::string(raw) + "<empty>");
    proto = to_lower(proto);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") return fail("invalid proto: " + proto);
    std::string ip = p.ip;
    if (!ip.empty() && ip.front() == '[') {
        // net.SplitHostPort(ip + ":"): the address between the brackets.
        size_t close = ip.find(']');
        if (close == std::string::npos || close + 1 != ip.size())
            return fail("invalid IP address " + ip + ": address " + ip +
                        ": missing ']' in address");
        ip = ip.substr(1, close - 1);
    }
    if (!ip.empty() && !parse_ip(ip)) return fail("invalid IP address: " + ip);
    auto range = port_range(container_port);
    if (!range) return fail("invalid containerPort: " + container_port);
    std::pair<int, int> host{0, 0};
    if (!p.host_port.empty()) {
        auto h = port_range(p.host_port);
        if (!h) return fail("invalid hostPort: " + p.host_port);
        host = *h;
        if (range->second - range->first != host.second - host.first &&
            range->second != range->first)
            return fail("invalid ranges specified for container and host Ports: " +
                        container_port + " and " + p.host_port);
    }
    int count = range->second - range->first + 1;
    std::vector<PortMapping> out;
    for (int i = 0; i < count; ++i) {
        std::string host_port;
        if (!p.host_port.empty()) {
            host_port = std::to_string(host.first + i);
            if (count == 1 && host.first != host.second)
                host_port += "-" + std::to_string(host.second);
        }
        out.push_back({std::to_string(range->first + i) + "/" + proto, {ip, host_port}});
    }
    return out;
}

Result<void> parse_port_specs(const std::vector<std::string>& specs, std::set<std::string>& exposed,
                              PortMap& bindings) {
    for (const auto& spec : specs) {
        for (auto& m : TRY(parse_port_spec(spec))) {
            exposed.insert(m.port);
            bindings[m.port].push_back(std::move(m.binding));
        }
    }
    return {};
}

Result<std::vector<std::string>> parse_expose(std::string_view raw) {
    if (raw.find(':') != std::string_view::npos)
        return fail("invalid port format for --expose: " + std::string(raw));
    auto [proto, port] = split_proto_port(raw);
    auto range = port_range(port);
    if (!range) {
        // strconv's words for the part that failed, as nat.ParsePortRange reports them.
        if (port.empty())
            return fail("invalid range format for --expose: " + std::string(raw) +
                        ", error: Empty string specified for ports.");
        std::string bad = port.substr(0, port.find('-'));
        if (port_number(bad) && port.find('-') != std::string::npos) {
            bad = port.substr(port.find('-') + 1);
            if (port_number(bad))
                return fail("invalid range format for --expose: " + std::string(raw) +
                            ", error: Invalid range specified for the Port: " + port);
        }
        return fail("invalid range format for --expose: " + std::string(raw) +
                    ", error: strconv.ParseUint: parsing \"" + bad + "\": " +
                    (parse_u64(bad) ? "value out of range" : "invalid syntax"));
    }
    proto = to_lower(proto);
    std::vector<std::string> out;
    for (int p = range->first; p <= range->second; ++p)
        out.push_back(std::to_string(p) + "/" + proto);
    return out;
}

std::optional<std::pair<uint16_t, std::string>> split_port_key(std::string_view key) {
    auto [proto, port] = split_proto_port(key);
    auto n = port_number(port);
    if (!n) return std::nullopt;
    return std::pair{static_cast<uint16_t>(*n), proto};
}

std::vector<std::string> sorted_keys(const PortMap& map) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : map) keys.push_back(k);
    std::sort(keys.begin(), keys.end());  // std::map's order already is byte order
    return keys;
}

std::string displayable_ports(const PortMap& ports) {
    struct Summary {
        std::string ip;
        uint16_t private_port = 0, public_port = 0;
        std::string type;
    };
    std::vector<Summary> summaries;
    for (const auto& [key, bindings] : ports) {
        auto k = split_port_key(key);
        if (!k) continue;
        if (bindings.empty()) summaries.push_back({"", k->first, 0, k->second});
        for (const auto& b : bindings) {
            auto h = port_number(b.host_port);
            summaries.push_back({b.host_ip, k->first, static_cast<uint16_t>(h.value_or(0)),
                                 k->second});
        }
    }
    std::sort(summaries.begin(), summaries.end(), [](const Summary& a, const Summary& b) {
        if (a.private_port != b.private_port) return a.private_port < b.private_port;
        if (a.ip != b.ip) return a.ip < b.ip;
        if (a.public_port != b.public_port) return a.public_port < b.public_port;
        return a.type < b.type;
    });
    struct Group {
        std::string ip, type;
        uint16_t first, last;
    };
    auto form = [](const Group& g) {
        std::string range = std::to_string(g.first);
        if (g.first != g.last) range += "-" + std::to_string(g.last);
        if (!g.ip.empty()) range = g.ip + ":" + range + "->" + range;
        return range + "/" + g.type;
    };
    std::map<std::string, Group> groups;
    std::vector<std::string> order, result, host_mappings;
    for (const auto& s : summaries) {
        std::string key = s.type;
        if (!s.ip.empty()) {
            if (s.public_port != s.private_port) {
                host_mappings.push_back(s.ip + ":" + std::to_string(s.public_port) + "->" +
                                        std::to_string(s.private_port) + "/" + s.type);
                continue;
            }
            key = s.ip + "/" + s.type;
        }
        auto it = groups.find(key);
        if (it == groups.end()) {
            groups.emplace(key, Group{s.ip, s.type, s.private_port, s.private_port});
            order.push_back(key);
            continue;
        }
        if (s.private_port == it->second.last + 1) {
            it->second.last = s.private_port;
            continue;
        }
        result.push_back(form(it->second));
        it->second = Group{s.ip, s.type, s.private_port, s.private_port};
    }
    for (const auto& key : order) result.push_back(form(groups.at(key)));
    result.insert(result.end(), host_mappings.begin(), host_mappings.end());
    return join(result, ", ");
}

std::vector<std::string> port_lines(const PortMap& ports) {
    std::vector<std::string> out;
    for (const auto& [key, bindings] : ports)
        for (const auto& b : bindings)
            out.push_back(key + " -> " + join_host_port(b.host_ip, b.host_port));
    std::sort(out.begin(), out.end(), natural_less);
    return out;
}

Result<std::vector<std::string>> port_lines(const PortMap& ports, std::string_view port,
                                            std::string_view container) {
    auto [proto, number] = split_proto_port(port);
    std::string key = number + "/" + proto;
    auto it = ports.find(key);
    if (it == ports.end() || it->second.empty())
        return fail_with_status("No public port '" + std::string(port) + "' published for " +
                                    std::string(container),
                                1);
    std::vector<std::string> out;
    for (const auto& b : it->second) out.push_back(join_host_port(b.host_ip, b.host_port));
    std::sort(out.begin(), out.end(), natural_less);
    return out;
}

}  // namespace ferry::net
