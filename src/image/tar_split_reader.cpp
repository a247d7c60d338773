// Reads a tar-split record back as a stream of segments. The ops stream is decompressed into a
// 256 KiB window; raw operations are handed out as spans of that window (a long one in several
// pieces), so memory stays fixed whatever the layer. The (usually empty) list of replaced files
// is loaded whole at open, as a map from path to the replacements in order; a payload reference
// to a path then reads from the side copy of the first replacement that came after it.

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "ferry/image/tar_split.hpp"
#include "ferry/image/tar_split_format.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_window = size_t{256} << 10;

struct DCtxDeleter {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

std::unexpected<Error> corrupt() {
    return fail("tar-split record: corrupt");
}

// A replacement: refs written before it, and where its copy is.
struct Event {
    uint64_t refs;
    uint64_t offset;
    uint64_t size;
};

Result<split::Header> read_header(int fd) {
    uint8_t buf[split::k_header_size];
    auto r = fs::pread_exact(fd, buf, sizeof buf, 0);
    if (!r) {
        if (r.error().sys_errno == 0) return fail("tar-split record: too short");
        return std::unexpected(std::move(r.error()).prefix("tar-split record"));
    }
    if (std::memcmp(buf, split::k_magic.data(), split::k_magic.size()) != 0)
        return fail("tar-split record: not a record (bad magic)");
    uint32_t version = split::get_u32(buf + 8);
    if (version != split::k_version)
        return fail("tar-split record: unsupported version " + std::to_string(version));
    split::Header h;
    h.flags = split::get_u32(buf + 12);
    if (!(h.flags & split::k_flag_complete)) return fail("tar-split record: incomplete");
    uint64_t* fields[] = {&h.tar_size,      &h.payload_refs, &h.ops_offset,
                          &h.ops_size,      &h.side_offset,  &h.side_size,
                          &h.events_offset, &h.events_size,  &h.events_count};
    for (size_t i = 0; i < std::size(fields); ++i)
        *fields[i] = split::get_u64(buf + 16 + 8 * i);
    return h;
}

}  // namespace

struct TarSplitReader::Impl {
    int fd = -1;
    split::Header header;
    TarSplitInfo info;
    std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx;
    std::vector<uint8_t> in;
    size_t in_pos = 0, in_len = 0;
    uint64_t file_pos = 0, file_end = 0;
    std::vector<uint8_t> buf;
    size_t begin = 0, end = 0;
    uint64_t raw_left = 0;
    uint64_t seen = 0;  // tar bytes described so far
    uint64_t ref_index = 0;
    bool done = false;
    std::string path;
    std::vector<SparseExtent> extents;
    std::unordered_map<std::string, std::vector<Event>> events;

    Result<void> load_events();
    Result<bool> fill();
    Result<uint64_t> varint();
    Result<uint8_t> byte();
    Result<void> append(std::string& dst, uint64_t n);
    Result<void> read_payload(TarSplitSegment& out);
};

TarSplitReader::TarSplitReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TarSplitReader::TarSplitReader(TarSplitReader&&) noexcept = default;
TarSplitReader& TarSplitReader::operator=(TarSplitReader&&) noexcept = default;
TarSplitReader::~TarSplitReader() = default;

Result<TarSplitInfo> read_tar_split_info(int fd) {
    auto h = TRY(read_header(fd));
    return TarSplitInfo{h.tar_size, h.payload_refs, h.events_count};
}

Result<TarSplitReader> TarSplitReader::open(int fd) {
    auto impl = std::make_unique<Impl>();
    impl->fd = fd;
    impl->header = TRY(read_header(fd));
    const auto& h = impl->header;
    impl->info = TarSplitInfo{h.tar_size, h.payload_refs, h.events_count};
    impl->dctx.reset(ZSTD_createDCtx());
    if (!impl->dctx) return fail("tar-split record: cannot start zstd");
    impl->in.resize(ZSTD_DStreamInSize());
    impl->buf.resize(k_window);
    impl->file_pos = h.ops_offset;
    impl->file_end = h.ops_offset + h.ops_size;
    if (impl->file_end < impl->file_pos) return corrupt();
    if (h.events_count > 0) TRY(impl->load_events());
    return TarSplitReader(std::move(impl));
}

const TarSplitInfo& TarSplitReader::info() const {
    return m_impl->info;
}

Result<void> TarSplitReader::Impl::load_events() {
    if (header.events_size > split::k_max_events_bytes || header.events_count > split::k_max_events)
        return corrupt();
    std::vector<uint8_t> packed(header.events_size);
    TRY_CTX("tar-split record",
            fs::pread_exact(fd, packed.data(), packed.size(), header.events_offset));
    unsigned long long raw_size = ZSTD_getFrameContentSize(packed.data(), packed.size());
    if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
        raw_size > split::k_max_events_bytes)
        return corrupt();
    std::vector<uint8_t> raw(raw_size);
    size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
    if (ZSTD_isError(n) || n != raw.size()) return corrupt();
    const uint8_t* p = raw.data();
    const uint8_t* e = p + raw.size();
    for (uint64_t i = 0; i < header.events_count; ++i) {
        uint64_t len, refs, offset, size;
        if (!split::get_varint(p, e, len) || len > static_cast<uint64_t>(e - p)) return corrupt();
        std::string name(reinterpret_cast<const char*>(p), len);
        p += len;
        if (!split::get_varint(p, e, refs) || !split::get_varint(p, e, offset) ||
            !split::get_varint(p, e, size) || offset + size > header.side_size)
            return corrupt();
        events[name].push_back({refs, header.side_offset + offset, size});
    }
    return {};
}

