// bzip2 decompression through libbz2's streaming API (BZ2_bzDecompress). A stream ends with
// BZ_STREAM_END; input after it must be another stream, as pbzip2 and `cat a.bz2 b.bz2` write,
// so the state is ended and opened again for it. Anything else there fails libbz2's magic
// check, which is how Go's bzip2 reader (docker's) treats it too. No compressor: nothing ferry
// writes is bzip2.

#include <bzlib.h>

#include <algorithm>
#include <string>

#include "ferry/image/compression_impl.hpp"

namespace ferry::detail {

namespace {

// libbz2 counts in unsigned ints; inputs are fed in pieces no larger than this.
constexpr size_t k_max_piece = 1u << 30;

std::string bzip2_error_name(int code) {
    switch (code) {
        case BZ_DATA_ERROR:
            return "data integrity error";
        case BZ_DATA_ERROR_MAGIC:
            return "bad magic";
        case BZ_MEM_ERROR:
            return "out of memory";
        case BZ_PARAM_ERROR:
            return "invalid parameter";
        default:
            return "error " + std::to_string(code);
    }
}

class Bzip2Decompressor final : public Decompressor {
  public:
    Bzip2Decompressor() : m_out(new uint8_t[k_compression_buffer_size]) {}
    ~Bzip2Decompressor() override { close(); }
    Bzip2Decompressor(const Bzip2Decompressor&) = delete;
    Bzip2Decompressor& operator=(const Bzip2Decompressor&) = delete;

    // Opens the state for a stream; false when libbz2 cannot allocate it.
    bool open() {
        m_stream = bz_stream{};
        m_open = BZ2_bzDecompressInit(&m_stream, 0, 0) == BZ_OK;
        return m_open;
    }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        while (!in.empty()) {
            if (!m_open && !open()) return fail("bzip2: cannot allocate a decompression context");
            m_started = true;
            size_t piece = std::min(in.size(), k_max_piece);
            m_stream.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(in.data()));
            m_stream.avail_in = static_cast<unsigned>(piece);
            TRY(drain(out));
            in = in.subspan(piece - m_stream.avail_in);
        }
        return {};
    }

    Result<void> finish() override {
        if (!m_started || m_open) return fail("truncated bzip2 stream");
        return {};
    }

  private:
    // Decompresses the input set in m_stream until it is consumed and no output is pending, or
    // the stream ends (its state closed, the rest of the input left in m_stream).
    Result<void> drain(const ByteSink& out) {
        for (;;) {
            m_stream.next_out = reinterpret_cast<char*>(m_out.get());
            m_stream.avail_out = static_cast<unsigned>(k_compression_buffer_size);
            int ret = BZ2_bzDecompress(&m_stream);
            if (ret != BZ_OK && ret != BZ_STREAM_END)
                return fail("corrupt bzip2 data: " + bzip2_error_name(ret));
            size_t produced = k_compression_buffer_size - m_stream.avail_out;
            if (produced > 0) TRY(out({m_out.get(), produced}));
            if (ret == BZ_STREAM_END) {
                unsigned left = m_stream.avail_in;
                close();
                m_stream.avail_in = left;
                return {};
            }
            // A full output buffer may mean more output is pending.
            if (m_stream.avail_in == 0 && m_stream.avail_out > 0) return {};
        }
    }

    void close() {
        if (m_open) BZ2_bzDecompressEnd(&m_stream);
        m_open = false;
    }

    bz_stream m_stream{};
    std::unique_ptr<uint8_t[]> m_out;
    bool m_open = false;
    bool m_started = false;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_bzip2_decompressor() {
    auto d = std::make_unique<Bzip2Decompressor>();
    if (!d->open()) return fail("bzip2: cannot allocate a decompression context");
    return d;
}

}  // namespace ferry::detail
