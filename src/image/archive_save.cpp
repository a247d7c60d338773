// ferry save. Members are written in the order docker 20 writes them (its archive is a sorted
// walk of a staging directory): per image the config `<hex>.json` and the legacy layer
// directories `<id>/{VERSION,json,layer.tar}` sorted by name, then manifest.json and
// repositories; or, for OCI, oci-layout, the blobs and index.json. Each layer tar is regenerated
// from the store by regenerate_layer into the outer archive through a VerifyingSink, which hashes
// the bytes on the hasher thread while this thread reads and writes, and the digest must equal
// the layer's diff ID when the layer ends.

#include "ferry/image/archive_save.hpp"

#include <fcntl.h>

#include <cstring>
#include <map>
#include <set>

#include "ferry/image/pack.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/tar_writer.hpp"
#include "ferry/oci/docker_archive.hpp"
#include "ferry/oci/docker_legacy.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/manifest.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/oci/oci_layout.hpp"
#include "ferry/util/async_hasher.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_chunk = 1 << 20;

// Forwards bytes to out and hashes them on the hasher thread.
class VerifyingSink : public TarSink {
public:
    VerifyingSink(TarSink& out, AsyncHasher& hasher, ChunkPool& pool, Progress* progress)
        : m_out(out), m_hasher(hasher), m_pool(pool), m_progress(progress),
          m_stream(hasher.open()) {}
    ~VerifyingSink() override {
        if (m_small) m_pool.release(m_small);
    }

    Result<void> write(std::span<const uint8_t> bytes) override {
        while (!bytes.empty()) {
            if (!m_small || m_fill == m_small->capacity()) {
                if (m_small) m_pool.release(m_small);
                m_small = m_pool.acquire();
                m_fill = 0;
            }
            size_t n = std::min(bytes.size(), m_small->capacity() - m_fill);
            std::memcpy(m_small->data() + m_fill, bytes.data(), n);
            TRY(forward(m_small, {m_small->data() + m_fill, n}));
            m_fill += n;
            bytes = bytes.subspan(n);
        }
        return {};
    }

    Result<void> copy_from(int fd, uint64_t offset, uint64_t len) override {
        while (len > 0) {
            Chunk* chunk = m_pool.acquire();
            size_t n = static_cast<size_t>(std::min<uint64_t>(len, chunk->capacity()));
            auto r = fs::pread_exact(fd, chunk->data(), n, offset);
            if (r) r = forward(chunk, {chunk->data(), n});
            m_pool.release(chunk);
            TRY(r);
            offset += n;
            len -= n;
        }
        return {};
    }

    // Waits for the hash of everything written; returns "sha256:<hex>".
    std::string digest() { return "sha256:" + m_hasher.finish(m_stream).first; }

private:
    Result<void> forward(Chunk* chunk, std::span<const uint8_t> bytes) {
        m_hasher.update(m_stream, chunk, bytes);
        if (m_progress) m_progress->advance(bytes.size());
        return m_out.write(bytes);
    }

    TarSink& m_out;
    AsyncHasher& m_hasher;
    ChunkPool& m_pool;
    Progress* m_progress;
    AsyncHasher::Stream m_stream;
    Chunk* m_small = nullptr;
    size_t m_fill = 0;
};

TarEntry file_entry(const std::string& name, uint64_t size, int64_t mtime_ns, uint32_t mode) {
    TarEntry e;
    e.type = EntryType::regular;
    e.path = name;
    e.size = size;
    e.real_size = size;
    e.mode = mode;
    e.mtime_ns = mtime_ns;
    e.uname = "root";
    e.gname = "root";
    return e;
}

