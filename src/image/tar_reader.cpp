// A tar parser driven by the bytes it is fed rather than by reads it makes. A small state
// machine (header, extension data, GNU sparse blocks, sparse 1.0 map, data, padding, trailing)
// consumes each chunk in place: whole header blocks are parsed straight from the caller's buffer
// when they are complete there and copied into a 512-byte buffer only when a chunk splits one;
// file data is handed to the visitor as sub-spans of the chunk, never copied. Extension headers
// (PAX 'x'/'g', GNU 'L'/'K') are the only data kept, capped at 1 MiB each, so memory is bounded
// whatever the archive. The rules follow Go's archive/tar, which docker uses: header-only types
// ignore their size field, a V7 regular file whose name ends in '/' is a directory, long names
// come before PAX records, and the archive may end without its end marker at a header boundary.

#include "ferry/image/tar_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "ferry/image/tar_format.hpp"
#include "ferry/image/tar_pax.hpp"

namespace ferry::image {

using tar::k_block;

namespace {

constexpr uint64_t k_max_ext = uint64_t{1} << 20;  // PAX / GNU long name / sparse map cap
constexpr size_t k_sparse_entry = 24;              // offset[12] numbytes[12]
constexpr int64_t k_max_seconds = 9'000'000'000;   // times in ns must fit in int64

enum class State { header, extension, sparse_ext, sparse_map, data, padding, trailing, failed };

using Block = std::span<const uint8_t, k_block>;

std::unexpected<Error> header_error(uint64_t at, std::string_view what) {
    return fail("invalid tar header at offset " + std::to_string(at) + ": " + std::string(what));
}

bool header_only(char typeflag) {
    return typeflag >= '1' && typeflag <= '6';
}

EntryType type_of(char typeflag) {
    switch (typeflag) {
        case '1':
            return EntryType::hardlink;
        case '2':
            return EntryType::symlink;
        case '3':
            return EntryType::char_device;
        case '4':
            return EntryType::block_device;
        case '5':
        case 'D':
            return EntryType::directory;
        case '6':
            return EntryType::fifo;
        default:
            return EntryType::regular;
    }
}

// Checks extents as Go (and BSD tar) do: in order, not overlapping, inside the logical size.
bool valid_sparse(const std::vector<SparseExtent>& extents, uint64_t real_size, uint64_t data) {
    uint64_t end = 0, total = 0;
    for (const auto& e : extents) {
        if (e.offset < end || e.length > real_size || e.offset > real_size - e.length) return false;
        end = e.offset + e.length;
        total += e.length;
    }
    return total == data;
}

// Splits a GNU 0.1 map ("off,len,off,len") or 1.0 tokens into extents.
bool parse_map_tokens(std::string_view s, char sep, std::vector<SparseExtent>& out,
                      size_t expected_pairs) {
    out.clear();
    std::vector<uint64_t> nums;
    while (!s.empty() && nums.size() < expected_pairs * 2) {
        size_t cut = s.find(sep);
        auto v = tar::parse_pax_uint(s.substr(0, cut));
        if (!v) return false;
        nums.push_back(*v);
        s = cut == std::string_view::npos ? std::string_view{} : s.substr(cut + 1);
    }
    if (nums.size() != expected_pairs * 2) return false;
    for (size_t i = 0; i < nums.size(); i += 2)
        out.push_back({nums[i], nums[i + 1]});
    return true;
}

}  // namespace

struct TarReader::Impl {
    explicit Impl(TarVisitor& v) : visitor(v) {}

    TarVisitor& visitor;
    State state = State::header;
    uint64_t offset = 0;
    std::array<uint8_t, k_block> partial{};
    size_t fill = 0;
    bool zero_seen = false;

    // The extension header being read, and the ones waiting for their entry.
    char ext_type = 0;
    uint64_t ext_size = 0;
    uint64_t ext_remaining = 0;
    uint64_t ext_offset = 0;
    std::string ext;
    tar::PaxRecords local, global;
    std::string long_name, long_link;
    bool has_long_name = false, has_long_link = false;

