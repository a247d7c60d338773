// The archive-only codecs, bzip2 and xz: detection by magic bytes, streams made here with the
// libraries' one-shot encoders and by the bzip2 and xz tools, fed whole and a byte at a time,
// concatenated, truncated and damaged.

#include "ferry/image/archive_compression.hpp"

#include <bzlib.h>
#include <gtest/gtest.h>
#include <lzma.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "ferry/util/fs.hpp"
#include "codec_test_util.hpp"
#include "test_util.hpp"

namespace ferry {
namespace {

using namespace codec_test;


// One bzip2 stream of data, by libbz2's one-shot encoder.
std::string bzip2_of(const std::string& data, int block_size = 9) {
    std::string out(data.size() + data.size() / 100 + 600, '\0');
    auto size = static_cast<unsigned>(out.size());
    int ret = BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(data.data()),
                                       static_cast<unsigned>(data.size()), block_size, 0, 0);
    EXPECT_EQ(ret, BZ_OK);
    out.resize(size);
    return out;
}

// One xz stream of data (CRC64, as the xz tool writes), by liblzma's one-shot encoder.
std::string xz_of(const std::string& data) {
    std::string out(lzma_stream_buffer_bound(data.size()), '\0');
    size_t size = 0;
    lzma_ret ret = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                           reinterpret_cast<const uint8_t*>(data.data()),
                                           data.size(), reinterpret_cast<uint8_t*>(out.data()),
                                           &size, out.size());
    EXPECT_EQ(ret, LZMA_OK);
    out.resize(size);
    return out;
}

// Decompresses data fed in pieces of `piece` bytes.
Result<std::string> decompress(ArchiveCompression c, std::string_view data,
                               size_t piece = 65536) {
    return feed_all(make_archive_decompressor(c), data, piece);
}

TEST(ArchiveCompression, Detect) {
    const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00};
    const uint8_t zst[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00};
    const uint8_t bz[] = {'B', 'Z', 'h', '9', '1', 'A', 'Y'};
    const uint8_t xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00, 0x00};
    const uint8_t tar[] = {'e', 't', 'c', '/', 0, 0};
    EXPECT_EQ(detect_archive_compression(gz), ArchiveCompression::gzip);
    EXPECT_EQ(detect_archive_compression(zst), ArchiveCompression::zstd);
    EXPECT_EQ(detect_archive_compression(bz), ArchiveCompression::bzip2);
    EXPECT_EQ(detect_archive_compression(std::span(bz, 3)), ArchiveCompression::bzip2);
    EXPECT_EQ(detect_archive_compression(std::span(bz, 2)), ArchiveCompression::none);
    EXPECT_EQ(detect_archive_compression(xz), ArchiveCompression::xz);
    EXPECT_EQ(detect_archive_compression(std::span(xz, 5)), ArchiveCompression::none);
    EXPECT_EQ(detect_archive_compression(tar), ArchiveCompression::none);
    EXPECT_EQ(detect_archive_compression({}), ArchiveCompression::none);
    EXPECT_EQ(detect_archive_compression(bytes(bzip2_of("x"))), ArchiveCompression::bzip2);
    EXPECT_EQ(detect_archive_compression(bytes(xz_of("x"))), ArchiveCompression::xz);
}

TEST(ArchiveCompression, LayerCodecsAndPassThrough) {
    std::string data = sample_data(3000);
    EXPECT_EQ(decompress(ArchiveCompression::none, data, 7).value(), data);
    for (auto [c, layer] : {std::pair{ArchiveCompression::gzip, Compression::gzip},
                            std::pair{ArchiveCompression::zstd, Compression::zstd}}) {
        auto z = Compressor::create(layer).value();
        std::string packed;
        ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> {
            packed.append(reinterpret_cast<const char*>(b.data()), b.size());
            return {};
        };
        ASSERT_TRUE(z->feed(bytes(data), sink));
        ASSERT_TRUE(z->finish(sink));
        EXPECT_EQ(decompress(c, packed).value(), data);
    }
}

TEST(ArchiveCompression, Bzip2InAnyPieces) {
    std::string data = sample_data(2 << 20, 2);
    std::string z = bzip2_of(data);
    for (size_t piece : {size_t{1} << 20, size_t{4093}}) {
        auto back = decompress(ArchiveCompression::bzip2, z, piece);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_TRUE(*back == data) << "piece " << piece;
    }
    std::string small = sample_data(20000, 3);
    EXPECT_EQ(decompress(ArchiveCompression::bzip2, bzip2_of(small, 1), 1).value(), small);
    EXPECT_EQ(decompress(ArchiveCompression::bzip2, bzip2_of("")).value(), "");
}

