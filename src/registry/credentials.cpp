// Credentials follow docker's CLI (cli/config/configfile, cli/config/credentials): a key is
// looked up exactly, then (file store only) against every key's ConvertToHostname; a configured
// helper replaces the file's entry entirely. podman's auth.json keys are normalised as
// containers/image does (scheme and path dropped from URL keys, Docker Hub's names folded into
// docker.io) and matched from the most specific repository namespace to the bare host.
// config.json is edited as a JSON document with its keys in order, so settings ferry does not
// know (proxies, aliases, plugins) survive a login; the rewrite is atomic, mode 0600, under a
// lock file beside it (config.json.lock).

#include "ferry/registry/credentials.hpp"

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ferry/registry/cred_helper.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/base64.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {
namespace {

using Json = nlohmann::ordered_json;

std::string env(const char* name) {
    const char* v = ::getenv(name);
    return v ? v : "";
}

std::string home() {
    std::string h = env("HOME");
    if (!h.empty()) return h;
    if (passwd* pw = ::getpwuid(::geteuid())) return pw->pw_dir;
    return "/";
}

bool is_hub_host(std::string_view host) {
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// Reads a JSON object file; an absent (or empty) file is an empty object.
Result<Json> read_json_object(const std::string& path) {
    if (!fs::lexists(path)) return Json::object();
    auto text = TRY_CTX("reading `" + path + "`", fs::read_file(path));
    if (trim(text).empty()) return Json::object();
    auto json = Json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return fail("reading `" + path + "`: not a JSON object");
    return json;
}

std::string string_field(const Json& entry, const char* name) {
    auto it = entry.find(name);
    return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

// An `auths` entry as docker's LoadFromReader decodes it.
Result<std::optional<Credentials>> decode_entry(const Json& entry, const std::string& path,
                                                const std::string& key) {
    if (!entry.is_object()) return std::nullopt;
    Credentials c;
    c.username = string_field(entry, "username");
    c.password = string_field(entry, "password");
    c.identity_token = string_field(entry, "identitytoken");
    if (std::string auth = string_field(entry, "auth"); !auth.empty()) {
        auto decoded = base64_decode(auth);
        auto split = decoded ? split_once(*decoded, ':') : std::nullopt;
        if (!split || split->first.empty())
            return fail("reading `" + path + "`: invalid `auth` for `" + key + "`");
        c.username = std::string(split->first);
        c.password = std::string(split->second);
        while (!c.password.empty() && c.password.back() == '\0')
            c.password.pop_back();
    }
    if (c.username.empty() && c.password.empty() && c.identity_token.empty()) return std::nullopt;
    return c;
}

Credentials from_helper(const HelperCredentials& h) {
    Credentials c;
    if (h.username == k_token_username)
        c.identity_token = h.secret;
    else
        c.username = h.username, c.password = h.secret;
    return c;
}

// The helper configured for key: credHelpers[key], else credsStore, else empty.
std::string helper_for(const Json& config, const std::string& key) {
    if (auto it = config.find("credHelpers"); it != config.end() && it->is_object())
        if (auto h = it->find(key); h != it->end() && h->is_string()) return *h;
    return string_field(config, "credsStore");
}

// docker's GetAuthConfig(key) on config.json.
Result<std::optional<Credentials>> docker_lookup(const std::string& path, const std::string& key,
                                                 HelperFailure on_helper) {
    Json config = TRY(read_json_object(path));
    if (std::string helper = helper_for(config, key); !helper.empty()) {
        auto got = helper_get(helper, key);
        if (!got && on_helper == HelperFailure::anonymous) {
            (void)fs::write_all(2, "WARNING: " + got.error().message +
                                       "; going on without credentials\n");
            return std::nullopt;
        }
        if (!got) return std::unexpected(std::move(got).error());
        if (!*got) return std::nullopt;
        return from_helper(**got);
    }
    auto auths = config.find("auths");
    if (auths == config.end() || !auths->is_object()) return std::nullopt;
    if (auto it = auths->find(key); it != auths->end()) return decode_entry(*it, path, key);
    for (const auto& [k, entry] : auths->items())
        if (convert_to_hostname(k) == key) return decode_entry(entry, path, k);
    return std::nullopt;
}

// containers/image's normalizeAuthFileKey, with index.docker.io folded too.
std::string podman_key(std::string_view key) {
    std::string_view s = key;
    bool url = false;
    for (std::string_view scheme : {"http://", "https://"})
        if (s.starts_with(scheme)) s.remove_prefix(scheme.size()), url = true;
    if (url) s = s.substr(0, s.find('/'));
    auto slash = s.find('/');
    if (is_hub_host(s.substr(0, slash)))
        return "docker.io" + (slash == std::string_view::npos ? "" : std::string(s.substr(slash)));
    return std::string(s);
}

Result<std::optional<Credentials>> podman_lookup(const std::string& path,
                                                 const std::vector<std::string>& wanted) {
    if (!fs::lexists(path)) return std::nullopt;
    Json config = TRY(read_json_object(path));
    auto auths = config.find("auths");
    if (auths == config.end() || !auths->is_object()) return std::nullopt;
    for (const auto& want : wanted)
        for (const auto& [k, entry] : auths->items())
            if (podman_key(k) == want) return decode_entry(entry, path, k);
    return std::nullopt;
}

// podman's candidates for host and repository, most specific first.
std::vector<std::string> podman_candidates(const std::string& host, const std::string& repo) {
    std::string base = is_hub_host(host) ? "docker.io" : host;
    std::vector<std::string> out;
    std::string path = repo.empty() ? base : base + "/" + repo;
    while (true) {
        out.push_back(path);
        auto slash = path.rfind('/');
        if (slash == std::string::npos) break;
        path.resize(slash);
    }
    return out;
}

// The file a write goes to: config.json's target when it is a symlink, as docker's Save.
std::string write_target(const std::string& path) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved)) return resolved;
    return path;
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads config.json, applies edit, writes it back atomically under the lock.
template <class Edit>
Result<void> edit_config(const std::string& config_path, Edit edit) {
    std::string target = write_target(config_path);
    TRY_CTX("creating `" + dir_of(target) + "`", fs::make_dirs(dir_of(target), 0700));
    auto lock = TRY(FileLock::acquire(target + ".lock", LockMode::exclusive));
    Json config = TRY(read_json_object(target));
    bool changed = TRY(edit(config));
    if (!changed) return {};
    return write_file_atomic(target, config.dump(1, '\t'), 0600);
}

}  // namespace

std::string convert_to_hostname(std::string_view server) {
    if (auto scheme = server.find("://"); scheme != std::string_view::npos) {
        std::string_view rest = server.substr(scheme + 3);
        rest = rest.substr(0, rest.find_first_of("/?#"));
        if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
        std::string_view host = rest, port;
        if (rest.starts_with('[')) {
            auto close = rest.find(']');
            if (close != std::string_view::npos) {
                host = rest.substr(1, close - 1);
                if (rest.substr(close + 1).starts_with(':')) port = rest.substr(close + 2);
            }
        } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
        }
        if (!host.empty()) {
            if (port.empty()) return std::string(host);
            bool v6 = host.find(':') != std::string_view::npos;
            return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" +
                   std::string(port);
        }
    }
    return std::string(server.substr(0, server.find('/')));
}

