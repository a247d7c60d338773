// Remote (see remote.hpp). The authentication follows docker's registry client: the first 401
// names the scheme; Bearer tokens are fetched from the realm with `service` and the scope
// (`repository:<path>:pull[,push]`, plus `repository:<other>:pull` for a cross-repository
// mount), with Basic credentials when the user has some (or an OAuth POST with an identity
// token), and kept per scope for the life of the Remote. Tokens and passwords go only into
// Authorization headers: never into messages, logs or command lines.

#include "ferry/registry/remote.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "ferry/oci/remote_manifest.hpp"
#include "ferry/util/base64.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

bool transport_retryable(const Error& e) {
    return !HttpClient::interrupted() && e.exit_code == k_exit_failed;
}

HttpRequest make(std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(path);
    return r;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_challenge(std::string_view h,
                                                                 std::string& scheme) {
    std::vector<std::pair<std::string, std::string>> params;
    h = trim(h);
    auto sp = h.find(' ');
    scheme = to_lower(h.substr(0, sp));
    if (sp == std::string_view::npos) return params;
    std::string_view rest = h.substr(sp + 1);
    while (!rest.empty()) {
        rest = trim(rest);
        auto eq = rest.find('=');
        if (eq == std::string_view::npos) break;
        std::string key = to_lower(trim(rest.substr(0, eq)));
        rest = trim(rest.substr(eq + 1));
        std::string value;
        if (rest.starts_with("\"")) {
            size_t i = 1;
            for (; i < rest.size() && rest[i] != '"'; ++i) {
                if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
                value += rest[i];
            }
            rest = rest.substr(std::min(rest.size(), i + 1));
        } else {
            auto comma = rest.find(',');
            value = std::string(trim(rest.substr(0, comma)));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma);
        }
        params.emplace_back(key, value);
        rest = trim(rest);
        if (rest.starts_with(",")) rest.remove_prefix(1);
    }
    return params;
}

Error registry_error(const HttpResponse& resp, std::string_view what) {
    Error e;
    e.exit_code = k_exit_error;
    auto doc = nlohmann::json::parse(resp.body, nullptr, false);
    if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
        !doc["errors"].empty() && doc["errors"][0].is_object()) {
        const auto& first = doc["errors"][0];
        std::string code = first.value("code", "");
        std::string message = first.value("message", "");
        for (char& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(c));
        e.message = code.empty() ? message : code + ": " + message;
    } else if (resp.status == 401 && doc.is_object() && doc.contains("details") &&
               doc["details"].is_string()) {
        e.message = "unauthorized: " + doc["details"].get<std::string>();  // a token service's
    } else if (resp.status == 401) {
        e.message = "unauthorized: authentication required";
    } else if (resp.status == 404) {
        e.message = std::string(what) + ": not found";
    } else {
        e.message = "received unexpected HTTP status: " + std::to_string(resp.status);
    }
    // A token that does not grant the scope: docker words it as the registry's refusal.
    if (resp.status == 401 &&
        resp.header("www-authenticate").find("insufficient_scope") != std::string::npos)
        e.message = "denied: requested access to the resource is denied";
    if (resp.status == 429)
        if (auto after = resp.header("retry-after"); !after.empty())
            e.message += " (retry after " + after + " s)";
    return e;
}

Remote::Remote(std::string host, std::string repository, std::vector<Endpoint> endpoints,
               CredentialLookup credentials, Access access)
    : m_host(std::move(host)), m_repository(std::move(repository)),
      m_endpoints(std::move(endpoints)), m_credentials(std::move(credentials)), m_access(access) {}

std::string Remote::scope(const std::string& extra) const {
    if (m_repository.empty()) return {};  // a login's check: the token for the service alone
    std::string s = "repository:" + m_repository + (m_access == Access::push ? ":pull,push" : ":pull");
    if (!extra.empty()) s += " repository:" + extra + ":pull";
    return s;
}