    // The entry being read.
    TarEntry entry;
    uint64_t header_offset = 0;
    uint64_t phys = 0;       // payload bytes after the headers (map included)
    uint64_t remaining = 0;  // bytes left in data / padding / sparse map
    uint64_t pad_total = 0;  // the padding the current entry's data needs
    uint64_t map_blocks = 0;
    bool sparse = false;  // a GNU sparse entry (old GNU or PAX 0.0 / 0.1 / 1.0)
    size_t map_newlines = 0;
    std::optional<uint64_t> map_count;

    Result<void> feed(std::span<const uint8_t> in);
    // A whole block from in (in place, or gathered in `partial` across calls); nullptr when
    // more input is needed.
    const uint8_t* take_block(std::span<const uint8_t>& in);
    // Up to left bytes from the front of in, counted off left and added to offset.
    std::span<const uint8_t> take(std::span<const uint8_t>& in, uint64_t& left);
    Result<void> on_block(Block blk, uint64_t at);
    Result<void> on_header(Block blk, uint64_t at);
    Result<void> begin_extension(Block blk, uint64_t at);
    Result<void> end_extension();
    Result<void> begin_entry(Block blk, uint64_t at);
    Result<void> fill_fields(Block blk, uint64_t at);
    void apply_pax(const tar::PaxRecords& r, const tar::PaxRecords* shadow);
    Result<void> setup_sparse(Block blk);
    Result<void> on_sparse_ext(Block blk);
    Result<void> on_map_block(Block blk);
    Result<void> emit_entry();
    Result<void> start_data();
    Result<void> start_padding();
};

TarReader::TarReader(TarVisitor& visitor) : m_impl(std::make_unique<Impl>(visitor)) {}
TarReader::~TarReader() = default;

uint64_t TarReader::offset() const {
    return m_impl->offset;
}

Result<void> TarReader::feed(std::span<const uint8_t> chunk) {
    if (m_impl->state == State::failed) return fail("tar stream: an earlier error stopped it");
    auto r = m_impl->feed(chunk);
    if (!r) m_impl->state = State::failed;
    return r;
}

Result<void> TarReader::finish() {
    Impl& m = *m_impl;
    if (m.state == State::failed) return fail("tar stream: an earlier error stopped it");
    // As Go's archive/tar (and so docker): the input may end right after an entry's data, before
    // its padding, as skopeo and umoci write layers; or at a header boundary without end marker.
    bool clean =
        m.state == State::trailing ||
        (m.state == State::padding && m.remaining == m.pad_total) ||
        (m.state == State::header && m.fill == 0 && m.local.empty() && !m.has_long_name &&
         !m.has_long_link);
    if (!clean) {
        m.state = State::failed;
        return fail("unexpected end of archive");
    }
    return {};
}

const uint8_t* TarReader::Impl::take_block(std::span<const uint8_t>& in) {
    if (fill == 0 && in.size() >= k_block) {
        const uint8_t* p = in.data();
        in = in.subspan(k_block);
        return p;
    }
    size_t n = std::min(k_block - fill, in.size());
    std::memcpy(partial.data() + fill, in.data(), n);
    fill += n;
    in = in.subspan(n);
    if (fill < k_block) return nullptr;
    fill = 0;
    return partial.data();
}

std::span<const uint8_t> TarReader::Impl::take(std::span<const uint8_t>& in, uint64_t& left) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, in.size()));
    auto part = in.first(n);
    in = in.subspan(n);
    left -= n;
    offset += n;
    return part;
}

