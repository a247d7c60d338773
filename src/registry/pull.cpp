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
#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/image/manifest_select.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/oci/pull_plan.hpp"
#include "ferry/oci/remote_manifest.hpp"
#include "ferry/registry/pull_resume.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

constexpr size_t k_in_chunk = 256 << 10;
constexpr uint64_t k_max_config = 16u << 20;

struct LayerRef {
    std::string digest;
    uint64_t size = 0;  // 0 when the manifest does not say (schema 1)
    std::optional<Compression> compression;  // nullopt: detected from the first bytes
};

// GETs and parses the manifest named by reference (a tag or a digest).
Result<RemoteManifest> fetch_manifest(Remote& remote, HttpClient& http, const std::string& reference,
                                      const std::string& ref_text) {
    auto got = TRY(remote.get_manifest(http, reference));
    TRY(check_manifest_size(got.bytes.size(), ref_text));
    auto m = TRY(parse_remote_manifest(got.bytes, got.media_type));
    if (reference.starts_with("sha256:")) TRY(verify_manifest_digest(m, TRY(Digest::parse(reference))));
    return m;
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
    AsyncHasher hasher;
    HttpClient http;
};

struct Download {
    LayerRef ref;
    std::unique_ptr<image::LayerIngest> ingest;
    std::optional<image::StagedLayer> staged;  // once finished (or finished by an earlier pull)
    bool corrupt = false;  // what the registry sent is not what the manifest names
};

// Where a pull stages: where it can resume (and be resumed), else, while another pull of the
// same image holds that, a directory of its own.
struct PullStaging {
    image::Staging dir;
    bool resumable = false;
};

// Streams one blob into a new LayerIngest in the staging directory; in a resumable one, records
// the layer as finished once it is verified.
Result<void> fetch_layer(Remote& remote, Worker& w, const PullStaging& staging,
                         const image::UnpackOptions& opts, Download& d, TransferObserver& observer,
                         std::mutex& observer_mutex) {
    const int staging_fd = staging.dir.fd();
    const std::string dir = resume_dir(d.ref.digest);
    std::string id = image::short_id(d.ref.digest);
    uint64_t done = 0;
    bool unpack_failed = false;
    ByteSink sink = [&](std::span<const uint8_t> bytes) -> Result<void> {
        if (!d.ingest) {
            if (bytes.size() >= 4)
                d.ingest = TRY(image::LayerIngest::create(staging_fd, dir, bytes.first(4), w.hasher,
                                                          w.inflate_pool, opts));
            else
                d.ingest = TRY(image::LayerIngest::create(staging_fd, dir, d.ref.compression.value_or(Compression::none),
                                                          w.hasher, w.inflate_pool, opts));
        }
        while (!bytes.empty()) {
            Chunk* chunk = w.in_pool.acquire();
            size_t n = std::min(bytes.size(), chunk->capacity());
            std::memcpy(chunk->data(), bytes.data(), n);
            auto fed = d.ingest->feed(chunk, {chunk->data(), n});
            w.in_pool.release(chunk);
            if (!fed) unpack_failed = true;
            TRY(fed);
            bytes = bytes.subspan(n);
            done += n;
        }
        std::lock_guard g(observer_mutex);
        observer.progress(id, done, d.ref.size);
        return {};
    };
    if (auto got = remote.get_blob(w.http, d.ref.digest, 0, sink); !got) {
        Error e = std::move(got.error());
        d.corrupt = unpack_failed;
        if (unpack_failed)
            e.message = "filesystem layer verification failed for digest " + d.ref.digest + ": " +
                        e.message;  // what the blob held is not the layer it should be
        return std::unexpected(std::move(e));
    }
    if (!d.ingest)
        d.ingest = TRY(image::LayerIngest::create(staging_fd, dir,
                                                  d.ref.compression.value_or(Compression::none), w.hasher,
                                                  w.inflate_pool, opts));
    d.corrupt = true;  // until every check below passes
    TRY(d.ingest->finish());
    if (d.ingest->blob_digest() != d.ref.digest)
        return fail("filesystem layer verification failed for digest " + d.ref.digest +
                    ": digest mismatch (got " + d.ingest->blob_digest() + ")");
    if (d.ref.size && d.ingest->blob_size() != d.ref.size)
        return fail("blob " + d.ref.digest + ": size mismatch (manifest says " +
                    std::to_string(d.ref.size) + ", got " + std::to_string(d.ingest->blob_size()) + ")");
    d.corrupt = false;
    d.staged = d.ingest->staged();
    if (staging.resumable) TRY(record_finished_layer(staging.dir.path(), *d.staged, d.ref.digest));
    std::lock_guard g(observer_mutex);
    observer.layer(id, "Download complete");
    return {};
}

