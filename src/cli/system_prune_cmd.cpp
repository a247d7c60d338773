// `ferry system prune` is docker's client-side sequence (cli/command/system/prune.go): one
// confirmation listing what will go, then the container, network, volume, image and build-cache
// pruners in that order, each printing its report followed by a blank line, and the sum of what
// they reclaimed. Filters are the prune filters of docker's daemon: until (created before),
// label and label! (every label= must match, no label! may).

#include "ferry/cli/system_prune_cmd.hpp"

#include <algorithm>
#include <set>

#include "ferry/cli/image_events.hpp"
#include "ferry/cli/network_cmd.hpp"
#include "ferry/core/filter_args.hpp"
#include "ferry/image/remove.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/container_prune.hpp"
#include "ferry/runtime/events/event_filter.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<SystemPruneOptions> parse_system_prune(Args args) {
    SystemPruneOptions o;
    FlagSet flags("ferry system prune", "[OPTIONS]", "Remove unused data");
    flags.add_bool('a', "all", &o.all, "Remove all unused images not just dangling ones");
    flags.add_filters(0, &o.filters, "Provide filter values (e.g. \"label=<key>=<value>\")");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    flags.add_bool(0, "volumes", &o.volumes, "Prune anonymous volumes");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

namespace {

// docker's confirmation: what goes, then the filters it names (label, label!, until).
std::string warning(const SystemPruneOptions& o, const FilterArgs& f) {
    std::string w =
        "WARNING! This will remove:\n  - all stopped containers\n"
        "  - all networks not used by at least one container\n";
    if (o.volumes) w += "  - all anonymous volumes not used by at least one container\n";
    w += o.all ? "  - all images without at least one container associated to them\n"
                 "  - all build cache\n"
               : "  - all dangling images\n  - unused build cache\n";
    std::vector<std::string> named;
    for (const char* name : {"label", "label!", "until"})
        for (const auto& v : f.get(name))
            named.push_back(std::string(name) + "=" + v);
    std::sort(named.begin(), named.end());
    if (!named.empty()) {
        w += "\n  Items to be pruned will be filtered with:\n";
        for (const auto& n : named)
            w += "  - " + n + "\n";
    }
    return w;
}

// The prune filters of docker's daemon, compiled once.
struct PruneFilter {
    FilterArgs args;
    std::vector<int64_t> until;  // created strictly before each

    bool keeps(int64_t created_ns, const std::map<std::string, std::string>& labels) const {
        for (int64_t u : until)
            if (created_ns >= u) return false;
        if (!args.match_kv_list("label", labels)) return false;
        return !(args.contains("label!") && args.match_kv_list("label!", labels));
    }
};

Result<PruneFilter> prune_filter(const FilterArgs& f, bool volumes) {
    if (volumes && f.contains("until"))
        return fail_with_status("ERROR: The \"until\" filter is not supported with \"--volumes\"",
                                1);
    for (const auto& name : f.names())
        if (name != "until" && name != "label" && name != "label!")
            return fail_with_status("Invalid filter '" + name + "'", 1);
    PruneFilter p{f, {}};
    int64_t now = now_unix_ns();
    for (const auto& v : f.get("until")) {
        auto t = runtime::parse_event_time(v, now);
        if (!t) return fail_with_status(t.error().message, 1);
        p.until.push_back(t->ns);
    }
    return p;
}

std::map<std::string, std::string> labels_of(const Json& config) {
    std::map<std::string, std::string> out;
    if (!config.is_object() || !config.contains("Labels") || !config["Labels"].is_object())
        return out;
    const Json& labels = config["Labels"];
    for (auto it = labels.begin(); it != labels.end(); ++it)
        if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
    return out;
}

std::map<std::string, std::string> image_labels(const image::Store& store, const std::string& id) {
    auto blob = store.read_blob(id);
    if (!blob) return {};
    auto config = parse_image_config(*blob);
    if (!config || !config->config || !config->config->labels) return {};
    return *config->config->labels;
}

// The containers' report; adds the bytes reclaimed.
Result<std::string> prune_containers(const runtime::ContainerStore& store, const PruneFilter& f,
                                     uint64_t& reclaimed) {
    auto report = TRY(runtime::prune_containers(store, [&](const runtime::ContainerRecord& r) {
        return f.keeps(r.created_ns, labels_of(r.config));
    }));
    reclaimed += report.reclaimed;
    if (report.deleted.empty()) return std::string();
    std::string out = "Deleted Containers:\n";
    for (const auto& id : report.deleted)
        out += id + "\n";
    return out;
}

// The networks' report: the user networks no running container holds, as docker's.
Result<std::string> prune_networks(const Context& ctx, const PruneFilter& f) {
    auto removed = TRY(prune_unused_networks(
        ctx, [&](int64_t created, const std::map<std::string, std::string>& labels) {
            return !f.keeps(created, labels);
        }));
    if (removed.empty()) return std::string();
    std::string out = "Deleted Networks:\n";
    for (const auto& n : removed)
        out += n + "\n";
    return out;
}

// The images' report (docker's lower-case `untagged:`/`deleted:` lines); adds the bytes
// reclaimed. Images and layers the remaining containers use stay.
Result<std::string> prune_images(const Context& ctx, bool all, const PruneFilter& f,
                                 uint64_t& reclaimed) {
    auto store = TRY(image::Store::open(ctx));
    auto before = TRY(store.read_images());
    std::vector<std::string> lines;
    auto doomed = [&](const image::ImageRecord& r) {
        if (!all && !r.names.empty()) return false;
        return f.keeps(r.created_ns, image_labels(store, r.id));
    };
    ImageLabels labels = labels_before_removal(store, before, doomed);
    image::Staging pending = TRY(store.stage());
    TRY(image::remove_images_if(store, doomed, pending, lines));
    record_image_removals(ctx, before, labels, lines);
    reclaimed += image::collect_and_report(store, &pending, lines);
    reclaimed += TRY(store.drop_interrupted_pulls());  // (as docker's build cache: no lines)
    if (lines.empty()) return std::string();
    std::string out = "Deleted Images:\n";
    for (const auto& l : lines) {
        if (l.starts_with("Untagged: "))
            out += "untagged: " + l.substr(10) + "\n";
        else if (l.starts_with("Deleted: "))
            out += "deleted: " + l.substr(9) + "\n";
        else
            out += l + "\n";
    }
    return out;
}

}  // namespace

Result<int> run_system_prune(const SystemPruneOptions& o, Context& ctx) {
    auto args = FilterArgs::parse(o.filters);
    if (!args) return fail_with_status(args.error().message, 1);
    PruneFilter filter = TRY(prune_filter(*args, o.volumes));
    if (!o.force && !confirm(warning(o, *args))) return 0;
    uint64_t reclaimed = 0;
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    std::string out;
    auto section = [&](const std::string& report) {
        if (!report.empty()) out += report + "\n";
    };
    section(TRY(prune_containers(containers, filter, reclaimed)));
    section(TRY(prune_networks(ctx, filter)));
    if (o.volumes)
        section(TRY(prune_unused_volumes(
            ctx,
            [&](const std::map<std::string, std::string>& labels) {
                return filter.keeps(0, labels);
            },
            reclaimed)));
    section(TRY(prune_images(ctx, o.all, filter, reclaimed)));
    out += "Total reclaimed space: " + human_size(static_cast<double>(reclaimed)) + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_system_prune(Args args, Context& ctx) {
    return dispatch(parse_system_prune, run_system_prune, args, ctx);
}

}  // namespace ferry::cli