TEST(ArchiveCompression, XzInAnyPieces) {
    std::string data = sample_data(2 << 20, 2);
    std::string z = xz_of(data);
    for (size_t piece : {size_t{1} << 20, size_t{4093}, size_t{1}}) {
        auto back = decompress(ArchiveCompression::xz, z, piece);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_TRUE(*back == data) << "piece " << piece;
    }
    EXPECT_EQ(decompress(ArchiveCompression::xz, xz_of("")).value(), "");
}

// pbzip2 and `cat a.bz2 b.bz2` write several bzip2 streams; xz allows padding between streams.
TEST(ArchiveCompression, ConcatenatedStreams) {
    std::string a = sample_data(200000, 4), b = sample_data(10, 5);
    std::string bz = bzip2_of(a) + bzip2_of(b);
    EXPECT_EQ(decompress(ArchiveCompression::bzip2, bz).value(), a + b);
    EXPECT_EQ(decompress(ArchiveCompression::bzip2, bz, 1).value(), a + b);
    std::string xz = xz_of(a) + std::string(8, '\0') + xz_of(b) + std::string(4, '\0');
    EXPECT_EQ(decompress(ArchiveCompression::xz, xz).value(), a + b);
    EXPECT_EQ(decompress(ArchiveCompression::xz, xz, 1).value(), a + b);
}

// Every proper prefix of a stream is truncated, never corrupt, however it is fed.
TEST(ArchiveCompression, EveryTruncationIsReportedAsTruncated) {
    std::string data = sample_data(3000);
    for (auto c : {ArchiveCompression::bzip2, ArchiveCompression::xz}) {
        std::string z = c == ArchiveCompression::bzip2 ? bzip2_of(data) : xz_of(data);
        std::string z2 = z + z;  // truncations inside a second stream too
        std::string want =
            c == ArchiveCompression::bzip2 ? "truncated bzip2 stream" : "truncated xz stream";
        for (size_t n = 0; n < z2.size(); ++n) {
            if (n == z.size()) continue;
            std::string_view prefix = std::string_view(z2).substr(0, n);
            EXPECT_EQ(error_of(decompress(c, prefix)), want) << "prefix " << n;
            if (n % 17 == 0) {
                EXPECT_EQ(error_of(decompress(c, prefix, 1)), want) << "prefix " << n;
            }
        }
        EXPECT_EQ(decompress(c, z2, 1).value(), data + data);
    }
}

TEST(ArchiveCompression, CorruptBzip2) {
    std::string data = sample_data(100000);
    std::string z = bzip2_of(data);
    std::string bad_magic = z;
    bad_magic[2] = 'x';
    EXPECT_EQ(error_of(decompress(ArchiveCompression::bzip2, bad_magic)),
              "corrupt bzip2 data: bad magic");
    // The block's CRC: damage in the first block header is caught.
    std::string bad_block = z;
    bad_block[6] = static_cast<char>(bad_block[6] ^ 1);
    EXPECT_EQ(error_of(decompress(ArchiveCompression::bzip2, bad_block)),
              "corrupt bzip2 data: data integrity error");
    // Garbage after a complete stream, as Go's bzip2 reader refuses it.
    EXPECT_EQ(error_of(decompress(ArchiveCompression::bzip2, z + "garbage!")),
              "corrupt bzip2 data: bad magic");
    std::mt19937 rng(3);
    for (int i = 0; i < 50; ++i) {
        std::string copy = z;
        size_t at = 4 + rng() % (z.size() - 4);
        copy[at] = static_cast<char>(copy[at] ^ (1 + rng() % 255));
        auto r = decompress(ArchiveCompression::bzip2, copy, 1 + rng() % 5000);
        ASSERT_FALSE(r) << "damage at " << at;
        EXPECT_TRUE(r.error().message.starts_with("corrupt bzip2 data: ") ||
                    r.error().message == "truncated bzip2 stream")
            << r.error().message;
    }
}

