#include "ferry/image/compression.hpp"

#include <gtest/gtest.h>
#include <isa-l/crc.h>

#include <fcntl.h>

#include <chrono>
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

// Decompresses data fed in pieces of `piece` bytes.
Result<std::string> decompress(Compression c, std::string_view data, size_t piece = 65536) {
    return feed_all(Decompressor::create(c), data, piece);
}

Result<std::string> compress(Compression c, std::string_view data, size_t piece = 65536,
                             std::optional<int> level = std::nullopt) {
    auto z = TRY(Compressor::create(c, level));
    std::string out;
    ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> {
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    };
    for (size_t i = 0; i < data.size(); i += piece)
        TRY(z->feed(bytes(data.substr(i, piece)), sink));
    TRY(z->finish(sink));
    return out;
}

void write_file(const std::string& path, std::string_view data) {
    auto fd = fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd);
    ASSERT_TRUE(fs::write_all(fd->get(), data));
}

TEST(Compression, Detect) {
    const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00};
    const uint8_t zst[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00};
    const uint8_t tar[] = {'e', 't', 'c', '/'};
    EXPECT_EQ(detect_compression(gz), Compression::gzip);
    EXPECT_EQ(detect_compression(std::span(gz, 2)), Compression::gzip);
    EXPECT_EQ(detect_compression(zst), Compression::zstd);
    EXPECT_EQ(detect_compression(std::span(zst, 3)), Compression::none);
    EXPECT_EQ(detect_compression(tar), Compression::none);
    EXPECT_EQ(detect_compression({}), Compression::none);
}

TEST(Compression, PassThrough) {
    std::string data = sample_data(3000);
    EXPECT_EQ(decompress(Compression::none, data, 7).value(), data);
    EXPECT_EQ(compress(Compression::none, data, 7).value(), data);
    EXPECT_EQ(decompress(Compression::none, "").value(), "");
}

TEST(Compression, RoundTripsThroughOurselves) {
    std::string data = sample_data(3 << 20);
    for (auto c : {Compression::gzip, Compression::zstd}) {
        auto z = compress(c, data);
        ASSERT_TRUE(z) << z.error().message;
        EXPECT_LT(z->size(), data.size());
        EXPECT_EQ(detect_compression(bytes(*z)), c);
        auto back = decompress(c, *z);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, data);
    }
}

TEST(Compression, EmptyInputCompressesToAValidStream) {
    for (auto c : {Compression::gzip, Compression::zstd}) {
        auto z = compress(c, "");
        ASSERT_TRUE(z);
        EXPECT_FALSE(z->empty());
        EXPECT_EQ(decompress(c, *z).value(), "");
    }
}

TEST(Compression, AllGzipLevels) {
    std::string data = sample_data(200000);
    for (int level = 0; level <= 3; ++level) {
        auto z = compress(Compression::gzip, data, 4096, level);
        ASSERT_TRUE(z) << level;
        EXPECT_EQ(decompress(Compression::gzip, *z).value(), data) << level;
    }
    EXPECT_EQ(Compressor::create(Compression::gzip, 4).error().message, "invalid gzip level 4");
    EXPECT_EQ(Compressor::create(Compression::zstd, 0).error().message, "invalid zstd level 0");
    EXPECT_EQ(Compressor::create(Compression::zstd, 23).error().message, "invalid zstd level 23");
}

TEST(Compression, ReadsWhatTheToolsWrite) {
    test::TempDir dir;
    std::string data = sample_data(5 << 19, 7);
    write_file(dir / "data", data);
    struct Tool {
        const char* name;
        const char* command;
        Compression c;
    };
    const Tool tools[] = {{"gzip", "gzip -c", Compression::gzip},
                          {"gzip", "gzip -9 -c", Compression::gzip},
                          {"gzip", "gzip -1 -n -c", Compression::gzip},
                          {"pigz", "pigz -p 2 -c", Compression::gzip},
                          {"zstd", "zstd -q -c", Compression::zstd},
                          {"zstd", "zstd -q -19 -c", Compression::zstd},
                          {"zstd", "zstd -q -T2 --no-check -c", Compression::zstd}};
    int ran = 0;
    for (const auto& t : tools) {
        if (!have(t.name)) continue;
        ++ran;
        std::string z = run(std::string(t.command) + " " + dir / "data");
        for (size_t piece : {size_t{1} << 20, size_t{4093}}) {
            auto back = decompress(t.c, z, piece);
            ASSERT_TRUE(back) << t.command << ": " << back.error().message;
            EXPECT_TRUE(*back == data) << t.command;
        }
    }
    if (ran == 0) GTEST_SKIP() << "none of gzip, pigz, zstd is installed";
}

