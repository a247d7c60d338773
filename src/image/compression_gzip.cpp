// gzip through ISA-L's igzip. Decompression reads each member's header with
// isal_read_gzip_header (resumable across calls: it keeps partial headers in the inflate state),
// then inflates with ISAL_GZIP_NO_HDR_VER, which verifies the CRC-32 and size trailer. When a
// member finishes (ISAL_BLOCK_FINISH) and input remains, the state is reset and the next member's
// header is read: this is how pigz and `cat a.gz b.gz` streams decode. Anything after a member
// that is not another member is an error, as in Go's gzip reader (which docker uses).
// Compression uses isal_deflate with the gzip wrapper at ISA-L level 1 by default, about
// zlib -1's ratio at several times its speed.

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <string>

#include "ferry/image/compression_impl.hpp"

namespace ferry::detail {

namespace {

// isal counts in 32-bit sizes; inputs are fed in pieces no larger than this.
constexpr size_t k_max_piece = 1u << 30;

std::unexpected<Error> corrupt(int code, bool in_header) {
    std::string what;
    switch (code) {
        case ISAL_INVALID_BLOCK:
            what = "invalid deflate block";
            break;
        case ISAL_INVALID_SYMBOL:
            what = "invalid deflate symbol";
            break;
        case ISAL_INVALID_LOOKBACK:
            what = "invalid lookback distance";
            break;
        case ISAL_INVALID_WRAPPER:
            what = "invalid gzip header";
            break;
        case ISAL_UNSUPPORTED_METHOD:
            what = "unsupported compression method";
            break;
        case ISAL_INCORRECT_CHECKSUM:
            what = in_header ? "header checksum mismatch" : "checksum mismatch";
            break;
        default:
            what = "igzip error " + std::to_string(code);
            break;
    }
    return fail("corrupt gzip data: " + what);
}

class GzipDecompressor final : public Decompressor {
  public:
    GzipDecompressor() : m_out(new uint8_t[k_compression_buffer_size]) {
        isal_inflate_init(&m_state);
    }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        while (!in.empty()) {
            size_t n = std::min(in.size(), k_max_piece);
            TRY(feed_piece(in.first(n), out));
            in = in.subspan(n);
        }
        return {};
    }

    Result<void> finish() override {
        if (m_stage != Stage::between || m_members == 0) return fail("truncated gzip stream");
        return {};
    }

  private:
    enum class Stage { between, header, body };

    Result<void> feed_piece(std::span<const uint8_t> in, const ByteSink& out) {
        m_state.next_in = const_cast<uint8_t*>(in.data());
        m_state.avail_in = static_cast<uint32_t>(in.size());
        for (;;) {
            if (m_stage == Stage::between) {
                if (m_state.avail_in == 0) return {};
                isal_inflate_reset(&m_state);
                isal_gzip_header_init(&m_header);
                m_state.crc_flag = ISAL_GZIP_NO_HDR_VER;
                m_stage = Stage::header;
            }
            if (m_stage == Stage::header) {
                int ret = isal_read_gzip_header(&m_state, &m_header);
                if (ret == ISAL_END_INPUT) return {};
                if (ret != ISAL_DECOMP_OK) return corrupt(ret, true);
                m_stage = Stage::body;
            }
            uint32_t in_before = m_state.avail_in;
            m_state.next_out = m_out.get();
            m_state.avail_out = static_cast<uint32_t>(k_compression_buffer_size);
            int ret = isal_inflate(&m_state);
            if (ret < 0) return corrupt(ret, false);
            size_t produced = k_compression_buffer_size - m_state.avail_out;
            if (produced > 0) TRY(out({m_out.get(), produced}));
            if (m_state.block_state == ISAL_BLOCK_FINISH) {
                m_stage = Stage::between;
                ++m_members;
                continue;
            }
            if (m_state.avail_out > 0 && m_state.avail_in == 0) return {};
            if (produced == 0 && m_state.avail_in == in_before)
                return fail("corrupt gzip data: inflate made no progress");
        }
    }

    inflate_state m_state{};
    isal_gzip_header m_header{};
    std::unique_ptr<uint8_t[]> m_out;
    Stage m_stage = Stage::between;
    uint64_t m_members = 0;
};

class GzipCompressor final : public Compressor {
  public:
    GzipCompressor(int level, size_t level_buf_size)
        : m_level_buf(new uint8_t[level_buf_size]), m_out(new uint8_t[k_compression_buffer_size]) {
        isal_deflate_init(&m_stream);
        m_stream.level = static_cast<uint32_t>(level);
        m_stream.level_buf = m_level_buf.get();
        m_stream.level_buf_size = static_cast<uint32_t>(level_buf_size);
        m_stream.gzip_flag = IGZIP_GZIP;
        m_stream.flush = NO_FLUSH;
    }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        while (!in.empty()) {
            size_t n = std::min(in.size(), k_max_piece);
            m_stream.next_in = const_cast<uint8_t*>(in.data());
            m_stream.avail_in = static_cast<uint32_t>(n);
            while (m_stream.avail_in > 0)
                TRY(deflate_once(out));
            in = in.subspan(n);
        }
        return {};
    }

    Result<void> finish(const ByteSink& out) override {
        m_stream.end_of_stream = 1;
        m_stream.next_in = nullptr;
        m_stream.avail_in = 0;
        while (m_stream.internal_state.state != ZSTATE_END)
            TRY(deflate_once(out));
        return {};
    }

  private:
    Result<void> deflate_once(const ByteSink& out) {
        m_stream.next_out = m_out.get();
        m_stream.avail_out = static_cast<uint32_t>(k_compression_buffer_size);
        int ret = isal_deflate(&m_stream);
        if (ret != COMP_OK)
            return fail("gzip compression failed: igzip error " + std::to_string(ret));
        size_t produced = k_compression_buffer_size - m_stream.avail_out;
        if (produced > 0) TRY(out({m_out.get(), produced}));
        return {};
    }

    isal_zstream m_stream{};
    std::unique_ptr<uint8_t[]> m_level_buf;
    std::unique_ptr<uint8_t[]> m_out;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_gzip_decompressor() {
    return std::make_unique<GzipDecompressor>();
}

Result<std::unique_ptr<Compressor>> make_gzip_compressor(std::optional<int> level) {
    int l = level.value_or(1);
    size_t buf = 0;
    switch (l) {
        case 0:
            buf = ISAL_DEF_LVL0_DEFAULT;
            break;
        case 1:
            buf = ISAL_DEF_LVL1_DEFAULT;
            break;
        case 2:
            buf = ISAL_DEF_LVL2_DEFAULT;
            break;
        case 3:
            buf = ISAL_DEF_LVL3_DEFAULT;
            break;
        default:
            return fail("invalid gzip level " + std::to_string(l));
    }
    return std::make_unique<GzipCompressor>(l, std::max<size_t>(buf, 1));
}

}  // namespace ferry::detail
