// The network flags of run/create. Those docker's CLI validates while parsing (--add-host,
// --dns, --dns-search, --ip, --ip6) fail inside the parser with pflag's `invalid argument "v"
// for "--flag" flag: ...`; -p, --expose and --mac-address are checked once all flags are read,
// with the plain words of docker's CLI (go-connections/nat's for ports), then the daemon's
// checks of the network mode (runconfig's validateNetMode). --network takes default (the
// bridge, as root; pasta, rootless), host, none, bridge, container:NAME or a network's name.

#include "ferry/cli/run_flags.hpp"

#include <regex>

#include "ferry/net/inet.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

std::string ip_flag(std::string* target, const std::string& v) {
    auto ip = net::parse_ip(trim(v));
    if (!ip) return "invalid string being converted to IP address: " + v;
    *target = net::format_ip(*ip);
    return "";
}

// Go's net.ParseMAC: 6, 8 or 20 bytes as xx:xx:..., xx-xx-... or xxxx.xxxx.xxxx.
bool valid_mac(std::string_view s) {
    auto hex = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    if (s.size() < 14) return false;
    if (s[2] == ':' || s[2] == '-') {
        if ((s.size() + 1) % 3 != 0) return false;
        size_t n = (s.size() + 1) / 3;
        if (n != 6 && n != 8 && n != 20) return false;
        for (size_t i = 0; i < s.size(); ++i) {
            if (i % 3 == 2 ? s[i] != s[2] : !hex(s[i])) return false;
        }
        return true;
    }
    if (s[4] == '.') {
        if ((s.size() + 1) % 5 != 0) return false;
        size_t n = 2 * (s.size() + 1) / 5;
        if (n != 6 && n != 8 && n != 20) return false;
        for (size_t i = 0; i < s.size(); ++i) {
            if (i % 5 == 4 ? s[i] != '.' : !hex(s[i])) return false;
        }
        return true;
    }
    return false;
}

bool is_container_mode(const std::string& mode) { return mode.starts_with("container:"); }

// runconfig's validateNetMode (docker 20.10): what a container-mode or host network excludes.
Result<void> check_net_mode(const NetworkFlags& raw, const runtime::RunOptions& o) {
    const auto& n = o.net;
    if (o.network == "container" || o.network == "container:")
        return fail("invalid network mode: invalid container format container:<name|id>");
    if (is_container_mode(o.network)) {
        if (!o.hostname.empty()) return fail("conflicting options: hostname and the network mode");
        if (!n.dns.empty()) return fail("conflicting options: dns and the network mode");
        if (!n.extra_hosts.empty())
            return fail("conflicting options: custom host-to-IP mapping and the network mode");
    }
    // An explicit host network only: ferry's default (host, for now) stands for docker's bridge.
    if ((is_container_mode(o.network) || raw.network == "host") && !n.mac_address.empty())
        return fail("conflicting options: mac-address and the network mode");
    if (is_container_mode(o.network)) {
        if (!n.port_bindings.empty() || n.publish_all)
            return fail("conflicting options: port publishing and the container type network mode");
        if (!raw.publish.empty() || !raw.expose.empty())
            return fail("conflicting options: port exposing and the container type network mode");
    }
    return {};
}

}  // namespace

Result<net::ExtraHost> parse_add_host(std::string_view value) {
    std::string val(value);
    size_t sep = val.find('=');
    if (sep == std::string::npos) sep = val.find(':');
    std::string name = sep == std::string::npos ? val : val.substr(0, sep);
    if (sep == std::string::npos || name.empty() || name.find(':') != std::string::npos)
        return fail("bad format for add-host: \"" + val + "\"");
    std::string ip = val.substr(sep + 1);
    if (ip != "host-gateway") {
        if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
        if (!net::parse_ip(trim(ip)))
            return fail("invalid IP address in add-host: \"" + ip + "\"");
    }
    return net::ExtraHost{name, ip};
}