Result<void> TarReader::Impl::feed(std::span<const uint8_t> in) {
    while (!in.empty()) {
        switch (state) {
            case State::header:
            case State::sparse_ext:
            case State::sparse_map: {
                const uint8_t* p = take_block(in);
                if (!p) return {};
                Block blk(p, k_block);
                uint64_t at = offset;
                offset += k_block;
                TRY(visitor.on_raw(blk));
                TRY(on_block(blk, at));
                break;
            }
            case State::extension: {
                auto part = take(in, ext_remaining);
                TRY(visitor.on_raw(part));
                size_t keep = std::min<size_t>(part.size(),
                                               ext_size - std::min<uint64_t>(ext_size, ext.size()));
                ext.append(reinterpret_cast<const char*>(part.data()), keep);
                if (ext_remaining == 0) TRY(end_extension());
                break;
            }
            case State::data:
                TRY(visitor.on_data(take(in, remaining)));
                if (remaining == 0) {
                    TRY(visitor.on_entry_end());
                    TRY(start_padding());
                }
                break;
            case State::padding:
                TRY(visitor.on_raw(take(in, remaining)));
                if (remaining == 0) state = State::header;
                break;
            case State::trailing: {
                uint64_t all = in.size();
                TRY(visitor.on_raw(take(in, all)));
                break;
            }
            case State::failed:
                return fail("tar stream: an earlier error stopped it");
        }
    }
    return {};
}

Result<void> TarReader::Impl::on_block(Block blk, uint64_t at) {
    switch (state) {
        case State::sparse_ext:
            return on_sparse_ext(blk);
        case State::sparse_map:
            return on_map_block(blk);
        default:
            return on_header(blk, at);
    }
}

Result<void> TarReader::Impl::on_header(Block blk, uint64_t at) {
    if (tar::is_zero_block(blk)) {
        if (zero_seen) state = State::trailing;
        zero_seen = true;
        return {};
    }
    if (zero_seen) return header_error(at, "data after a zero block");
    if (!tar::checksum_ok(blk)) return header_error(at, "checksum mismatch");
    char typeflag = static_cast<char>(blk[tar::k_typeflag]);
    if (typeflag == 'x' || typeflag == 'g' || typeflag == 'L' || typeflag == 'K')
        return begin_extension(blk, at);
    return begin_entry(blk, at);
}

Result<void> TarReader::Impl::begin_extension(Block blk, uint64_t at) {
    auto size = tar::parse_numeric(tar::field(blk, tar::k_size));
    if (!size || *size < 0) return header_error(at, "bad number in field `size`");
    ext_type = static_cast<char>(blk[tar::k_typeflag]);
    bool pax = ext_type == 'x' || ext_type == 'g';
    uint64_t held = ext_type == 'x' ? local.bytes : ext_type == 'g' ? global.bytes : 0;
    if (static_cast<uint64_t>(*size) + held > k_max_ext) {
        std::string what = pax ? "PAX header" : "GNU long name";
        return fail(what + " at offset " + std::to_string(at) + ": too large (over 1 MiB)");
    }
    ext_size = static_cast<uint64_t>(*size);
    ext_remaining = tar::round_up(ext_size);
    ext_offset = at;
    ext.clear();
    state = State::extension;
    if (ext_remaining == 0) return end_extension();
    return {};
}

Result<void> TarReader::Impl::end_extension() {
    state = State::header;
    if (ext_type == 'x' || ext_type == 'g') {
        auto err = tar::parse_pax(ext, ext_type == 'x' ? local : global);
        if (err) return fail("PAX header at offset " + std::to_string(ext_offset) + ": " + *err);
        return {};
    }
    auto value = tar::parse_string({reinterpret_cast<const uint8_t*>(ext.data()), ext.size()});
    if (ext_type == 'L') {
        long_name.assign(value);
        has_long_name = true;
    } else {
        long_link.assign(value);
        has_long_link = true;
    }
    return {};
}

