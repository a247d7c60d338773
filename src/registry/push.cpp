// push_image. Per layer, in order of preference: (1) a source the blob cache knows in this
// registry and repository, confirmed by HEAD; (2) one in another repository of this registry,
// mounted; (3) the blob this store would produce with the wanted compression, when the cache
// remembers its digest and HEAD finds it; (4) produce and upload. Production runs on its own
// thread and hands compressed buffers through a small bounded queue to the upload's body
// reader, so a layer streams from the store to the socket with a few MB in flight. Workers take
// layers in turn (request.max_concurrent); the manifest (Docker schema 2 for gzip, OCI for
// zstd, as containerd and docker write them) is put last, once every blob is in place. What the
// push learnt goes to the blob cache in one rewrite.

#include "ferry/registry/push.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ferry/image/blob_cache.hpp"
#include "ferry/image/layer_blob.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::registry {

namespace {

// A bounded queue of byte buffers between a producer thread and an HTTP body reader.
class BytePipe {
public:
    // Producer side: blocks while the queue is full; fails once the reader gave up.
    Result<void> put(std::span<const uint8_t> bytes) {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_queue.size() < 4 || m_abandoned; });
        if (m_abandoned) return fail("upload stopped");
        m_queue.emplace_back(bytes.begin(), bytes.end());
        m_ready.notify_one();
        return {};
    }
    void close() {
        std::lock_guard g(m_mutex);
        m_closed = true;
        m_ready.notify_one();
    }
    void abandon() {
        std::lock_guard g(m_mutex);
        m_abandoned = true;
        m_space.notify_all();
    }
    // Reader side: copies the next bytes into buf; 0 at the end.
    size_t get(std::span<uint8_t> buf) {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_queue.empty() || m_closed; });
        if (m_queue.empty()) return 0;
        auto& front = m_queue.front();
        size_t n = std::min(buf.size(), front.size() - m_offset);
        std::memcpy(buf.data(), front.data() + m_offset, n);
        m_offset += n;
        if (m_offset == front.size()) {
            m_queue.pop_front();
            m_offset = 0;
            m_space.notify_one();
        }
        return n;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_ready, m_space;
    std::deque<std::vector<uint8_t>> m_queue;
    size_t m_offset = 0;
    bool m_closed = false, m_abandoned = false;
};

struct LayerPlan {
    std::string chain, diff_id;
    image::LayerBlob blob;  // filled once placed
    bool ours = false;      // blob is what produce_layer_blob makes (not a pulled one)
};

// Produces layer l and uploads it as it is produced.
Result<image::LayerBlob> upload_layer(const image::Store& store, Remote& remote, HttpClient& http,
                                      const LayerPlan& l, const image::BlobSettings& settings,
                                      const std::function<void(uint64_t)>& sent) {
    BytePipe pipe;
    Result<image::LayerBlob> produced = fail("not produced");
    std::thread producer([&] {
        uint64_t total = 0;
        ByteSink sink = [&](std::span<const uint8_t> b) {
            total += b.size();
            sent(total);
            return pipe.put(b);
        };
        produced = image::produce_layer_blob(store, l.chain, settings, sink, nullptr);
        pipe.close();
    });
    BodyReader reader = [&](std::span<uint8_t> buf) -> Result<size_t> { return pipe.get(buf); };
    auto up = remote.upload_blob(http, reader, std::nullopt, [&] {
        producer.join();
        return produced ? produced->digest : std::string("sha256:unknown");
    });
    if (producer.joinable()) {
        pipe.abandon();
        producer.join();
    }
    TRY(produced);
    TRY(up);
    return *produced;
}

// Places layer l in the repository by the cheapest way; returns the word for the user.
Result<std::string> place_layer(image::Store& store, Remote& remote, HttpClient& http,
                                const std::string& domain, LayerPlan& l,
                                const image::BlobSettings& settings,
                                const std::function<void(uint64_t)>& sent) {
    for (auto src : image::blob_sources(store, l.diff_id)) {
        // Only a blob of the compression asked for, described in the manifest's family.
        auto c = layer_compression(src.media_type);
        if (src.registry != domain || !c || *c != settings.compression) continue;
        src.media_type = image::layer_blob_media_type(*c, settings.media_types);
        if (src.repository == remote.repository()) {
            if (TRY(remote.stat_blob(http, src.digest))) {
                l.blob = {src.digest, src.size, src.media_type, l.diff_id};
                return std::string("Layer already exists");
            }
        } else if (TRY(remote.mount_blob(http, src.digest, src.repository))) {
            l.blob = {src.digest, src.size, src.media_type, l.diff_id};
            return "Mounted from " + src.repository;
        }
    }
    if (auto known = image::known_blob(store, l.diff_id, settings.compression)) {
        if (TRY(remote.stat_blob(http, known->digest))) {
            l.blob = *known;
            l.ours = true;
            return std::string("Layer already exists");
        }
    }
    l.blob = TRY(upload_layer(store, remote, http, l, settings, sent));
    l.ours = true;
    return std::string("Pushed");
}

