// The state decides: running, paused and restarting containers stay (as docker's IsRunning);
// ContainerStore::state already reports a container whose monitor died as exited. Sizes are
// measured before removal with a descriptor-relative walk that never follows symlinks. The
// container's cgroup goes with it.

#include "ferry/runtime/container_prune.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

void add_sizes(int dirfd, std::set<std::pair<dev_t, ino_t>>& seen, uint64_t& total) {
    auto names = fs::list_dir_fd(dirfd);
    if (!names) return;
    for (const auto& name : *names) {
        struct stat st {};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (sub) add_sizes(sub.get(), seen, total);
            continue;
        }
        if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) continue;
        total += static_cast<uint64_t>(st.st_size);
    }
}

}  // namespace

uint64_t tree_size(const std::string& path) {
    auto fd = fs::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!fd) return 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    uint64_t total = 0;
    add_sizes(fd->get(), seen, total);
    return total;
}

Result<PruneReport> prune_containers(const ContainerStore& store,
                                     const std::function<bool(const ContainerRecord&)>& selected) {
    std::vector<ContainerRecord> stopped;
    for (const auto& id : TRY(store.ids())) {
        auto record = store.load(id);
        auto state = store.state(id);
        if (!record || !state) continue;  // removed meanwhile, or not complete
        if (state->status == Status::running || state->status == Status::paused ||
            state->status == Status::restarting)
            continue;
        if (selected && !selected(*record)) continue;
        stopped.push_back(std::move(*record));
    }
    std::sort(stopped.begin(), stopped.end(),
              [](const ContainerRecord& a, const ContainerRecord& b) {
                  return a.created_ns < b.created_ns;
              });
    PruneReport report;
    for (const auto& r : stopped) {
        // Under its lock, and only if it is still stopped (a start may have come first).
        auto lock = ContainerLock::acquire(store, r.id, LockMode::exclusive);
        if (!lock) continue;  // removed meanwhile
        auto now = store.state(r.id);
        if (!now || is_active(*now)) continue;
        uint64_t size = tree_size(store.dir(r.id) + "/upper");
        auto spec = store.load_spec(r.id);
        TRY(store.remove(r));
        if (spec) (void)remove_container_cgroup(*spec, r.id);  // stray processes keep it
        report.deleted.push_back(r.id);
        if (!r.image_id.empty()) report.image_ids.insert(r.image_id);
        report.reclaimed += size;
    }
    return report;
}

}  // namespace ferry::runtime
