// pull_image: resolve the reference to one image manifest (an index or manifest list is narrowed
// to the wanted platform), fetch and check the config, then fetch each layer the store lacks on
// a pool of workers (request.max_concurrent, each with its own connection, buffers and hasher
// thread, so memory is bounded by the pool: about 12 MB per worker whatever the image). A
// worker streams the blob into image::LayerIngest: nothing of it is kept but the unpacked
// files in the staging directory. Every digest is checked (manifest, config, blob, diff ID)
// before image::commit_images installs the layers and names the image in one atomic rewrite.
// layers.lock is held shared from the first look at the store to the commit, so a garbage
// collection cannot take a layer this pull counts on.

#include "ferry/registry/pull.hpp"

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ferry/image/blob_cache.hpp"
#include "ferry/image/image_commit.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

constexpr size_t k_in_chunk = 256 << 10;
constexpr uint64_t k_max_config = 16u << 20;

struct LayerRef {
    std::string digest;
    uint64_t size = 0;
    std::string media_type;
};

struct ImageManifest {
    std::string config_digest;
    uint64_t config_size = 0;
    std::vector<LayerRef> layers;
};

std::string short_id(const std::string& digest) {
    auto colon = digest.find(':');
    return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

bool is_index(const FetchedManifest& m, const nlohmann::json& doc) {
    if (m.media_type == k_oci_index || m.media_type == k_docker_manifest_list) return true;
    return doc.contains("manifests") && !doc.contains("layers");
}

// The manifest in index doc for platform, as containerd picks it: the first exact match.
Result<std::string> select_platform(const nlohmann::json& doc, const image::Platform& want) {
    if (!doc.contains("manifests") || !doc["manifests"].is_array())
        return fail("manifest list: no `manifests`");
    for (const auto& m : doc["manifests"]) {
        if (!m.is_object() || !m.contains("platform")) continue;
        const auto& p = m["platform"];
        image::Platform have{p.value("os", ""), p.value("architecture", ""), p.value("variant", "")};
        if (have.os == want.os && have.architecture == want.architecture &&
            (want.variant.empty() || have.variant == want.variant))
            return m.value("digest", "");
    }
    for (const auto& m : doc["manifests"]) {
        if (!m.is_object() || !m.contains("platform")) continue;
        const auto& p = m["platform"];
        image::Platform have{p.value("os", ""), p.value("architecture", ""), p.value("variant", "")};
        if (image::platform_matches(want, have)) return m.value("digest", "");
    }
    return fail("no matching manifest for " + image::format_platform(want) +
                " in the manifest list entries");
}

Result<ImageManifest> parse_image_manifest(const FetchedManifest& m) {
    auto doc = nlohmann::json::parse(m.bytes, nullptr, false);
    if (!doc.is_object()) return fail("manifest " + m.digest + ": not JSON");
    if (doc.value("schemaVersion", 0) == 1)
        return fail("manifest " + m.digest + ": Docker schema 1 manifests are not supported yet");
    ImageManifest out;
    if (!doc.contains("config") || !doc["config"].is_object() || !doc.contains("layers") ||
        !doc["layers"].is_array())
        return fail("manifest " + m.digest + ": unsupported manifest type `" + m.media_type + "`");
    out.config_digest = doc["config"].value("digest", "");
    out.config_size = doc["config"].value("size", uint64_t{0});
    for (const auto& l : doc["layers"]) {
        if (!l.is_object()) return fail("manifest " + m.digest + ": malformed layer");
        out.layers.push_back({l.value("digest", ""), l.value("size", uint64_t{0}),
                              l.value("mediaType", "")});
    }
    if (!out.config_digest.starts_with("sha256:"))
        return fail("manifest " + m.digest + ": malformed config descriptor");
    return out;
}

Compression compression_of(const std::string& media_type) {
    if (media_type.ends_with("+zstd") || media_type.ends_with(".zstd")) return Compression::zstd;
    if (media_type.ends_with("+gzip") || media_type.ends_with(".gzip") ||
        media_type == k_docker_layer_gzip || media_type == k_docker_foreign_layer_gzip)
        return Compression::gzip;
    return Compression::none;
}

Result<std::string> fetch_small_blob(Remote& remote, HttpClient& http, const std::string& digest,
                                     uint64_t limit) {
    std::string out;
    ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> {
        if (out.size() + b.size() > limit) return fail("blob " + digest + ": larger than expected");
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    };
    TRY(remote.get_blob(http, digest, 0, sink));
    if ("sha256:" + sha256_hex(out) != digest)
        return fail("blob " + digest + ": digest mismatch (got sha256:" + sha256_hex(out) + ")");
    return out;
}

// One download worker's resources; they outlive the worker (the ingests refer to them).
struct Worker {
    ChunkPool in_pool{16, k_in_chunk};
    ChunkPool inflate_pool{8, 1u << 20};
    AsyncHasher hasher{in_pool};
    HttpClient http;
};

struct Download {
    size_t index = 0;
    LayerRef ref;
    std::unique_ptr<image::LayerIngest> ingest;
};

// Streams one blob into a new LayerIngest in the staging directory.
Result<void> fetch_layer(Remote& remote, Worker& w, int staging_fd, const image::UnpackOptions& opts,
                         Download& d, PullObserver& observer, std::mutex& observer_mutex) {
    std::string id = short_id(d.ref.digest);
    uint64_t done = 0;
    ByteSink sink = [&](std::span<const uint8_t> bytes) -> Result<void> {
        if (!d.ingest) {
            std::string dir = "L" + std::to_string(d.index);
            if (bytes.size() >= 4)
                d.ingest = TRY(image::LayerIngest::create(staging_fd, dir, bytes.first(4), w.hasher,
                                                          w.inflate_pool, opts));
            else
                d.ingest = TRY(image::LayerIngest::create(staging_fd, dir, compression_of(d.ref.media_type),
                                                          w.hasher, w.inflate_pool, opts));
        }
        while (!bytes.empty()) {
            Chunk* chunk = w.in_pool.acquire();
            size_t n = std::min(bytes.size(), chunk->capacity());
            std::memcpy(chunk->data(), bytes.data(), n);
            auto fed = d.ingest->feed(chunk, {chunk->data(), n});
            w.in_pool.release(chunk);
            TRY(fed);
            bytes = bytes.subspan(n);
            done += n;
        }
        std::lock_guard g(observer_mutex);
        observer.progress(id, done, d.ref.size);
        return {};
    };
    TRY(remote.get_blob(w.http, d.ref.digest, 0, sink));
    if (!d.ingest)
        d.ingest = TRY(image::LayerIngest::create(staging_fd, "L" + std::to_string(d.index),
                                                  compression_of(d.ref.media_type), w.hasher,
                                                  w.inflate_pool, opts));
    TRY(d.ingest->finish());
    if (d.ingest->blob_digest() != d.ref.digest)
        return fail("blob " + d.ref.digest + ": digest mismatch (got " + d.ingest->blob_digest() + ")");
    if (d.ref.size && d.ingest->blob_size() != d.ref.size)
        return fail("blob " + d.ref.digest + ": size mismatch (manifest says " +
                    std::to_string(d.ref.size) + ", got " + std::to_string(d.ingest->blob_size()) + ")");
    std::lock_guard g(observer_mutex);
    observer.layer(id, "Download complete");
    return {};
}

// Runs the downloads on up to `workers` threads; the first error stops the others.
Result<void> fetch_layers(Remote& remote, std::vector<std::unique_ptr<Worker>>& workers,
                          int staging_fd, const image::UnpackOptions& opts,
                          std::vector<Download>& downloads, PullObserver& observer) {
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::optional<Error> first_error;
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (auto& w : workers) {
        threads.emplace_back([&, worker = w.get()] {
            for (;;) {
                size_t i = next++;
                if (i >= downloads.size() || failed) return;
                auto r = fetch_layer(remote, *worker, staging_fd, opts, downloads[i], observer, mutex);
                if (!r) {
                    std::lock_guard g(mutex);
                    if (!first_error) first_error = r.error();
                    failed = true;
                    HttpClient::interrupt();  // the others stop at their next read
                    return;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    if (first_error) return std::unexpected(*first_error);
    return {};
}

}  // namespace

Result<PullResult> pull_image(image::Store& store, const PullRequest& req, PullObserver& observer) {
    const Reference& ref = req.reference;
    Remote remote(ref.domain, ref.path, req.endpoints, req.credentials, Access::pull);
    HttpClient http;
    std::string tag_or_digest = ref.digest ? ref.digest->str() : ref.tag;
    auto top = TRY(remote.get_manifest(http, tag_or_digest));
    observer.line((ref.digest ? ref.familiar() : ref.tag) + ": Pulling from " + ref.path);
    FetchedManifest chosen = top;
    auto top_doc = nlohmann::json::parse(top.bytes, nullptr, false);
    if (top_doc.is_object() && is_index(top, top_doc)) {
        std::string digest = TRY(select_platform(top_doc, req.platform));
        chosen = TRY(remote.get_manifest(http, digest));
    }
    ImageManifest manifest = TRY(parse_image_manifest(chosen));
    std::string config = TRY(fetch_small_blob(remote, http, manifest.config_digest, k_max_config));
    auto facts = TRY_CTX("config " + manifest.config_digest, image::read_config_facts(config));
    if (facts.diff_ids.size() != manifest.layers.size())
        return fail("image " + manifest.config_digest + ": config lists " +
                    std::to_string(facts.diff_ids.size()) + " layers but the manifest has " +
                    std::to_string(manifest.layers.size()));
    std::vector<Digest> diffs;
    for (const auto& d : facts.diff_ids) diffs.push_back(TRY(Digest::parse(d)));
    auto chains = chain_ids(diffs);

    image::Staging staging = TRY(store.stage());
    FileLock pin = TRY(store.pin_layers());
    auto catalog = TRY(store.read_images());
    PullResult result;
    result.id = manifest.config_digest;
    result.manifest_digest = top.digest;
    const image::ImageRecord* have = catalog.find_id(result.id);

    std::vector<Download> downloads;
    std::map<std::string, size_t> first_of_blob;  // a blob used twice is fetched once
    std::vector<size_t> slot(chains.size(), SIZE_MAX);
    for (size_t i = 0; i < chains.size(); ++i) {
        std::string id = short_id(manifest.layers[i].digest);
        if (store.has_layer(chains[i].hex)) {
            if (!have) observer.layer(id, "Already exists");  // docker is silent when up to date
            continue;
        }
        if (auto it = first_of_blob.find(manifest.layers[i].digest); it != first_of_blob.end()) {
            slot[i] = it->second;
            continue;
        }
        observer.layer(id, "Pulling fs layer");
        first_of_blob[manifest.layers[i].digest] = downloads.size();
        slot[i] = downloads.size();
        downloads.push_back({i, manifest.layers[i], nullptr});
    }
    std::vector<std::unique_ptr<Worker>> workers;
    size_t n = std::min<size_t>(downloads.size(), static_cast<size_t>(std::max(1, req.max_concurrent)));
    for (size_t i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
    TRY(fetch_layers(remote, workers, staging.fd(), store.unpack_options(), downloads, observer));

    image::IngestedImage img;
    img.id = result.id;
    img.config = config;
    img.facts = facts;
    for (size_t i = 0; i < chains.size(); ++i) {
        image::LayerIngest* in = slot[i] == SIZE_MAX ? nullptr : downloads[slot[i]].ingest.get();
        if (in && in->diff_id() != facts.diff_ids[i])
            return fail("layer " + facts.diff_ids[i] + ": digest mismatch (got " + in->diff_id() + ")");
        img.layers.push_back(in);
    }
    for (const auto& d : downloads) observer.layer(short_id(d.ref.digest), "Pull complete");
    std::string name = ref.digest ? std::string() : ref.full();
    if (!name.empty()) img.names.push_back(name);
    std::string repo_digest = ref.repository() + "@" + top.digest;
    const auto& known = name.empty() ? (have ? have->repo_digests : std::vector<std::string>())
                                     : (have ? have->names : std::vector<std::string>());
    result.up_to_date = have && std::find(known.begin(), known.end(),
                                          name.empty() ? repo_digest : name) != known.end();
    std::vector<image::IngestedImage> images;
    images.push_back(std::move(img));
    TRY(image::commit_images(store, staging, images));
    image::BlobCacheUpdate learnt;  // a later push to this registry finds these blobs there
    for (size_t i = 0; i < chains.size(); ++i)
        learnt.sources.push_back({facts.diff_ids[i], {ref.domain, ref.path, manifest.layers[i].digest,
                                                      manifest.layers[i].size,
                                                      manifest.layers[i].media_type}});
    TRY(image::record_blobs(store, learnt));
    TRY(store.update_images([&](image::ImageCatalog& index) -> Result<void> {
        const image::ImageRecord* rec = index.find_id(result.id);
        if (!rec) return fail("image " + result.id + ": vanished from the index");
        image::ImageRecord copy = *rec;
        if (std::find(copy.repo_digests.begin(), copy.repo_digests.end(), repo_digest) ==
            copy.repo_digests.end())
            copy.repo_digests.push_back(repo_digest);
        index.upsert(std::move(copy));
        return {};
    }));
    return result;
}

}  // namespace ferry::registry