Result<std::string> Remote::fetch_token(HttpClient& http, const Endpoint& ep, const Challenge& c,
                                        const std::string& scope_text) {
    std::optional<Credentials> creds;
    {
        std::lock_guard g(m_mutex);
        if (!m_creds && m_credentials) m_creds = TRY(m_credentials());
        if (m_creds) creds = *m_creds;
    }
    HttpRequest req;
    req.tls = ep.tls;
    std::string query = "service=" + url_encode(c.service);
    for (const auto& s : split(scope_text, ' '))
        if (!s.empty()) query += "&scope=" + url_encode(s);
    if (creds && !creds->identity_token.empty()) {
        req.method = "POST";
        req.url = c.realm;
        req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        req.body = "grant_type=refresh_token&client_id=ferry&" + query +
                   "&refresh_token=" + url_encode(creds->identity_token);
    } else {
        req.url = c.realm + (c.realm.find('?') == std::string::npos ? "?" : "&") + query;
        if (creds)
            req.headers.emplace_back("Authorization",
                                     "Basic " + base64_encode(creds->username + ":" + creds->password));
    }
    auto resp = TRY_CTX("fetching a token from `" + c.realm + "`", http.send(req));
    if (resp.status != 200) return std::unexpected(registry_error(resp, "token"));
    auto doc = nlohmann::json::parse(resp.body, nullptr, false);
    std::string token;
    if (doc.is_object()) token = doc.value("token", doc.value("access_token", ""));
    if (token.empty()) return fail("token service `" + c.realm + "` sent no token");
    return "Bearer " + token;
}

Result<std::string> Remote::authorization(HttpClient& http, const Endpoint& ep, const Challenge& c,
                                          const std::string& scope_text) {
    {
        std::lock_guard g(m_mutex);
        for (const auto& [s, value] : m_tokens)
            if (s == scope_text) return value;
    }
    std::string value;
    if (c.scheme == "basic") {
        std::optional<Credentials> creds;
        {
            std::lock_guard g(m_mutex);
            if (!m_creds && m_credentials) m_creds = TRY(m_credentials());
            if (m_creds) creds = *m_creds;
        }
        if (!creds) {
            Error e;
            e.message = "no basic auth credentials";
            e.exit_code = k_exit_error;
            return std::unexpected(e);
        }
        value = "Basic " + base64_encode(creds->username + ":" + creds->password);
    } else {
        value = TRY(fetch_token(http, ep, c, scope_text));
    }
    std::lock_guard g(m_mutex);
    m_tokens.emplace_back(scope_text, value);
    return value;
}

Result<HttpResponse> Remote::call_endpoint(HttpClient& http, const Endpoint& ep, HttpRequest req,
                                           const ByteSink* sink, const std::string& extra) {
    std::string path = req.url;
    req.tls = ep.tls;
    req.url = ep.base_url() + path;
    std::string scope_text = scope(extra);
    std::optional<Challenge> known;
    {
        std::lock_guard g(m_mutex);
        known = m_challenge;
    }
    for (int round = 0; round < 2; ++round) {
        HttpRequest r = req;
        if (known) {
            std::string value = TRY(authorization(http, ep, *known, scope_text));
            if (!value.empty()) r.headers.emplace_back("Authorization", value);
        }
        auto resp = TRY(http.send(r, sink));
        if (resp.status != 401 || round == 1) return resp;
        std::string scheme;
        auto params = parse_challenge(resp.header("www-authenticate"), scheme);
        if (scheme != "bearer" && scheme != "basic") return resp;
        Challenge c{scheme, {}, {}};
        for (const auto& [k, v] : params) {
            if (k == "realm") c.realm = v;
            if (k == "service") c.service = v;
        }
        if (scheme == "bearer" && c.realm.empty()) return resp;
        if (known && known->scheme == c.scheme && known->realm == c.realm) {
            // The token we had was refused (expired): fetch a fresh one once.
            std::lock_guard g(m_mutex);
            std::erase_if(m_tokens, [&](const auto& t) { return t.first == scope_text; });
        }
        known = c;
        std::lock_guard g(m_mutex);
        m_challenge = c;
    }
    return fail("unreachable");
}

