// Which cgroup freezes a container is read from its init's /proc/PID/cgroup: the first of the
// freezer hierarchy (v1, hybrid) and the v2 hierarchy whose path is the container's own. The
// on-demand freezer of a pure v1 host is filled by repeated scans of the container's processes
// (container_cgroup.hpp), each moving what is still outside, until one moves nothing; processes
// that have exited (zombies) are left where they are.

#include "ferry/runtime/freezer.hpp"

#include <algorithm>

#include "ferry/runtime/cgroup_files.hpp"
#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

const CgroupHierarchy* freezer_hierarchy(const CgroupSystem& host) {
    for (const auto& h : host.hierarchies)
        if (std::find(h.controllers.begin(), h.controllers.end(), "freezer") != h.controllers.end())
            return &h;
    return nullptr;
}

// host reduced to one v1 hierarchy.
CgroupSystem only(const CgroupSystem& host, const CgroupHierarchy& h) {
    CgroupSystem s;
    s.layout = CgroupLayout::v1;
    s.hierarchies = {h};
    s.self = host.self;
    return s;
}

// The path of process pid in hierarchy key ("" v2); "" when unknown.
std::string path_of(pid_t pid, const std::string& key) {
    auto text = fs::read_file("/proc/" + std::to_string(pid) + "/cgroup", 65536);
    if (!text) return "";
    auto paths = parse_proc_cgroup(*text);
    auto it = paths.find(key);
    return it == paths.end() ? "" : it->second;
}

// Moves the container's processes into cgroup (in hierarchy key) until none is left outside.
Result<void> move_in(Cgroup& cgroup, pid_t init, const std::string& key) {
    for (int pass = 0; pass < 100; ++pass) {
        auto pids = TRY(container_processes(init));
        int moved = 0;
        for (pid_t p : pids) {
            std::string now = path_of(p, key);
            if (now.empty() || now == cgroup.path()) continue;  // gone, or inside
            // The kernel never moves a task that is exiting (a zombie a frozen parent cannot
            // reap stays where it was): it has nothing left to freeze.
            if (process_start_time(p) == 0) continue;
            auto r = cgroup.add(p);
            if (!r && r.error().sys_errno != ESRCH) return r;
            ++moved;
        }
        if (moved == 0) return {};
    }
    return fail("move the container's processes into its freezer: processes keep appearing");
}

}  // namespace

std::optional<CgroupSystem> tracking_cgroups(const CgroupSystem& host) {
    if (host.layout != CgroupLayout::hybrid || host.unified.empty()) return std::nullopt;
    CgroupSystem s;
    s.layout = CgroupLayout::v2;
    s.unified = host.unified;
    auto own = host.self.find("");
    s.self[""] = own == host.self.end() ? "/" : own->second;
    return s;
}

std::string container_cgroup_path(const CgroupSystem& host, const oci::RuntimeSpec& spec,
                                  const std::string& id) {
    std::string wanted = spec.linux ? spec.linux->cgroups_path : "";
    // As spawn_container resolves it, with the supervisor's fallback.
    auto own = host.self.find(host.layout == CgroupLayout::v2 ? "" : "pids");
    return resolve_cgroup_path(wanted, own == host.self.end() ? "/" : own->second, "/ferry/" + id);
}

Result<std::unique_ptr<Cgroup>> container_freezer(const CgroupSystem& host, pid_t pid,
                                                  const std::string& path, FreezerUse use) {
    std::string text = TRY(fs::read_file("/proc/" + std::to_string(pid) + "/cgroup", 65536));
    auto paths = parse_proc_cgroup(text);
    auto in = [&](const std::string& key) {
        auto it = paths.find(key);
        return it != paths.end() && it->second == path;
    };
    if (host.layout == CgroupLayout::v2) {
        if (in("")) return Cgroup::open(host, path, CgroupOpen::existing);
    } else {
        const CgroupHierarchy* h = freezer_hierarchy(host);
        if (h && in(h->key())) return make_cgroup_v1(only(host, *h), path, CgroupOpen::existing);
        if (auto tracking = tracking_cgroups(host); tracking && in(""))
            return make_cgroup_v2(*tracking, path, CgroupOpen::existing);
        if (use == FreezerUse::on_demand && h && host.layout == CgroupLayout::v1) {
            auto cgroup = TRY(make_cgroup_v1(only(host, *h), path, CgroupOpen::create));
            TRY(move_in(*cgroup, pid, h->key()));
            return cgroup;
        }
    }
    return std::unexpected(Error{
        "the container has no cgroup to freeze it with (rootless without a delegated cgroup)",
        ENOTSUP, k_exit_failed});
}

}  // namespace ferry::runtime
