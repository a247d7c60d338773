#pragma once
// The docker-credential-helpers protocol: `docker-credential-NAME get|store|erase`, the request
// on stdin (the server URL, or for store a JSON object), the answer as JSON on stdout. A helper
// runs with a filtered environment (what keyrings, pass and the cloud helpers read; not ferry's
// own variables) and never with a secret on its command line.

#include <optional>
#include <string>

#include "ferry/util/result.hpp"

namespace ferry::registry {

// What a helper stores for one server.
struct HelperCredentials {
    std::string username;  // "<token>" when secret is an identity token
    std::string secret;
};

// The username helpers store with an identity token (docker's tokenUsername).
inline constexpr std::string_view k_token_username = "<token>";

// Runs `docker-credential-<helper> get` for server_url. nullopt when the helper says
// `credentials not found in native keychain`; fails with `credential helper
// `docker-credential-X` get: <its message>` when it fails otherwise or cannot be run.
Result<std::optional<HelperCredentials>> helper_get(const std::string& helper,
                                                    const std::string& server_url);
// Runs `docker-credential-<helper> store` with {"ServerURL","Username","Secret"} on stdin.
Result<void> helper_store(const std::string& helper, const std::string& server_url,
                          const HelperCredentials& creds);
// Runs `docker-credential-<helper> erase` for server_url.
Result<void> helper_erase(const std::string& helper, const std::string& server_url);

}  // namespace ferry::registry
