// produce_layer_blob and ParallelCompressor: the blob decompresses to the regenerated tar whose
// digest is the diff ID, its reported digest and size are those of the bytes sent, the bytes
// are the same whatever the thread count and however the input is fed, memory is bounded by
// construction, and a damaged layer or a failing sink stops it with a clear error.

#include "ferry/image/layer_blob.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "blob_test_util.hpp"
#include "ferry/image/compression_parallel.hpp"
#include "ferry/oci/media_types.hpp"

namespace ferry {
namespace {

using image::BlobSettings;
using image::LayerBlob;

std::string decompress(Compression c, const std::string& blob) {
    auto d = Decompressor::create(c);
    if (!d) return "error: " + d.error().message;
    std::string out;
    auto r = (*d)->feed({reinterpret_cast<const uint8_t*>(blob.data()), blob.size()},
                        [&](std::span<const uint8_t> b) -> Result<void> {
                            out.append(reinterpret_cast<const char*>(b.data()), b.size());
                            return {};
                        });
    if (r) r = (*d)->finish();
    if (!r) return "error: " + r.error().message;
    return out;
}

class LayerBlobTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have("tar")) GTEST_SKIP() << "needs GNU tar";
        auto s = image::Store::open(test::store_context(dir));
        ASSERT_TRUE(s) << s.error().message;
        store.emplace(std::move(*s));
        test::make_stored_layer(dir, *store, layer);
    }

    Result<LayerBlob> produce(const BlobSettings& settings, std::string& bytes) {
        bytes.clear();
        return image::produce_layer_blob(*store, layer.chain, settings,
                                         [&](std::span<const uint8_t> b) -> Result<void> {
                                             bytes.append(reinterpret_cast<const char*>(b.data()),
                                                          b.size());
                                             return {};
                                         },
                                         nullptr);
    }

    test::TempDir dir;
    std::optional<image::Store> store;
    test::StoredLayer layer;
};

TEST_F(LayerBlobTest, BlobDecompressesToTheLayerTar) {
    for (Compression c : {Compression::gzip, Compression::zstd, Compression::none}) {
        SCOPED_TRACE(std::string(compression_name(c)));
        BlobSettings settings;
        settings.compression = c;
        std::string bytes;
        auto blob = produce(settings, bytes);
        ASSERT_TRUE(blob) << blob.error().message;
        EXPECT_EQ(blob->digest, "sha256:" + sha256_hex(bytes));
        EXPECT_EQ(blob->size, bytes.size());
        EXPECT_EQ(blob->diff_id, layer.diff_id);
        EXPECT_EQ(blob->media_type, std::string(docker_layer_media_type(c)));
        std::string tar = decompress(c, bytes);
        EXPECT_EQ("sha256:" + sha256_hex(tar), layer.diff_id);
        if (c != Compression::none) {
            EXPECT_LT(bytes.size(), tar.size());
        }
        EXPECT_GT(tar.size(), 3 * k_parallel_block);  // several blocks
    }
}

