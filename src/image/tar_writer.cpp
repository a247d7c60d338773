// Each entry becomes one ustar header block, preceded by a PAX 'x' header only when some value
// cannot be said in ustar, as Go's archive/tar does (so docker and every tar read the result the
// same way). PAX records are sorted by key and the PAX header's own fields are fixed, so equal
// input gives equal bytes. File data goes straight from the caller (a span, an fd via the sink's
// copy_from, or a stream through payload()) to the sink, followed by zero padding.

#include "ferry/image/tar_writer.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "ferry/image/tar_format.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

using tar::k_block;

namespace {

constexpr uint64_t k_max_octal_7 = (uint64_t{1} << 21) - 1;   // 8-byte fields
constexpr uint64_t k_max_octal_11 = (uint64_t{1} << 33) - 1;  // 12-byte fields
constexpr uint8_t k_zeros[k_block * 2] = {};

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u != 0 && u < 0x80;
    });
}

// "%d key=value\n" where the length counts itself.
void append_record(std::string& out, std::string_view key, std::string_view value) {
    size_t base = key.size() + value.size() + 3;  // space, '=', '\n'
    size_t len = base + std::to_string(base).size();
    if (std::to_string(len).size() + base != len) len = base + std::to_string(len).size();
    out.append(std::to_string(len)).append(" ").append(key).append("=").append(value).append("\n");
}

std::string format_time(int64_t ns) {
    bool negative = ns < 0;
    uint64_t abs = negative ? uint64_t(0) - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
    std::string out = (negative ? "-" : "") + std::to_string(abs / 1'000'000'000);
    uint64_t frac = abs % 1'000'000'000;
    if (frac != 0) {
        std::string digits = std::to_string(frac);
        digits.insert(0, 9 - digits.size(), '0');
        while (digits.back() == '0')
            digits.pop_back();
        out.append(".").append(digits);
    }
    return out;
}

// Splits name into ustar prefix and name fields, if it can be.
bool split_ustar(std::string_view name, std::string_view& prefix, std::string_view& rest) {
    if (name.size() <= 100) {
        prefix = {};
        rest = name;
        return true;
    }
    for (size_t i = std::min<size_t>(name.size() - 1, 155); i > 0; --i) {
        if (name[i] != '/') continue;
        if (name.size() - i - 1 > 100 || name.size() - i - 1 == 0) return false;
        prefix = name.substr(0, i);
        rest = name.substr(i + 1);
        return true;
    }
    return false;
}

void set_checksum(std::array<uint8_t, k_block>& h) {
    uint32_t sum = tar::checksum(std::span<const uint8_t, k_block>(h));
    auto f = std::span<uint8_t>(h).subspan(tar::k_chksum.offset, tar::k_chksum.size);
    tar::format_octal(f.first(7), sum);  // six digits and a NUL
    f[7] = ' ';
}

std::span<uint8_t> field(std::array<uint8_t, k_block>& h, tar::Field f) {
    return std::span<uint8_t>(h).subspan(f.offset, f.size);
}

void start_block(std::array<uint8_t, k_block>& h, char typeflag) {
    h.fill(0);
    h[tar::k_typeflag] = static_cast<uint8_t>(typeflag);
    std::copy(tar::k_magic_ustar.begin(), tar::k_magic_ustar.end(),
              h.begin() + tar::k_magic.offset);
}

}  // namespace

TarWriter::TarWriter(TarSink& sink) : m_sink(sink), m_payload(*this) {}

Result<void> TarWriter::emit(std::span<const uint8_t> bytes) {
    TRY(m_sink.write(bytes));
    m_written += bytes.size();
    return {};
}

Result<void> TarWriter::pad(uint64_t size) {
    uint64_t n = tar::padding(size);
    if (n == 0) return {};
    return emit({k_zeros, static_cast<size_t>(n)});
}

