// Pause freezes first and records after (a failed freeze leaves the state as it was); unpause
// records `running` first and thaws after, as does a signal to a paused container: the
// container cannot exit while frozen, so its monitor's final state is never overwritten by
// this one. The freezer is looked up from the init's cgroups at each call (freezer.hpp); the
// first pause on a pure cgroup v1 host makes it.

#include "ferry/runtime/container_pause.hpp"

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/runtime/spawn.hpp"

namespace ferry::runtime {

namespace {

// The freezer of a container whose init is alive.
Result<std::unique_ptr<Cgroup>> freezer_of(const ContainerStore& store, const ContainerRecord& r,
                                           const ContainerState& st, FreezerUse use) {
    const CgroupSystem* host = TRY(host_cgroups());
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    return container_freezer(*host, st.pid, container_cgroup_path(*host, spec, r.id), use);
}

bool init_alive(const ContainerState& st) {
    return st.pid > 0 && process_start_time(st.pid) == st.pid_start;
}

}  // namespace

Result<void> pause_container(const ContainerStore& store, const ContainerRecord& r) {
    ContainerState st = TRY(store.state(r.id));
    if (st.status == Status::paused) return fail("Container " + r.id + " is already paused");
    if (st.status == Status::restarting)
        return fail("Container " + r.id + " is restarting, wait until the container is running");
    if (st.status != Status::running || !init_alive(st))
        return fail("Container " + r.id + " is not running");
    auto frozen = [&]() -> Result<void> {
        auto cgroup = TRY(freezer_of(store, r, st, FreezerUse::on_demand));
        auto done = cgroup->freeze(true);
        if (!done) (void)cgroup->freeze(false);
        return done;
    }();
    if (!frozen)
        return std::unexpected(
            std::move(frozen.error()).prefix("Cannot pause container " + r.id));
    st.status = Status::paused;
    return store.write_state(r.id, st);
}

Result<void> unpause_container(const ContainerStore& store, const ContainerRecord& r) {
    ContainerState st = TRY(store.state(r.id));
    if (st.status != Status::paused) return fail("Container " + r.id + " is not paused");
    auto cgroup = freezer_of(store, r, st, FreezerUse::existing);
    if (!cgroup)
        return std::unexpected(
            std::move(cgroup.error()).prefix("Cannot unpause container " + r.id));
    ContainerState running = st;
    running.status = Status::running;
    TRY(store.write_state(r.id, running));
    auto thawed = (*cgroup)->freeze(false);
    if (!thawed) {
        (void)store.write_state(r.id, st);
        return std::unexpected(
            std::move(thawed.error()).prefix("Cannot unpause container " + r.id));
    }
    return {};
}

Result<bool> unmark_paused(const ContainerStore& store, const ContainerRecord& r,
                           ContainerState st) {
    if (st.status != Status::paused) return false;
    st.status = Status::running;
    TRY(store.write_state(r.id, st));
    return true;
}

void thaw_after_signal(const ContainerStore& store, const ContainerRecord& r,
                       const ContainerState& st) {
    if (auto cgroup = freezer_of(store, r, st, FreezerUse::existing)) (void)(*cgroup)->freeze(false);
}

}  // namespace ferry::runtime
