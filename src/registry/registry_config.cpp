// Endpoint selection as moby's registry service does it (daemon/pkg/registry: lookupV2Endpoints,
// isSecureIndex, newTLSConfig, loadTLSConfig), with podman's registries.conf added: mirrors
// (daemon.json's for docker.io, then the entry's) come first, then the origin over https, then
// over http when the origin is insecure. An insecure registry's https is not verified and reads
// no certs.d, as docker's; a secure one's certs.d directory adds CAs and a client pair.
// Everything here is computed from RegistryConfig; only load_registry_config reads files, and
// the CIDR check resolves names through config.resolve, so the rules are unit-tested whole.

#include "ferry/registry/registry_config.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {
namespace {

constexpr std::string_view k_default_insecure_cidrs[] = {"127.0.0.0/8", "::1/128"};

std::string env(const char* name) {
    const char* v = ::getenv(name);
    return v ? v : "";
}

std::string config_home() {
    std::string x = env("XDG_CONFIG_HOME");
    if (!x.empty()) return x;
    return env("HOME") + "/.config";
}

bool is_hub(std::string_view host) {
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96) and its family's bit offset.
struct Address {
    std::array<unsigned char, 16> bytes{};
    bool v4 = false;
};

std::optional<Address> parse_address(std::string_view text) {
    std::string s(text);
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    Address a;
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        a.v4 = true;
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, &v4, 4);
        return a;
    }
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
    return std::nullopt;
}

// Whether cidr ("10.0.0.0/8", "fd00::/8") contains addr.
bool cidr_contains(std::string_view cidr, const Address& addr) {
    auto slash = split_once(cidr, '/');
    if (!slash) return false;
    auto net = parse_address(slash->first);
    auto bits = parse_u64(slash->second);
    if (!net || !bits || net->v4 != addr.v4 || *bits > (net->v4 ? 32u : 128u)) return false;
    size_t total = *bits + (net->v4 ? 96 : 0);
    for (size_t i = 0; i < total; ++i) {
        unsigned char mask = static_cast<unsigned char>(0x80 >> (i % 8));
        if ((net->bytes[i / 8] & mask) != (addr.bytes[i / 8] & mask)) return false;
    }
    return true;
}

// The host of host[:port] (brackets kept off an IPv6 literal).
std::string host_only(std::string_view host_port) {
    if (host_port.starts_with('[')) {
        auto close = host_port.find(']');
        return std::string(
            host_port.substr(1, close == std::string_view::npos ? close : close - 1));
    }
    if (std::count(host_port.begin(), host_port.end(), ':') > 1) return std::string(host_port);
    return std::string(host_port.substr(0, host_port.find(':')));
}

std::vector<std::string> resolve_host(const std::string& host) {
    std::vector<std::string> out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* p = res; p; p = p->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src =
            p->ai_family == AF_INET
                ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
                : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr);
        if (::inet_ntop(p->ai_family, src, buf, sizeof buf)) out.emplace_back(buf);
    }
    ::freeaddrinfo(res);
    return out;
}

// docker's isCIDRMatch: the host's addresses (itself when a literal, else resolved).
bool cidr_match(const RegistryConfig& config, const std::string& host_port) {
    std::vector<std::string> cidrs(std::begin(k_default_insecure_cidrs),
                                   std::end(k_default_insecure_cidrs));
    for (const auto& entry : config.insecure_registries)
        if (entry.find('/') != std::string::npos) cidrs.push_back(entry);
    std::string host = host_only(host_port);
    std::vector<std::string> addresses;
    if (parse_address(host))
        addresses.push_back(host);
    else if (config.resolve)
        addresses = config.resolve(host);
    for (const auto& text : addresses) {
        auto addr = parse_address(text);
        if (!addr) continue;
        for (const auto& cidr : cidrs)
            if (cidr_contains(cidr, *addr)) return true;
    }
    return false;
}

