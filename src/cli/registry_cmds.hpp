#pragma once
// `ferry pull` and `ferry push` with a registry (pull_cmd.cpp and push_cmd.cpp send ssh://
// locations elsewhere), and the pull `run`/`create` make of a missing image.

#include "ferry/cli/pull_cmd.hpp"
#include "ferry/cli/push_cmd.hpp"
#include "ferry/registry/pull.hpp"
#include "ferry/registry/registry_config.hpp"
#include "ferry/registry/remote.hpp"
#include "ferry/util/layer_progress.hpp"
#include "ferry/util/progress.hpp"

namespace ferry::cli {

// What pull and push print as they go: docker's lines (or nothing with quiet) on fd, with one
// row per layer redrawn in place on a terminal; action names a layer's bytes ("Downloading",
// "Pushing").
class TransferPrinter : public registry::TransferObserver {
public:
    TransferPrinter(bool quiet, int fd, std::string action)
        : m_quiet(quiet), m_action(std::move(action)),
          m_out(fd, progress_mode_for(fd) == ProgressMode::terminal) {}
    void line(const std::string& text) override {
        if (!m_quiet) m_out.line(text);
    }
    void layer(const std::string& id, const std::string& status) override {
        if (!m_quiet) m_out.status(id, status);
    }
    void progress(const std::string& id, uint64_t done, uint64_t total) override {
        if (!m_quiet) m_out.bytes(id, m_action, done, total);
    }

private:
    bool m_quiet;
    std::string m_action;
    LayerProgress m_out;
};

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

// How to reach repository on the registry of domain, from the user's settings (config, read
// once per command: registry/registry_config.hpp): mirrors first, then itself over TLS, then
// plain HTTP for loopback and insecure registries.
Result<std::vector<registry::Endpoint>> registry_endpoints(const registry::RegistryConfig& config,
                                                          const std::string& domain,
                                                          const std::string& repository);

// How many layers move at once: flag when given (> 0), else daemon.json's
// max-concurrent-downloads or -uploads (config), else dockerd's defaults (3 and 5).
int transfer_concurrency(const registry::RegistryConfig& config, bool uploads, int64_t flag);

// The user's credentials for the registry (docker's and podman's files and helpers), looked
// up when a registry first asks for them, and only then: every copy of the lookup (one per
// command, its tags included) shares that one answer, so a helper runs (and a failing one
// warns) once.
registry::CredentialLookup registry_credentials(const std::string& domain,
                                                const std::string& repository);

}  // namespace ferry::cli
