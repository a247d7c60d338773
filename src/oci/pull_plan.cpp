// A plan is a pure reading of the manifest: nothing is fetched here. Layer media types are not
// refused (docker's puller does not look at them: it sniffs the compression), but the ones ferry
// knows say the compression, and the puller sniffs only for the others.

#include "ferry/oci/pull_plan.hpp"

namespace ferry {

namespace {

PullLayer layer_of(const Descriptor& d) {
    PullLayer l;
    l.digest = d.digest;
    l.size = d.size;
    l.media_type = d.media_type;
    if (auto c = layer_compression(d.media_type)) l.compression = *c;
    l.foreign = is_nondistributable_layer(d.media_type);
    l.urls = d.urls;
    return l;
}

}  // namespace

Result<PullPlan> plan_pull(const RemoteManifest& manifest, const Digest& pulled_by,
                           std::string_view ref) {
    if (manifest.is_index()) return fail("unsupported manifest format");
    PullPlan plan;
    plan.manifest_digest = pulled_by;
    plan.manifest_media_type = manifest.media_type;
    if (manifest.kind == RemoteKind::schema1) {
        auto image = TRY(convert_schema1(manifest.schema1(), ref));
        for (const auto& blob : image.layers()) {
            PullLayer l;
            l.digest = blob;
            l.media_type = std::string(k_docker_layer_gzip);
            l.compression = Compression::gzip;
            plan.layers.push_back(std::move(l));
        }
        plan.schema1 = std::move(image);
        return plan;
    }
    const ImageManifest& m = manifest.manifest();
    plan.config = m.config;
    for (const auto& d : m.layers)
        plan.layers.push_back(layer_of(d));
    return plan;
}

Result<void> check_config_layers(const PullPlan& plan, const ImageConfig& config) {
    if (config.rootfs.type != "layers") return fail("invalid rootfs in image configuration");
    if (config.rootfs.diff_ids.size() != plan.layers.size())
        return fail("layers from manifest don't match image configuration");
    return {};
}

}  // namespace ferry
