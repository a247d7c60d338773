// The freeze comes first and its guard outlives the whole commit: the cgroup is thawed on every
// return path, errors included. The upper directory is opened by path from the container store;
// everything below it is read relative to that descriptor (image/layer_diff.cpp).

#include "ferry/runtime/container_commit.hpp"

#include <fcntl.h>
#include <signal.h>

#include <atomic>

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

std::atomic<bool> g_interrupted{false};

// While a container is frozen, SIGINT, SIGTERM and SIGHUP stop the commit instead of ferry: the
// guard must get to thaw the container.
class InterruptGuard {
  public:
    InterruptGuard() {
        g_interrupted = false;
        struct sigaction sa {};
        sa.sa_handler = [](int) { g_interrupted = true; };
        ::sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < 3; ++i)
            ::sigaction(k_signals[i], &sa, &m_old[i]);
    }
    ~InterruptGuard() {
        for (size_t i = 0; i < 3; ++i)
            ::sigaction(k_signals[i], &m_old[i], nullptr);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    static constexpr int k_signals[3] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction m_old[3]{};
};

}  // namespace

image::DiffOptions container_diff_options(const oci::RuntimeSpec& spec) {
    image::DiffOptions o;
    if (!spec.linux) return o;
    bool userns = false;
    for (const auto& ns : spec.linux->namespaces)
        userns = userns || ns.type == "user";
    if (userns) o.opaque_xattr = image::WhiteoutXattr::user;
    o.owners.uids = spec.linux->uid_mappings;
    o.owners.gids = spec.linux->gid_mappings;
    // In a user namespace (the store's), stat shows this namespace's ids, not the host's.
    auto own = own_id_mappings();
    if (own && !o.owners.uids.empty()) o.owners.uids = relative_to(o.owners.uids, own->uids);
    if (own && !o.owners.gids.empty()) o.owners.gids = relative_to(o.owners.gids, own->gids);
    return o;
}

Result<image::CommitResult> commit_container(const ContainerStore& containers, image::Store& images,
                                             const ContainerRecord& record,
                                             const CommitOptions& options) {
    oci::RuntimeSpec spec = TRY(containers.load_spec(record.id));
    ContainerState state = TRY(containers.state(record.id));
    InterruptGuard interrupts;  // destroyed after the freeze guard: thawed before ferry can die
    FreezeGuard frozen;
    if (options.pause && state.status == Status::running && state.pid > 0 &&
        process_start_time(state.pid) == state.pid_start) {
        const CgroupSystem* host = TRY(host_cgroups());
        auto cgroup = container_freezer(*host, state.pid,
                                        container_cgroup_path(*host, spec, record.id),
                                        FreezerUse::on_demand);
        // A rootless container without a delegated cgroup cannot be frozen: committed as it
        // runs, as before there was a freezer for every container.
        if (!cgroup && cgroup.error().sys_errno != ENOTSUP)
            return std::unexpected(std::move(cgroup.error()).prefix("pause container"));
        if (cgroup) frozen = TRY(FreezeGuard::freeze(std::move(*cgroup)));
    }
    Fd upper = TRY(fs::open(containers.dir(record.id) + "/upper", O_RDONLY | O_DIRECTORY));
    auto config_view =
        TRY_CTX("container " + record.id.substr(0, 12), JsonObject::view(record.config, "Config"));
    image::CommitRequest request;
    request.upper_dir = upper.get();
    request.diff = container_diff_options(spec);
    request.parent_image = record.image_id;
    request.container_config =
        TRY_CTX("container " + record.id.substr(0, 12), parse_container_config(config_view));
    request.container_id = record.id;
    request.changes = options.changes;
    request.comment = options.message;
    request.author = options.author;
    request.reference = options.reference;
    request.cancel = &g_interrupted;
    return image::commit_image(images, request);
}

}  // namespace ferry::runtime