Result<void> TarReader::Impl::fill_fields(Block blk, uint64_t at) {
    auto number = [&](tar::Field f, std::string_view name) -> Result<int64_t> {
        auto v = tar::parse_numeric(tar::field(blk, f));
        if (!v) return header_error(at, "bad number in field `" + std::string(name) + "`");
        return *v;
    };
    auto unsigned_number = [&](tar::Field f, std::string_view name) -> Result<uint64_t> {
        int64_t v = TRY(number(f, name));
        if (v < 0) return header_error(at, "bad number in field `" + std::string(name) + "`");
        return static_cast<uint64_t>(v);
    };
    auto seconds = [&](tar::Field f, std::string_view name) -> Result<int64_t> {
        int64_t v = TRY(number(f, name));
        if (v > k_max_seconds || v < -k_max_seconds)
            return header_error(at, "bad number in field `" + std::string(name) + "`");
        return v * 1'000'000'000;
    };
    TarEntry& e = entry;
    auto format = tar::format_of(blk);
    e.typeflag = static_cast<char>(blk[tar::k_typeflag]);
    e.path.assign(tar::parse_string(tar::field(blk, tar::k_name)));
    if (format == tar::Format::ustar || format == tar::Format::star) {
        auto prefix = tar::parse_string(
            tar::field(blk, format == tar::Format::ustar ? tar::k_prefix : tar::k_star_prefix));
        if (!prefix.empty()) e.path.insert(0, std::string(prefix) + "/");
    }
    e.linkpath.assign(tar::parse_string(tar::field(blk, tar::k_linkname)));
    e.mode = static_cast<uint32_t>(TRY(unsigned_number(tar::k_mode, "mode")) & 07777);
    e.uid = TRY(unsigned_number(tar::k_uid, "uid"));
    e.gid = TRY(unsigned_number(tar::k_gid, "gid"));
    phys = TRY(unsigned_number(tar::k_size, "size"));
    e.mtime_ns = TRY(seconds(tar::k_mtime, "mtime"));
    e.atime_ns.reset();
    e.ctime_ns.reset();
    e.uname.clear();
    e.gname.clear();
    e.dev_major = e.dev_minor = 0;
    e.xattrs.clear();
    e.sparse.clear();
    e.type = type_of(e.typeflag);
    if (e.typeflag == '\0' && e.path.ends_with('/')) e.type = EntryType::directory;
    if (format == tar::Format::v7) return {};
    e.uname.assign(tar::parse_string(tar::field(blk, tar::k_uname)));
    e.gname.assign(tar::parse_string(tar::field(blk, tar::k_gname)));
    if (e.type == EntryType::char_device || e.type == EntryType::block_device) {
        e.dev_major = static_cast<uint32_t>(TRY(unsigned_number(tar::k_devmajor, "devmajor")));
        e.dev_minor = static_cast<uint32_t>(TRY(unsigned_number(tar::k_devminor, "devminor")));
    }
    if (format == tar::Format::gnu) {
        if (blk[tar::k_gnu_atime.offset] != 0) e.atime_ns = TRY(seconds(tar::k_gnu_atime, "atime"));
        if (blk[tar::k_gnu_ctime.offset] != 0) e.ctime_ns = TRY(seconds(tar::k_gnu_ctime, "ctime"));
    }
    return {};
}

