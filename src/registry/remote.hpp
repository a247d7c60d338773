#pragma once
// Remote: one repository on one registry, spoken to as the distribution spec says (manifests,
// blobs, uploads, mounts), with the registry's authentication handled underneath: a request
// that gets 401 reads WWW-Authenticate and retries once with a Bearer token (fetched from the
// realm for the scope the operation needs, anonymously or with the user's credentials, and
// cached) or with Basic credentials. Endpoints (registry_config.hpp) are tried in order:
// mirrors first (pull only; any failure moves on), then the registry over TLS, then over plain
// HTTP where that is allowed (a transport failure moves on), as docker.
//
// Thread safety: a Remote may be shared by threads that each use their own HttpClient; the
// token cache and the chosen endpoint are guarded.
//
// Errors from the registry read as docker prints them: the first entry of the error document
// as `<code in lower case>: <message>` (`manifest unknown: manifest unknown`, `unauthorized:
// authentication required`, `denied: requested access to the resource is denied`,
// `toomanyrequests: … (retry after 60 s)`), with exit status 1; transport failures keep the
// HTTP client's words, with 125.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/registry/credentials.hpp"
#include "ferry/registry/http.hpp"
#include "ferry/registry/registry_config.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// Looks the user's credentials for the registry up when a registry first asks for them.
using CredentialLookup = std::function<Result<std::optional<Credentials>>()>;

// A manifest as the registry sent it.
struct FetchedManifest {
    std::string bytes;
    std::string media_type;  // Content-Type
    std::string digest;      // sha256 of bytes
};

// What an operation needs of the repository.
enum class Access { pull, push };

class Remote {
public:
    // repository: the path on the registry ("library/ubuntu"); host: the reference's domain,
    // for messages.
    Remote(std::string host, std::string repository, std::vector<Endpoint> endpoints,
           CredentialLookup credentials, Access access);

    const std::string& repository() const { return m_repository; }

    // GET /v2/ and authenticate as a push or pull would (`ferry login`'s check).
    Result<void> ping(HttpClient& http);
    // The manifest (or index) tagged `reference` (a tag or a digest), as sent: every manifest
    // type is asked for; one over 4 MiB is refused. The caller checks a digest it asked for
    // (schema 1's is that of its payload, not of the bytes).
    Result<FetchedManifest> get_manifest(HttpClient& http, const std::string& reference);
    // The repository's tags, in the registry's order (every page of /tags/list).
    Result<std::vector<std::string>> list_tags(HttpClient& http);
    // Streams blob `digest` from byte `offset` into sink. A connection cut mid-blob is resumed
    // with a Range request after a back-off (1, 2, 4, 8 s), bytes already delivered skipped
    // if the server ignores the range. An error of sink's ends the read at once and is
    // returned as it is. The caller checks the digest.
    Result<void> get_blob(HttpClient& http, const std::string& digest, uint64_t offset,
                          const ByteSink& sink);
    // HEAD of blob digest: its size when the repository has it.
    Result<std::optional<uint64_t>> stat_blob(HttpClient& http, const std::string& digest);
    // Tries to mount blob digest from repository `from` of the same registry; false when the
    // registry did not (the caller uploads it).
    Result<bool> mount_blob(HttpClient& http, const std::string& digest, const std::string& from);
    // Uploads a blob whose bytes come from reader (size when known), then commits it under
    // digest, which the caller computes while the reader runs (read only after reader ends).
    Result<void> upload_blob(HttpClient& http, const BodyReader& reader,
                             std::optional<uint64_t> size,
                             const std::function<std::string()>& digest);
    // PUT the manifest under reference (tag or digest); returns the digest the registry gives.
    Result<std::string> put_manifest(HttpClient& http, const std::string& reference,
                                     const std::string& bytes, const std::string& media_type);

private:
    struct Challenge {
        std::string scheme;  // "bearer" or "basic"
        std::string realm, service;
    };
    // Sends req to the current endpoint (path relative to it), authenticating as needed.
    Result<HttpResponse> call(HttpClient& http, HttpRequest req, const ByteSink* sink = nullptr,
                              const std::string& extra_scope = {});
    Result<HttpResponse> call_endpoint(HttpClient& http, const Endpoint& ep, HttpRequest req,
                                       const ByteSink* sink, const std::string& extra_scope);
    Result<std::string> authorization(HttpClient& http, const Endpoint& ep,
                                      const Challenge& c, const std::string& scope);
    Result<std::string> fetch_token(HttpClient& http, const Endpoint& ep, const Challenge& c,
                                    const std::string& scope);
    std::string scope(const std::string& extra) const;

    std::string m_host, m_repository;
    std::vector<Endpoint> m_endpoints;
    CredentialLookup m_credentials;
    Access m_access;
    std::mutex m_mutex;
    size_t m_endpoint = 0;                       // the first that answered
    std::optional<Challenge> m_challenge;        // what the registry asked for
    std::vector<std::pair<std::string, std::string>> m_tokens;  // scope -> Authorization
    std::optional<std::optional<Credentials>> m_creds;  // looked up once
};

// Parses a WWW-Authenticate value (`Bearer realm="…",service="…",scope="…"`): scheme lower
// case, then each parameter. Empty when unreadable.
std::vector<std::pair<std::string, std::string>> parse_challenge(std::string_view header,
                                                                 std::string& scheme);

// The error a registry's response stands for, as docker words it (see the top of the file).
Error registry_error(const HttpResponse& response, std::string_view what);

}  // namespace ferry::registry