TEST_F(LayerBlobTest, OciMediaTypes) {
    BlobSettings settings;
    settings.media_types = image::MediaTypes::oci;
    std::string bytes;
    auto blob = produce(settings, bytes);
    ASSERT_TRUE(blob) << blob.error().message;
    EXPECT_EQ(blob->media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
}

TEST_F(LayerBlobTest, SameBytesWhateverTheThreads) {
    for (Compression c : {Compression::gzip, Compression::zstd}) {
        SCOPED_TRACE(std::string(compression_name(c)));
        BlobSettings settings;
        settings.compression = c;
        settings.threads = 1;
        std::string serial, parallel, again;
        auto a = produce(settings, serial);
        settings.threads = 4;
        auto b = produce(settings, parallel);
        auto d = produce(settings, again);
        ASSERT_TRUE(a && b && d);
        EXPECT_EQ(a->digest, b->digest);
        EXPECT_EQ(serial, parallel);
        EXPECT_EQ(parallel, again);
    }
}

TEST_F(LayerBlobTest, ChangedFileIsReported) {
    // Same size, other bytes: only the diff-ID check can tell.
    std::string path = store->layer_path(layer.chain) + "/diff/etc/one";
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    test::write_text(path, "y");
    std::string bytes;
    auto blob = produce(BlobSettings{}, bytes);
    ASSERT_FALSE(blob);
    EXPECT_TRUE(blob.error().message.starts_with(
        "layer " + layer.diff_id + ": regenerated content does not match its digest (got sha256:"))
        << blob.error().message;
    EXPECT_TRUE(blob.error().message.ends_with("; the store is damaged)"));
}

TEST_F(LayerBlobTest, SinkErrorStopsTheStream) {
    size_t calls = 0;
    auto blob = image::produce_layer_blob(
        *store, layer.chain, BlobSettings{},
        [&](std::span<const uint8_t>) -> Result<void> {
            ++calls;
            return fail("connection reset");
        },
        nullptr);
    ASSERT_FALSE(blob);
    EXPECT_EQ(blob.error().message, "layer " + layer.diff_id + ": connection reset");
    EXPECT_EQ(calls, 1u);
}

TEST_F(LayerBlobTest, MissingLayer) {
    std::string bytes;
    auto blob = image::produce_layer_blob(*store, std::string(64, 'a'), BlobSettings{},
                                          [](std::span<const uint8_t>) -> Result<void> { return {}; },
                                          nullptr);
    EXPECT_FALSE(blob);
}

// Feeds data to a compressor in pieces of the given size; returns the output.
std::string compress_in_pieces(Compression c, unsigned threads, const std::string& data,
                               size_t piece) {
    auto p = ParallelCompressor::create(c, std::nullopt, threads);
    if (!p) return "error: " + p.error().message;
    std::string out;
    ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> {
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    };
    for (size_t at = 0; at < data.size(); at += piece) {
        std::string_view part = std::string_view(data).substr(at, piece);
        auto r = (*p)->feed({reinterpret_cast<const uint8_t*>(part.data()), part.size()}, sink);
        if (!r) return "error: " + r.error().message;
    }
    if (auto r = (*p)->finish(sink); !r) return "error: " + r.error().message;
    return out;
}

// Where two compressed streams first differ, and which block of the input each stream's
// blocks came from: gtest would print megabytes of bytes, and a failure must say enough to
// find the cause (one block's compressor state, or the order of blocks).
std::string stream_difference(Compression c, const std::string& data, const std::string& got,
                              const std::string& want) {
    if (got == want) return "";
    size_t at = 0;
    while (at < got.size() && at < want.size() && got[at] == want[at])
        ++at;
    std::string why = "sizes " + std::to_string(got.size()) + " and " +
                      std::to_string(want.size()) + ", first difference at byte " +
                      std::to_string(at) + "; each block compressed alone:";
    for (size_t from = 0; from < data.size(); from += k_parallel_block) {
        std::string alone = compress_in_pieces(c, 1, data.substr(from, k_parallel_block),
                                               k_parallel_block);
        why += " " + std::to_string(alone.size()) + (got.find(alone) == std::string::npos
                                                          ? "(not in got)"
                                                          : "") +
               (want.find(alone) == std::string::npos ? "(not in want)" : "");
    }
    return why;
}

TEST(ParallelCompressor, OutputDoesNotDependOnFeedingOrThreads) {
    std::string data;
    for (uint64_t i = 0; data.size() < 5 * k_parallel_block + 12345; ++i)
        data += "line " + std::to_string(i * 7919 % 100003) + "\n";
    for (Compression c : {Compression::gzip, Compression::zstd}) {
        SCOPED_TRACE(std::string(compression_name(c)));
        std::string whole = compress_in_pieces(c, 1, data, data.size());
        ASSERT_FALSE(whole.starts_with("error")) << whole;
        EXPECT_EQ(stream_difference(c, data, compress_in_pieces(c, 3, data, 4097), whole), "");
        EXPECT_EQ(stream_difference(c, data, compress_in_pieces(c, 8, data, 1), whole), "");
        EXPECT_TRUE(decompress(c, whole) == data);
    }
}

TEST(ParallelCompressor, EmptyInputIsAValidStream) {
    for (Compression c : {Compression::gzip, Compression::zstd}) {
        std::string out = compress_in_pieces(c, 2, "", 1);
        EXPECT_FALSE(out.empty());
        EXPECT_EQ(decompress(c, out), "");
    }
}

TEST(ParallelCompressor, BadLevel) {
    auto p = ParallelCompressor::create(Compression::gzip, 7, 2);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message, "invalid gzip level 7");
    p = ParallelCompressor::create(Compression::zstd, 30, 2);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message, "invalid zstd level 30");
}

TEST(ParallelCompressor, MemoryIsBoundedByConstruction) {
    // Whatever the layer's size: the bound depends only on threads and settings.
    for (Compression c : {Compression::gzip, Compression::zstd, Compression::none})
        EXPECT_LE(parallel_compression_memory(c, std::nullopt, k_max_compression_threads),
                  size_t{48} << 20)
            << compression_name(c);
    EXPECT_EQ(compression_threads(0) >= 1, true);
    EXPECT_EQ(compression_threads(100), k_max_compression_threads);
}

}  // namespace
}  // namespace ferry
