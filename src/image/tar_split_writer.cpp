// Writes a tar-split record as it is described: consecutive raw bytes are gathered in one buffer
// (so a header, the padding before it and the end marker become one operation) and every
// operation goes through one streaming zstd context whose output is pwritten as it fills. The
// header is written first with its "complete" flag clear and rewritten by finish(), so a record
// cut short by a crash is never taken for a whole one. Side copies of replaced files go to an
// unnamed temporary file next to the layer and are appended, holes kept, at the end.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <vector>

#include "ferry/image/file_copy.hpp"
#include "ferry/image/tar_split.hpp"
#include "ferry/image/tar_split_format.hpp"
#include "ferry/util/fd.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_raw_flush = size_t{256} << 10;
constexpr int k_level = 3;

struct CCtxDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

}  // namespace

struct TarSplitWriter::Impl {
    int fd = -1;
    int spool_dir = -1;
    std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx;
    std::vector<uint8_t> out;
    uint64_t pos = split::k_header_size;
    std::vector<uint8_t> raw;
    std::vector<uint8_t> op;
    std::string prev_path;
    uint64_t tar_size = 0;
    uint64_t refs = 0;
    Fd spool;
    uint64_t spool_size = 0;
    std::vector<uint8_t> events;
    uint64_t event_count = 0;
    bool finished = false;

    Result<void> compress(std::span<const uint8_t> in, ZSTD_EndDirective mode);
    Result<void> emit_raw(std::span<const uint8_t> bytes);
    Result<void> flush_raw();
    Result<void> write_header(const split::Header& h);
};

TarSplitWriter::TarSplitWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TarSplitWriter::TarSplitWriter(TarSplitWriter&&) noexcept = default;
TarSplitWriter& TarSplitWriter::operator=(TarSplitWriter&&) noexcept = default;
TarSplitWriter::~TarSplitWriter() = default;

Result<TarSplitWriter> TarSplitWriter::create(int fd, int spool_dir) {
    auto impl = std::make_unique<Impl>();
    impl->fd = fd;
    impl->spool_dir = spool_dir;
    impl->cctx.reset(ZSTD_createCCtx());
    if (!impl->cctx) return fail("tar-split record: cannot start zstd");
    ZSTD_CCtx_setParameter(impl->cctx.get(), ZSTD_c_compressionLevel, k_level);
    impl->out.resize(ZSTD_CStreamOutSize());
    impl->raw.reserve(k_raw_flush);
    TRY_CTX("write tar-split record", impl->write_header(split::Header{}));
    return TarSplitWriter(std::move(impl));
}

Result<void> TarSplitWriter::Impl::write_header(const split::Header& h) {
    uint8_t buf[split::k_header_size];
    split::encode_header(h, buf);
    return pwrite_all(fd, buf, sizeof buf, 0);
}

Result<void> TarSplitWriter::Impl::compress(std::span<const uint8_t> in, ZSTD_EndDirective mode) {
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    for (;;) {
        ZSTD_outBuffer ob{out.data(), out.size(), 0};
        size_t r = ZSTD_compressStream2(cctx.get(), &ob, &ib, mode);
        if (ZSTD_isError(r))
            return fail(std::string("write tar-split record: zstd: ") + ZSTD_getErrorName(r));
        if (ob.pos > 0) {
            TRY_CTX("write tar-split record", pwrite_all(fd, out.data(), ob.pos, pos));
            pos += ob.pos;
        }
        bool done = mode == ZSTD_e_continue ? ib.pos == ib.size : r == 0;
        if (done) return {};
    }
}

Result<void> TarSplitWriter::Impl::emit_raw(std::span<const uint8_t> bytes) {
    op.clear();
    op.push_back(split::tag_raw);
    split::put_varint(op, bytes.size());
    TRY(compress(op, ZSTD_e_continue));
    return compress(bytes, ZSTD_e_continue);
}

Result<void> TarSplitWriter::Impl::flush_raw() {
    if (raw.empty()) return {};
    TRY(emit_raw(raw));
    raw.clear();
    return {};
}

Result<void> TarSplitWriter::add_raw(std::span<const uint8_t> bytes) {
    Impl& m = *m_impl;
    m.tar_size += bytes.size();
    if (m.raw.size() + bytes.size() > k_raw_flush) {
        TRY(m.flush_raw());
        if (bytes.size() >= k_raw_flush) return m.emit_raw(bytes);
    }
    m.raw.insert(m.raw.end(), bytes.begin(), bytes.end());
    return {};
}

