// `ferry push NAME[:TAG]` to a registry: docker push's lines —
//   The push refers to repository [127.0.0.1:5000/bb]
//   4e0d87f940f4: Preparing
//   4e0d87f940f4: Pushed            (or Layer already exists, Mounted from other/repo)
//   1: digest: sha256:… size: 527
// -q prints only the reference; -a pushes every tag of the repository in turn.

#include "ferry/cli/registry_cmds.hpp"

#include "ferry/image/lookup.hpp"
#include "ferry/registry/push.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"

namespace ferry::cli {

namespace {

// The settings and credentials a push command reads once for all its tags.
struct PushContext {
    registry::RegistryConfig config;
    registry::CredentialLookup credentials;
};

Result<void> push_one(image::Store& store, const Reference& ref, const std::string& id,
                      const PushOptions& o, const PushContext& with, Context& ctx,
                      TransferPrinter& printer) {
    registry::PushRequest req;
    req.reference = ref;
    req.image_id = id;
    req.endpoints = TRY(registry_endpoints(with.config, ref.domain, ref.path));
    req.credentials = with.credentials;
    req.max_concurrent = transfer_concurrency(with.config, true, o.max_concurrent_uploads);
    req.compression = o.compression_set && o.compression == "zstd" ? Compression::zstd
                                                                  : Compression::gzip;
    auto pushed = TRY(registry::push_image(store, req, printer));
    printer.line(ref.tag + ": digest: " + pushed.manifest_digest + " size: " +
                 std::to_string(pushed.manifest_size));
    if (o.quiet) print_out(ref.full() + "\n");
    runtime::record_image_event(ctx, &store, id, ref.familiar(), "push");
    return {};
}

}  // namespace

Result<int> push_to_registry(const PushOptions& o, Context& ctx) {
    if (o.compression_set && o.compression != "gzip" && o.compression != "zstd")
        return fail("invalid compression `" + o.compression + "`: gzip or zstd");
    auto parsed = parse_reference_name(o.image);
    if (!parsed) {  // docker's CLI: status 1
        parsed.error().exit_code = k_exit_error;
        return std::unexpected(std::move(parsed.error()));
    }
    auto named = std::move(*parsed);
    if (o.all_tags && (!named.tag.empty() || named.digest))
        return fail("tag can't be used with --all-tags/-a");
    bool defaulted = !o.all_tags && named.tag.empty() && !named.digest;
    if (defaulted) {
        named.tag = std::string(k_default_tag);
        if (!o.quiet) print_out("Using default tag: latest\n");
    }
    TRY(runtime::enter_store_user_namespace(ctx));
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    std::vector<std::pair<Reference, std::string>> targets;
    for (const auto& img : catalog.images())
        for (const auto& name : img.names) {
            auto r = parse_reference(name);
            if (!r || r->repository() != named.repository()) continue;
            if (o.all_tags || r->tag == named.tag) targets.emplace_back(*r, img.id);
        }
    TransferPrinter printer(o.quiet, 1, "Pushing");
    printer.line("The push refers to repository [" + named.familiar_repository() + "]");
    if (targets.empty()) {
        Error e;
        e.message = defaulted ? "tag does not exist: " + named.familiar()
                              : "An image does not exist locally with the tag: " +
                                    named.familiar_repository();
        e.exit_code = k_exit_error;
        return std::unexpected(e);
    }
    auto config = registry::load_registry_config();
    if (!config) {
        config.error().exit_code = k_exit_error;  // as every failure of a push below
        return std::unexpected(std::move(config).error());
    }
    PushContext with{std::move(*config), registry_credentials(named.domain, named.path)};
    TransferPrinter inner(true, 1, "Pushing");
    for (size_t i = 0; i < targets.size(); ++i) {
        TransferPrinter& p = o.quiet ? inner : printer;
        if (auto pushed = push_one(store, targets[i].first, targets[i].second, o, with, ctx, p);
            !pushed) {
            pushed.error().exit_code = k_exit_error;  // the daemon's error to docker's CLI
            return std::unexpected(std::move(pushed.error()));
        }
    }
    return 0;
}

}  // namespace ferry::cli
