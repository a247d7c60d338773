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

#include "ferry/cli/registry_cmds.hpp"

#include <memory>
#include <mutex>
#include <optional>

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/registry/pull.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// Pulls ref into store, printing its lines up to `Digest:`; names the registry's "manifest
// unknown" as docker does.
Result<registry::PullResult> pull_one(image::Store& store, const Reference& ref,
                                      const std::string& platform,
                                      const registry::RegistryConfig& config,
                                      const registry::CredentialLookup& credentials,
                                      int concurrency, TransferPrinter& printer, Context& ctx) {
    registry::PullRequest req;
    req.reference = ref;
    req.platform = platform.empty() ? image::host_platform() : TRY(image::parse_platform(platform));
    req.endpoints = TRY(registry_endpoints(config, ref.domain, ref.path));
    req.credentials = credentials;
    req.max_concurrent = concurrency;
    auto pulled = registry::pull_image(store, req, printer);
    if (!pulled) {
        Error e = std::move(pulled.error());
        if (e.exit_code == k_exit_error && e.message.starts_with("manifest unknown"))
            e.message = "manifest for " + ref.familiar() + " not found: " + e.message;
        else if (e.exit_code == k_exit_error &&
                 (e.message.starts_with("denied:") || e.message.starts_with("unauthorized:")))
            e.message = "pull access denied for " + ref.familiar_repository() +
                        ", repository does not exist or may require 'docker login': " + e.message;
        return std::unexpected(std::move(e));
    }
    printer.line("Digest: " + pulled->manifest_digest);
    runtime::record_image_event(ctx, &store, pulled->id, ref.familiar(), "pull");
    return pulled;
}

// Pulls ref (every tag of its repository with all_tags), printing to fd.
Result<void> pull_reference(const Reference& ref, const PullOptions& o, int fd, Context& ctx) {
    const bool all_tags = o.all_tags;
    auto config = TRY(registry::load_registry_config());
    int concurrency = transfer_concurrency(config, false, o.max_concurrent_downloads);
    auto credentials = registry_credentials(ref.domain, ref.path);  // the tags' repository
    TRY(runtime::enter_store_user_namespace(ctx));
    auto store = TRY(image::Store::open(ctx));
    TransferPrinter printer(o.quiet, fd, "Downloading");
    std::vector<Reference> refs{ref};
    if (all_tags) {
        registry::Remote remote(ref.domain, ref.path, TRY(registry_endpoints(config, ref.domain, ref.path)),
                                credentials, registry::Access::pull);
        registry::HttpClient http;
        refs.clear();
        for (const auto& tag : TRY(remote.list_tags(http))) {
            Reference r = ref;
            r.tag = tag;
            refs.push_back(r);
        }
    }
    bool up_to_date = true;
    for (const auto& r : refs)
        up_to_date &=
            TRY(pull_one(store, r, o.platform, config, credentials, concurrency, printer, ctx))
                .up_to_date;
    std::string name = all_tags ? ref.familiar_repository() : ref.familiar();
    printer.line(std::string(up_to_date ? "Status: Image is up to date for "
                                        : "Status: Downloaded newer image for ") + name);
    if (fd == 1) print_out((all_tags ? ref.repository() : ref.full()) + "\n");
    return {};
}

}  // namespace

Result<std::vector<registry::Endpoint>> registry_endpoints(const registry::RegistryConfig& config,
                                                          const std::string& domain,
                                                          const std::string& repository) {
    auto settings = TRY(registry::registry_settings(config, domain, repository));
    return settings.endpoints;
}

int transfer_concurrency(const registry::RegistryConfig& config, bool uploads, int64_t flag) {
    if (flag > 0) return static_cast<int>(std::min<int64_t>(flag, 64));
    return uploads ? config.max_concurrent_uploads : config.max_concurrent_downloads;
}

registry::CredentialLookup registry_credentials(const std::string& domain,
                                                const std::string& repository) {
    struct Once {
        std::mutex mutex;
        std::optional<Result<std::optional<registry::Credentials>>> answer;
    };
    auto once = std::make_shared<Once>();
    return [domain, repository, once]() {
        std::lock_guard g(once->mutex);
        if (!once->answer)
            once->answer = registry::find_credentials(domain, repository,
                                                      registry::HelperFailure::anonymous);
        return *once->answer;
    };
}

Result<int> pull_from_registry(const PullOptions& o, Context& ctx) {
    auto parsed = parse_reference_name(o.image);
    if (!parsed) {  // docker's CLI: status 1
        parsed.error().exit_code = k_exit_error;
        return std::unexpected(std::move(parsed.error()));
    }
    auto named = std::move(*parsed);
    if (o.all_tags && (!named.tag.empty() || named.digest))
        return fail("tag can't be used with --all-tags/-a");
    if (!o.all_tags && named.tag.empty() && !named.digest) {
        named.tag = std::string(k_default_tag);
        print_out("Using default tag: latest\n");
    }
    // Everything past the arguments is the daemon's error to docker's CLI: status 1.
    if (auto pulled = pull_reference(named, o, 1, ctx); !pulled) {
        pulled.error().exit_code = k_exit_error;
        return std::unexpected(std::move(pulled.error()));
    }
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
    PullOptions o;
    o.platform = platform;
    return pull_reference(*ref, o, 2, ctx);
}

}  // namespace ferry::cli