Result<HttpResponse> Remote::call(HttpClient& http, HttpRequest req, const ByteSink* sink,
                                  const std::string& extra) {
    size_t first;
    {
        std::lock_guard g(m_mutex);
        first = m_endpoint;
    }
    std::optional<Error> last;
    for (size_t i = first; i < m_endpoints.size(); ++i) {
        const Endpoint& ep = m_endpoints[i];
        if (ep.mirror && m_access == Access::push) continue;
        auto resp = call_endpoint(http, ep, req, sink, extra);
        if (resp && ep.mirror && resp->status >= 400) {
            log::debug("mirror " + ep.base_url() + ": status " + std::to_string(resp->status));
            continue;
        }
        if (resp) {
            std::lock_guard g(m_mutex);
            m_endpoint = i;
            return resp;
        }
        last = resp.error();
        if (last->exit_code == k_exit_error) {  // the registry (or its token service) answered
            std::lock_guard g(m_mutex);
            m_endpoint = i;
            break;
        }
        if (HttpClient::interrupted()) break;
    }
    if (last) return std::unexpected(*last);
    return fail("no endpoint for " + m_host);
}

Result<void> Remote::ping(HttpClient& http) {
    auto resp = call(http, make("GET", "/v2/"));
    std::string url;
    {
        std::lock_guard g(m_mutex);
        url = m_endpoints.empty() ? std::string() : m_endpoints[m_endpoint].base_url() + "/v2/";
    }
    if (!resp) {  // a token refused: docker's `Get "URL": unauthorized: …`
        Error e = std::move(resp.error());
        if (e.exit_code == k_exit_error && e.message.starts_with("unauthorized"))
            e.message = "Get \"" + url + "\": " + e.message;
        return std::unexpected(std::move(e));
    }
    if (resp->status == 200) return {};
    bool basic;
    {
        std::lock_guard g(m_mutex);
        basic = m_challenge && m_challenge->scheme == "basic";
    }
    if (basic && resp->status == 401) {
        Error e;
        e.message = "login attempt to " + url + " failed with status: 401 Unauthorized";
        e.exit_code = k_exit_error;
        return std::unexpected(e);
    }
    return std::unexpected(registry_error(*resp, "registry"));
}