Result<std::string> validate_dns_search(std::string_view value) {
    std::string v(value);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    if (v == ".") return v;
    static const std::regex alpha("[a-zA-Z]");
    static const std::regex domain(
        R"(^(:?(?:[a-zA-Z0-9]|(?:[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(?:[a-zA-Z0-9]|(?:[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?\s*$)");
    std::smatch m;
    if (std::regex_search(v, alpha) && std::regex_search(v, m, domain) && m[1].length() < 255)
        return m[1].str();
    return fail(v + " is not a valid domain");
}

void add_network_flags(FlagSet& f, runtime::RunOptions& o, NetworkFlags& raw) {
    auto& n = o.net;
    f.add_custom(0, "add-host", "list", "Add a custom host-to-IP mapping (host:ip)",
                 [&n](const std::string& v) -> std::string {
                     auto h = parse_add_host(v);
                     if (!h) return h.error().message;
                     n.extra_hosts.push_back(h->name + ":" + h->ip);
                     return "";
                 });
    f.add_custom(0, "dns", "list", "Set custom DNS servers", [&n](const std::string& v) {
        auto ip = net::parse_ip(trim(v));
        if (!ip) return "IP address is not correctly formatted: " + v;
        n.dns.push_back(net::format_ip(*ip));
        return std::string();
    });
    f.add_list(0, "dns-option", &n.dns_options, "Set DNS options");
    f.add_list(0, "dns-opt", &n.dns_options, "Alias of --dns-option");
    f.add_custom(0, "dns-search", "list", "Set custom DNS search domains",
                 [&n](const std::string& v) {
                     auto d = validate_dns_search(v);
                     if (!d) return d.error().message;
                     n.dns_search.push_back(*d);
                     return std::string();
                 });
    f.add_list(0, "expose", &raw.expose, "Expose a port or a range of ports");
    f.add_custom(0, "ip", "ip", "IPv4 address (e.g., 172.30.100.104)",
                 [&n](const std::string& v) { return ip_flag(&n.ip, v); });
    f.add_custom(0, "ip6", "ip", "IPv6 address (e.g., 2001:db8::33)",
                 [&n](const std::string& v) { return ip_flag(&n.ip6, v); });
    f.add_string(0, "mac-address", &n.mac_address,
                 "Container MAC address (e.g., 92:d0:c6:0a:29:33)");
    f.add_string(0, "network", &raw.network,
                 "Connect a container to a network: bridge (the default; pasta rootless), host, "
                 "none, container:NAME or a network's name",
                 "network");
    f.add_string(0, "net", &raw.network, "Alias of --network", "network");
    f.add_list(0, "network-alias", &n.aliases, "Add network-scoped alias for the container");
    f.add_list(0, "net-alias", &n.aliases, "Alias of --network-alias");
    f.add_list('p', "publish", &raw.publish, "Publish a container's port(s) to the host");
    f.add_bool('P', "publish-all", &n.publish_all, "Publish all exposed ports to random ports");
}

Result<void> check_network_flags(const NetworkFlags& raw, runtime::RunOptions& o) {
    // docker's default network mode, "default": the bridge network as root, pasta rootless (as
    // podman 5).
    o.network = raw.network.empty() ? "default" : raw.network;
    auto& n = o.net;
    if (!n.mac_address.empty() && !valid_mac(trim(n.mac_address)))
        return fail(n.mac_address + " is not a valid mac address");
    std::vector<std::string> specs;
    for (const auto& p : raw.publish) {
        if (p.find('=') == std::string::npos) {
            specs.push_back(p);
            continue;
        }
        // docker's long syntax: target=80,published=8080,protocol=udp.
        std::map<std::string, std::string> params = {{"protocol", "tcp"}};
        for (const auto& param : split(p, ',')) {
            auto eq = param.find('=');
            if (eq == std::string::npos || eq == 0)
                return fail("invalid publish opts format (should be name=value but got '" +
                            param + "')");
            params[param.substr(0, eq)] = param.substr(eq + 1);
        }
        specs.push_back(params["published"] + ":" + params["target"] + "/" + params["protocol"]);
    }
    TRY(net::parse_port_specs(specs, n.exposed_ports, n.port_bindings));
    for (const auto& e : raw.expose)
        for (auto& port : TRY(net::parse_expose(e)))
            n.exposed_ports.insert(std::move(port));
    TRY(check_net_mode(raw, o));
    return {};
}

}  // namespace ferry::cli