// Applies r; keys that shadow also holds are left to shadow (a local record hides a global one,
// an empty local record restoring the header's value). Global path, linkpath and size are not
// applied: they cannot sensibly name every later entry.
void TarReader::Impl::apply_pax(const tar::PaxRecords& r, const tar::PaxRecords* shadow) {
    using tar::PaxKey;
    auto value = [&](PaxKey k) -> const std::string* {
        const std::string* v = r.get(k);
        if (!v || v->empty() || (shadow && shadow->get(k))) return nullptr;
        return v;
    };
    TarEntry& e = entry;
    bool is_global = shadow != nullptr;
    if (!is_global) {
        if (auto* v = value(PaxKey::path)) e.path = *v;
        if (auto* v = value(PaxKey::linkpath)) e.linkpath = *v;
        if (auto* v = value(PaxKey::size)) phys = *tar::parse_pax_uint(*v);
    }
    if (auto* v = value(PaxKey::uid)) e.uid = *tar::parse_pax_uint(*v);
    if (auto* v = value(PaxKey::gid)) e.gid = *tar::parse_pax_uint(*v);
    if (auto* v = value(PaxKey::uname)) e.uname = *v;
    if (auto* v = value(PaxKey::gname)) e.gname = *v;
    if (auto* v = value(PaxKey::mtime)) e.mtime_ns = *tar::parse_pax_time(*v);
    if (auto* v = value(PaxKey::atime)) e.atime_ns = *tar::parse_pax_time(*v);
    if (auto* v = value(PaxKey::ctime)) e.ctime_ns = *tar::parse_pax_time(*v);
    for (const auto& [name, val] : r.xattrs) {
        auto it = std::find_if(e.xattrs.begin(), e.xattrs.end(),
                               [&](const auto& x) { return x.first == name; });
        if (it != e.xattrs.end())
            it->second = val;
        else
            e.xattrs.emplace_back(name, val);
    }
}

Result<void> TarReader::Impl::begin_entry(Block blk, uint64_t at) {
    header_offset = at;
    TRY(fill_fields(blk, at));
    if (!global.empty()) apply_pax(global, &local);
    if (has_long_name) entry.path = long_name;
    if (has_long_link) entry.linkpath = long_link;
    apply_pax(local, nullptr);
    bool no_payload = header_only(entry.typeflag) || entry.type == EntryType::directory;
    if (no_payload && entry.typeflag != 'D') phys = 0;
    entry.size = entry.real_size = phys;
    return setup_sparse(blk);
}

Result<void> TarReader::Impl::setup_sparse(Block blk) {
    using tar::PaxKey;
    TarEntry& e = entry;
    map_blocks = 0;
    sparse = e.typeflag == 'S';
    if (sparse) {
        auto real = tar::parse_numeric(tar::field(blk, tar::k_gnu_realsize));
        if (!real || *real < 0)
            return header_error(header_offset, "bad number in field `realsize`");
        e.real_size = static_cast<uint64_t>(*real);
        std::span<const uint8_t> entries = blk.subspan(tar::k_gnu_sparse);
        for (size_t i = 0; i < tar::k_gnu_sparse_entries; ++i) {
            auto ent = entries.subspan(i * k_sparse_entry, k_sparse_entry);
            if (ent[0] == 0) break;
            auto off = tar::parse_numeric(ent.first(12));
            auto len = tar::parse_numeric(ent.subspan(12, 12));
            if (!off || !len || *off < 0 || *len < 0)
                return header_error(header_offset, "bad sparse map");
            e.sparse.push_back({static_cast<uint64_t>(*off), static_cast<uint64_t>(*len)});
        }
        if (blk[tar::k_gnu_isextended] != 0) {
            state = State::sparse_ext;
            return {};
        }
        return emit_entry();
    }
    const std::string* major = local.get(PaxKey::sparse_major);
    const std::string* minor = local.get(PaxKey::sparse_minor);
    bool v1 = major && *major == "1" && minor && *minor == "0";
    bool v0 = (major && *major == "0" && minor && (*minor == "0" || *minor == "1")) ||
              (!major && !minor && local.get(PaxKey::sparse_map));
    if (!v0 && !v1) return emit_entry();
    sparse = true;
    if (const auto* name = local.get(PaxKey::sparse_name); name && !name->empty()) e.path = *name;
    if (const auto* real = local.get(PaxKey::sparse_size); real && !real->empty())
        e.real_size = *tar::parse_pax_uint(*real);
    if (v1) {
        ext.clear();
        map_newlines = 0;
        map_count.reset();
        state = State::sparse_map;
        return {};
    }
    const std::string* map = local.get(PaxKey::sparse_map);
    std::string_view text = map ? std::string_view(*map) : std::string_view{};
    size_t pairs = static_cast<size_t>(std::count(text.begin(), text.end(), ',') + 1) / 2;
    if (text.empty()) pairs = 0;
    if (const auto* nb = local.get(PaxKey::sparse_numblocks); nb && !nb->empty()) {
        if (*tar::parse_pax_uint(*nb) != pairs)
            return header_error(header_offset, "bad sparse map");
    }
    if (!parse_map_tokens(text, ',', e.sparse, pairs))
        return header_error(header_offset, "bad sparse map");
    return emit_entry();
}

