#pragma once
// How to reach a registry, from the settings docker and podman users already have:
// /etc/docker/daemon.json (`insecure-registries`, hosts or CIDRs; `registry-mirrors`, for
// docker.io only), /etc/containers/registries.conf (`[[registry]]` insecure, blocked, location
// and `[[registry.mirror]]`), and the certs.d directories (/etc/docker/certs.d/HOST[:PORT]/,
// /etc/containers/certs.d/HOST[:PORT]/: *.crt CAs, *.cert/*.key client pairs). Loopback
// registries (127.0.0.0/8, ::1, localhost) are insecure as docker's default. Tests point the
// files elsewhere with FERRY_DAEMON_JSON, FERRY_REGISTRIES_CONF and FERRY_CERTS_D.

#include <functional>
#include <string>
#include <vector>

#include "ferry/registry/http.hpp"
#include "ferry/registry/registries_conf.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// One place to try, in order.
struct Endpoint {
    std::string scheme;                 // "https" or "http"
    std::string host;                   // host[:port] to connect to
    std::string path;                   // a mirror's path prefix ("/cache"), else empty
    TlsSettings tls;                    // for https (its certs.d's CAs and client pair); verify
                                        // is false on an insecure registry
    bool mirror = false;

    // scheme://host[path], without a trailing slash: the /v2/ API is under it.
    std::string base_url() const;
};

// How to reach one registry.
struct RegistrySettings {
    std::vector<Endpoint> endpoints;  // mirrors first, then the origin (https before http)
    bool insecure = false;            // plain HTTP and unverified TLS are allowed at the origin
};

// The settings files, read once.
struct RegistryConfig {
    std::vector<std::string> insecure_registries;  // daemon.json: host[:port] or CIDR
    std::vector<std::string> mirrors;              // daemon.json: normalised, ending in `/`
    std::vector<RegistryEntry> registries;         // registries.conf
    std::vector<std::string> certs_dirs;           // certs.d roots, first with HOST wins
    int max_concurrent_downloads = 3;              // daemon.json, as dockerd's defaults
    int max_concurrent_uploads = 5;
    // Resolves a host name to addresses for the CIDR check (getaddrinfo by default).
    std::function<std::vector<std::string>(const std::string&)> resolve;
};

// Reads daemon.json and registries.conf (with registries.conf.d/*.conf) from their places or
// the FERRY_* overrides; absent files are empty. Fails on a malformed file, naming it, and on
// a mirror docker rejects (`invalid mirror: no scheme specified for "x": must use either
// 'https://' or 'http://'`).
Result<RegistryConfig> load_registry_config();
// Parses daemon.json's registry keys into config (path for messages).
Result<void> parse_daemon_json(std::string_view text, const std::string& path,
                               RegistryConfig& config);
// docker's ValidateMirror: the mirror URL with one trailing `/`, or its error.
Result<std::string> validate_mirror(const std::string& url);

// Whether host (host[:port]) may be reached over plain HTTP: docker's isSecureIndex inverted
// (listed in insecure-registries, or an address in an insecure CIDR, loopback by default;
// docker.io never) or `insecure = true` in its registries.conf entry.
bool is_insecure(const RegistryConfig& config, const std::string& host,
                 const std::string& repository = "");

// The endpoints for host ("docker.io", "localhost:5000") and repository ("library/ubuntu",
// for registries.conf prefixes with a path). Fails with `registry `host` is blocked in
// registries.conf` and on a certs.d directory docker rejects (`missing key client.key for
// client certificate client.cert. CA certificates must use the extension .crt`).
Result<RegistrySettings> registry_settings(const RegistryConfig& config, const std::string& host,
                                           const std::string& repository = "");

}  // namespace ferry::registry