// Runs the downloads on up to `workers` threads; the first error stops the others.
Result<void> fetch_layers(Remote& remote, std::vector<std::unique_ptr<Worker>>& workers,
                          const PullStaging& staging, const image::UnpackOptions& opts,
                          std::vector<Download>& downloads, TransferObserver& observer) {
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
                if (downloads[i].staged) continue;  // finished by an earlier pull
                auto r = fetch_layer(remote, *worker, staging, opts, downloads[i], observer, mutex);
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

// The staging for the pull of manifest_digest (see PullStaging).
Result<PullStaging> pull_staging(image::Store& store, const Digest& manifest_digest) {
    if (auto kept = TRY(store.stage_resumable(manifest_digest.hex))) return PullStaging{std::move(*kept), true};
    return PullStaging{TRY(store.stage()), false};
}

// After a fetch that failed on the way (a cut connection, a registry gone, Ctrl-C), a resumable
// staging keeps the layers that were finished, for the next pull, and loses the rest. After a
// blob that is not what the manifest says, nothing is kept: the store is as before the pull.
void keep_finished(PullStaging& staging, const std::vector<Download>& downloads) {
    bool any = false;
    for (const auto& d : downloads) {
        if (d.corrupt) return;
        any = any || d.staged;
    }
    if (!staging.resumable || !any) return;
    for (const auto& d : downloads) drop_unfinished_layer(staging.dir.path(), d.ref.digest);
    staging.dir.abandon();
}

}  // namespace