// docker's loadTLSConfig over dir: CAs and a client pair, into endpoint.
Result<void> read_certs_dir(const std::string& dir, Endpoint& endpoint) {
    auto names = TRY_CTX("reading `" + dir + "`", fs::list_dir(dir));
    std::sort(names.begin(), names.end());
    auto has = [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    for (const auto& name : names) {
        if (name.ends_with(".crt")) {
            endpoint.tls.ca_files.push_back(dir + "/" + name);
        } else if (name.ends_with(".cert")) {
            std::string key = name.substr(0, name.size() - 5) + ".key";
            if (!has(key))
                return fail("missing key " + key + " for client certificate " + name +
                            ". CA certificates must use the extension .crt");
            if (endpoint.tls.client_cert.empty()) {
                endpoint.tls.client_cert = dir + "/" + name;
                endpoint.tls.client_key = dir + "/" + key;
            }
        } else if (name.ends_with(".key")) {
            std::string cert = name.substr(0, name.size() - 4) + ".cert";
            if (!has(cert)) return fail("missing client certificate " + cert + " for key " + name);
        }
    }
    return {};
}

// An endpoint for host (host[:port]) over scheme, with certs.d read when it is verified.
Result<Endpoint> make_endpoint(const RegistryConfig& config, std::string scheme, std::string host,
                               std::string path, bool insecure, bool mirror) {
    Endpoint e;
    e.scheme = std::move(scheme);
    e.host = std::move(host);
    e.path = std::move(path);
    e.mirror = mirror;
    e.tls.verify = !insecure;
    if (e.scheme == "https" && !insecure) {
        for (const auto& root : config.certs_dirs) {
            std::string dir = root + "/" + e.host;
            if (!fs::lexists(dir)) continue;
            TRY(read_certs_dir(dir, e));
            break;
        }
    }
    return e;
}

// Adds a registries.conf location (host[/path]): https, then http when insecure.
Result<void> add_location(const RegistryConfig& config, std::vector<Endpoint>& out,
                          std::string_view location, bool insecure, bool mirror) {
    std::string host(location.substr(0, location.find('/')));
    std::string path;
    if (auto slash = location.find('/'); slash != std::string_view::npos)
        path = std::string(location.substr(slash));
    while (path.ends_with('/'))
        path.pop_back();
    out.push_back(TRY(make_endpoint(config, "https", host, path, insecure, mirror)));
    if (insecure) out.push_back(TRY(make_endpoint(config, "http", host, path, true, mirror)));
    return {};
}

// Adds one of daemon.json's mirrors (validated: scheme://host[/path]/).
Result<void> add_docker_mirror(const RegistryConfig& config, std::vector<Endpoint>& out,
                               const std::string& url) {
    auto scheme_end = url.find("://");
    std::string scheme = url.substr(0, scheme_end);
    std::string_view rest = std::string_view(url).substr(scheme_end + 3);
    std::string host(rest.substr(0, rest.find('/')));
    std::string path;
    if (auto slash = rest.find('/'); slash != std::string_view::npos)
        path = std::string(rest.substr(slash));
    while (path.ends_with('/'))
        path.pop_back();
    bool insecure = is_insecure(config, host);
    out.push_back(TRY(make_endpoint(config, scheme, host, path, insecure, true)));
    return {};
}

std::vector<std::string> string_list(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// Reads one registries.conf file into entries; a later file's prefix replaces an earlier one.
Result<void> merge_registries_conf(const std::string& path, std::vector<RegistryEntry>& entries) {
    if (!fs::lexists(path)) return {};
    auto text = TRY_CTX("reading `" + path + "`", fs::read_file(path));
    auto parsed = TRY(parse_registries_conf(text, path));
    for (auto& e : parsed) {
        auto same = std::find_if(entries.begin(), entries.end(),
                                 [&](const RegistryEntry& x) { return x.prefix == e.prefix; });
        if (same != entries.end())
            *same = std::move(e);
        else
            entries.push_back(std::move(e));
    }
    return {};
}

}  // namespace

std::string Endpoint::base_url() const {
    return scheme + "://" + host + path;
}

Result<std::string> validate_mirror(const std::string& url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0)
        return fail("invalid mirror: no scheme specified for \"" + url +
                    "\": must use either 'https://' or 'http://'");
    std::string scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https")
        return fail("invalid mirror: unsupported scheme \"" + scheme + "\" in \"" + url +
                    "\": must use either 'https://' or 'http://'");
    if (url.find_first_of("?#") != std::string::npos)
        return fail("invalid mirror: query or fragment at end of the URI \"" + url + "\"");
    std::string_view rest = std::string_view(url).substr(scheme_end + 3);
    if (rest.substr(0, rest.find('/')).find('@') != std::string_view::npos)
        return fail("invalid mirror: username/password not allowed in URI \"" + url + "\"");
    std::string out = url;
    while (out.ends_with('/'))
        out.pop_back();
    return out + "/";
}

