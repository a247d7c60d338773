// The container's cgroup is read from its init's /proc/PID/cgroup (the freezer hierarchy on v1
// and hybrid hosts, the unified one on v2), so it is found wherever the spec put it. Its
// processes are found by comparing the pid namespace inode of every /proc entry with the
// init's; a process that exits during the scan is simply not listed.

#include "ferry/runtime/container_cgroup.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ferry/runtime/cgroup_files.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// The pid namespace of a /proc entry as (device, inode); {0, 0} when unreadable.
std::pair<dev_t, ino_t> pid_ns(const std::string& proc, const std::string& entry) {
    struct stat st {};
    if (::stat((proc + "/" + entry + "/ns/pid").c_str(), &st) != 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

}  // namespace

Result<std::unique_ptr<Cgroup>> process_cgroup(pid_t pid) {
    std::string text = TRY(fs::read_file("/proc/" + std::to_string(pid) + "/cgroup", 65536));
    auto paths = parse_proc_cgroup(text);
    CgroupSystem system = TRY(detect_cgroups());
    auto it = paths.find(system.layout == CgroupLayout::v2 ? "" : "freezer");
    if (it == paths.end() || it->second.empty() || it->second == "/")
        return std::unique_ptr<Cgroup>();
    return Cgroup::open(system, it->second, CgroupOpen::existing);
}

Result<std::vector<pid_t>> container_processes(pid_t pid, const std::string& host_proc) {
    const std::string init = std::to_string(pid);
    auto target = pid_ns(host_proc, init);
    if (target.second == 0) return fail("container process " + init + " is not running");
    bool shared_ns = target == pid_ns(host_proc, "self");
    std::string cgroups;
    if (shared_ns) cgroups = TRY(fs::read_file(host_proc + "/" + init + "/cgroup", 65536));
    std::vector<pid_t> pids;
    for (const auto& entry : TRY(fs::list_dir(host_proc))) {
        auto n = parse_u64(entry);
        if (!n) continue;
        if (!shared_ns) {
            if (pid_ns(host_proc, entry) == target) pids.push_back(static_cast<pid_t>(*n));
            continue;
        }
        auto text = fs::read_file(host_proc + "/" + entry + "/cgroup", 65536);
        if (text && *text == cgroups) pids.push_back(static_cast<pid_t>(*n));
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

Result<void> remove_container_cgroup(const oci::RuntimeSpec& spec, const std::string& id) {
    CgroupSystem system = TRY(detect_cgroups());
    std::string path = container_cgroup_path(system, spec, id);
    // Every hierarchy's directory: a container without a cgroup of its own at start may have
    // a tracking cgroup, a freezer a pause made, or the cgroups an update made (freezer.hpp).
    std::vector<std::string> dirs;
    for (const auto& h : system.hierarchies) dirs.push_back(h.mount_point + path);
    if (!system.unified.empty()) dirs.push_back(system.unified + path);
    for (const auto& dir : dirs) {
        auto removed = cgroup_files::remove(dir);
        int err = removed ? 0 : removed.error().sys_errno;
        if (err && err != EACCES && err != EPERM && err != EROFS) return removed;  // not ours
    }
    return {};
}

FreezeGuard::~FreezeGuard() {
    if (m_cgroup) (void)m_cgroup->freeze(false);
}

Result<FreezeGuard> FreezeGuard::freeze(std::unique_ptr<Cgroup> cgroup) {
    FreezeGuard g;
    if (!cgroup) return g;
    auto frozen = cgroup->freeze(true);
    if (!frozen) {
        (void)cgroup->freeze(false);
        return std::unexpected(std::move(frozen.error()).prefix("pause container"));
    }
    g.m_cgroup = std::move(cgroup);
    return g;
}

}  // namespace ferry::runtime
