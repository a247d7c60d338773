// The diff travels once through memory: TreeWriter reads each changed file into pooled 1 MiB
// chunks (CommitSink is the TarWriter's sink), each chunk goes to LayerIngest exactly as a
// loaded uncompressed blob does — hashed for the diff ID on the hasher thread, parsed by the
// TarReader and unpacked by the LayerUnpacker into tmp/ staging with its tar-split record — so
// the layer files are written once and `save` regenerates the same tar later. Zero blocks stay
// holes in the staged files (sparse files remain sparse). The install follows import: layers
// pinned, layer renamed into layers/, config and manifest blobs, one images.json rewrite.

#include "ferry/image/commit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/changes.hpp"
#include "ferry/image/import.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/image/tar_writer.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_chunk = 1 << 20;
constexpr size_t k_chunks = 16;

// TarWriter's sink: bytes are placed in pooled chunks and handed to the layer being ingested.
class CommitSink : public TarSink {
  public:
    CommitSink(ChunkPool& pool, LayerIngest& layer, const std::atomic<bool>* cancel)
        : m_pool(pool), m_layer(layer), m_cancel(cancel) {}
    ~CommitSink() override {
        if (m_chunk) m_pool.release(m_chunk);
    }

    Result<void> write(std::span<const uint8_t> bytes) override {
        while (!bytes.empty()) {
            uint8_t* dst = room();
            size_t n = std::min(bytes.size(), m_chunk->capacity() - m_fill);
            std::memcpy(dst, bytes.data(), n);
            TRY(pass(dst, n));
            bytes = bytes.subspan(n);
        }
        return {};
    }

    // File data is read straight into the chunk the layer will consume.
    Result<void> copy_from(int fd, uint64_t offset, uint64_t len) override {
        while (len > 0) {
            uint8_t* dst = room();
            size_t want =
                static_cast<size_t>(std::min<uint64_t>(len, m_chunk->capacity() - m_fill));
            ssize_t n = ::pread(fd, dst, want, static_cast<off_t>(offset));
            if (n < 0) {
                if (errno == EINTR) continue;
                return fail_errno("read");
            }
            if (n == 0) return fail("file shrank while being read");
            TRY(pass(dst, static_cast<size_t>(n)));
            offset += static_cast<uint64_t>(n);
            len -= static_cast<uint64_t>(n);
        }
        return {};
    }

  private:
    uint8_t* room() {
        if (!m_chunk) {
            m_chunk = m_pool.acquire();
            m_fill = 0;
        }
        return m_chunk->data() + m_fill;
    }

    Result<void> pass(uint8_t* data, size_t n) {
        if (m_cancel && m_cancel->load()) return fail("interrupted");
        m_fill += n;
        auto fed = m_layer.feed(m_chunk, {data, n});
        if (m_fill == m_chunk->capacity()) {
            m_pool.release(m_chunk);
            m_chunk = nullptr;
        }
        return fed;
    }

    ChunkPool& m_pool;
    LayerIngest& m_layer;
    const std::atomic<bool>* m_cancel;
    Chunk* m_chunk = nullptr;
    size_t m_fill = 0;
};

UnpackOptions staged_layer_options(const Store& store) {
    UnpackOptions o = store.unpack_options();
    o.zero_blocks = ZeroBlocks::skip;
    return o;
}

struct StagedDiff {
    std::string diff_id;  // empty when nothing changed
    UnpackStats stats;
    DiffStats diff;
};

// Streams the diff into staging/L0.
Result<StagedDiff> stage_diff(Store& store, Staging& staging, int upper_dir,
                              const DiffOptions& options, const std::atomic<bool>* cancel) {
    ChunkPool pool(k_chunks, k_chunk), unused_inflate_pool(1, 64);
    AsyncHasher hasher;
    auto layer = TRY(LayerIngest::create(staging.fd(), "L0", Compression::none, hasher,
                                         unused_inflate_pool, staged_layer_options(store)));
    StagedDiff out;
    {
        CommitSink sink(pool, *layer, cancel);
        TarWriter writer(sink);
        auto diff = write_layer_diff(upper_dir, writer, options);
        if (!diff && cancel && cancel->load()) return fail("interrupted");
        out.diff = TRY(std::move(diff));
        TRY(writer.finish());
    }
    TRY(layer->finish());
    out.stats = layer->stats();
    if (out.diff.entries > 0) out.diff_id = layer->diff_id();
    return out;
}

}  // namespace

