// Magic-number detection, the pass-through codec for uncompressed blobs, and dispatch to the
// gzip and zstd implementations.

#include "ferry/image/compression.hpp"

#include "ferry/image/compression_impl.hpp"

namespace ferry {

namespace {

class PassThroughDecompressor final : public Decompressor {
  public:
    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        if (in.empty()) return {};
        return out(in);
    }
    Result<void> finish() override { return {}; }
};

class PassThroughCompressor final : public Compressor {
  public:
    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        if (in.empty()) return {};
        return out(in);
    }
    Result<void> finish(const ByteSink&) override { return {}; }
};

}  // namespace

Compression detect_compression(std::span<const uint8_t> b) {
    if (b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Compression::gzip;
    if (b.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return Compression::zstd;
    return Compression::none;
}

Result<std::unique_ptr<Decompressor>> Decompressor::create(Compression c) {
    switch (c) {
        case Compression::gzip:
            return detail::make_gzip_decompressor();
        case Compression::zstd:
            return detail::make_zstd_decompressor();
        case Compression::none:
            break;
    }
    return std::make_unique<PassThroughDecompressor>();
}

Result<std::unique_ptr<Compressor>> Compressor::create(Compression c, std::optional<int> level) {
    switch (c) {
        case Compression::gzip:
            return detail::make_gzip_compressor(level);
        case Compression::zstd:
            return detail::make_zstd_compressor(level);
        case Compression::none:
            break;
    }
    return std::make_unique<PassThroughCompressor>();
}

}  // namespace ferry