std::string make_manifest(const image::BlobSettings& settings, const std::string& config_digest,
                          uint64_t config_size, const std::vector<LayerPlan>& layers) {
    bool oci = settings.media_types == image::MediaTypes::oci;
    nlohmann::ordered_json m;
    m["schemaVersion"] = 2;
    m["mediaType"] = std::string(oci ? k_oci_manifest : k_docker_manifest);
    m["config"] = {{"mediaType", std::string(oci ? k_oci_config : k_docker_config)},
                   {"size", config_size},
                   {"digest", config_digest}};
    m["layers"] = nlohmann::ordered_json::array();
    for (const auto& l : layers)
        m["layers"].push_back({{"mediaType", l.blob.media_type}, {"size", l.blob.size},
                               {"digest", l.blob.digest}});
    return m.dump(3);
}

}  // namespace

Result<PushResult> push_image(image::Store& store, const PushRequest& req, TransferObserver& observer) {
    const Reference& ref = req.reference;
    auto catalog = TRY(store.read_images());
    const image::ImageRecord* rec = catalog.find_id(req.image_id);
    if (!rec) return fail("image " + req.image_id + ": not in the store");
    std::string config = TRY(store.read_blob(rec->id));
    Remote remote(ref.domain, ref.path, req.endpoints, req.credentials, Access::push);
    HttpClient http;
    TRY(remote.ping(http));

    image::BlobSettings settings;
    settings.compression = req.compression;
    settings.media_types = req.compression == Compression::zstd ? image::MediaTypes::oci
                                                                : image::MediaTypes::docker;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    size_t workers = std::max<size_t>(1, std::min<size_t>(rec->chain_ids.size(),
                                                          static_cast<size_t>(req.max_concurrent)));
    settings.threads = std::max(1u, cores / static_cast<unsigned>(workers));
    std::vector<LayerPlan> layers;
    for (size_t i = 0; i < rec->chain_ids.size(); ++i) {
        layers.push_back({rec->chain_ids[i], rec->diff_ids[i], {}});
        observer.layer(image::short_id(rec->diff_ids[i]), "Preparing");
    }
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::optional<Error> first_error;
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            HttpClient mine;
            for (;;) {
                size_t i = next++;
                if (i >= layers.size()) return;
                {
                    std::lock_guard g(mutex);
                    if (first_error) return;
                }
                std::string id = image::short_id(layers[i].diff_id);
                auto sent = [&](uint64_t n) {
                    std::lock_guard g(mutex);
                    observer.progress(id, n, 0);
                };
                auto word = place_layer(store, remote, mine, ref.domain, layers[i], settings, sent);
                std::lock_guard g(mutex);
                if (!word) {
                    if (!first_error) first_error = word.error();
                    return;
                }
                observer.layer(image::short_id(layers[i].diff_id), *word);
            }
        });
    }
    for (auto& t : threads) t.join();
    if (first_error) return std::unexpected(*first_error);

    if (!TRY(remote.stat_blob(http, rec->id))) {
        size_t at = 0;
        BodyReader reader = [&](std::span<uint8_t> buf) -> Result<size_t> {
            size_t n = std::min(buf.size(), config.size() - at);
            std::memcpy(buf.data(), config.data() + at, n);
            at += n;
            return n;
        };
        TRY(remote.upload_blob(http, reader, config.size(), [&] { return rec->id; }));
    }
    std::string manifest = make_manifest(settings, rec->id, config.size(), layers);
    std::string media = settings.media_types == image::MediaTypes::oci ? std::string(k_oci_manifest)
                                                                      : std::string(k_docker_manifest);
    PushResult result;
    result.manifest_digest = TRY(remote.put_manifest(http, ref.tag.empty() ? "latest" : ref.tag,
                                                     manifest, media));
    result.manifest_size = manifest.size();

    image::BlobCacheUpdate update;
    for (const auto& l : layers) {
        update.sources.push_back({l.diff_id, {ref.domain, ref.path, l.blob.digest, l.blob.size,
                                              l.blob.media_type}});
        if (l.ours)
            update.compressed.push_back({l.diff_id, settings.compression, l.blob.digest,
                                         l.blob.size, l.blob.media_type});
    }
    TRY(image::record_blobs(store, update));
    std::string repo_digest = ref.repository() + "@" + result.manifest_digest;
    TRY(store.update_images([&](image::ImageCatalog& index) -> Result<void> {
        const image::ImageRecord* r = index.find_id(rec->id);
        if (!r) return {};
        image::ImageRecord copy = *r;
        if (std::find(copy.repo_digests.begin(), copy.repo_digests.end(), repo_digest) ==
            copy.repo_digests.end())
            copy.repo_digests.push_back(repo_digest);
        index.upsert(std::move(copy));
        return {};
    }));
    return result;
}

}  // namespace ferry::registry
