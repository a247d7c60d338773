// docker's reduceContainers: the filters are validated and resolved first (foldFilter), then
// each container, newest first, goes through includeContainerInList's checks in their order:
// before (skip up to and including it), since (stop at it), running or -a / a status filter /
// -n, name (an unanchored regular expression, with or without the leading `/`), id (prefix),
// label (all must match), the limit, exited (only containers that ran), status, health
// (ferry runs no health checks: `none`), volume (name, source or destination), ancestor (the
// image or an image whose layers start with its layers), network, publish and expose (ferry
// publishes no ports). The values of one filter are ORed, different filters ANDed.

#include "ferry/cli/ps_filter.hpp"

#include <algorithm>
#include <span>

#include "ferry/image/lookup.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_inspect.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_accepted[] = {"ancestor", "before",  "exited",  "id",      "isolation",
                                           "label",    "name",    "status",  "health",  "since",
                                           "volume",   "network", "is-task", "publish", "expose"};
constexpr std::string_view k_states[] = {"created", "restarting", "running", "removing",
                                         "paused",  "exited",     "dead"};
constexpr std::string_view k_health[] = {"starting", "healthy", "unhealthy", "none"};

bool one_of(std::span<const std::string_view> set, std::string_view v) {
    return std::find(set.begin(), set.end(), v) != set.end();
}

std::map<std::string, std::string> labels_of(const runtime::ContainerRecord& r) {
    std::map<std::string, std::string> out;
    if (!r.config.is_object() || !r.config.contains("Labels") || !r.config["Labels"].is_object())
        return out;
    const Json& labels = r.config["Labels"];
    for (auto it = labels.begin(); it != labels.end(); ++it)
        if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
    return out;
}

// docker's idOrNameFilter: an ID, ID prefix or name.
Result<std::string> container_id(const runtime::ContainerStore& store, const std::string& value) {
    auto r = store.find(value);
    if (!r) return fail_with_status("no such container " + value, 1);
    return r->id;
}

bool volume_matches(const PsSelection& s, const runtime::ContainerStore& store,
                    const runtime::ContainerRecord& r) {
    auto spec = store.load_spec(r.id);
    if (!spec) return false;
    Json mounts = runtime::mounts_json(*spec, store.root(), store.run_dir(r.id));
    for (const auto& v : s.filters.get("volume"))
        for (const auto& m : mounts) {
            std::string key =
                m.contains("Name") ? m["Name"].get<std::string>() : m["Source"].get<std::string>();
            if (v == key || v == m["Destination"].get<std::string>()) return true;
        }
    return false;
}

bool ancestor_matches(const PsSelection& s, const runtime::ContainerRecord& r) {
    if (s.ancestor_images.contains(r.image_id)) return true;
    for (const auto& chains : s.ancestor_chains)
        if (!chains.empty() && chains.size() <= r.chain_ids.size() &&
            std::equal(chains.begin(), chains.end(), r.chain_ids.begin()))
            return true;
    return false;
}

// The checks of includeContainerInList after before/since and the running check.
bool included(const PsSelection& s, const PsEntry& e, const runtime::ContainerStore& store) {
    const FilterArgs& f = s.filters;
    bool active = runtime::is_active(e.st);
    if (!f.match("name", e.rec.name) && !f.match("name", "/" + e.rec.name)) return false;
    if (f.contains("id")) {
        auto ids = f.get("id");
        if (std::none_of(ids.begin(), ids.end(),
                         [&](const std::string& v) { return e.rec.id.starts_with(v); }))
            return false;
    }
    if (f.contains("is-task") && !f.exact_match("is-task", "false")) return false;
    if (!f.match_kv_list("label", labels_of(e.rec))) return false;
    if (!f.match("isolation", "default")) return false;
    if (!s.exited.empty()) {
        bool ran = !active && e.st.started_ns != 0;
        if (!ran || std::find(s.exited.begin(), s.exited.end(), e.st.exit_code) == s.exited.end())
            return false;
    }
    if (!f.match("status", std::string(runtime::status_name(e.st.status)))) return false;
    if (!f.exact_match("health", "none")) return false;
    if (f.contains("volume") && !volume_matches(s, store, e.rec)) return false;
    if (s.ancestor && !ancestor_matches(s, e.rec)) return false;
    if (f.contains("network")) {
        auto nets = f.get("network");
        if (std::find(nets.begin(), nets.end(), runtime::mode_network(e.rec.network)) == nets.end()) return false;
    }
    return !f.contains("publish") && !f.contains("expose");
}

}  // namespace

Result<PsSelection> select_containers(const std::vector<std::string>& filters, bool all,
                                      int64_t limit, const runtime::ContainerStore& store,
                                      const image::ImageCatalog& images) {
    PsSelection s;
    s.filters = TRY(FilterArgs::parse(filters));
    s.all = all;
    s.limit = limit;
    const FilterArgs& f = s.filters;
    for (const auto& name : f.names())
        if (!one_of(k_accepted, name)) return fail_with_status("Invalid filter '" + name + "'", 1);
    for (const auto& v : f.get("exited")) {
        auto code = parse_i64(v);
        if (!code)
            return fail_with_status("strconv.Atoi: parsing \"" + v + "\": invalid syntax", 1);
        s.exited.push_back(static_cast<int>(*code));
    }
    for (const auto& v : f.get("status")) {
        if (!one_of(k_states, v)) return fail_with_status("Invalid filter 'status=" + v + "'", 1);
        s.all = true;
    }
    for (const auto& v : f.get("health"))
        if (!one_of(k_health, v))
            return fail_with_status("Unrecognised filter value for health: " + v, 1);
    for (const auto& v : f.get("before"))
        s.before = TRY(container_id(store, v));
    for (const auto& v : f.get("since"))
        s.since = TRY(container_id(store, v));
    if (f.contains("ancestor")) {
        s.ancestor = true;
        for (const auto& v : f.get("ancestor"))
            if (auto img = image::resolve_image(images, v)) {
                s.ancestor_images.insert((*img)->id);
                s.ancestor_chains.push_back((*img)->chain_ids);
            }
    }
    return s;
}

std::vector<PsEntry> apply_selection(PsSelection& s, std::vector<PsEntry> entries,
                                     const runtime::ContainerStore& store) {
    std::vector<PsEntry> out;
    for (auto& e : entries) {
        if (s.before) {
            if (e.rec.id == *s.before) s.before.reset();
            continue;
        }
        if (s.since && e.rec.id == *s.since) break;
        if (!runtime::is_active(e.st) && !s.all && s.limit <= 0) continue;
        if (s.limit > 0 && static_cast<int64_t>(out.size()) == s.limit) break;
        if (!included(s, e, store)) continue;
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace ferry::cli