Result<void> TarSplitWriter::add_payload(std::string_view path, uint64_t length,
                                         std::span<const SparseExtent> extents) {
    Impl& m = *m_impl;
    TRY(m.flush_raw());
    size_t shared = 0;
    size_t limit = std::min(path.size(), m.prev_path.size());
    while (shared < limit && path[shared] == m.prev_path[shared])
        ++shared;
    m.op.clear();
    m.op.push_back(split::tag_payload);
    split::put_varint(m.op, shared);
    split::put_varint(m.op, path.size() - shared);
    m.op.insert(m.op.end(), path.begin() + static_cast<ptrdiff_t>(shared), path.end());
    split::put_varint(m.op, length);
    split::put_varint(m.op, extents.size());
    uint64_t end = 0;
    for (const auto& e : extents) {
        split::put_varint(m.op, e.offset - end);
        split::put_varint(m.op, e.length);
        end = e.offset + e.length;
    }
    TRY(m.compress(m.op, ZSTD_e_continue));
    m.prev_path.assign(path);
    m.tar_size += length;
    ++m.refs;
    return {};
}

Result<void> TarSplitWriter::add_replaced(std::string_view path, int fd, uint64_t size) {
    Impl& m = *m_impl;
    if (m.event_count >= split::k_max_events)
        return fail("layer replaces more than " + std::to_string(split::k_max_events) + " files");
    if (!m.spool) {
        if (m.spool_dir < 0) return fail("tar-split record: no place for replaced files");
        m.spool =
            TRY_CTX("keep replaced file `" + std::string(path) + "`", open_scratch(m.spool_dir));
    }
    uint64_t at = align_up(m.spool_size, split::k_side_align);
    TRY_CTX("keep replaced file `" + std::string(path) + "`",
            copy_range_sparse(fd, 0, m.spool.get(), at, size));
    m.spool_size = at + size;
    split::put_varint(m.events, path.size());
    m.events.insert(m.events.end(), path.begin(), path.end());
    split::put_varint(m.events, m.refs);
    split::put_varint(m.events, at);
    split::put_varint(m.events, size);
    ++m.event_count;
    return {};
}

uint64_t TarSplitWriter::tar_size() const {
    return m_impl->tar_size;
}

Result<TarSplitInfo> TarSplitWriter::finish() {
    Impl& m = *m_impl;
    if (m.finished) return fail("tar-split record: already finished");
    m.finished = true;
    TRY(m.flush_raw());
    m.op.clear();
    m.op.push_back(split::tag_end);
    split::put_varint(m.op, m.tar_size);
    split::put_varint(m.op, m.refs);
    TRY(m.compress(m.op, ZSTD_e_end));
    split::Header h;
    h.flags = split::k_flag_complete;
    h.tar_size = m.tar_size;
    h.payload_refs = m.refs;
    h.ops_size = m.pos - h.ops_offset;
    uint64_t end = m.pos;
    if (m.event_count > 0) {
        h.side_offset = align_up(end, split::k_side_align);
        h.side_size = m.spool_size;
        TRY_CTX("write tar-split record",
                copy_range_sparse(m.spool.get(), 0, m.fd, h.side_offset, m.spool_size));
        m.spool.reset();
        std::vector<uint8_t> packed(ZSTD_compressBound(m.events.size()));
        size_t n =
            ZSTD_compress(packed.data(), packed.size(), m.events.data(), m.events.size(), k_level);
        if (ZSTD_isError(n))
            return fail(std::string("write tar-split record: zstd: ") + ZSTD_getErrorName(n));
        h.events_offset = h.side_offset + h.side_size;
        h.events_size = n;
        h.events_count = m.event_count;
        TRY_CTX("write tar-split record", pwrite_all(m.fd, packed.data(), n, h.events_offset));
        end = h.events_offset + n;
    }
    if (::ftruncate(m.fd, static_cast<off_t>(end)) != 0)
        return fail_errno("write tar-split record");
    TRY_CTX("write tar-split record", m.write_header(h));
    return TarSplitInfo{m.tar_size, m.refs, m.event_count};
}

}  // namespace ferry::image
