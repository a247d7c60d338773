// See blob_cache.hpp. The file is small (bounded to a few megabytes), so it is read whole and
// rewritten whole: readers need no lock (the file is replaced by rename), writers take
// blob-cache.lock for the read-modify-write. Parsing is strict about what it keeps: an entry
// with a malformed digest or an unknown compression makes the file damaged rather than being
// skipped, since a file in that state was not written by ferry and nothing in it can be trusted.

#include "ferry/image/blob_cache.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "ferry/core/store_health.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

using Json = nlohmann::ordered_json;

constexpr uint64_t k_version = 1;
constexpr size_t k_max_compressed = 4096;
constexpr size_t k_max_sources = 8192;
constexpr size_t k_max_sources_per_layer = 8;
constexpr size_t k_max_file = 16u << 20;

std::unexpected<Error> bad(std::string detail) {
    return std::unexpected(Error{std::move(detail), EUCLEAN, k_exit_failed});
}

bool is_digest(const std::string& s) {
    return s.size() == 71 && s.starts_with("sha256:") &&
           std::all_of(s.begin() + 7, s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<Compression> compression_of(std::string_view name) {
    for (Compression c : {Compression::none, Compression::gzip, Compression::zstd})
        if (compression_name(c) == name) return c;
    return std::nullopt;
}

std::optional<std::string> string_at(const Json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
    return j[key].get<std::string>();
}

std::optional<uint64_t> size_at(const Json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) return std::nullopt;
    return j[key].get<uint64_t>();
}

std::optional<CompressedEntry> compressed_of(const Json& j) {
    if (!j.is_object()) return std::nullopt;
    auto diff = string_at(j, "diff_id"), name = string_at(j, "compression");
    auto digest = string_at(j, "digest"), media = string_at(j, "media_type");
    auto size = size_at(j, "size");
    if (!diff || !name || !digest || !media || !size || !is_digest(*diff) || !is_digest(*digest))
        return std::nullopt;
    auto c = compression_of(*name);
    if (!c) return std::nullopt;
    return CompressedEntry{*diff, *c, *digest, *size, *media};
}

std::optional<SourceEntry> source_of(const Json& j) {
    if (!j.is_object()) return std::nullopt;
    auto diff = string_at(j, "diff_id"), registry = string_at(j, "registry");
    auto repo = string_at(j, "repository"), digest = string_at(j, "digest");
    auto media = string_at(j, "media_type");
    auto size = size_at(j, "size");
    if (!diff || !registry || !repo || !digest || !media || !size || !is_digest(*diff) ||
        !is_digest(*digest) || registry->empty() || repo->empty())
        return std::nullopt;
    return SourceEntry{*diff, {*registry, *repo, *digest, *size, *media}};
}

std::string lock_path(const Store& store) {
    return store.root() + "/blob-cache.lock";
}

// Reads the file for a rewrite (the caller holds the lock); none when it is damaged.
Result<std::optional<BlobCache>> read_for_update(const Store& store) {
    auto cache = read_blob_cache(store);
    if (cache) return std::optional<BlobCache>(std::move(*cache));
    if (!is_damaged(cache.error())) return std::unexpected(cache.error());
    log::debug("not updating the blob cache: " + cache.error().message);
    return std::optional<BlobCache>();
}

Result<void> write_cache(const Store& store, const BlobCache& cache) {
    return write_file_atomic(blob_cache_path(store), cache.serialize());
}

}  // namespace

Result<BlobCache> BlobCache::parse(std::string_view text) {
    if (text.empty()) return bad("empty file");
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded()) return bad("truncated or malformed JSON");
    if (!doc.is_object() || !doc.contains("version")) return bad("no `version`");
    if (!doc["version"].is_number_unsigned() || doc["version"].get<uint64_t>() != k_version)
        return bad("unknown version " + printable(doc["version"].dump()));
    BlobCache cache;
    for (const char* key : {"compressed", "sources"})
        if (!doc.contains(key) || !doc[key].is_array())
            return bad(std::string("no `") + key + "` list");
    for (const auto& j : doc["compressed"]) {
        auto e = compressed_of(j);
        if (!e) return bad("malformed entry");
        cache.compressed.push_back(std::move(*e));
    }
    for (const auto& j : doc["sources"]) {
        auto e = source_of(j);
        if (!e) return bad("malformed entry");
        cache.sources.push_back(std::move(*e));
    }
    return cache;
}

