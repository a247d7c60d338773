// `ferry image prune`: dangling images are those without a name; with -a, every image. `ferry
// builder prune`: the intermediate images of builds (their cache), whatever their age. Images a
// container uses are kept either way (as docker's prune, whose deletions give way to every
// conflict). One atomic catalog rewrite, then garbage collection of the freed layers.

#include "ferry/cli/image_prune_cmd.hpp"

#include <unistd.h>

#include "ferry/cli/image_events.hpp"
#include "ferry/image/remove.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ImagePruneOptions> parse_image_prune(Args args) {
    ImagePruneOptions o;
    FlagSet flags("ferry image prune", "[OPTIONS]", "Remove unused images");
    flags.add_bool('a', "all", &o.all, "Remove all unused images, not just dangling ones");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_image_prune(const ImagePruneOptions& o, Context& ctx) {
    if (!o.force) {
        std::string warning = o.all ? "WARNING! This will remove all images without at least one "
                                      "container associated to them."
                                    : "WARNING! This will remove all dangling images.";
        if (!confirm(warning)) return 0;
    }
    auto store = TRY(image::Store::open(ctx));
    std::vector<std::string> lines;
    auto before = store.read_images();
    // A build's intermediate steps are its cache, not images: `builder prune` removes them.
    auto doomed = [&](const image::ImageRecord& r) {
        return !r.intermediate && (o.all || r.names.empty());
    };
    ImageLabels labels;
    if (before) labels = labels_before_removal(store, *before, doomed);
    image::Staging pending = TRY(store.stage());
    TRY(image::remove_images_if(store, doomed, pending, lines));
    if (before) record_image_removals(ctx, *before, labels, lines);
    std::vector<std::string> layers;
    uint64_t reclaimed = image::collect_and_report(store, &pending, layers);
    std::string out;
    if (!lines.empty()) {
        out += "Deleted Images:\n";
        for (const auto& l : lines) out += l + "\n";
        for (const auto& l : layers) out += "deleted: " + l.substr(9) + "\n";
        out += "\n";
    }
    out += "Total reclaimed space: " + human_size(static_cast<double>(reclaimed)) + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_image_prune(Args args, Context& ctx) {
    return dispatch(parse_image_prune, run_image_prune, args, ctx);
}

Result<BuilderPruneOptions> parse_builder_prune(Args args) {
    BuilderPruneOptions o;
    FlagSet flags("ferry builder prune", "[OPTIONS]", "Remove build cache");
    flags.add_bool('a', "all", &o.all, "Remove all unused build cache, not just dangling ones");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_builder_prune(const BuilderPruneOptions& o, Context& ctx) {
    if (!o.force &&
        !confirm(o.all ? "WARNING! This will remove all build cache."
                       : "WARNING! This will remove all dangling build cache."))
        return 0;
    auto store = TRY(image::Store::open(ctx));
    std::vector<std::string> lines;  // remove_images_if's: `deleted: sha256:<hex>`
    auto doomed = [](const image::ImageRecord& r) { return r.intermediate; };
    image::Staging pending = TRY(store.stage());
    TRY(image::remove_images_if(store, doomed, pending, lines));
    // A named result of a build was its last step's cache too.
    TRY(store.update_images([](image::ImageCatalog& catalog) -> Result<void> {
        catalog.forget_build_keys();
        return {};
    }));
    std::vector<std::string> layers;
    uint64_t reclaimed = image::collect_and_report(store, &pending, layers);
    std::vector<std::string> objects;  // the images' hex IDs, then the cache mounts' names
    for (const auto& l : lines)
        if (l.starts_with("deleted: sha256:")) objects.push_back(l.substr(16));
    // RUN --mount=type=cache directories are build cache too.
    std::string mounts = ctx.root + "/build-cache";
    if (::access(mounts.c_str(), F_OK) == 0) {
        for (const auto& name : TRY(fs::list_dir(mounts))) {
            reclaimed += fs::disk_usage(mounts + "/" + name).value_or(0);
            TRY(fs::remove_tree(mounts + "/" + name));
            objects.push_back(name);
        }
    }
    std::string out;
    if (!objects.empty()) {
        out += "Deleted build cache objects:\n";
        for (const auto& id : objects)
            out += id + "\n";
    }
    out += "Total reclaimed space: " + human_size(static_cast<double>(reclaimed)) + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_builder_prune(Args args, Context& ctx) {
    return dispatch(parse_builder_prune, run_builder_prune, args, ctx);
}

}  // namespace ferry::cli
