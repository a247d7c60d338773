// `ferry pull` from a registry: the reference is normalised as docker's, the pull runs in
// registry/pull.cpp, and this file prints what docker pull prints. Without a terminal (or with
// one: per-layer bars are not drawn yet) each layer's changes are lines:
//   latest: Pulling from library/busybox
//   9ad63333ebc9: Pulling fs layer
//   9ad63333ebc9: Download complete
//   9ad63333ebc9: Pull complete
//   Digest: sha256:…
//   Status: Downloaded newer image for busybox:latest
//   docker.io/library/busybox:latest
// With -q only the last line. The store's user namespace (rootless) is entered before the
// pull writes anything.

#include "ferry/cli/registry_pull.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdlib>

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/registry/pull.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/layer_progress.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

bool is_loopback_host(const std::string& domain) {
    std::string host = domain;
    if (host.starts_with("[")) host = host.substr(1, host.find(']') - 1);
    else if (auto colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
    if (host == "localhost") return true;
    in_addr a4;
    if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return host == "::1";
}

class LinePrinter : public registry::PullObserver {
public:
    LinePrinter(bool quiet, int fd) : m_quiet(quiet), m_out(fd, is_terminal(fd)) {}
    void line(const std::string& text) override {
        if (!m_quiet) m_out.line(text);
    }
    void layer(const std::string& id, const std::string& status) override {
        if (!m_quiet) m_out.status(id, status);
    }
    void progress(const std::string& id, uint64_t done, uint64_t total) override {
        if (!m_quiet) m_out.bytes(id, "Downloading", done, total);
    }

private:
    static bool is_terminal(int fd) {
        const char* term = std::getenv("TERM");
        return ::isatty(fd) && !(term && std::string_view(term) == "dumb");
    }
    bool m_quiet;
    LayerProgress m_out;
};

// Pulls ref, printing to fd; returns the image ID.
Result<void> pull_reference(const Reference& ref, const std::string& platform, bool quiet, int fd,
                            Context& ctx) {
    registry::PullRequest req;
    req.reference = ref;
    req.platform = platform.empty() ? image::host_platform() : TRY(image::parse_platform(platform));
    req.endpoints = TRY(registry_endpoints(ref.domain));
    req.credentials = registry_credentials(ref.domain);
    TRY(runtime::enter_store_user_namespace(ctx));
    auto store = TRY(image::Store::open(ctx));
    LinePrinter printer(quiet, fd);
    auto pulled = registry::pull_image(store, req, printer);
    if (!pulled) {
        Error e = std::move(pulled.error());
        if (e.exit_code == k_exit_error && e.message.starts_with("manifest unknown"))
            e.message = "manifest for " + ref.familiar() + " not found: " + e.message;
        return std::unexpected(std::move(e));
    }
    std::string name = ref.familiar();
    printer.line("Digest: " + pulled->manifest_digest);
    printer.line(std::string(pulled->up_to_date ? "Status: Image is up to date for "
                                                : "Status: Downloaded newer image for ") + name);
    if (fd == 1) print_out(ref.full() + "\n");
    runtime::record_image_event(ctx, &store, pulled->id, name, "pull");
    return {};
}

}  // namespace

Result<std::vector<registry::Endpoint>> registry_endpoints(const std::string& domain) {
    registry::Endpoint ep;
    ep.url = "https://" + (domain == k_default_domain ? std::string("registry-1.docker.io") : domain);
    ep.http_fallback = is_loopback_host(domain);
    return std::vector<registry::Endpoint>{ep};
}

registry::CredentialLookup registry_credentials(const std::string&) {
    return []() -> Result<std::optional<registry::AuthConfig>> { return std::nullopt; };
}

Result<int> pull_from_registry(const PullOptions& o, Context& ctx) {
    auto ref = TRY(parse_reference(o.image));
    TRY(pull_reference(ref, o.platform, o.quiet, 1, ctx));
    return 0;
}

Result<void> pull_for_run(const std::string& image, const std::string& policy,
                          const std::string& platform, Context& ctx) {
    if (policy == "never") return {};
    if (policy != "always") {
        auto store = TRY(image::Store::open(ctx));
        auto catalog = TRY(store.read_images());
        if (image::resolve_image(catalog, image)) return {};
    }
    auto ref = parse_reference(image);
    if (!ref) return {};  // create reports the name
    if (policy != "always")
        (void)fs::write_all(2, "Unable to find image '" + ref->familiar() + "' locally\n");
    return pull_reference(*ref, platform, false, 2, ctx);
}

}  // namespace ferry::cli
