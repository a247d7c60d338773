// `ferry container prune [-f]`: docker's prompt, then runtime::prune_containers, then docker's
// report (`Deleted Containers:` with full IDs, `Total reclaimed space:` in docker's units).

#include "ferry/cli/container_prune_cmd.hpp"

#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_prune.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ContainerPruneOptions> parse_container_prune(Args args) {
    ContainerPruneOptions o;
    FlagSet flags("ferry container prune", "[OPTIONS]", "Remove all stopped containers");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_container_prune(const ContainerPruneOptions& o, Context& ctx) {
    if (!o.force && !confirm("WARNING! This will remove all stopped containers.")) return 0;
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto report = TRY(runtime::prune_containers(store));
    release_deleted_images(ctx, report.image_ids);
    std::string out;
    if (!report.deleted.empty()) {
        out += "Deleted Containers:\n";
        for (const auto& id : report.deleted)
            out += id + "\n";
        out += "\n";
    }
    out += "Total reclaimed space: " + human_size(static_cast<double>(report.reclaimed)) + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_container_prune(Args args, Context& ctx) {
    return dispatch(parse_container_prune, run_container_prune, args, ctx);
}

}  // namespace ferry::cli
