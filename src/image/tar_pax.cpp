// PAX record parsing ("%d %s=%s\n", the length counting itself). Records are validated as they
// are parsed (numbers included) so that an error names the PAX header's offset; the reader then
// applies them to the entry without further checks. GNU sparse 0.0 writes its map as repeated
// GNU.sparse.offset / GNU.sparse.numbytes records; like Go's archive/tar we join them into the
// 0.1 form ("off,len,off,len").

#include "ferry/image/tar_pax.hpp"

#include <algorithm>
#include <charconv>

namespace ferry::image::tar {

bool PaxRecords::empty() const {
    if (!xattrs.empty()) return false;
    return std::find(present.begin(), present.end(), true) == present.end();
}

void PaxRecords::clear() {
    present.fill(false);
    xattrs.clear();
    bytes = 0;
}

std::optional<uint64_t> parse_pax_uint(std::string_view s) {
    uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<int64_t> parse_pax_time(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    std::string_view secs = s, frac;
    if (auto dot = s.find('.'); dot != std::string_view::npos) {
        secs = s.substr(0, dot);
        frac = s.substr(dot + 1);
    }
    auto whole = parse_pax_uint(secs);
    if (!whole || *whole > uint64_t{9'000'000'000}) return std::nullopt;
    int64_t ns = 0;
    int64_t scale = 100'000'000;
    for (char c : frac) {
        if (c < '0' || c > '9') return std::nullopt;
        ns += (c - '0') * scale;  // digits past nanoseconds are truncated
        scale /= 10;
    }
    int64_t total = static_cast<int64_t>(*whole) * 1'000'000'000 + ns;
    return negative ? -total : total;
}

namespace {

constexpr std::string_view k_xattr_prefix = "SCHILY.xattr.";

std::optional<PaxKey> key_of(std::string_view key) {
    static constexpr std::pair<std::string_view, PaxKey> k_keys[] = {
        {"path", PaxKey::path},
        {"linkpath", PaxKey::linkpath},
        {"size", PaxKey::size},
        {"uid", PaxKey::uid},
        {"gid", PaxKey::gid},
        {"uname", PaxKey::uname},
        {"gname", PaxKey::gname},
        {"mtime", PaxKey::mtime},
        {"atime", PaxKey::atime},
        {"ctime", PaxKey::ctime},
        {"GNU.sparse.major", PaxKey::sparse_major},
        {"GNU.sparse.minor", PaxKey::sparse_minor},
        {"GNU.sparse.name", PaxKey::sparse_name},
        {"GNU.sparse.size", PaxKey::sparse_size},
        {"GNU.sparse.realsize", PaxKey::sparse_size},
        {"GNU.sparse.numblocks", PaxKey::sparse_numblocks},
        {"GNU.sparse.map", PaxKey::sparse_map},
    };
    for (const auto& [name, k] : k_keys)
        if (name == key) return k;
    return std::nullopt;
}

bool is_numeric(PaxKey k) {
    return k == PaxKey::size || k == PaxKey::uid || k == PaxKey::gid || k == PaxKey::sparse_size ||
           k == PaxKey::sparse_numblocks;
}

bool is_time(PaxKey k) {
    return k == PaxKey::mtime || k == PaxKey::atime || k == PaxKey::ctime;
}

// Applies one record; an error string on a bad value.
std::optional<std::string> apply(std::string_view key, std::string_view value, PaxRecords& out) {
    if (key.starts_with(k_xattr_prefix)) {
        std::string_view name = key.substr(k_xattr_prefix.size());
        for (auto& [n, v] : out.xattrs) {
            if (n == name) {
                v.assign(value);
                return std::nullopt;
            }
        }
        out.xattrs.emplace_back(name, value);
        return std::nullopt;
    }
    if (key == "GNU.sparse.offset" || key == "GNU.sparse.numbytes") {
        if (!parse_pax_uint(value)) return "bad number in record `" + std::string(key) + "`";
        size_t i = static_cast<size_t>(PaxKey::sparse_map);
        if (!out.present[i]) out.set(PaxKey::sparse_map, "");
        if (!out.values[i].empty()) out.values[i].push_back(',');
        out.values[i].append(value);
        return std::nullopt;
    }
    auto k = key_of(key);
    if (!k) return std::nullopt;
    if (!value.empty() &&
        ((is_numeric(*k) && !parse_pax_uint(value)) || (is_time(*k) && !parse_pax_time(value))))
        return "bad number in record `" + std::string(key) + "`";
    out.set(*k, value);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_pax(std::string_view data, PaxRecords& out) {
    out.bytes += data.size();
    while (!data.empty()) {
        if (data.find_first_not_of('\0') == std::string_view::npos) break;  // NUL padding
        size_t space = data.find(' ');
        if (space == std::string_view::npos || space == 0 || space > 20) return "malformed record";
        auto len = parse_pax_uint(data.substr(0, space));
        if (!len || *len <= space + 1 || *len > data.size()) return "malformed record";
        std::string_view rec = data.substr(space + 1, *len - space - 1);
        if (rec.back() != '\n') return "malformed record";
        rec.remove_suffix(1);
        size_t eq = rec.find('=');
        if (eq == std::string_view::npos || eq == 0) return "malformed record";
        if (auto err = apply(rec.substr(0, eq), rec.substr(eq + 1), out)) return err;
        data.remove_prefix(*len);
    }
    return std::nullopt;
}

}  // namespace ferry::image::tar