Result<FetchedManifest> Remote::get_manifest(HttpClient& http, const std::string& reference) {
    auto req = make("GET", "/v2/" + m_repository + "/manifests/" + reference);
    req.headers.emplace_back("Accept", manifest_accept_header());
    auto resp = TRY(call(http, std::move(req)));
    if (resp.status != 200) return std::unexpected(registry_error(resp, "manifest"));
    FetchedManifest m;
    m.bytes = std::move(resp.body);
    m.media_type = resp.header("content-type");
    if (auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
    m.digest = "sha256:" + sha256_hex(m.bytes);
    return m;
}

Result<std::vector<std::string>> Remote::list_tags(HttpClient& http) {
    std::vector<std::string> tags;
    std::string path = "/v2/" + m_repository + "/tags/list";
    for (int page = 0; page < 1000 && !path.empty(); ++page) {
        auto resp = TRY(call(http, make("GET", path)));
        if (resp.status != 200) return std::unexpected(registry_error(resp, "tags"));
        auto doc = nlohmann::json::parse(resp.body, nullptr, false);
        if (!doc.is_object()) return fail("tags of " + m_repository + ": not JSON");
        if (doc.contains("tags") && doc["tags"].is_array())
            for (const auto& t : doc["tags"])
                if (t.is_string()) tags.push_back(t.get<std::string>());
        // Link: </v2/x/tags/list?n=100&last=y>; rel="next"
        std::string link = resp.header("link");
        path.clear();
        if (auto lt = link.find('<'), gt = link.find('>'); lt != std::string::npos && gt > lt)
            path = link.substr(lt + 1, gt - lt - 1);
    }
    return tags;
}

Result<void> Remote::get_blob(HttpClient& http, const std::string& digest, uint64_t offset,
                              const ByteSink& sink) {
    uint64_t delivered = 0;
    std::optional<Error> refused;  // the sink's own error: never retried, returned as it is
    ByteSink counted = [&](std::span<const uint8_t> b) -> Result<void> {
        if (auto r = sink(b); !r) {
            refused = r.error();
            return r;
        }
        delivered += b.size();
        return {};
    };
    for (int attempt = 0;; ++attempt) {
        auto req = make("GET", "/v2/" + m_repository + "/blobs/" + digest);
        req.range_from = offset + delivered;
        auto resp = call(http, req, &counted);
        if (refused) return std::unexpected(*refused);
        if (resp) {
            if (resp->status == 200 || resp->status == 206) return {};
            return std::unexpected(registry_error(*resp, "blob " + digest));
        }
        if (!transport_retryable(resp.error()) || attempt >= 4) return std::unexpected(resp.error());
        log::warn("blob " + digest.substr(0, 19) + ": " + resp.error().message + ": retrying");
        std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
    }
}

Result<std::optional<uint64_t>> Remote::stat_blob(HttpClient& http, const std::string& digest) {
    auto resp = TRY(call(http, make("HEAD", "/v2/" + m_repository + "/blobs/" + digest)));
    if (resp.status == 404) return std::optional<uint64_t>();
    if (resp.status != 200) return std::unexpected(registry_error(resp, "blob " + digest));
    return parse_u64(resp.header("content-length"));
}

Result<bool> Remote::mount_blob(HttpClient& http, const std::string& digest, const std::string& from) {
    auto req = make("POST", "/v2/" + m_repository + "/blobs/uploads/?mount=" + url_encode(digest) +
                                "&from=" + url_encode(from));
    auto resp = TRY(call(http, std::move(req), nullptr, from));
    if (resp.status == 201) return true;
    if (resp.status == 202) return false;  // an upload was opened instead; it expires unused
    return std::unexpected(registry_error(resp, "blob " + digest));
}

Result<void> Remote::upload_blob(HttpClient& http, const BodyReader& reader,
                                 std::optional<uint64_t> size,
                                 const std::function<std::string()>& digest) {
    auto start = TRY(call(http, make("POST", "/v2/" + m_repository + "/blobs/uploads/")));
    if (start.status != 202) return std::unexpected(registry_error(start, "upload"));
    std::string location = start.header("location");
    if (location.empty()) return fail("registry started an upload without a location");
    // The location may be absolute or relative to the endpoint.
    std::string path = location.starts_with("http") ? location.substr(location.find('/', location.find("://") + 3))
                                                    : location;
    {
        // Relative to the endpoint's base: a mirror's path prefix is part of the location.
        std::lock_guard g(m_mutex);
        const std::string& prefix = m_endpoints[m_endpoint].path;
        if (!prefix.empty() && path.starts_with(prefix)) path = path.substr(prefix.size());
    }
    auto patch = make("PATCH", path);
    patch.reader = reader;
    patch.body_size = size;
    patch.headers.emplace_back("Content-Type", "application/octet-stream");
    auto sent = TRY(call(http, std::move(patch)));
    if (sent.status != 202 && sent.status != 204)
        return std::unexpected(registry_error(sent, "upload"));
    std::string next = sent.header("location");
    if (next.empty()) next = path;
    if (next.starts_with("http")) next = next.substr(next.find('/', next.find("://") + 3));
    std::string d = digest();
    auto put = make("PUT", next + (next.find('?') == std::string::npos ? "?" : "&") +
                               "digest=" + url_encode(d));
    auto done = TRY(call(http, std::move(put)));
    if (done.status != 201) return std::unexpected(registry_error(done, "blob " + d));
    return {};
}

Result<std::string> Remote::put_manifest(HttpClient& http, const std::string& reference,
                                         const std::string& bytes, const std::string& media_type) {
    auto req = make("PUT", "/v2/" + m_repository + "/manifests/" + reference);
    req.headers.emplace_back("Content-Type", media_type);
    req.body = bytes;
    auto resp = TRY(call(http, std::move(req)));
    if (resp.status != 201 && resp.status != 200)
        return std::unexpected(registry_error(resp, "manifest"));
    std::string d = resp.header("docker-content-digest");
    return d.empty() ? "sha256:" + sha256_hex(bytes) : d;
}

}  // namespace ferry::registry