namespace {

using PaxMap = std::map<std::string, std::string>;
using Header = std::array<uint8_t, k_block>;

// Names: ustar name (and prefix) when ASCII and short enough, else a PAX record.
void fill_names(Header& h, const std::string& name, const std::string& linkpath, PaxMap& pax) {
    std::string_view prefix, rest;
    if (is_ascii(name) && split_ustar(name, prefix, rest)) {
        tar::format_string(field(h, tar::k_name), rest);
        tar::format_string(field(h, tar::k_prefix), prefix);
    } else {
        pax["path"] = name;
        tar::format_string(field(h, tar::k_name), std::string_view(name).substr(0, 100));
    }
    if (linkpath.empty()) return;
    if (is_ascii(linkpath) && linkpath.size() <= 100)
        tar::format_string(field(h, tar::k_linkname), linkpath);
    else
        pax["linkpath"] = linkpath;
}

// Numbers and owner names: octal / ASCII when they fit, else PAX records.
void fill_fields(Header& h, const TarEntry& e, uint64_t size, PaxMap& pax) {
    tar::format_octal(field(h, tar::k_mode), e.mode & 07777);
    auto number = [&](tar::Field f, uint64_t v, uint64_t max, const char* key) {
        tar::format_octal(field(h, f), v <= max ? v : 0);
        if (v > max) pax[key] = std::to_string(v);
    };
    number(tar::k_uid, e.uid, k_max_octal_7, "uid");
    number(tar::k_gid, e.gid, k_max_octal_7, "gid");
    number(tar::k_size, size, k_max_octal_11, "size");
    int64_t secs = e.mtime_ns / 1'000'000'000;
    if (e.mtime_ns < 0 || e.mtime_ns % 1'000'000'000 != 0 ||
        static_cast<uint64_t>(secs) > k_max_octal_11) {
        pax["mtime"] = format_time(e.mtime_ns);
        secs = std::clamp<int64_t>(secs, 0, static_cast<int64_t>(k_max_octal_11));
    }
    tar::format_octal(field(h, tar::k_mtime), static_cast<uint64_t>(secs));
    if (e.atime_ns) pax["atime"] = format_time(*e.atime_ns);
    if (e.ctime_ns) pax["ctime"] = format_time(*e.ctime_ns);
    auto text = [&](tar::Field f, const std::string& v, const char* key) {
        if (is_ascii(v) && v.size() <= f.size)
            tar::format_string(field(h, f), v);
        else
            pax[key] = v;
    };
    text(tar::k_uname, e.uname, "uname");
    text(tar::k_gname, e.gname, "gname");
    for (const auto& [k, v] : e.xattrs)
        pax["SCHILY.xattr." + k] = v;
}

// The PAX header block for an entry named name: "dir/PaxHeaders.0/base", as Go names it.
Header pax_header(std::string_view name, size_t data_size) {
    Header x;
    start_block(x, 'x');
    while (name.ends_with('/'))
        name.remove_suffix(1);
    size_t slash = name.rfind('/');
    std::string xname = slash == std::string_view::npos
                            ? "PaxHeaders.0/" + std::string(name)
                            : std::string(name.substr(0, slash + 1)) + "PaxHeaders.0/" +
                                  std::string(name.substr(slash + 1));
    tar::format_string(field(x, tar::k_name), std::string_view(xname).substr(0, 100));
    tar::format_octal(field(x, tar::k_mode), 0644);
    for (tar::Field f : {tar::k_uid, tar::k_gid, tar::k_mtime, tar::k_devmajor, tar::k_devminor})
        tar::format_octal(field(x, f), 0);
    tar::format_octal(field(x, tar::k_size), data_size);
    set_checksum(x);
    return x;
}

}  // namespace

Result<void> TarWriter::write_headers(const TarEntry& e, char typeflag, uint64_t size) {
    if (m_in_file) return fail("tar: `" + printable(m_file_name) + "` is not complete");
    PaxMap pax;
    Header h;
    start_block(h, typeflag);
    std::string name = e.path;
    if (typeflag == '5' && !name.ends_with('/')) name.push_back('/');
    fill_names(h, name, e.linkpath, pax);
    fill_fields(h, e, size, pax);
    bool device = typeflag == '3' || typeflag == '4';
    if (device && (e.dev_major > k_max_octal_7 || e.dev_minor > k_max_octal_7))
        return fail("tar: device numbers of `" + printable(e.path) + "` too large");
    tar::format_octal(field(h, tar::k_devmajor), device ? e.dev_major : 0);
    tar::format_octal(field(h, tar::k_devminor), device ? e.dev_minor : 0);
    if (!pax.empty()) {
        std::string data;
        for (const auto& [k, v] : pax)
            append_record(data, k, v);
        TRY(emit(pax_header(name, data.size())));
        TRY(emit({reinterpret_cast<const uint8_t*>(data.data()), data.size()}));
        TRY(pad(data.size()));
    }
    set_checksum(h);
    return emit(h);
}

