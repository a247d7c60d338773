// The merge works on the HostConfig document (the source of truth docker keeps), then the
// spec's memory, cpu and pids resources are rebuilt from it as plan_resources builds them at
// create (swap twice the memory when only a memory limit is set; --cpus as a quota over a
// 100 ms period); other resources (reservation, cpusets, devices) are left as they are. A
// running container's cgroup gets only what the request changed, so a limit the user did not
// name is not rewritten.

#include "ferry/runtime/container_update.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/runtime/plan_parts.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

using plan_parts::k_cpu_period;
using plan_parts::k_min_memory;
using plan_parts::usable_cpus;

std::string restart_text(const Restart& r) {
    switch (r.policy) {
        case RestartPolicy::always: return "always";
        case RestartPolicy::unless_stopped: return "unless-stopped";
        case RestartPolicy::on_failure: return "on-failure:" + std::to_string(r.max_retries);
        case RestartPolicy::no: break;
    }
    return "no";
}

std::string restart_name(RestartPolicy p) {
    std::string t = restart_text({p, 0});
    return t.substr(0, t.find(':'));
}

int64_t get(const Json& h, const char* key) {
    return h.contains(key) && h[key].is_number_integer() ? h[key].get<int64_t>() : 0;
}

std::unexpected<Error> cannot(const ContainerRecord& r, const std::string& why) {
    return fail("Cannot update container " + r.id + ": " + why);
}

// container.UpdateContainer: the request merged into HostConfig h, with its conflict checks.
Result<void> merge(const ContainerRecord& r, const UpdateRequest& q, Json& h) {
    if (q.cpu_shares && *q.cpu_shares != 0) {
        if (*q.cpu_shares < 2) return cannot(r, "the minimum allowed cpu-shares is 2");
        if (*q.cpu_shares > 262144) return cannot(r, "the maximum allowed cpu-shares is 262144");
        h["CpuShares"] = *q.cpu_shares;
    }
    if (q.cpus && *q.cpus != 0) h["NanoCpus"] = std::llround(*q.cpus * 1e9);
    int64_t swap = q.memory_swap.value_or(0);
    if (q.memory && *q.memory != 0) {
        if (*q.memory > get(h, "MemorySwap") && swap == 0)
            return cannot(r,
                          "Memory limit should be smaller than already set memoryswap limit, "
                          "update the memoryswap at the same time");
        h["Memory"] = *q.memory;
    }
    if (swap != 0) h["MemorySwap"] = swap;
    if (q.pids_limit) h["PidsLimit"] = *q.pids_limit > 0 ? *q.pids_limit : 0;
    if (q.restart) {
        if (r.auto_remove && q.restart->policy != RestartPolicy::no)
            return cannot(r,
                          "Restart policy cannot be updated because AutoRemove is enabled for "
                          "the container");
        h["RestartPolicy"] = Json{{"Name", restart_name(q.restart->policy)},
                                  {"MaximumRetryCount", q.restart->max_retries}};
    }
    return {};
}

// The spec's resources for HostConfig h, over what the spec has (reservation, cpusets, devices).
void rebuild(const Json& h, oci::Resources& res) {
    int64_t memory = get(h, "Memory"), swap = get(h, "MemorySwap");
    if (memory > 0) {
        oci::MemoryResources m = res.memory.value_or(oci::MemoryResources{});
        m.limit = memory;
        m.swap = swap == 0 ? 2 * memory : swap;
        res.memory = m;
    }
    int64_t nano = get(h, "NanoCpus"), shares = get(h, "CpuShares");
    if (nano > 0 || shares > 0) {
        oci::CpuResources c = res.cpu.value_or(oci::CpuResources{});
        if (shares > 0) c.shares = static_cast<uint64_t>(shares);
        if (nano > 0) {
            c.quota = nano * k_cpu_period / 1'000'000'000;
            c.period = k_cpu_period;
        }
        res.cpu = c;
    }
    int64_t pids = get(h, "PidsLimit");
    if (pids > 0)
        res.pids = oci::PidsResources{pids};
    else
        res.pids.reset();
}

