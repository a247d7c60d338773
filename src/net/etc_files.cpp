// libnetwork's text, reproduced: etchosts' default records (localhost and the ip6 names), extra
// records as "IP\tNAMES", the container's own record added last (libnetwork adds it when the
// endpoint joins, after the file is built); resolvconf's regexps done line by line — a
// `nameserver 127.x.y.z` or `nameserver ::1` line goes with the blank lines after it, and
// Google's resolvers are appended ("\n" then the lines, no final newline) when no nameserver is
// left, exactly as FilterResolvDNS appends them.

#include "ferry/net/etc_files.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::net {

namespace {

constexpr std::string_view k_default_hosts =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n";

std::vector<std::string> fields(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == ' ' || c == '\t' || c == '\r') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

// The values of the last `key` line (resolvconf's GetSearchDomains / GetOptions), or of every
// one (GetNameservers).
std::vector<std::string> values(std::string_view text, std::string_view key, bool all) {
    std::vector<std::string> out;
    for (const auto& line : split(text, '\n')) {
        std::string_view l = line;
        if (auto hash = l.find_first_of("#;"); hash != std::string_view::npos)
            l = l.substr(0, hash);
        auto f = fields(l);
        if (f.empty() || f[0] != key) continue;
        if (!all) out.clear();
        out.insert(out.end(), f.begin() + 1, f.end());
    }
    return out;
}

bool is_localhost_ns(std::string_view line) {
    auto f = fields(line);
    if (f.size() != 2 || f[0] != "nameserver" || !line.starts_with("nameserver")) return false;
    if (f[1] == "::1") return true;
    auto parts = split(f[1], '.');
    if (parts.size() != 4 || parts[0] != "127") return false;
    for (const auto& p : parts)
        if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos)
            return false;
    return true;
}

std::string filter_localhost(std::string_view text) {
    std::string out;
    auto lines = split(text, '\n');
    bool dropping = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        bool last = i + 1 == lines.size();
        if (is_localhost_ns(lines[i])) {
            dropping = true;
            continue;
        }
        if (dropping && lines[i].empty() && !last) continue;
        dropping = false;
        out += lines[i];
        if (!last) out += "\n";
    }
    return out;
}

}  // namespace

std::string hosts_file(const HostsInput& in) {
    if (in.host_network && in.extra.empty()) return in.host_hosts;
    std::string out(k_default_hosts);
    for (const auto& e : in.extra) {
        std::string ip = e.ip == "host-gateway" ? in.host_gateway : e.ip;
        if (!ip.empty()) out += ip + "\t" + e.name + "\n";
    }
    if (!in.own_ip.empty()) {
        std::string fqdn = in.hostname;
        if (!in.domainname.empty()) fqdn += "." + in.domainname;
        auto dot = fqdn.find('.');
        std::string names = dot == std::string::npos ? fqdn : fqdn + " " + fqdn.substr(0, dot);
        out += in.own_ip + "\t" + names + "\n";
    }
    return out;
}

std::vector<std::string> nameservers(std::string_view resolv) {
    return values(resolv, "nameserver", true);
}

bool is_systemd_stub(std::string_view resolv) {
    auto ns = nameservers(resolv);
    return ns.size() == 1 && ns[0] == "127.0.0.53";
}

std::string resolv_conf(const ResolvInput& in) {
    if (!in.dns.empty() || !in.dns_search.empty() || !in.dns_options.empty()) {
        auto dns = in.dns.empty() ? nameservers(in.host_resolv) : in.dns;
        auto search = in.dns_search.empty() ? values(in.host_resolv, "search", false)
                                            : in.dns_search;
        auto options = in.dns_options.empty() ? values(in.host_resolv, "options", false)
                                              : in.dns_options;
        std::string out;
        std::string s = join(search, " ");
        if (!search.empty() && trim(s) != "." ) out += "search " + s + "\n";
        for (const auto& d : dns) out += "nameserver " + d + "\n";
        std::string o = join(options, " ");
        if (!options.empty() && !trim(o).empty()) out += "options " + o + "\n";
        return out;
    }
    if (in.host_network) return in.host_resolv;
    std::string out = filter_localhost(in.host_resolv);
    if (nameservers(out).empty())
        out += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\n"
               "nameserver 2001:4860:4860::8844";
    return out;
}

}  // namespace ferry::net
