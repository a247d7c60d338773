#pragma once
// Registry credentials as docker and podman users already have them. Lookup order: docker's
// config.json ($DOCKER_CONFIG/config.json, else ~/.docker/config.json: `credHelpers` for the
// host, else `credsStore`, else `auths`), then podman's auth files ($REGISTRY_AUTH_FILE,
// $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json; `auths` only).
// Writes go to docker's config.json in docker's format, or through its configured helper.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::registry {

// What a registry needs to authenticate a user.
struct Credentials {
    std::string username;
    std::string password;
    std::string identity_token;  // an OAuth refresh token (docker's `identitytoken`)
};

// Docker Hub's key in config.json and for credential helpers.
inline constexpr std::string_view k_docker_hub_key = "https://index.docker.io/v1/";

// The key docker stores a registry's credentials under: k_docker_hub_key for docker.io,
// index.docker.io and registry-1.docker.io (also when given as a URL), else host[:port] as
// docker's ConvertToHostname makes it ("https://r.example:5000/v2/" is "r.example:5000").
std::string credential_key(std::string_view server);
// docker's ConvertToHostname: the host[:port] of a URL, or the text before the first `/`.
std::string convert_to_hostname(std::string_view server);

// Where credentials are read and written.
struct CredentialFiles {
    std::string docker_config;              // config.json (it need not exist)
    std::vector<std::string> podman_files;  // auth.json files, in lookup order
};

// The files from the environment: $DOCKER_CONFIG, $HOME, $REGISTRY_AUTH_FILE,
// $XDG_RUNTIME_DIR, $XDG_CONFIG_HOME.
CredentialFiles credential_files();

// What a lookup does when config.json's credential helper fails.
enum class HelperFailure {
    fail,       // the lookup fails with the helper's words (login, which must not guess)
    anonymous,  // one warning line on stderr, then on without them (pull, push: docker's CLI
                // ignores the error and the daemon goes anonymous)
};

// The credentials for a registry host ("docker.io", "localhost:5000"); repository (as
// "library/ubuntu"), when given, also matches podman's per-repository keys. nullopt when none
// is configured. Fails on an unreadable or malformed file (`reading `path`: ...`), and when a
// configured helper fails unless on_helper says otherwise (podman's files are then still read).
Result<std::optional<Credentials>> find_credentials(const std::string& host,
                                                    const std::string& repository = "",
                                                    HelperFailure on_helper = HelperFailure::fail);
// find_credentials with explicit files.
Result<std::optional<Credentials>> find_credentials(const std::string& host,
                                                    const std::string& repository,
                                                    const CredentialFiles& files,
                                                    HelperFailure on_helper = HelperFailure::fail);

// Where store_credentials put the secret.
struct StoreOutcome {
    std::string helper;  // the helper's name ("pass"), empty when in the file itself
    std::string file;    // config.json's path
};

// Stores creds under key (credential_key's form) as docker does: through `credHelpers[key]` or
// `credsStore` when configured (config.json then keeps an empty entry for key), else in `auths`
// as {"auth": base64(user:password)} (and "identitytoken"). config.json is rewritten atomically
// (mode 0600, directory 0700 when created, under a lock), its other keys kept.
Result<StoreOutcome> store_credentials(const std::string& key, const Credentials& creds,
                                       const std::string& config_path);
// The credential helper config_path configures for key (`credHelpers[key]`, else `credsStore`);
// empty when credentials go into the file itself.
Result<std::string> configured_helper(const std::string& key, const std::string& config_path);
// The file a write of config_path replaces: its target when it is a symlink, as docker's Save.
std::string config_write_target(const std::string& config_path);

// Removes key as docker's Erase: through the configured helper (failing when it fails), then
// from `auths` (a missing key is no error).
Result<void> erase_credentials(const std::string& key, const std::string& config_path);

}  // namespace ferry::registry
