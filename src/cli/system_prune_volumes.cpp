// The volume pruner of `ferry system prune`: runtime::prune_volumes over anonymous volumes,
// where a volume the filters keep out is reported as in use so that it stays.

#include "ferry/cli/system_prune_cmd.hpp"
#include "ferry/cli/volume_cmd.hpp"
#include "ferry/runtime/volumes.hpp"

namespace ferry::cli {

Result<std::string> prune_unused_volumes(
    const Context& ctx,
    const std::function<bool(const std::map<std::string, std::string>&)>& selected,
    uint64_t& reclaimed) {
    auto used = container_volume_users(ctx);
    std::map<std::string, std::map<std::string, std::string>> labels;
    for (const auto& v : TRY(runtime::list_volumes(ctx.root)))
        labels[v.name] = v.labels;
    runtime::VolumeUsers users = [&](const std::string& name) {
        auto ids = used(name);
        if (ids.empty() && !selected(labels[name])) ids.push_back("filtered out");
        return ids;
    };
    auto report = TRY(runtime::prune_volumes(ctx.root, users, runtime::PruneScope::anonymous));
    reclaimed += report.reclaimed;
    if (report.removed.empty()) return std::string();
    std::string out = "Deleted Volumes:\n";
    for (const auto& n : report.removed)
        out += n + "\n";
    return out;
}

}  // namespace ferry::cli
