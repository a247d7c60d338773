#pragma once
// `ferry pull` and `ferry push` with a registry (pull_cmd.cpp and push_cmd.cpp send ssh://
// locations elsewhere), and the pull `run`/`create` make of a missing image.

#include "ferry/cli/pull_cmd.hpp"
#include "ferry/cli/push_cmd.hpp"
#include "ferry/registry/remote.hpp"

namespace ferry::cli {

// Pulls o.image from its registry, printing docker pull's lines (or only the reference with
// -q); returns the exit status.
Result<int> pull_from_registry(const PullOptions& o, Context& ctx);

// What `run` and `create` do before creating: with --pull always, or missing when the store
// lacks image, prints docker's `Unable to find image 'x:latest' locally` (missing) and pulls
// it with its lines on stderr; never: nothing.
Result<void> pull_for_run(const std::string& image, const std::string& policy,
                          const std::string& platform, Context& ctx);

// Pushes o.image (every tag of its repository with -a) to its registry, printing docker
// push's lines; returns the exit status.
Result<int> push_to_registry(const PushOptions& o, Context& ctx);

// How to reach repository on the registry of domain, from the user's settings
// (registry/registry_config.hpp): mirrors first, then itself over TLS, then plain HTTP for
// loopback and insecure registries.
Result<std::vector<registry::Endpoint>> registry_endpoints(const std::string& domain,
                                                          const std::string& repository);

// The user's credentials for the registry (docker's and podman's files and helpers), looked
// up when the registry first asks for them.
registry::CredentialLookup registry_credentials(const std::string& domain,
                                                const std::string& repository);

}  // namespace ferry::cli
