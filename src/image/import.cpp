// import reuses the load machinery: the ArchiveSource inflates the stream, LayerIngest unpacks
// and hashes it; then a docker-shaped config is written (comment "Imported from -" unless -m)
// and the image committed like a loaded one.

#include "ferry/image/import.hpp"

#include <fcntl.h>
#include <sys/utsname.h>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/archive_source.hpp"
#include "ferry/image/changes.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

std::string host_architecture() {
    struct utsname u{};
    ::uname(&u);
    std::string m = u.machine;
    if (m == "x86_64") return "amd64";
    if (m == "aarch64") return "arm64";
    if (m == "armv7l") return "arm";
    if (m == "i686" || m == "i386") return "386";
    return m;
}

namespace {

Result<ImageConfig> make_config(const ImportRequest& request, const std::string& diff_id) {
    ImageConfig cfg;
    cfg.architecture = host_architecture();
    cfg.os = "linux";
    if (!request.platform.empty()) {
        auto parts = split(request.platform, '/');
        if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
            return fail("invalid platform `" + printable(request.platform) +
                        "` (expected os/arch[/variant])");
        cfg.os = parts[0];
        cfg.architecture = parts[1];
        if (parts.size() == 3) cfg.variant = parts[2];
    }
    std::string now = format_rfc3339(now_unix_ns());
    cfg.created = now;
    cfg.comment = request.message.empty() ? "Imported from -" : request.message;
    ContainerConfig run;
    for (const auto& change : request.changes) TRY(apply_change(run, change));
    cfg.config = run;
    cfg.container_config = ContainerConfig{};
    cfg.rootfs.diff_ids.push_back(TRY(Digest::parse(diff_id)));
    HistoryEntry h;
    h.created = now;
    h.comment = cfg.comment;
    cfg.history.push_back(h);
    return cfg;
}

}  // namespace

Result<std::string> import_rootfs(Store& store, int fd, const ImportRequest& request,
                                  Progress* progress, uint64_t total) {
    ContainerConfig probe;  // validate --change before reading anything
    for (const auto& change : request.changes) TRY(apply_change(probe, change));
    if (progress) progress->start("Importing", total);
    Staging staging = TRY(store.stage());
    FileLock pin = TRY(store.pin_layers());
    ChunkPool pool(16, 1 << 20), inflate_pool(4, 1 << 20);
    AsyncHasher hasher;
    UnpackOptions options = store.unpack_options();
    std::unique_ptr<LayerIngest> layer;
    {
        auto source = TRY(ArchiveSource::start(fd, pool, [progress](uint64_t n) {
            if (progress) progress->advance(n);
        }));
        size_t size = 0;
        while (Chunk* chunk = source->next(size)) {
            std::span<const uint8_t> bytes(chunk->data(), size);
            Result<void> fed;
            if (!layer) {
                auto created = LayerIngest::create(staging.fd(), "L0", bytes, hasher,
                                                   inflate_pool, options);
                if (!created) fed = std::unexpected(created.error());
                else layer = std::move(*created);
            }
            if (fed) fed = layer->feed(chunk, bytes);
            pool.release(chunk);
            TRY(fed);
        }
        TRY(source->result());
    }
    if (!layer) return fail("empty input");
    TRY(layer->finish());
    if (progress) progress->finish();

    ImageConfig cfg = TRY(make_config(request, layer->diff_id()));
    std::string config = serialize(cfg);
    std::string id = "sha256:" + sha256_hex(config);
    std::string chain = layer->diff_id().substr(7);
    if (!store.has_layer(chain)) {
        Fd dirfd = TRY(fs::open_at(staging.fd(), "L0", O_RDONLY | O_DIRECTORY));
        TRY(Store::write_layer_meta(dirfd.get(), {layer->diff_id(), "", layer->stats().content_size,
                                                  layer->stats().tar_size}));
        TRY(store.install_layer(staging, "L0", chain));
    }
    LayerMeta meta = TRY(store.layer_meta(chain));
    TRY(store.install_blob(staging, id, config));
    std::string manifest =
        make_stored_manifest(id, config.size(), {{meta.diff_id, meta.tar_size}});
    ImageRecord rec;
    rec.id = id;
    rec.manifest = "sha256:" + sha256_hex(manifest);
    TRY(store.install_blob(staging, rec.manifest, manifest));
    rec.diff_ids = {meta.diff_id};
    rec.chain_ids = {chain};
    rec.created_ns = cfg.created_unix_ns().value_or(now_unix_ns());
    rec.size = meta.size;
    TRY(store.update_images([&](ImageCatalog& catalog) -> Result<void> {
        catalog.upsert(rec);
        if (!request.reference.empty()) catalog.set_name(id, request.reference, now_unix_ns());
        return {};
    }));
    return id;
}

}  // namespace ferry::image