TEST(ArchiveCompression, CorruptXz) {
    std::string data = sample_data(100000);
    std::string z = xz_of(data);
    EXPECT_EQ(error_of(decompress(ArchiveCompression::xz, "not xz at all")),
              "corrupt xz data: file format not recognized");
    std::string bad_check = z;
    bad_check[z.size() / 2] = static_cast<char>(bad_check[z.size() / 2] ^ 0x55);
    EXPECT_EQ(error_of(decompress(ArchiveCompression::xz, bad_check)),
              "corrupt xz data: compressed data is corrupt");
    // Garbage after a complete stream, as long as a stream header; shorter reads as truncated.
    EXPECT_EQ(error_of(decompress(ArchiveCompression::xz, z + "garbage after the stream")),
              "corrupt xz data: compressed data is corrupt");
    EXPECT_EQ(error_of(decompress(ArchiveCompression::xz, z + "garbage!")), "truncated xz stream");
    std::mt19937 rng(3);
    for (int i = 0; i < 50; ++i) {
        std::string copy = z;
        size_t at = rng() % z.size();
        copy[at] = static_cast<char>(copy[at] ^ (1 + rng() % 255));
        auto r = decompress(ArchiveCompression::xz, copy, 1 + rng() % 5000);
        ASSERT_FALSE(r) << "damage at " << at;
        EXPECT_TRUE(r.error().message.starts_with("corrupt xz data: ") ||
                    r.error().message == "truncated xz stream")
            << r.error().message;
    }
}

TEST(ArchiveCompression, ReadsWhatTheToolsWrite) {
    test::TempDir dir;
    std::string data = sample_data(1 << 20, 7);
    {
        auto fd = fs::open(dir / "data", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ASSERT_TRUE(fd && fs::write_all(fd->get(), data));
    }
    struct Tool {
        const char* name;
        const char* command;
        ArchiveCompression c;
    };
    const Tool tools[] = {{"bzip2", "bzip2 -c", ArchiveCompression::bzip2},
                          {"bzip2", "bzip2 -1 -c", ArchiveCompression::bzip2},
                          {"xz", "xz -c", ArchiveCompression::xz},
                          {"xz", "xz -0 --check=crc32 -c", ArchiveCompression::xz},
                          {"xz", "xz -T2 --block-size=300000 -c", ArchiveCompression::xz}};
    int ran = 0;
    for (const auto& t : tools) {
        if (!have(t.name)) continue;
        ++ran;
        std::string z = run(std::string(t.command) + " " + dir / "data");
        EXPECT_EQ(detect_archive_compression(bytes(z)), t.c) << t.command;
        for (size_t piece : {size_t{1} << 20, size_t{4093}}) {
            auto back = decompress(t.c, z, piece);
            ASSERT_TRUE(back) << t.command << ": " << back.error().message;
            EXPECT_TRUE(*back == data) << t.command;
        }
    }
    if (ran == 0) GTEST_SKIP() << "neither bzip2 nor xz is installed";
}

TEST(ArchiveCompression, SinkErrorsStopTheStream) {
    std::string data = sample_data(300000);
    for (auto c : {ArchiveCompression::bzip2, ArchiveCompression::xz}) {
        std::string z = c == ArchiveCompression::bzip2 ? bzip2_of(data) : xz_of(data);
        auto d = make_archive_decompressor(c).value();
        int calls = 0;
        auto r = d->feed(bytes(z), [&](std::span<const uint8_t>) -> Result<void> {
            ++calls;
            return fail("write `x`: No space left on device");
        });
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message, "write `x`: No space left on device");
        EXPECT_EQ(calls, 1);
    }
}

TEST(ArchiveCompression, OutputComesInBoundedChunks) {
    std::string data(10 << 20, 'a');
    for (auto c : {ArchiveCompression::bzip2, ArchiveCompression::xz}) {
        std::string z = c == ArchiveCompression::bzip2 ? bzip2_of(data) : xz_of(data);
        auto d = make_archive_decompressor(c).value();
        size_t largest = 0, total = 0;
        ASSERT_TRUE(d->feed(bytes(z), [&](std::span<const uint8_t> b) -> Result<void> {
            largest = std::max(largest, b.size());
            total += b.size();
            return {};
        }));
        ASSERT_TRUE(d->finish());
        EXPECT_EQ(total, data.size());
        EXPECT_LE(largest, k_compression_buffer_size);
    }
}

}  // namespace
}  // namespace ferry
