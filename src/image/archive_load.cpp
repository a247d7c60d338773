// ferry load, in one pass over the archive:
//   1. a reader thread reads (and if needed inflates) the archive into pooled chunks;
//   2. this thread parses the outer tar; each member is sniffed: layer blobs (tar, gzip, zstd)
//      stream through LayerIngest (unpacked into tmp/ staging as they arrive, hashed on the
//      hasher thread), small members are kept as metadata, anything else is skipped;
//   3. the layout (manifest.json / index.json) is read and every blob checked against it:
//      digests, sizes, diff IDs;
//   4. under layers.lock (shared, so garbage collection cannot interfere), commit_images
//      (image_commit.hpp) renames the layers the store lacks into layers/, writes the blobs and
//      updates images.json in one atomic rewrite.
// An error at any step before 4 leaves the store untouched: staging dies with its directory.

#include "ferry/image/archive_load.hpp"

#include <map>
#include <memory>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/archive_source.hpp"
#include "ferry/image/image_commit.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_chunk = 1 << 20;
constexpr size_t k_sniff = 512;
constexpr uint64_t k_meta_member_limit = 16u << 20;
constexpr uint64_t k_meta_total_limit = 64u << 20;

enum class MemberKind { layer, meta, skipped };

struct Member {
    MemberKind kind = MemberKind::skipped;
    uint64_t size = 0;
    std::string bytes;  // metadata content, or a layer's first bytes (kept alive for the hasher)
    std::unique_ptr<LayerIngest> layer;
};

std::string normalise_member(std::string_view name) {
    while (name.starts_with("./")) name.remove_prefix(2);
    while (name.starts_with("/")) name.remove_prefix(1);
    return std::string(name);
}

bool looks_like_layer(const std::string& name, std::string_view head, uint64_t size) {
    if (name.ends_with("/layer.tar") || name == "layer.tar") return true;
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(head.data()), head.size());
    if (detect_compression(bytes) != Compression::none) return true;
    if (head.size() >= 263 && head.substr(257, 5) == "ustar") return true;
    // An empty layer is two (or more) zero blocks.
    return head.size() == k_sniff && size % 512 == 0 &&
           head.find_first_not_of('\0') == std::string_view::npos;
}

// The outer tar's visitor: routes each member's bytes as described at the top of the file.
class Collector : public TarVisitor {
public:
    Collector(int staging_fd, AsyncHasher& hasher, ChunkPool& inflate_pool, UnpackOptions options)
        : m_staging_fd(staging_fd), m_hasher(hasher), m_inflate_pool(inflate_pool),
          m_options(options) {}

    void set_chunk(Chunk* chunk) { m_chunk = chunk; }
    std::map<std::string, Member>& members() { return m_members; }

    Result<void> on_raw(std::span<const uint8_t>) override { return {}; }

    Result<void> on_entry(const TarEntry& entry) override {
        m_current = nullptr;
        if (entry.type != EntryType::regular) return {};
        std::string name = normalise_member(entry.path);
        if (m_members.count(name)) return fail("duplicate member `" + printable(name) + "`");
        m_current_name = name;
        m_current = &m_members[name];
        m_current->size = entry.size;
        m_sniffing = true;
        return {};
    }

    Result<void> on_data(std::span<const uint8_t> bytes) override {
        if (!m_current) return {};
        if (m_sniffing) {
            size_t take = std::min(bytes.size(), k_sniff - m_current->bytes.size());
            m_current->bytes.append(reinterpret_cast<const char*>(bytes.data()), take);
            bytes = bytes.subspan(take);
            if (m_current->bytes.size() < k_sniff) return {};
            TRY(classify());
        }
        return route(m_chunk, bytes);
    }

    Result<void> on_entry_end() override {
        if (!m_current) return {};
        if (m_sniffing) TRY(classify());
        if (m_current->layer)
            TRY_CTX("layer `" + printable(m_current_name) + "`", m_current->layer->finish());
        m_current = nullptr;
        return {};
    }

private:
    Result<void> classify() {
        m_sniffing = false;
        Member& m = *m_current;
        if (looks_like_layer(m_current_name, m.bytes, m.size)) {
            m.kind = MemberKind::layer;
            auto head = std::span(reinterpret_cast<const uint8_t*>(m.bytes.data()), m.bytes.size());
            m.layer = TRY_CTX("layer `" + printable(m_current_name) + "`",
                              LayerIngest::create(m_staging_fd, "L" + std::to_string(m_layers++),
                                                  head, m_hasher, m_inflate_pool, m_options));
            return route(nullptr, head);
        }
        if (m.size <= k_meta_member_limit) {
            m_meta_total += m.size;
            if (m_meta_total > k_meta_total_limit)
                return fail("archive metadata larger than 64 MiB");
            m.kind = MemberKind::meta;
            m.bytes.reserve(m.size);
            return {};
        }
        m.kind = MemberKind::skipped;
        m.bytes.clear();
        return {};
    }

    Result<void> route(Chunk* chunk, std::span<const uint8_t> bytes) {
        if (bytes.empty()) return {};
        Member& m = *m_current;
        switch (m.kind) {
            case MemberKind::layer:
                TRY_CTX("layer `" + printable(m_current_name) + "`", m.layer->feed(chunk, bytes));
                return {};
            case MemberKind::meta:
                m.bytes.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
                return {};
            case MemberKind::skipped:
                return {};
        }
        return {};
    }