Result<void> parse_daemon_json(std::string_view text, const std::string& path,
                               RegistryConfig& config) {
    if (trim(text).empty()) return {};
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail("reading `" + path + "`: not a JSON object");
    config.insecure_registries = string_list(j, "insecure-registries");
    for (const auto& m : string_list(j, "registry-mirrors"))
        config.mirrors.push_back(TRY_CTX("reading `" + path + "`", validate_mirror(m)));
    // dockerd's validation: a negative count is refused, 0 leaves the default.
    for (auto [key, what, target] : {std::tuple{"max-concurrent-downloads", "downloads",
                                                &config.max_concurrent_downloads},
                                     std::tuple{"max-concurrent-uploads", "uploads",
                                                &config.max_concurrent_uploads}}) {
        auto it = j.find(key);
        if (it == j.end()) continue;
        if (!it->is_number_integer())
            return fail("reading `" + path + "`: " + key + ": not an integer");
        auto n = it->get<int64_t>();
        if (n < 0) return fail("reading `" + path + "`: invalid max concurrent " + what + ": " + std::to_string(n));
        if (n > 0) *target = static_cast<int>(std::min<int64_t>(n, 64));
    }
    return {};
}

Result<RegistryConfig> load_registry_config() {
    RegistryConfig config;
    config.resolve = resolve_host;
    bool root = ::geteuid() == 0;
    std::string daemon_json = env("FERRY_DAEMON_JSON");
    if (daemon_json.empty())
        daemon_json = root ? "/etc/docker/daemon.json" : config_home() + "/docker/daemon.json";
    if (fs::lexists(daemon_json)) {
        auto text = TRY_CTX("reading `" + daemon_json + "`", fs::read_file(daemon_json));
        TRY(parse_daemon_json(text, daemon_json, config));
    }
    if (std::string conf = env("FERRY_REGISTRIES_CONF"); !conf.empty()) {
        TRY(merge_registries_conf(conf, config.registries));
    } else {
        std::string user_conf = config_home() + "/containers/registries.conf";
        if (!root && fs::lexists(user_conf))
            TRY(merge_registries_conf(user_conf, config.registries));
        else
            TRY(merge_registries_conf("/etc/containers/registries.conf", config.registries));
        std::string dropins = "/etc/containers/registries.conf.d";
        auto names = fs::list_dir(dropins).value_or(std::vector<std::string>{});
        std::sort(names.begin(), names.end());
        for (const auto& n : names)
            if (n.ends_with(".conf"))
                TRY(merge_registries_conf(dropins + "/" + n, config.registries));
    }
    if (std::string certs = env("FERRY_CERTS_D"); !certs.empty()) {
        config.certs_dirs = {certs};
    } else {
        if (!root)
            config.certs_dirs = {config_home() + "/docker/certs.d",
                                 config_home() + "/containers/certs.d"};
        config.certs_dirs.push_back("/etc/docker/certs.d");
        config.certs_dirs.push_back("/etc/containers/certs.d");
    }
    return config;
}

bool is_insecure(const RegistryConfig& config, const std::string& host,
                 const std::string& repository) {
    std::string name = is_hub(host) ? "docker.io" : host;
    std::string reference = repository.empty() ? name : name + "/" + repository;
    if (const RegistryEntry* e = match_registry(config.registries, reference); e && e->insecure)
        return true;
    if (is_hub(host)) return false;
    for (const auto& entry : config.insecure_registries)
        if (entry.find('/') == std::string::npos && entry == host) return true;
    return cidr_match(config, host);
}

Result<RegistrySettings> registry_settings(const RegistryConfig& config, const std::string& host,
                                           const std::string& repository) {
    std::string name = is_hub(host) ? "docker.io" : host;
    std::string reference = repository.empty() ? name : name + "/" + repository;
    const RegistryEntry* entry = match_registry(config.registries, reference);
    if (entry && entry->blocked)
        return fail("registry `" + host + "` is blocked in registries.conf");
    RegistrySettings out;
    if (name == "docker.io")
        for (const auto& m : config.mirrors)
            TRY(add_docker_mirror(config, out.endpoints, m));
    if (entry)
        for (const auto& m : entry->mirrors)
            TRY(add_location(config, out.endpoints, m.location, m.insecure, true));
    std::string origin = name == "docker.io" ? "registry-1.docker.io" : host;
    if (entry && entry->location != entry->prefix && !entry->prefix.starts_with("*."))
        origin = entry->location.substr(0, entry->location.find('/'));
    out.insecure = is_insecure(config, host, repository);
    out.endpoints.push_back(TRY(make_endpoint(config, "https", origin, "", out.insecure, false)));
    if (out.insecure)
        out.endpoints.push_back(TRY(make_endpoint(config, "http", origin, "", true, false)));
    return out;
}

}  // namespace ferry::registry