Result<void> TarReader::Impl::on_sparse_ext(Block blk) {
    if (++map_blocks > k_max_ext / k_block)
        return fail("sparse map at offset " + std::to_string(header_offset) +
                    ": too large (over 1 MiB)");
    for (size_t i = 0; i < tar::k_gnu_ext_entries; ++i) {
        auto ent = blk.subspan(i * k_sparse_entry, k_sparse_entry);
        if (ent[0] == 0) break;
        auto off = tar::parse_numeric(ent.first(12));
        auto len = tar::parse_numeric(ent.subspan(12, 12));
        if (!off || !len || *off < 0 || *len < 0)
            return header_error(header_offset, "bad sparse map");
        entry.sparse.push_back({static_cast<uint64_t>(*off), static_cast<uint64_t>(*len)});
    }
    if (blk[tar::k_gnu_ext_isextended] != 0) return {};
    map_blocks = 0;
    return emit_entry();
}

Result<void> TarReader::Impl::on_map_block(Block blk) {
    // The GNU 1.0 map: newline-terminated decimals (count, then offset/length pairs) at the start
    // of the payload, padded to whole blocks.
    if (phys < k_block) return header_error(header_offset, "bad sparse map");
    phys -= k_block;
    if (++map_blocks > k_max_ext / k_block)
        return fail("sparse map at offset " + std::to_string(header_offset) +
                    ": too large (over 1 MiB)");
    ext.append(reinterpret_cast<const char*>(blk.data()), k_block);
    map_newlines += static_cast<size_t>(std::count(blk.begin(), blk.end(), uint8_t{'\n'}));
    if (!map_count) {
        if (map_newlines == 0) return {};
        map_count = tar::parse_pax_uint(std::string_view(ext).substr(0, ext.find('\n')));
        if (!map_count || *map_count > k_max_ext)
            return header_error(header_offset, "bad sparse map");
    }
    if (map_newlines < 1 + 2 * *map_count) return {};
    std::string_view text(ext);
    text.remove_prefix(text.find('\n') + 1);
    if (!parse_map_tokens(text, '\n', entry.sparse, *map_count))
        return header_error(header_offset, "bad sparse map");
    return emit_entry();
}

Result<void> TarReader::Impl::emit_entry() {
    TarEntry& e = entry;
    uint64_t map_bytes = map_blocks * k_block;
    if (sparse) {
        e.size = phys;
        if (!valid_sparse(e.sparse, e.real_size, phys))
            return header_error(header_offset, "bad sparse map");
    } else {
        e.size = e.real_size = phys;
    }
    remaining = phys;
    phys += map_bytes;  // the whole payload, for the padding after it
    local.clear();
    has_long_name = has_long_link = false;
    TRY(visitor.on_entry(e));
    return start_data();
}

Result<void> TarReader::Impl::start_data() {
    if (remaining > 0) {
        state = State::data;
        return {};
    }
    TRY(visitor.on_entry_end());
    return start_padding();
}

Result<void> TarReader::Impl::start_padding() {
    remaining = tar::padding(phys);
    pad_total = remaining;
    state = remaining > 0 ? State::padding : State::header;
    return {};
}

}  // namespace ferry::image
