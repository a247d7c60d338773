// The receiving side of an ssh move (the protocol is described in ssh_move.cpp). Per image:
// read the image frame and the config, answer with the chains the store lacks while holding
// layers.lock shared, stream each layer that comes through a LayerIngest into a staging
// directory (nothing buffered beyond one frame), check both digests, then commit_images. The
// staging directory and the pin live for one image: an error drops what that image staged.

#include <fcntl.h>

#include <memory>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/layer_ingest.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/registry/ssh_move.hpp"
#include "ferry/util/async_hasher.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

constexpr size_t k_chunk = k_data_frame_max;

Result<Json> frame_json(std::string_view text, std::string_view what) {
    auto j = parse_json(text);
    if (!j || !j->is_object()) return fail("protocol error: bad " + std::string(what) + " frame");
    return std::move(*j);
}

Result<Compression> compression_named(std::string_view name) {
    if (name == "zstd") return Compression::zstd;
    if (name == "gzip") return Compression::gzip;
    if (name == "none") return Compression::none;
    return fail("protocol error: unknown compression `" + printable(name) + "`");
}

struct Session {
    image::Store& store;
    FrameChannel& channel;
    ChunkPool pool{16, k_chunk};
    ChunkPool inflate_pool{8, k_chunk};
    AsyncHasher hasher{};
};

// Streams one layer's data frames into a new LayerIngest; checks both digests.
Result<std::unique_ptr<image::LayerIngest>> receive_layer(Session& s, image::Staging& staging,
                                                          const std::string& chain,
                                                          const std::string& diff_id,
                                                          Compression compression, size_t n) {
    Json head = TRY(frame_json(TRY(s.channel.expect(FrameType::layer)), "layer"));
    if (head.value("chain", "") != chain)
        return fail("protocol error: expected layer sha256:" + chain);
    auto in = TRY(image::LayerIngest::create(staging.fd(), "L" + std::to_string(n), compression,
                                             s.hasher, s.inflate_pool,
                                             s.store.unpack_options()));
    for (;;) {
        auto [type, size] = TRY(s.channel.header());
        if (type == FrameType::data) {
            Chunk* chunk = s.pool.acquire();
            auto read = s.channel.payload(chunk->data(), size);
            auto fed = read ? in->feed(chunk, {chunk->data(), size}) : read;
            s.pool.release(chunk);
            TRY_CTX("layer " + diff_id, std::move(fed));
            continue;
        }
        std::string body(size, '\0');
        TRY(s.channel.payload(body.data(), size));
        if (type == FrameType::error) return fail(printable(body, 4096));
        if (type != FrameType::layer_end) return fail("protocol error: expected frame `E`");
        TRY_CTX("layer " + diff_id, in->finish());
        Json end = TRY(frame_json(body, "layer end"));
        std::string blob = in->blob_digest();
        if (end.value("digest", "") != blob || end.value("size", uint64_t{0}) != in->blob_size())
            return fail("layer " + diff_id + ": compressed stream digest mismatch (got " + blob +
                        ")");
        if (in->diff_id() != diff_id)
            return fail("layer " + diff_id + ": digest mismatch (got " + in->diff_id() + ")");
        return in;
    }
}

// One image: from its image frame (already read) to its done frame.
Result<image::CommittedImage> receive_one(Session& s, const std::string& image_frame,
                                          const LayerReporter& on_layer) {
    Json head = TRY(frame_json(image_frame, "image"));
    Compression compression = TRY(compression_named(head.value("compression", "")));
    std::vector<std::string> names;
    if (head.contains("names") && head["names"].is_array())
        for (const auto& n : head["names"])
            if (n.is_string()) names.push_back(n.get<std::string>());
    std::string config = TRY(s.channel.expect(FrameType::config));
    std::string id = "sha256:" + sha256_hex(config);
    image::ConfigFacts facts = TRY_CTX("config " + id, image::read_config_facts(config));
    std::vector<Digest> diffs;
    for (const auto& d : facts.diff_ids) diffs.push_back(TRY(Digest::parse(d)));
    auto chains = chain_ids(diffs);

    image::Staging staging = TRY(s.store.stage());
    FileLock pin = TRY(s.store.pin_layers());
    Json lacking = Json::array();
    std::vector<bool> lacks;  // decided once: what the answer said is what must come
    for (const auto& c : chains) {
        lacks.push_back(!s.store.has_layer(c.hex));
        if (lacks.back()) lacking.push_back(c.hex);
    }
    TRY(s.channel.send(FrameType::want, Json{{"chains", lacking}}.dump()));

    std::vector<std::unique_ptr<image::LayerIngest>> staged;
    image::IngestedImage img{id, config, facts, {}, names};
    for (size_t i = 0; i < chains.size(); ++i) {
        const std::string& diff_id = facts.diff_ids[i];
        if (!lacks[i]) {
            if (on_layer) on_layer(diff_id, LayerState::present);
            img.layers.push_back(std::nullopt);
            continue;
        }
        if (on_layer) on_layer(diff_id, LayerState::moving);
        staged.push_back(TRY(receive_layer(s, staging, chains[i].hex, diff_id, compression, i)));
        img.layers.push_back(staged.back()->staged());
        if (on_layer) on_layer(diff_id, LayerState::moved);
    }
    std::vector<image::IngestedImage> one{std::move(img)};
    image::CommitReport report = TRY(image::commit_images(s.store, staging, one));
    image::CommittedImage done = report.images.at(0);
    Json reply = {{"id", done.id}, {"manifest", done.manifest},
                  {"manifest_size", done.manifest_size}};
    TRY(s.channel.send(FrameType::done, reply.dump()));
    return done;
}

}  // namespace

Result<image::CommitReport> receive_images(image::Store& store, FrameChannel& channel,
                                           const LayerReporter& on_layer,
                                           const ImageReporter& on_image) {
    Session s{store, channel};
    image::CommitReport report;
    auto received = [&]() -> Result<void> {
        for (;;) {
            auto [type, body] = TRY(channel.expect_either(FrameType::image, FrameType::bye));
            if (type == FrameType::bye) return {};
            report.images.push_back(TRY(receive_one(s, body, on_layer)));
            if (on_image) on_image(report.images.back());
        }
    }();
    if (received) return report;
    if (!channel.far_error()) (void)channel.send(FrameType::error, received.error().message);
    return std::unexpected(received.error());
}

}  // namespace ferry::registry