Result<void> TarWriter::add_file(const TarEntry& entry, std::span<const uint8_t> data) {
    if (data.size() != entry.size)
        return fail("tar: data of `" + printable(entry.path) + "` is not entry.size bytes");
    TRY(write_headers(entry, '0', entry.size));
    TRY(emit(data));
    return pad(entry.size);
}

Result<void> TarWriter::add_file(const TarEntry& entry, int fd) {
    TRY(write_headers(entry, '0', entry.size));
    TRY_CTX("tar: `" + printable(entry.path) + "`", m_sink.copy_from(fd, 0, entry.size));
    m_written += entry.size;
    return pad(entry.size);
}

Result<void> TarWriter::begin_file(const TarEntry& entry) {
    TRY(write_headers(entry, '0', entry.size));
    m_in_file = true;
    m_file_size = entry.size;
    m_file_done = 0;
    m_file_name = entry.path;
    return {};
}

TarSink& TarWriter::payload() {
    return m_payload;
}

Result<void> TarWriter::Payload::write(std::span<const uint8_t> bytes) {
    TarWriter& w = m_writer;
    if (!w.m_in_file || bytes.size() > w.m_file_size - w.m_file_done)
        return fail("tar: more data than the size of `" + printable(w.m_file_name) + "`");
    w.m_file_done += bytes.size();
    return w.emit(bytes);
}

Result<void> TarWriter::Payload::copy_from(int fd, uint64_t offset, uint64_t len) {
    TarWriter& w = m_writer;
    if (!w.m_in_file || len > w.m_file_size - w.m_file_done)
        return fail("tar: more data than the size of `" + printable(w.m_file_name) + "`");
    TRY(w.m_sink.copy_from(fd, offset, len));
    w.m_file_done += len;
    w.m_written += len;
    return {};
}

Result<void> TarWriter::end_file() {
    if (!m_in_file) return fail("tar: no file begun");
    if (m_file_done != m_file_size)
        return fail("tar: `" + printable(m_file_name) + "` got " + std::to_string(m_file_done) +
                    " of " + std::to_string(m_file_size) + " bytes");
    m_in_file = false;
    return pad(m_file_size);
}

Result<void> TarWriter::add_directory(const TarEntry& entry) {
    return write_headers(entry, '5', 0);
}

Result<void> TarWriter::add_symlink(const TarEntry& entry) {
    return write_headers(entry, '2', 0);
}

Result<void> TarWriter::add_hardlink(const TarEntry& entry) {
    return write_headers(entry, '1', 0);
}

Result<void> TarWriter::add_device(const TarEntry& entry) {
    switch (entry.type) {
        case EntryType::char_device:
            return write_headers(entry, '3', 0);
        case EntryType::block_device:
            return write_headers(entry, '4', 0);
        case EntryType::fifo:
            return write_headers(entry, '6', 0);
        default:
            return fail("tar: `" + printable(entry.path) + "` is not a device or fifo");
    }
}

Result<void> TarWriter::add_whiteout(std::string_view path, int64_t mtime_ns) {
    while (path.ends_with('/'))
        path.remove_suffix(1);
    size_t slash = path.rfind('/');
    TarEntry e;
    e.path = slash == std::string_view::npos ? ".wh." + std::string(path)
                                             : std::string(path.substr(0, slash + 1)) + ".wh." +
                                                   std::string(path.substr(slash + 1));
    e.mtime_ns = mtime_ns;
    return write_headers(e, '0', 0);
}

Result<void> TarWriter::add_opaque(std::string_view dir, int64_t mtime_ns) {
    while (dir.ends_with('/'))
        dir.remove_suffix(1);
    TarEntry e;
    e.path = dir.empty() ? ".wh..wh..opq" : std::string(dir) + "/.wh..wh..opq";
    e.mtime_ns = mtime_ns;
    return write_headers(e, '0', 0);
}

Result<uint64_t> TarWriter::finish() {
    if (m_in_file) return fail("tar: `" + printable(m_file_name) + "` is not complete");
    TRY(emit(k_zeros));
    return m_written;
}

}  // namespace ferry::image