    int m_staging_fd;
    AsyncHasher& m_hasher;
    ChunkPool& m_inflate_pool;
    UnpackOptions m_options;
    Chunk* m_chunk = nullptr;
    std::map<std::string, Member> m_members;
    Member* m_current = nullptr;
    std::string m_current_name;
    bool m_sniffing = false;
    size_t m_layers = 0;
    uint64_t m_meta_total = 0;
};

// Streams the whole archive through the collector.
Result<void> collect(int fd, Collector& collector, ChunkPool& pool, Progress* progress) {
    auto source = TRY(ArchiveSource::start(fd, pool, [progress](uint64_t n) {
        if (progress) progress->advance(n);
    }));
    TarReader outer(collector);
    bool any = false;
    size_t size = 0;
    while (Chunk* chunk = source->next(size)) {
        any = true;
        collector.set_chunk(chunk);
        auto fed = outer.feed({chunk->data(), size});
        pool.release(chunk);
        if (!fed) return fed;
    }
    TRY(source->result());
    if (!any) return fail("empty input");
    return outer.finish();
}

struct VerifiedImage {
    PlannedImage plan;
    std::string config;
    std::string id;
    ConfigFacts facts;
    std::vector<std::optional<StagedLayer>> layers;
};

// The content of a metadata member; what names a missing one (config, blob) goes in the error.
Result<std::string_view> meta_member(const std::map<std::string, Member>& members,
                                     const std::string& name, std::string_view what) {
    auto it = members.find(name);
    if (it != members.end() && it->second.kind == MemberKind::skipped)
        return fail("member `" + printable(name) + "`: too large (over " +
                    std::to_string(k_meta_member_limit >> 20) + " MiB)");
    if (it == members.end() || it->second.kind != MemberKind::meta)
        return fail("missing " + std::string(what) + " `" + printable(name) + "`");
    return std::string_view(it->second.bytes);
}

Result<VerifiedImage> verify(const PlannedImage& plan, std::map<std::string, Member>& members) {
    VerifiedImage v;
    v.plan = plan;
    v.config = TRY(meta_member(members, plan.config_member, "config"));
    v.id = "sha256:" + sha256_hex(v.config);
    if (plan.config_digest && *plan.config_digest != v.id)
        return fail("config " + *plan.config_digest + ": digest mismatch (got " + v.id + ")");
    if (plan.config_size && *plan.config_size != v.config.size())
        return fail("config " + v.id + ": size mismatch (manifest says " +
                    std::to_string(*plan.config_size) + ", got " +
                    std::to_string(v.config.size()) + ")");
    v.facts = TRY_CTX("config " + v.id, read_config_facts(v.config));
    if (v.facts.diff_ids.size() != plan.layers.size())
        return fail("image " + v.id + ": config lists " + std::to_string(v.facts.diff_ids.size()) +
                    " layers but the manifest has " + std::to_string(plan.layers.size()));
    for (size_t i = 0; i < plan.layers.size(); ++i) {
        const PlannedLayer& pl = plan.layers[i];
        auto m = members.find(pl.member);
        if (m == members.end()) return fail("missing layer `" + printable(pl.member) + "`");
        if (m->second.kind != MemberKind::layer)
            return fail("layer `" + printable(pl.member) + "`: not a tar, gzip or zstd stream");
        LayerIngest& in = *m->second.layer;
        if (pl.digest && *pl.digest != in.blob_digest())
            return fail("blob " + *pl.digest + ": digest mismatch (got " + in.blob_digest() + ")");
        if (pl.size && *pl.size != in.blob_size())
            return fail("blob " + in.blob_digest() + ": size mismatch (manifest says " +
                        std::to_string(*pl.size) + ", got " + std::to_string(in.blob_size()) + ")");
        if (in.diff_id() != v.facts.diff_ids[i])
            return fail("layer " + v.facts.diff_ids[i] + ": digest mismatch (got " + in.diff_id() +
                        ")");
        v.layers.push_back(in.staged());
    }
    return v;
}

// Hands the verified images to commit_images; returns the report.
Result<LoadReport> commit(Store& store, Staging& staging, std::vector<VerifiedImage>& images) {
    std::vector<IngestedImage> ingested;
    for (auto& img : images)
        ingested.push_back({img.id, img.config, img.facts, img.layers, img.plan.names});
    CommitReport done = TRY(commit_images(store, staging, ingested));
    LoadReport report;
    for (auto& img : done.images) report.images.push_back({img.id, img.names});
    report.renamed = std::move(done.renamed);
    return report;
}

}  // namespace

Result<LoadReport> load_archive(Store& store, int fd, Progress* progress, uint64_t total) {
    if (progress) progress->start("Loading", total);
    Staging staging = TRY(store.stage());
    FileLock pin = TRY(store.pin_layers());
    ChunkPool pool(16, k_chunk), inflate_pool(8, k_chunk);
    auto report = [&]() -> Result<LoadReport> {
        AsyncHasher hasher;
        UnpackOptions options = store.unpack_options();
        Collector collector(staging.fd(), hasher, inflate_pool, options);
        TRY(collect(fd, collector, pool, progress));
        auto& members = collector.members();
        auto plans = TRY(plan_archive(
            [&](const std::string& name) { return meta_member(members, name, "blob"); },
            [&](const std::string& name) { return members.count(name) > 0; }));
        std::vector<VerifiedImage> images;
        for (const auto& plan : plans) images.push_back(TRY(verify(plan, members)));
        return commit(store, staging, images);
    }();
    if (progress) progress->finish();
    return report;
}

}  // namespace ferry::image