TEST(Compression, ToolsReadWhatWeWrite) {
    if (!have("gzip") || !have("zstd")) GTEST_SKIP() << "gzip or zstd is not installed";
    test::TempDir dir;
    std::string data = sample_data(3 << 20, 9);
    write_file(dir / "a.gz", compress(Compression::gzip, data).value());
    write_file(dir / "a.zst", compress(Compression::zstd, data).value());
    EXPECT_TRUE(run("gzip -t " + dir / "a.gz").empty());
    EXPECT_TRUE(run("gzip -dc " + dir / "a.gz") == data);
    EXPECT_TRUE(run("zstd -q -dc " + dir / "a.zst") == data);
    if (have("pigz")) {
        EXPECT_TRUE(run("pigz -dc " + dir / "a.gz") == data);
    }
}

TEST(Compression, MultiMemberGzip) {
    std::string a = sample_data(300000, 1), b = sample_data(5, 2), c = sample_data(70000, 3);
    std::string z =
        compress(Compression::gzip, a).value() + compress(Compression::gzip, b).value() +
        compress(Compression::gzip, "").value() + compress(Compression::gzip, c).value();
    std::string want = a + b + c;
    EXPECT_EQ(decompress(Compression::gzip, z).value(), want);
    EXPECT_EQ(decompress(Compression::gzip, z, 1).value(), want);
    EXPECT_EQ(decompress(Compression::gzip, z, 3).value(), want);
    if (have("gzip")) {
        test::TempDir dir;
        write_file(dir / "a", a);
        write_file(dir / "c", c);
        std::string cat = run("gzip -c " + dir / "a") + run("gzip -c " + dir / "c");
        EXPECT_EQ(decompress(Compression::gzip, cat, 1000).value(), a + c);
    }
}

// A gzip member with every optional header field: FEXTRA, FNAME, FCOMMENT and FHCRC.
std::string full_header_member(std::string_view data, bool good_hcrc) {
    std::string plain = compress(Compression::gzip, data).value();
    std::string header = {'\x1f', '\x8b', '\x08', '\x1e', 0, 0, 0, 0, 0, '\x03'};
    header += std::string(
        "\x04\x00"
        "abcd",
        6);
    header += std::string("name.tar\0", 9);
    header += std::string("a comment\0", 10);
    uint32_t crc =
        crc32_gzip_refl(0, reinterpret_cast<const uint8_t*>(header.data()), header.size());
    if (!good_hcrc) crc ^= 1;
    header += static_cast<char>(crc & 0xff);
    header += static_cast<char>((crc >> 8) & 0xff);
    return header + plain.substr(10);
}

TEST(Compression, GzipHeaderFields) {
    std::string data = sample_data(50000);
    std::string member = full_header_member(data, true);
    EXPECT_EQ(decompress(Compression::gzip, member).value(), data);
    EXPECT_EQ(decompress(Compression::gzip, member + member, 1).value(), data + data);
    EXPECT_EQ(error_of(decompress(Compression::gzip, full_header_member(data, false))),
              "corrupt gzip data: header checksum mismatch");
}

