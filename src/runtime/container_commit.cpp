// The freeze comes first and its guard outlives the whole commit: the cgroup is thawed on every
// return path, errors included. The upper directory is opened by path from the container store;
// everything below it is read relative to that descriptor (image/layer_diff.cpp).

#include "ferry/runtime/container_commit.hpp"

#include <fcntl.h>

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

image::DiffOptions container_diff_options(const oci::RuntimeSpec& spec) {
    image::DiffOptions o;
    if (!spec.linux) return o;
    bool userns = false;
    for (const auto& ns : spec.linux->namespaces)
        userns = userns || ns.type == "user";
    if (userns) o.opaque_xattr = image::WhiteoutXattr::user;
    o.owners.uids = spec.linux->uid_mappings;
    o.owners.gids = spec.linux->gid_mappings;
    return o;
}

Result<image::CommitResult> commit_container(const ContainerStore& containers, image::Store& images,
                                             const ContainerRecord& record,
                                             const CommitOptions& options) {
    oci::RuntimeSpec spec = TRY(containers.load_spec(record.id));
    ContainerState state = TRY(containers.state(record.id));
    FreezeGuard frozen;
    if (options.pause && state.status == Status::running && state.pid > 0 &&
        process_start_time(state.pid) == state.pid_start) {
        auto cgroup = TRY_CTX("pause container", process_cgroup(state.pid));
        frozen = TRY(FreezeGuard::freeze(std::move(cgroup)));
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
    return image::commit_image(images, request);
}

}  // namespace ferry::runtime