// Decompresses more bytes into the window; false at the end of the ops stream.
Result<bool> TarSplitReader::Impl::fill() {
    if (begin == end) begin = end = 0;
    if (end == buf.size()) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
    }
    for (;;) {
        if (in_pos == in_len && file_pos < file_end) {
            size_t want = static_cast<size_t>(std::min<uint64_t>(in.size(), file_end - file_pos));
            auto r = fs::pread_exact(fd, in.data(), want, file_pos);
            if (!r) {
                if (r.error().sys_errno == 0) return corrupt();  // shorter than its header says
                return std::unexpected(std::move(r.error()).prefix("tar-split record"));
            }
            file_pos += want;
            in_pos = 0;
            in_len = want;
        }
        ZSTD_inBuffer ib{in.data(), in_len, in_pos};
        ZSTD_outBuffer ob{buf.data() + end, buf.size() - end, 0};
        size_t r = ZSTD_decompressStream(dctx.get(), &ob, &ib);
        if (ZSTD_isError(r)) return corrupt();
        in_pos = ib.pos;
        end += ob.pos;
        if (ob.pos > 0) return true;
        if (in_pos == in_len && file_pos == file_end) return false;
    }
}

Result<uint8_t> TarSplitReader::Impl::byte() {
    if (begin == end && !TRY(fill())) return corrupt();
    return buf[begin++];
}

Result<uint64_t> TarSplitReader::Impl::varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = TRY(byte());
        v |= uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) return v;
    }
    return corrupt();
}

Result<void> TarSplitReader::Impl::append(std::string& dst, uint64_t n) {
    while (n > 0) {
        if (begin == end && !TRY(fill())) return corrupt();
        size_t take = static_cast<size_t>(std::min<uint64_t>(n, end - begin));
        dst.append(reinterpret_cast<const char*>(buf.data() + begin), take);
        begin += take;
        n -= take;
    }
    return {};
}

Result<void> TarSplitReader::Impl::read_payload(TarSplitSegment& out) {
    uint64_t shared = TRY(varint());
    uint64_t suffix = TRY(varint());
    if (shared > path.size() || suffix > split::k_max_path) return corrupt();
    path.resize(shared);
    TRY(append(path, suffix));
    uint64_t length = TRY(varint());
    uint64_t count = TRY(varint());
    if (count > split::k_max_extents) return corrupt();
    extents.clear();
    uint64_t at = 0, total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t gap = TRY(varint());
        uint64_t len = TRY(varint());
        extents.push_back({at + gap, len});
        at += gap + len;
        total += len;
    }
    if (count == 0) {
        extents.push_back({0, length});
        total = length;
    }
    if (total != length) return corrupt();
    out = TarSplitSegment{};
    out.kind = TarSplitSegment::Kind::payload;
    out.path = path;
    out.length = length;
    out.extents = extents;
    if (!events.empty()) {
        auto it = events.find(path);
        if (it != events.end()) {
            auto ev = std::upper_bound(it->second.begin(), it->second.end(), ref_index,
                                       [](uint64_t i, const Event& e) { return i < e.refs; });
            if (ev != it->second.end()) {
                out.side_offset = ev->offset;
                out.side_size = ev->size;
            }
        }
    }
    ++ref_index;
    seen += length;
    return {};
}

Result<bool> TarSplitReader::next(TarSplitSegment& out) {
    Impl& m = *m_impl;
    for (;;) {
        if (m.raw_left > 0) {
            if (m.begin == m.end && !TRY(m.fill())) return corrupt();
            size_t n = static_cast<size_t>(std::min<uint64_t>(m.raw_left, m.end - m.begin));
            out = TarSplitSegment{};
            out.raw = {m.buf.data() + m.begin, n};
            m.begin += n;
            m.raw_left -= n;
            return true;
        }
        if (m.done) return false;
        switch (TRY(m.byte())) {
            case split::tag_raw:
                m.raw_left = TRY(m.varint());
                m.seen += m.raw_left;
                if (m.seen > m.header.tar_size) return corrupt();
                break;
            case split::tag_payload:
                TRY(m.read_payload(out));
                return true;
            case split::tag_end: {
                uint64_t size = TRY(m.varint());
                uint64_t refs = TRY(m.varint());
                if (size != m.header.tar_size || size != m.seen || refs != m.ref_index ||
                    refs != m.header.payload_refs)
                    return corrupt();
                m.done = true;
                return false;
            }
            default:
                return corrupt();
        }
    }
}

}  // namespace ferry::image