std::string credential_key(std::string_view server) {
    if (server == k_docker_hub_key) return std::string(k_docker_hub_key);
    std::string host = convert_to_hostname(server);
    if (is_hub_host(host)) return std::string(k_docker_hub_key);
    return host;
}

CredentialFiles credential_files() {
    CredentialFiles f;
    std::string docker_dir = env("DOCKER_CONFIG");
    if (docker_dir.empty()) docker_dir = home() + "/.docker";
    f.docker_config = docker_dir + "/config.json";
    if (std::string p = env("REGISTRY_AUTH_FILE"); !p.empty()) f.podman_files.push_back(p);
    if (std::string run = env("XDG_RUNTIME_DIR"); !run.empty())
        f.podman_files.push_back(run + "/containers/auth.json");
    std::string config_home = env("XDG_CONFIG_HOME");
    if (config_home.empty()) config_home = home() + "/.config";
    f.podman_files.push_back(config_home + "/containers/auth.json");
    return f;
}

Result<std::optional<Credentials>> find_credentials(const std::string& host,
                                                    const std::string& repository,
                                                    HelperFailure on_helper) {
    return find_credentials(host, repository, credential_files(), on_helper);
}

Result<std::optional<Credentials>> find_credentials(const std::string& host,
                                                    const std::string& repository,
                                                    const CredentialFiles& files,
                                                    HelperFailure on_helper) {
    auto found = TRY(docker_lookup(files.docker_config, credential_key(host), on_helper));
    if (found) return found;
    auto wanted = podman_candidates(convert_to_hostname(host), repository);
    for (const auto& path : files.podman_files) {
        found = TRY(podman_lookup(path, wanted));
        if (found) return found;
    }
    return std::nullopt;
}

Result<StoreOutcome> store_credentials(const std::string& key, const Credentials& creds,
                                       const std::string& config_path) {
    StoreOutcome outcome;
    outcome.file = write_target(config_path);
    Json current = TRY(read_json_object(outcome.file));
    outcome.helper = helper_for(current, key);
    if (!outcome.helper.empty()) {
        HelperCredentials h{creds.username, creds.password};
        if (!creds.identity_token.empty())
            h = {std::string(k_token_username), creds.identity_token};
        TRY(helper_store(outcome.helper, key, h));
    }
    TRY(edit_config(config_path, [&](Json& config) -> Result<bool> {
        if (!config.contains("auths") || !config["auths"].is_object())
            config["auths"] = Json::object();
        Json entry = Json::object();
        if (outcome.helper.empty()) {
            if (!creds.username.empty() || !creds.password.empty())
                entry["auth"] = base64_encode(creds.username + ":" + creds.password);
            if (!creds.identity_token.empty()) entry["identitytoken"] = creds.identity_token;
        }
        Json& auths = config["auths"];
        if (auths.contains(key) && auths[key] == entry) return false;
        auths[key] = std::move(entry);
        return true;
    }));
    return outcome;
}

Result<std::string> configured_helper(const std::string& key, const std::string& config_path) {
    Json config = TRY(read_json_object(write_target(config_path)));
    return helper_for(config, key);
}

std::string config_write_target(const std::string& config_path) {
    return write_target(config_path);
}

Result<void> erase_credentials(const std::string& key, const std::string& config_path) {
    Json current = TRY(read_json_object(write_target(config_path)));
    if (std::string helper = helper_for(current, key); !helper.empty())
        TRY(helper_erase(helper, key));
    if (!fs::lexists(config_path)) return {};
    return edit_config(config_path, [&](Json& config) -> Result<bool> {
        auto auths = config.find("auths");
        if (auths == config.end() || !auths->is_object() || !auths->contains(key)) return false;
        auths->erase(key);
        return true;
    });
}

}  // namespace ferry::registry