std::string BlobCache::serialize() const {
    Json c = Json::array(), s = Json::array();
    for (const auto& e : compressed)
        c.push_back({{"diff_id", e.diff_id},
                     {"compression", std::string(compression_name(e.compression))},
                     {"digest", e.digest},
                     {"size", e.size},
                     {"media_type", e.media_type}});
    for (const auto& e : sources)
        s.push_back({{"diff_id", e.diff_id},
                     {"registry", e.source.registry},
                     {"repository", e.source.repository},
                     {"digest", e.source.digest},
                     {"size", e.source.size},
                     {"media_type", e.source.media_type}});
    Json doc = {{"version", k_version}, {"compressed", c}, {"sources", s}};
    return doc.dump() + "\n";
}

void BlobCache::add(CompressedEntry e) {
    std::erase_if(compressed, [&](const CompressedEntry& o) {
        return o.diff_id == e.diff_id && o.compression == e.compression;
    });
    compressed.insert(compressed.begin(), std::move(e));
    if (compressed.size() > k_max_compressed) compressed.resize(k_max_compressed);
}

void BlobCache::add(SourceEntry e) {
    std::erase_if(sources, [&](const SourceEntry& o) {
        return o.diff_id == e.diff_id && o.source.registry == e.source.registry &&
               o.source.repository == e.source.repository;
    });
    sources.insert(sources.begin(), std::move(e));
    // The oldest sources of the same layer past the per-layer bound, then the oldest overall.
    const std::string diff_id = sources.front().diff_id;
    size_t same = 0;
    std::erase_if(sources, [&](const SourceEntry& o) {
        return o.diff_id == diff_id && ++same > k_max_sources_per_layer;
    });
    if (sources.size() > k_max_sources) sources.resize(k_max_sources);
}

size_t BlobCache::retain(const std::set<std::string>& diff_ids) {
    size_t n = std::erase_if(compressed, [&](const auto& e) { return !diff_ids.count(e.diff_id); });
    n += std::erase_if(sources, [&](const auto& e) { return !diff_ids.count(e.diff_id); });
    return n;
}

std::string blob_cache_path(const Store& store) {
    return store.root() + "/blob-cache.json";
}

Result<BlobCache> read_blob_cache(const Store& store) {
    const std::string path = blob_cache_path(store);
    auto text = fs::read_file(path, k_max_file);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return BlobCache{};
        if (text.error().sys_errno == 0)  // read, but too large to be ours
            return damaged("blob cache", path, text.error().message);
        return std::unexpected(text.error());
    }
    auto cache = BlobCache::parse(*text);
    if (!cache) return damaged("blob cache", path, cache.error().message);
    return cache;
}

std::optional<LayerBlob> known_blob(const Store& store, const std::string& diff_id,
                                    Compression compression) {
    auto cache = read_blob_cache(store);
    if (!cache) return std::nullopt;
    for (const auto& e : cache->compressed)
        if (e.diff_id == diff_id && e.compression == compression)
            return LayerBlob{e.digest, e.size, e.media_type, e.diff_id};
    return std::nullopt;
}

std::vector<BlobSource> blob_sources(const Store& store, const std::string& diff_id) {
    std::vector<BlobSource> out;
    auto cache = read_blob_cache(store);
    if (!cache) return out;
    for (const auto& e : cache->sources)
        if (e.diff_id == diff_id) out.push_back(e.source);
    return out;
}

Result<void> record_blobs(const Store& store, const BlobCacheUpdate& update) {
    if (update.compressed.empty() && update.sources.empty()) return {};
    FileLock lock = TRY(FileLock::acquire(lock_path(store), LockMode::exclusive));
    auto cache = TRY(read_for_update(store));
    if (!cache) return {};
    for (const auto& e : update.compressed)
        cache->add(e);
    for (const auto& e : update.sources)
        cache->add(e);
    return write_cache(store, *cache);
}

Result<void> reset_blob_cache(const Store& store) {
    FileLock lock = TRY(FileLock::acquire(lock_path(store), LockMode::exclusive));
    return write_cache(store, BlobCache{});
}

Result<void> prune_blob_cache(const Store& store) {
    if (!fs::lexists(blob_cache_path(store))) return {};
    FileLock lock = TRY(FileLock::acquire(lock_path(store), LockMode::exclusive));
    auto cache = TRY(read_for_update(store));
    if (!cache || (cache->compressed.empty() && cache->sources.empty())) return {};
    std::set<std::string> present;
    for (const auto& name : TRY(fs::list_dir(store.root() + "/layers")))
        if (auto meta = store.layer_meta(name)) present.insert(meta->diff_id);
    if (cache->retain(present) == 0) return {};
    return write_cache(store, *cache);
}

}  // namespace ferry::image
