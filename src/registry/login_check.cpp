// check_login: `docker login`'s check, as the daemon's registry service makes it: GET /v2/ on
// the registry's endpoints, answering its challenge with the credentials (a Bearer token for
// the service alone, no repository scope, or Basic); any refusal is the registry's error.

#include "ferry/registry/login_check.hpp"

#include "ferry/registry/registry_config.hpp"
#include "ferry/registry/remote.hpp"

namespace ferry::registry {

Result<void> check_login(const std::string& host, const Credentials& creds) {
    std::string name = convert_to_hostname(host);
    if (name == "index.docker.io" || name == "registry-1.docker.io") name = "docker.io";
    auto config = TRY(load_registry_config());
    auto settings = TRY(registry_settings(config, name));
    std::vector<Endpoint> origin;  // mirrors do not count for a login
    for (const auto& e : settings.endpoints)
        if (!e.mirror) origin.push_back(e);
    Remote remote(name, "", origin,
                  [creds]() -> Result<std::optional<Credentials>> { return creds; }, Access::pull);
    HttpClient http;
    return remote.ping(http);
}

}  // namespace ferry::registry