Result<ImageConfig> child_config(const ImageConfig& parent, const CommitRequest& request,
                                 const std::string& new_diff_id, int64_t now_ns) {
    ContainerConfig config = request.container_config;
    for (const auto& change : request.changes)
        TRY(apply_change(config, change));
    std::string now = format_rfc3339(now_ns);
    ImageConfig c;
    c.architecture = parent.architecture.empty() ? host_architecture() : parent.architecture;
    c.variant = parent.variant;
    c.os = parent.os.empty() ? "linux" : parent.os;
    c.os_version = parent.os_version;
    c.os_features = parent.os_features;
    c.created = now;
    c.author = request.author;
    c.config = std::move(config);
    c.container_config = request.container_config;
    c.other["container"] = request.container_id;
    c.rootfs.diff_ids = parent.rootfs.diff_ids;
    if (!new_diff_id.empty()) c.rootfs.diff_ids.push_back(TRY(Digest::parse(new_diff_id)));
    c.history = parent.history;
    HistoryEntry h;
    h.created = now;
    h.author = request.author;
    h.created_by = join(request.container_config.cmd.value_or(std::vector<std::string>{}), " ");
    h.comment = request.comment;
    h.empty_layer = new_diff_id.empty();
    c.history.push_back(std::move(h));
    return c;
}

Result<CommitResult> commit_layer(Store& store, const LayerCommit& request) {
    Staging staging = TRY(store.stage());
    FileLock pin = TRY(store.pin_layers());
    ImageConfig parent;
    if (!request.parent_image.empty()) {
        auto parent_text = store.read_blob(request.parent_image);
        if (!parent_text)
            return fail("image " + request.parent_image +
                        " of the container is missing from the store");
        parent = TRY_CTX("image " + request.parent_image, parse_image_config(*parent_text));
    }
    auto parent_chains = chain_ids(parent.rootfs.diff_ids);
    for (const auto& chain : parent_chains)
        if (!store.has_layer(chain.hex))
            return fail("layer " + chain.hex + " of image " + request.parent_image +
                        " is missing from the store");

    StagedDiff staged;
    if (request.upper_dir >= 0)
        staged = TRY(stage_diff(store, staging, request.upper_dir, request.diff, request.cancel));
    ImageConfig cfg = TRY(request.make_config(parent, staged.diff_id));
    auto chains = chain_ids(cfg.rootfs.diff_ids);
    if (!staged.diff_id.empty()) {
        const std::string& chain = chains.back().hex;
        if (!store.has_layer(chain)) {
            Fd dirfd = TRY(fs::open_at(staging.fd(), "L0", O_RDONLY | O_DIRECTORY));
            std::string parent_chain = parent_chains.empty() ? "" : parent_chains.back().hex;
            TRY(Store::write_layer_meta(
                dirfd.get(),
                {staged.diff_id, parent_chain, staged.stats.content_size, staged.stats.tar_size}));
            TRY(store.install_layer(staging, "L0", chain));
        }
    }

    std::string config = serialize(cfg);
    ImageRecord rec;
    rec.id = "sha256:" + sha256_hex(config);
    rec.build_keys = request.build_keys;
    rec.intermediate = request.intermediate && request.reference.empty();
    std::vector<StoredLayer> layers;
    for (size_t i = 0; i < chains.size(); ++i) {
        LayerMeta meta = TRY(store.layer_meta(chains[i].hex));
        rec.diff_ids.push_back(cfg.rootfs.diff_ids[i].str());
        rec.chain_ids.push_back(chains[i].hex);
        rec.size += meta.size;
        layers.push_back({meta.diff_id, meta.tar_size});
    }
    // Recorded in the staging's intent as the layer is: a commit killed before images.json
    // names the image leaves nothing behind.
    TRY(store.install_blob(staging, rec.id, config));
    std::string manifest = make_stored_manifest(rec.id, config.size(), layers);
    rec.manifest = "sha256:" + sha256_hex(manifest);
    TRY(store.install_blob(staging, rec.manifest, manifest));
    rec.created_ns = cfg.created_unix_ns().value_or(now_unix_ns());
    TRY(store.update_images([&](ImageCatalog& catalog) -> Result<void> {
        catalog.upsert(rec);
        if (!request.reference.empty()) catalog.set_name(rec.id, request.reference, now_unix_ns());
        return {};
    }));
    return CommitResult{rec.id, staged.diff_id.empty(), staged.diff.data_bytes,
                        staged.stats.tar_size};
}

Result<CommitResult> commit_image(Store& store, const CommitRequest& request) {
    ContainerConfig probe = request.container_config;  // bad --change fails before any work
    for (const auto& change : request.changes)
        TRY(apply_change(probe, change));
    LayerCommit layer;
    layer.upper_dir = request.upper_dir;
    layer.diff = request.diff;
    layer.parent_image = request.parent_image;
    layer.make_config = [&](const ImageConfig& parent, const std::string& diff_id) {
        return child_config(parent, request, diff_id, now_unix_ns());
    };
    layer.reference = request.reference;
    layer.cancel = request.cancel;
    return commit_layer(store, layer);
}

}  // namespace ferry::image