TEST(Compression, ConcatenatedAndSkippableZstdFrames) {
    std::string a = sample_data(200000, 4), b = sample_data(10, 5);
    std::string skippable("\x50\x2a\x4d\x18\x05\x00\x00\x00hello", 13);
    std::string z = compress(Compression::zstd, a).value() + skippable +
                    compress(Compression::zstd, b).value() + skippable;
    EXPECT_EQ(decompress(Compression::zstd, z).value(), a + b);
    EXPECT_EQ(decompress(Compression::zstd, z, 1).value(), a + b);
    EXPECT_EQ(decompress(Compression::zstd, skippable).value(), "");
    if (have("zstd")) {
        test::TempDir dir;
        write_file(dir / "a", a);
        write_file(dir / "b", b);
        std::string cat = run("zstd -q -c " + dir / "a") + run("zstd -q -c " + dir / "b");
        EXPECT_EQ(decompress(Compression::zstd, cat, 777).value(), a + b);
    }
}

// Every proper prefix of a stream is truncated, never corrupt, however it is fed.
TEST(Compression, EveryTruncationIsReportedAsTruncated) {
    std::string data = sample_data(3000);
    for (auto c : {Compression::gzip, Compression::zstd}) {
        std::string z = compress(c, data).value();
        std::string z2 = z + z;  // truncations inside a second member or frame too
        std::string want =
            c == Compression::gzip ? "truncated gzip stream" : "truncated zstd stream";
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

TEST(Compression, CorruptGzip) {
    std::string data = sample_data(100000);
    std::string z = compress(Compression::gzip, data).value();
    auto with = [&](size_t at, char value) {
        std::string copy = z;
        copy[at] = value;
        return copy;
    };
    EXPECT_EQ(error_of(decompress(Compression::gzip, with(0, 'x'))),
              "corrupt gzip data: invalid gzip header");
    EXPECT_EQ(error_of(decompress(Compression::gzip, with(2, 7))),
              "corrupt gzip data: unsupported compression method");
    // The trailer: CRC-32, then the size modulo 2^32.
    EXPECT_EQ(error_of(decompress(Compression::gzip, with(z.size() - 8, z[z.size() - 8] ^ 1))),
              "corrupt gzip data: checksum mismatch");
    EXPECT_EQ(error_of(decompress(Compression::gzip, with(z.size() - 2, z[z.size() - 2] ^ 1))),
              "corrupt gzip data: checksum mismatch");
    // A deflate block of reserved type 3.
    std::string bad_block = z.substr(0, 10) + std::string("\x07\x00\x00\x00", 4);
    EXPECT_EQ(error_of(decompress(Compression::gzip, bad_block)),
              "corrupt gzip data: invalid deflate block");
    // Garbage after a complete member, as Go's gzip reader refuses it.
    EXPECT_EQ(error_of(decompress(Compression::gzip, z + std::string(16, '\0'))),
              "corrupt gzip data: invalid gzip header");
    // Random damage in the body is always reported as corrupt, never as success.
    std::mt19937 rng(3);
    for (int i = 0; i < 50; ++i) {
        std::string copy = z;
        size_t at = 10 + rng() % (z.size() - 18);
        copy[at] = static_cast<char>(copy[at] ^ (1 + rng() % 255));
        auto r = decompress(Compression::gzip, copy, 1 + rng() % 5000);
        ASSERT_FALSE(r) << "damage at " << at;
        EXPECT_TRUE(r.error().message.starts_with("corrupt gzip data: ") ||
                    r.error().message == "truncated gzip stream")
            << r.error().message;
    }
}

TEST(Compression, CorruptZstd) {
    std::string data = sample_data(100000);
    std::string z = compress(Compression::zstd, data).value();
    std::string bad_magic = z;
    bad_magic[0] = 0x29;
    EXPECT_EQ(error_of(decompress(Compression::zstd, bad_magic)),
              "corrupt zstd data: Unknown frame descriptor");
    std::string bad_checksum = z;
    bad_checksum.back() ^= 1;
    EXPECT_EQ(error_of(decompress(Compression::zstd, bad_checksum)),
              "corrupt zstd data: Restored data doesn't match checksum");
    EXPECT_EQ(error_of(decompress(Compression::zstd, z + "garbage!")),
              "corrupt zstd data: Unknown frame descriptor");
}

TEST(Compression, SinkErrorsStopTheStream) {
    std::string z = compress(Compression::gzip, sample_data(3 << 20)).value();
    auto d = Decompressor::create(Compression::gzip).value();
    int calls = 0;
    auto r = d->feed(bytes(z), [&](std::span<const uint8_t>) -> Result<void> {
        ++calls;
        return fail("write `x`: No space left on device");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "write `x`: No space left on device");
    EXPECT_EQ(calls, 1);
}

TEST(Compression, OutputComesInBoundedChunks) {
    std::string data(10 << 20, 'a');
    for (auto c : {Compression::gzip, Compression::zstd}) {
        std::string z = compress(c, data).value();
        auto d = Decompressor::create(c).value();
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

// Throughput on ~512 MB of file-system-like data; runs only with FERRY_BENCH=1.
TEST(Compression, Throughput) {
    if (!std::getenv("FERRY_BENCH")) GTEST_SKIP() << "set FERRY_BENCH=1 to measure throughput";
    std::string chunk = sample_data(64 << 20, 11);
    const int repeats = 8;
    for (auto c : {Compression::gzip, Compression::zstd}) {
        auto z = Compressor::create(c).value();
        std::string compressed;
        ByteSink keep = [&](std::span<const uint8_t> b) -> Result<void> {
            compressed.append(reinterpret_cast<const char*>(b.data()), b.size());
            return {};
        };
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < repeats; ++i)
            ASSERT_TRUE(z->feed(bytes(chunk), keep));
        ASSERT_TRUE(z->finish(keep));
        auto t1 = std::chrono::steady_clock::now();
        auto d = Decompressor::create(c).value();
        size_t total = 0;
        for (size_t i = 0; i < compressed.size(); i += 1 << 20) {
            ASSERT_TRUE(d->feed(bytes(std::string_view(compressed).substr(i, 1 << 20)),
                                [&](std::span<const uint8_t> b) -> Result<void> {
                                    total += b.size();
                                    return {};
                                }));
        }
        ASSERT_TRUE(d->finish());
        auto t2 = std::chrono::steady_clock::now();
        double mb = static_cast<double>(total) / 1e6;
        double ct = std::chrono::duration<double>(t1 - t0).count();
        double dt = std::chrono::duration<double>(t2 - t1).count();
        std::printf("%s: %.0f MB -> %.0f MB; compress %.0f MB/s, decompress %.0f MB/s (out)\n",
                    std::string(compression_name(c)).c_str(), mb,
                    static_cast<double>(compressed.size()) / 1e6, mb / ct, mb / dt);
        EXPECT_EQ(total, chunk.size() * repeats);
    }
}

// Decompression throughput on a real compressed file (a layer, say), read into memory first;
// runs only with FERRY_BENCH_FILE=<path>.
TEST(Compression, FileThroughput) {
    const char* path = std::getenv("FERRY_BENCH_FILE");
    if (!path) GTEST_SKIP() << "set FERRY_BENCH_FILE=<file.gz|file.zst> to measure";
    auto data = fs::read_file(path, size_t{4} << 30);
    ASSERT_TRUE(data) << data.error().message;
    Compression c = detect_compression(bytes(*data));
    auto d = Decompressor::create(c).value();
    size_t total = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < data->size(); i += 1 << 20) {
        ASSERT_TRUE(d->feed(bytes(std::string_view(*data).substr(i, 1 << 20)),
                            [&](std::span<const uint8_t> b) -> Result<void> {
                                total += b.size();
                                return {};
                            }));
    }
    ASSERT_TRUE(d->finish());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: %.0f MB -> %.0f MB in %.2f s: %.0f MB/s out, %.0f MB/s in\n",
                std::string(compression_name(c)).c_str(), static_cast<double>(data->size()) / 1e6,
                static_cast<double>(total) / 1e6, s, static_cast<double>(total) / 1e6 / s,
                static_cast<double>(data->size()) / 1e6 / s);
}

}  // namespace
}  // namespace ferry
