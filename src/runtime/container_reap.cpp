// ContainerStore::reap_orphan. A --rm container is removed by its monitor when it exits; a
// monitor killed (kill -9, OOM) leaves it recorded as running with no process, which
// ContainerStore::state reports as exited (137). The next command that looks at it finishes
// the monitor's work, under the container's lock without waiting for it (a command holding it
// is acting on the container and will be the next to look): its cgroups, its directory and
// name, its anonymous volumes, as the monitor would have.

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/volumes.hpp"

namespace ferry::runtime {

bool ContainerStore::reap_orphan(const ContainerRecord& r, const ContainerState& st) const {
    if (!r.auto_remove || !st.monitor_lost) return false;
    auto lock = ContainerLock::try_acquire(*this, r.id, LockMode::exclusive);
    if (!lock || !*lock) return false;
    auto now = state(r.id);
    if (!now || !now->monitor_lost) return false;
    if (auto spec = load_spec(r.id)) (void)remove_container_cgroup(*spec, r.id);
    if (!remove(r)) return false;
    for (const auto& v : r.volumes)
        if (v.anonymous)
            (void)remove_volume(m_root, v.name,
                                [](const std::string&) { return std::vector<std::string>{}; });
    return true;
}

}  // namespace ferry::runtime