// What a running container's cgroup must be told: the resources the request changed.
oci::Resources live_changes(const UpdateRequest& q, const oci::Resources& merged) {
    oci::Resources live;
    if ((q.memory && *q.memory) || (q.memory_swap && *q.memory_swap)) live.memory = merged.memory;
    if (live.memory) live.memory->reservation.reset();
    if ((q.cpus && *q.cpus) || (q.cpu_shares && *q.cpu_shares)) {
        live.cpu = merged.cpu;
        if (live.cpu) {
            live.cpu->cpus.clear();
            live.cpu->mems.clear();
            if (!(q.cpus && *q.cpus)) live.cpu->quota.reset(), live.cpu->period.reset();
            if (!(q.cpu_shares && *q.cpu_shares)) live.cpu->shares.reset();
        }
    }
    if (q.pids_limit) live.pids = merged.pids.value_or(oci::PidsResources{0});
    return live;
}

bool empty(const oci::Resources& r) { return !r.memory && !r.cpu && !r.pids; }

// Applies live to the running container whose init is pid: to its own cgroup, or to one made
// now (every v1 hierarchy, the v2 one on hybrid hosts) into which its processes are moved.
Result<void> apply_live(const ContainerStore& store, const ContainerRecord& r,
                        const ContainerState& st, const oci::Resources& live) {
    const CgroupSystem* host = TRY(host_cgroups());
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    std::string path = container_cgroup_path(*host, spec, r.id);
    auto own = Cgroup::open(*host, path, CgroupOpen::existing);
    bool inside = false;
    if (own) {
        auto procs = fs::read_file("/proc/" + std::to_string(st.pid) + "/cgroup", 65536);
        if (procs) {
            auto paths = parse_proc_cgroup(*procs);
            std::string key = host->layout == CgroupLayout::v2 ? "" : host->hierarchies.front().key();
            inside = paths.count(key) && paths[key] == path;
        }
    }
    if (own && inside) return (*own)->apply(live);
    auto made = TRY(Cgroup::open(*host, path, CgroupOpen::create));
    TRY(made->apply(live));
    std::string key = host->layout == CgroupLayout::v2 ? "" : host->hierarchies.front().key();
    for (int pass = 0; pass < 100; ++pass) {
        auto pids = TRY(container_processes(st.pid));
        int moved = 0;
        for (pid_t p : pids) {
            auto text = fs::read_file("/proc/" + std::to_string(p) + "/cgroup", 65536);
            if (!text) continue;
            auto paths = parse_proc_cgroup(*text);
            if (paths.count(key) && paths[key] == path) continue;
            auto added = made->add(p);
            if (!added && added.error().sys_errno != ESRCH) return added;
            ++moved;
        }
        if (moved == 0) return {};
    }
    return fail("move the container's processes into its cgroup: processes keep appearing");
}

}  // namespace

Result<void> check_update(const UpdateRequest& q) {
    int64_t memory = q.memory.value_or(0), swap = q.memory_swap.value_or(0);
    if (memory != 0 && memory < k_min_memory) return fail("Minimum memory limit allowed is 6MB");
    if (memory > 0 && swap > 0 && swap < memory)
        return fail("Minimum memoryswap limit should be larger than memory limit, see usage");
    if (q.cpus && *q.cpus != 0) {
        int n = usable_cpus();
        if (*q.cpus < 0.01 || *q.cpus > n)
            return fail("Range of CPUs is from 0.01 to " + std::to_string(n) +
                        ".00, as there are only " + std::to_string(n) + " CPUs available");
    }
    return {};
}

Result<void> update_container(const ContainerStore& store, const ContainerRecord& r,
                              const UpdateRequest& q) {
    ContainerRecord updated = r;
    TRY(merge(r, q, updated.host_config));
    if (q.restart) updated.restart = *q.restart;
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    if (!spec.linux) spec.linux = oci::Linux{};
    oci::Resources res = spec.linux->resources.value_or(oci::Resources{});
    rebuild(updated.host_config, res);
    oci::Resources live = live_changes(q, res);
    spec.linux->resources = res;
    ContainerState st = TRY(store.state(r.id));
    bool running = (st.status == Status::running || st.status == Status::paused) && st.pid > 0 &&
                   process_start_time(st.pid) == st.pid_start;
    if (running && !empty(live)) {
        auto applied = apply_live(store, r, st, live);
        if (!applied) return cannot(r, applied.error().message);
    }
    // The running monitor reads the new policy when the container exits; the next start's
    // monitor is given the record's.
    if (q.restart && running)
        TRY(write_file_atomic(store.restart_policy_path(r.id), restart_text(*q.restart), 0600,
                              Durability::process_crash));
    else if (q.restart)
        ::unlink(store.restart_policy_path(r.id).c_str());
    return store.rewrite(updated, spec);
}

}  // namespace ferry::runtime
