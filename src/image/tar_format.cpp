// Field codecs for tar header blocks, written to accept exactly what Go's archive/tar accepts
// (docker's reader), so that an archive docker loads, ferry loads too: octal fields may be padded
// with spaces and NULs on either side, base-256 numbers are GNU's, and a checksum may be the
// signed or the unsigned byte sum.

#include "ferry/image/tar_format.hpp"

#include <algorithm>
#include <cstring>

namespace ferry::image::tar {

bool is_zero_block(std::span<const uint8_t, k_block> block) {
    static constexpr uint8_t k_zero[k_block] = {};
    return std::memcmp(block.data(), k_zero, k_block) == 0;
}

uint32_t checksum(std::span<const uint8_t, k_block> block) {
    uint32_t sum = 0;
    for (size_t i = 0; i < k_block; ++i) {
        bool in_field = i >= k_chksum.offset && i < k_chksum.offset + k_chksum.size;
        sum += in_field ? uint32_t{' '} : block[i];
    }
    return sum;
}

bool checksum_ok(std::span<const uint8_t, k_block> block) {
    uint32_t unsigned_sum = 0;
    int32_t signed_sum = 0;
    for (size_t i = 0; i < k_block; ++i) {
        bool in_field = i >= k_chksum.offset && i < k_chksum.offset + k_chksum.size;
        uint8_t c = in_field ? uint8_t{' '} : block[i];
        unsigned_sum += c;
        signed_sum += static_cast<int8_t>(c);
    }
    auto stored = parse_numeric(field(block, k_chksum));
    if (!stored) return false;
    return *stored == static_cast<int64_t>(unsigned_sum) || *stored == signed_sum;
}

Format format_of(std::span<const uint8_t, k_block> block) {
    auto magic = field(block, k_magic);
    std::string_view m(reinterpret_cast<const char*>(magic.data()), magic.size());
    if (m == k_magic_gnu) return Format::gnu;
    if (m.substr(0, 6) == k_magic_ustar.substr(0, 6)) {
        auto trailer = field(block, k_star_trailer);
        if (std::memcmp(trailer.data(), "tar\0", 4) == 0) return Format::star;
        return Format::ustar;
    }
    return Format::v7;
}

namespace {

std::optional<int64_t> parse_base256(std::span<const uint8_t> b) {
    uint8_t inv = (b[0] & 0x40) ? 0xff : 0x00;
    uint64_t x = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        uint8_t c = b[i] ^ inv;
        if (i == 0) c &= 0x7f;
        if ((x >> 56) != 0) return std::nullopt;
        x = (x << 8) | c;
    }
    if ((x >> 63) != 0) return std::nullopt;
    return inv ? ~static_cast<int64_t>(x) : static_cast<int64_t>(x);
}

}  // namespace

std::optional<int64_t> parse_numeric(std::span<const uint8_t> b) {
    if (!b.empty() && (b[0] & 0x80)) return parse_base256(b);
    auto trim = [](uint8_t c) { return c == ' ' || c == 0; };
    while (!b.empty() && trim(b.front()))
        b = b.subspan(1);
    while (!b.empty() && trim(b.back()))
        b = b.first(b.size() - 1);
    if (b.empty()) return 0;
    uint64_t x = 0;
    size_t n = 0;
    for (; n < b.size() && b[n] != 0; ++n) {
        uint8_t c = b[n];
        if (c < '0' || c > '7' || (x >> 61) != 0) return std::nullopt;
        x = (x << 3) | (c - '0');
    }
    if (n == 0 || (x >> 63) != 0) return std::nullopt;
    return static_cast<int64_t>(x);
}

std::string_view parse_string(std::span<const uint8_t> f) {
    const auto* p = reinterpret_cast<const char*>(f.data());
    const void* nul = std::memchr(p, 0, f.size());
    return {p, nul ? static_cast<size_t>(static_cast<const char*>(nul) - p) : f.size()};
}

bool format_octal(std::span<uint8_t> f, uint64_t v) {
    size_t digits = f.size() - 1;
    if (digits < 22 && (v >> (3 * digits)) != 0) return false;
    f[digits] = 0;
    for (size_t i = digits; i-- > 0;) {
        f[i] = static_cast<uint8_t>('0' + (v & 7));
        v >>= 3;
    }
    return true;
}

bool format_string(std::span<uint8_t> f, std::string_view s) {
    if (s.size() > f.size()) return false;
    if (!s.empty()) std::memcpy(f.data(), s.data(), s.size());
    std::fill(f.begin() + static_cast<ptrdiff_t>(s.size()), f.end(), uint8_t{0});
    return true;
}

}  // namespace ferry::image::tar
