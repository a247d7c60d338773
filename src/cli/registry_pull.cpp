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

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/registry/pull.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"
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
    explicit LinePrinter(bool quiet) : m_quiet(quiet) {}
    void line(const std::string& text) override {
        if (!m_quiet) print_out(text + "\n");
    }
    void layer(const std::string& id, const std::string& status) override {
        if (!m_quiet) print_out(id + ": " + status + "\n");
    }
    void progress(const std::string&, uint64_t, uint64_t) override {}

private:
    bool m_quiet;
};

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
    registry::PullRequest req;
    req.reference = ref;
    req.platform = o.platform.empty() ? image::host_platform() : TRY(image::parse_platform(o.platform));
    req.endpoints = TRY(registry_endpoints(ref.domain));
    req.credentials = registry_credentials(ref.domain);
    TRY(runtime::enter_store_user_namespace(ctx));
    auto store = TRY(image::Store::open(ctx));
    LinePrinter printer(o.quiet);
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
    print_out(ref.full() + "\n");
    runtime::record_image_event(ctx, &store, pulled->id, name, "pull");
    return 0;
}

}  // namespace ferry::cli