Result<PullResult> pull_image(image::Store& store, const PullRequest& req, TransferObserver& observer) {
    const Reference& ref = req.reference;
    Remote remote(ref.domain, ref.path, req.endpoints, req.credentials, Access::pull);
    HttpClient http;
    std::string tag_or_digest = ref.digest ? ref.digest->str() : ref.tag;
    RemoteManifest top = TRY(fetch_manifest(remote, http, tag_or_digest, ref.familiar()));
    observer.line((ref.digest ? ref.familiar() : ref.tag) + ": Pulling from " + ref.path);
    RemoteManifest chosen = top;
    if (top.is_index()) {
        Descriptor d = TRY(image::select_manifest(top.index(), req.platform));
        chosen = TRY(fetch_manifest(remote, http, d.digest.str(), ref.familiar()));
    }
    PullPlan plan = TRY(plan_pull(chosen, top.digest, ref.familiar()));
    std::vector<LayerRef> layers;
    for (const auto& l : plan.layers)
        layers.push_back({l.digest.str(), l.size < 0 ? 0 : static_cast<uint64_t>(l.size), l.compression});

    // Schema 2 and OCI: the config first, so that the layers the store has are known. Schema 1
    // has no config to fetch: it is made from the diff IDs once every layer is in.
    std::string config;
    std::optional<image::ConfigFacts> facts;
    std::vector<Digest> chains;
    if (plan.config) {
        config = TRY(fetch_small_blob(remote, http, plan.config->digest.str(), k_max_config));
        auto parsed = TRY_CTX("config " + plan.config->digest.str(), parse_image_config(config));
        TRY(check_config_layers(plan, parsed));
        facts = TRY_CTX("config " + plan.config->digest.str(), image::read_config_facts(config));
        std::vector<Digest> diffs;
        for (const auto& d : facts->diff_ids) diffs.push_back(TRY(Digest::parse(d)));
        chains = chain_ids(diffs);
    }

    PullStaging staging = TRY(pull_staging(store, plan.manifest_digest));
    FileLock pin = TRY(store.pin_layers());
    auto catalog = TRY(store.read_images());
    const image::ImageRecord* have = plan.config ? catalog.find_id(plan.config->digest.str()) : nullptr;

    // (workers before downloads: the ingests, destroyed first, wait on the workers' hashers.)
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<Download> downloads;
    std::map<std::string, size_t> first_of_blob;  // a blob used twice is fetched once
    std::vector<size_t> slot(layers.size(), SIZE_MAX);
    for (size_t i = 0; i < layers.size(); ++i) {
        std::string id = image::short_id(layers[i].digest);
        if (!chains.empty() && store.has_layer(chains[i].hex)) {
            if (!have) observer.layer(id, "Already exists");  // docker is silent when up to date
            continue;
        }
        if (auto it = first_of_blob.find(layers[i].digest); it != first_of_blob.end()) {
            slot[i] = it->second;
            continue;
        }
        observer.layer(id, "Pulling fs layer");
        first_of_blob[layers[i].digest] = downloads.size();
        slot[i] = downloads.size();
        downloads.push_back({layers[i], nullptr, std::nullopt});
        if (staging.resumable) {
            downloads.back().staged = take_finished_layer(staging.dir.path(), layers[i].digest);
            if (downloads.back().staged) observer.layer(id, "Download complete");
        }
    }
    size_t n = std::min<size_t>(downloads.size(), static_cast<size_t>(std::max(1, req.max_concurrent)));
    for (size_t i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
    if (auto fetched = fetch_layers(remote, workers, staging, store.unpack_options(), downloads, observer);
        !fetched) {
        keep_finished(staging, downloads);
        return std::unexpected(fetched.error());
    }

    if (plan.schema1) {
        std::vector<std::string> diff_ids;
        for (size_t i = 0; i < layers.size(); ++i) diff_ids.push_back(downloads[slot[i]].staged->diff_id);
        config = TRY(plan.schema1->config(diff_ids));
        facts = TRY(image::read_config_facts(config));
        have = catalog.find_id("sha256:" + sha256_hex(config));
    }
    PullResult result;
    result.id = "sha256:" + sha256_hex(config);
    result.manifest_digest = plan.manifest_digest.str();
    image::IngestedImage img;
    img.id = result.id;
    img.config = config;
    img.facts = *facts;
    for (size_t i = 0; i < layers.size(); ++i) {
        auto in = slot[i] == SIZE_MAX ? std::nullopt : downloads[slot[i]].staged;
        if (in && in->diff_id != facts->diff_ids[i])
            return fail("layer " + facts->diff_ids[i] + ": digest mismatch (got " + in->diff_id + ")");
        img.layers.push_back(in);
    }
    for (const auto& d : downloads) observer.layer(image::short_id(d.ref.digest), "Pull complete");
    std::string name = ref.digest ? std::string() : ref.full();
    if (!name.empty()) img.names.push_back(name);
    std::string repo_digest = ref.repository() + "@" + result.manifest_digest;
    const auto& known = name.empty() ? (have ? have->repo_digests : std::vector<std::string>())
                                     : (have ? have->names : std::vector<std::string>());
    result.up_to_date = have && std::find(known.begin(), known.end(),
                                          name.empty() ? repo_digest : name) != known.end();
    std::vector<image::IngestedImage> images;
    images.push_back(std::move(img));
    TRY(image::commit_images(store, staging.dir, images, [&](image::ImageCatalog& index) {
        index.set_repo_digest(result.id, repo_digest,
                              ref.digest ? image::ImageCatalog::DigestOwner::take
                                         : image::ImageCatalog::DigestOwner::keep);
    }));
    image::BlobCacheUpdate learnt;  // a later push to this registry finds these blobs there
    for (size_t i = 0; i < layers.size(); ++i)
        learnt.sources.push_back({facts->diff_ids[i], {ref.domain, ref.path, layers[i].digest,
                                                       layers[i].size, plan.layers[i].media_type}});
    TRY(image::record_blobs(store, learnt));
    return result;
}

}  // namespace ferry::registry
