// zstd through libzstd's streaming API. ZSTD_decompressStream handles consecutive frames and
// skippable frames by itself; it returns 0 exactly when a frame has been fully decoded and
// flushed, so a stream is complete when the last call returned 0. Compression runs
// ZSTD_compressStream2 with ZSTD_e_continue while fed and ZSTD_e_end at finish (one frame,
// checksum on, as the zstd tool writes).

#include <zstd.h>

#include <algorithm>
#include <string>

#include "ferry/image/compression_impl.hpp"

namespace ferry::detail {

namespace {

class ZstdDecompressor final : public Decompressor {
  public:
    ZstdDecompressor() : m_ctx(ZSTD_createDCtx()), m_out(new uint8_t[k_compression_buffer_size]) {}
    ~ZstdDecompressor() override { ZSTD_freeDCtx(m_ctx); }
    ZstdDecompressor(const ZstdDecompressor&) = delete;
    ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

    bool ok() const { return m_ctx != nullptr; }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        if (in.empty()) return {};
        m_started = true;
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        for (;;) {
            size_t in_before = input.pos;
            ZSTD_outBuffer output{m_out.get(), k_compression_buffer_size, 0};
            size_t ret = ZSTD_decompressStream(m_ctx, &output, &input);
            if (ZSTD_isError(ret))
                return fail(std::string("corrupt zstd data: ") + ZSTD_getErrorName(ret));
            if (output.pos > 0) TRY(out({m_out.get(), output.pos}));
            // A call that neither reads nor writes says nothing about where the stream stands
            // (after a frame it would announce the next frame's header).
            if (input.pos != in_before || output.pos > 0) m_frame_done = ret == 0;
            // Done with this input when it is consumed and the output buffer was not filled
            // (a full buffer may mean more output is pending).
            if (input.pos == input.size && output.pos < output.size) return {};
        }
    }

    Result<void> finish() override {
        if (!m_started || !m_frame_done) return fail("truncated zstd stream");
        return {};
    }

  private:
    ZSTD_DCtx* m_ctx;
    std::unique_ptr<uint8_t[]> m_out;
    bool m_started = false;
    bool m_frame_done = false;
};

class ZstdCompressor final : public Compressor {
  public:
    explicit ZstdCompressor(int level)
        : m_ctx(ZSTD_createCCtx()), m_out(new uint8_t[k_compression_buffer_size]) {
        if (m_ctx) {
            ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_compressionLevel, level);
            ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_checksumFlag, 1);
        }
    }
    ~ZstdCompressor() override { ZSTD_freeCCtx(m_ctx); }
    ZstdCompressor(const ZstdCompressor&) = delete;
    ZstdCompressor& operator=(const ZstdCompressor&) = delete;

    bool ok() const { return m_ctx != nullptr; }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        while (input.pos < input.size)
            TRY(compress(input, ZSTD_e_continue, out));
        return {};
    }

    Result<void> finish(const ByteSink& out) override {
        ZSTD_inBuffer input{nullptr, 0, 0};
        for (;;) {
            size_t remaining = TRY(compress(input, ZSTD_e_end, out));
            if (remaining == 0) return {};
        }
    }

  private:
    Result<size_t> compress(ZSTD_inBuffer& input, ZSTD_EndDirective mode, const ByteSink& out) {
        ZSTD_outBuffer output{m_out.get(), k_compression_buffer_size, 0};
        size_t ret = ZSTD_compressStream2(m_ctx, &output, &input, mode);
        if (ZSTD_isError(ret))
            return fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(ret));
        if (output.pos > 0) TRY(out({m_out.get(), output.pos}));
        return ret;
    }

    ZSTD_CCtx* m_ctx;
    std::unique_ptr<uint8_t[]> m_out;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_zstd_decompressor() {
    auto d = std::make_unique<ZstdDecompressor>();
    if (!d->ok()) return fail("zstd: cannot allocate a decompression context");
    return d;
}

Result<std::unique_ptr<Compressor>> make_zstd_compressor(std::optional<int> level) {
    int l = level.value_or(3);
    if (l < 1 || l > ZSTD_maxCLevel()) return fail("invalid zstd level " + std::to_string(l));
    auto c = std::make_unique<ZstdCompressor>(l);
    if (!c->ok()) return fail("zstd: cannot allocate a compression context");
    return c;
}

}  // namespace ferry::detail