Result<void> add_text(TarWriter& w, const std::string& name, std::string_view text,
                      int64_t mtime_ns) {
    auto e = file_entry(name, text.size(), mtime_ns, 0644);
    return w.add_file(e, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// Streams one stored layer as the member `name`, verifying it against its diff ID.
Result<void> add_layer(TarWriter& w, const Store& store, const std::string& chain,
                       const std::string& name, int64_t mtime_ns, AsyncHasher& hasher,
                       ChunkPool& pool, Progress* progress) {
    LayerMeta meta = TRY(store.layer_meta(chain));
    std::string dir = store.layer_path(chain);
    Fd diff = TRY(fs::open(dir + "/diff", O_RDONLY | O_DIRECTORY));
    Fd record = TRY(fs::open(dir + "/tar-split.zst", O_RDONLY));
    TRY(w.begin_file(file_entry(name, meta.tar_size, mtime_ns, 0644)));
    VerifyingSink sink(w.payload(), hasher, pool, progress);
    TRY_CTX("layer " + meta.diff_id, regenerate_layer(diff.get(), record.get(), sink));
    TRY(w.end_file());
    std::string got = sink.digest();
    if (got != meta.diff_id)
        return fail("layer " + meta.diff_id +
                    ": regenerated content does not match its digest (got " + got +
                    "; the store is damaged)");
    return {};
}

struct Loaded {
    const SaveItem* item;
    std::string config;
    ImageConfig parsed;
};

Result<std::vector<Loaded>> read_configs(const Store& store, const std::vector<SaveItem>& items) {
    std::vector<Loaded> out;
    for (const auto& item : items) {
        std::string config = TRY(store.read_blob(item.image.id));
        ImageConfig parsed = TRY_CTX("config " + item.image.id, parse_image_config(config));
        out.push_back({&item, std::move(config), std::move(parsed)});
    }
    return out;
}

Result<void> save_docker(const Store& store, std::vector<Loaded>& images, TarWriter& w,
                         AsyncHasher& hasher, ChunkPool& pool, Progress* progress) {
    // Every member but the index files, sorted by name as docker's directory walk writes them.
    struct Pending {
        enum { text, dir, layer } kind;
        std::string content;  // text: bytes; layer: chain
        int64_t mtime_ns;
    };
    std::map<std::string, Pending> members;
    std::vector<ArchiveManifestEntry> manifest;
    LegacyRepositories repositories;
    for (auto& img : images) {
        int64_t created = img.parsed.created_unix_ns().value_or(0);
        std::string hex = img.item->image.id.substr(7);
        members[hex + ".json"] = {Pending::text, img.config, created};
        ArchiveManifestEntry entry;
        entry.config = hex + ".json";
        auto legacy = legacy_layers(img.parsed);
        for (size_t i = 0; i < legacy.size(); ++i) {
            const std::string& id = legacy[i].id;
            members[id] = {Pending::dir, "", created};
            members[id + "/VERSION"] = {Pending::text, std::string(k_legacy_layer_version), created};
            members[id + "/json"] = {Pending::text, legacy[i].json, created};
            members[id + "/layer.tar"] = {Pending::layer, img.item->image.chain_ids.at(i), created};
            entry.layers.push_back(id + "/layer.tar");
        }
        for (const auto& name : img.item->names) {
            auto ref = parse_reference(name);
            if (!ref) continue;
            entry.repo_tags.push_back(ref->familiar());
            if (!legacy.empty()) repositories[ref->familiar_repository()][ref->tag] = legacy.back().id;
        }
        manifest.push_back(std::move(entry));
    }
    for (auto& [name, m] : members) {
        if (m.kind == Pending::text) {
            TRY(add_text(w, name, m.content, m.mtime_ns));
        } else if (m.kind == Pending::dir) {
            TarEntry e = file_entry(name, 0, m.mtime_ns, 0755);
            e.type = EntryType::directory;
            TRY(w.add_directory(e));
        } else {
            TRY(add_layer(w, store, m.content, name, m.mtime_ns, hasher, pool, progress));
        }
    }
    TRY(add_text(w, std::string(k_archive_manifest_file), serialize_archive_manifest(manifest), 0));
    if (!repositories.empty())
        TRY(add_text(w, std::string(k_legacy_repositories_file),
                     serialize_legacy_repositories(repositories), 0));
    return {};
}

Result<void> save_oci(const Store& store, std::vector<Loaded>& images, TarWriter& w,
                      AsyncHasher& hasher, ChunkPool& pool, Progress* progress) {
    TRY(add_text(w, std::string(k_oci_layout_file), oci_layout_file(), 0));
    std::set<std::string> written;
    std::vector<Descriptor> index_entries;
    for (auto& img : images) {
        const ImageRecord& r = img.item->image;
        ImageManifest m;
        m.media_type = std::string(k_oci_manifest);
        m.config.media_type = std::string(k_oci_config);
        m.config.digest = TRY(Digest::parse(r.id));
        m.config.size = static_cast<int64_t>(img.config.size());
        if (written.insert(r.id).second)
            TRY(add_text(w, oci_blob_path(m.config.digest), img.config, 0));
        for (size_t i = 0; i < r.chain_ids.size(); ++i) {
            LayerMeta meta = TRY(store.layer_meta(r.chain_ids[i]));
            Descriptor d;
            d.media_type = std::string(k_oci_layer_tar);
            d.digest = TRY(Digest::parse(meta.diff_id));
            d.size = static_cast<int64_t>(meta.tar_size);
            if (written.insert(meta.diff_id).second)
                TRY(add_layer(w, store, r.chain_ids[i], oci_blob_path(d.digest), 0, hasher, pool,
                              progress));
            m.layers.push_back(std::move(d));
        }
        std::string bytes = serialize(m);
        Descriptor md;
        md.media_type = std::string(k_oci_manifest);
        md.digest = Digest::sha256(sha256_hex(bytes));
        md.size = static_cast<int64_t>(bytes.size());
        if (written.insert(md.digest.str()).second)
            TRY(add_text(w, oci_blob_path(md.digest), bytes, 0));
        if (img.item->names.empty()) index_entries.push_back(md);
        for (const auto& name : img.item->names) {
            Descriptor named = md;
            if (auto ref = parse_reference(name)) {
                named.annotations[std::string(k_annotation_containerd_image_name)] = ref->full();
                named.annotations[std::string(k_annotation_ref_name)] = ref->tag;
            }
            index_entries.push_back(std::move(named));
        }
    }
    return add_text(w, std::string(k_oci_index_file),
                    serialize(make_layout_index(std::move(index_entries))), 0);
}

}  // namespace

Result<void> save_archive(const Store& store, const std::vector<SaveItem>& items,
                          ArchiveFormat format, int out_fd, Progress* progress) {
    auto images = TRY(read_configs(store, items));
    if (progress) {
        uint64_t total = 0;
        std::set<std::string> seen;
        for (const auto& item : items)
            for (const auto& chain : item.image.chain_ids)
                if (seen.insert(chain).second)
                    total += store.layer_meta(chain).value_or(LayerMeta{}).tar_size;
        progress->start("Saving", total);
    }
    ChunkPool pool(8, k_chunk);
    AsyncHasher hasher;
    FdSink out(out_fd);
    TarWriter w(out);
    if (format == ArchiveFormat::docker)
        TRY(save_docker(store, images, w, hasher, pool, progress));
    else
        TRY(save_oci(store, images, w, hasher, pool, progress));
    TRY(w.finish());
    if (progress) progress->finish();
    return {};
}

}  // namespace ferry::image
