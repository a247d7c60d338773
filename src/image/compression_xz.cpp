// xz decompression through liblzma's stream decoder with LZMA_CONCATENATED: consecutive .xz
// streams and the stream padding between them decode as one, as the xz tool (which docker
// runs) reads them. Fed with LZMA_RUN, the decoder emits every block's output as it goes; the
// stream can only be seen to end at LZMA_FINISH, which finish gives with no input left. Block
// data precedes the index and footer a clean end needs, so that call has nothing left to
// emit. No compressor: nothing ferry writes is xz.

#include <lzma.h>

#include <string>

#include "ferry/image/compression_impl.hpp"

namespace ferry::detail {

namespace {

std::string xz_error_name(lzma_ret code) {
    switch (code) {
        case LZMA_FORMAT_ERROR:
            return "file format not recognized";
        case LZMA_OPTIONS_ERROR:
            return "unsupported options";
        case LZMA_DATA_ERROR:
            return "compressed data is corrupt";
        case LZMA_UNSUPPORTED_CHECK:
            return "unsupported integrity check";
        case LZMA_MEM_ERROR:
            return "out of memory";
        default:
            return "error " + std::to_string(static_cast<int>(code));
    }
}

class XzDecompressor final : public Decompressor {
  public:
    XzDecompressor() : m_out(new uint8_t[k_compression_buffer_size]) {}
    ~XzDecompressor() override { lzma_end(&m_stream); }
    XzDecompressor(const XzDecompressor&) = delete;
    XzDecompressor& operator=(const XzDecompressor&) = delete;

    // Sets the decoder up; false when liblzma cannot allocate it.
    bool open() { return lzma_stream_decoder(&m_stream, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK; }

    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) override {
        if (in.empty()) return {};
        m_started = true;
        m_stream.next_in = in.data();
        m_stream.avail_in = in.size();
        for (;;) {
            m_stream.next_out = m_out.get();
            m_stream.avail_out = k_compression_buffer_size;
            lzma_ret ret = lzma_code(&m_stream, LZMA_RUN);
            if (ret != LZMA_OK) return fail("corrupt xz data: " + xz_error_name(ret));
            size_t produced = k_compression_buffer_size - m_stream.avail_out;
            if (produced > 0) TRY(out({m_out.get(), produced}));
            // A full output buffer may mean more output is pending.
            if (m_stream.avail_in == 0 && m_stream.avail_out > 0) return {};
        }
    }

    Result<void> finish() override {
        if (!m_started) return fail("truncated xz stream");
        m_stream.next_in = nullptr;
        m_stream.avail_in = 0;
        m_stream.next_out = m_out.get();
        m_stream.avail_out = k_compression_buffer_size;
        lzma_ret ret = lzma_code(&m_stream, LZMA_FINISH);
        if (ret == LZMA_STREAM_END) return {};
        if (ret == LZMA_OK || ret == LZMA_BUF_ERROR) return fail("truncated xz stream");
        return fail("corrupt xz data: " + xz_error_name(ret));
    }

  private:
    lzma_stream m_stream = LZMA_STREAM_INIT;
    std::unique_ptr<uint8_t[]> m_out;
    bool m_started = false;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_xz_decompressor() {
    auto d = std::make_unique<XzDecompressor>();
    if (!d->open()) return fail("xz: cannot allocate a decompression context");
    return d;
}

}  // namespace ferry::detail
