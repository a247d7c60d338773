// ld.so.cache, following glibc's elf/dl-cache.h and ldconfig's cache.c.
//
// Old format: "ld.so-1.7.0" (11 bytes, padded to 12), nlibs (u32), then nlibs entries of
// {flags i32, key u32, value u32}; string offsets count from the end of the entries.
// New format: "glibc-ld.so.cache" "1.1", nlibs, len_strings, flags (endianness), 3 padding
// bytes, extension_offset, 3 unused u32 (48 bytes), then nlibs entries of {flags, key, value,
// osversion u32, hwcap u64}; string offsets count from the new header. ldconfig's "compat"
// output puts an old cache first and the new one after it, aligned to 8; glibc then reads the
// new part, and so do we. The optional extension directory (glibc 2.33+) holds the generator
// string and the glibc-hwcaps subdirectory names; offsets in it count from the file start.
//
// Writing produces the new format with entries in ldconfig's order: glibc looks names up by
// binary search, so the order is part of the format.

#include "ferry/gpu/ld_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ferry::gpu {

namespace {

constexpr std::string_view k_old_magic = "ld.so-1.7.0";
constexpr std::string_view k_new_magic = "glibc-ld.so.cache1.1";
constexpr size_t k_old_header = 16;
constexpr size_t k_old_entry = 12;
constexpr size_t k_new_header = 48;
constexpr size_t k_new_entry = 24;
constexpr uint32_t k_extension_magic = 0xeaa42174u;
constexpr uint32_t k_tag_generator = 0;
constexpr uint32_t k_tag_glibc_hwcaps = 1;
constexpr uint8_t k_endian_little = 2;
constexpr uint8_t k_endian_big = 3;

template <class T>
T load(std::string_view data, size_t offset) {
    T v;
    std::memcpy(&v, data.data() + offset, sizeof v);
    return v;
}

template <class T>
void store(std::string& out, size_t offset, T v) {
    std::memcpy(out.data() + offset, &v, sizeof v);
}

size_t align(size_t n, size_t to) {
    return (n + to - 1) & ~(to - 1);
}

// The NUL-terminated string at base + offset, or an error when it runs past the end.
Result<std::string_view> string_at(std::string_view data, size_t base, uint32_t offset) {
    size_t start = base + offset;
    if (start >= data.size()) return fail("corrupt ld.so.cache: string offset out of range");
    size_t end = data.find('\0', start);
    if (end == std::string_view::npos) return fail("corrupt ld.so.cache: unterminated string");
    return data.substr(start, end - start);
}

Result<void> parse_extensions(std::string_view data, uint32_t offset, size_t string_base,
                              LdCacheView& view) {
    if (offset == 0) return {};
    if (offset % 4 != 0 || size_t{offset} + 8 > data.size())
        return fail("corrupt ld.so.cache: bad extension offset");
    if (load<uint32_t>(data, offset) != k_extension_magic) return {};  // unknown: ignore
    uint32_t count = load<uint32_t>(data, offset + 4);
    if ((data.size() - offset - 8) / 16 < count)
        return fail("corrupt ld.so.cache: truncated extension directory");
    for (uint32_t i = 0; i < count; ++i) {
        size_t s = offset + 8 + size_t{i} * 16;
        uint32_t tag = load<uint32_t>(data, s);
        uint32_t where = load<uint32_t>(data, s + 8);
        uint32_t size = load<uint32_t>(data, s + 12);
        if (size_t{where} + size > data.size())
            return fail("corrupt ld.so.cache: extension section out of range");
        if (tag != k_tag_glibc_hwcaps) continue;
        if (where % 4 != 0 || size % 4 != 0)
            return fail("corrupt ld.so.cache: misaligned glibc-hwcaps section");
        for (uint32_t k = 0; k < size / 4; ++k)
            view.hwcaps.push_back(
                TRY(string_at(data, string_base, load<uint32_t>(data, where + k * 4))));
    }
    return {};
}

Result<void> parse_new(std::string_view data, size_t base, LdCacheView& view) {
    if (data.size() < base + k_new_header) return fail("corrupt ld.so.cache: truncated header");
    uint32_t nlibs = load<uint32_t>(data, base + 20);
    uint8_t endian = load<uint8_t>(data, base + 28) & 3;
    if (endian == 1 ||
        endian == (std::endian::native == std::endian::little ? k_endian_big : k_endian_little))
        return fail("corrupt ld.so.cache: wrong byte order");
    uint32_t extension = load<uint32_t>(data, base + 32);
    if ((data.size() - base - k_new_header) / k_new_entry < nlibs)
        return fail("corrupt ld.so.cache: truncated entries");
    view.entries.reserve(nlibs);
    for (uint32_t i = 0; i < nlibs; ++i) {
        size_t e = base + k_new_header + size_t{i} * k_new_entry;
        LdCacheRef ref;
        ref.flags = load<int32_t>(data, e);
        ref.name = TRY(string_at(data, base, load<uint32_t>(data, e + 4)));
        ref.path = TRY(string_at(data, base, load<uint32_t>(data, e + 8)));
        ref.hwcap = load<uint64_t>(data, e + 16);
        view.entries.push_back(ref);
    }
    return parse_extensions(data, extension, base, view);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_extension(uint64_t hwcap) {
    return (hwcap >> 32) == (k_ld_hwcap_extension >> 32);
}

}  // namespace

int32_t native_ld_flags() {
#if defined(__x86_64__)
    return k_ld_flag_elf_libc6 | k_ld_flag_x8664_lib64;
#elif defined(__aarch64__)
    return k_ld_flag_elf_libc6 | k_ld_flag_aarch64_lib64;
#else
    return k_ld_flag_elf_libc6;
#endif
}

int32_t compat32_ld_flags() {
#if defined(__x86_64__)
    return k_ld_flag_elf_libc6;
#else
    return 0;
#endif
}

Result<LdCacheView> parse_ld_cache(std::string_view data) {
    LdCacheView view;
    if (data.starts_with(k_old_magic)) {
        if (data.size() < k_old_header) return fail("corrupt ld.so.cache: truncated header");
        uint32_t nlibs = load<uint32_t>(data, 12);
        if ((data.size() - k_old_header) / k_old_entry < nlibs)
            return fail("corrupt ld.so.cache: truncated entries");
        size_t new_at = align(k_old_header + size_t{nlibs} * k_old_entry, 8);
        if (data.size() >= new_at + k_new_header &&
            data.substr(new_at, k_new_magic.size()) == k_new_magic) {
            view.format = LdCacheFormat::compat;
            TRY(parse_new(data, new_at, view));
            return view;
        }
        view.format = LdCacheFormat::old_only;
        size_t strings = k_old_header + size_t{nlibs} * k_old_entry;
        view.entries.reserve(nlibs);
        for (uint32_t i = 0; i < nlibs; ++i) {
            size_t e = k_old_header + size_t{i} * k_old_entry;
            LdCacheRef ref;
            ref.flags = load<int32_t>(data, e);
            ref.name = TRY(string_at(data, strings, load<uint32_t>(data, e + 4)));
            ref.path = TRY(string_at(data, strings, load<uint32_t>(data, e + 8)));
            view.entries.push_back(ref);
        }
        return view;
    }
    if (data.starts_with(k_new_magic)) {
        view.format = LdCacheFormat::new_only;
        TRY(parse_new(data, 0, view));
        return view;
    }
    return fail("not an ld.so.cache");
}

int ld_cache_libcmp(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    auto at = [](std::string_view s, size_t k) -> signed char {
        return k < s.size() ? static_cast<signed char>(s[k]) : 0;
    };
    while (i < a.size()) {
        char ca = a[i], cb = static_cast<char>(at(b, j));
        if (is_digit(ca)) {
            if (!is_digit(cb)) return 1;
            int64_t v1 = 0, v2 = 0;
            while (i < a.size() && is_digit(a[i]))
                v1 = v1 * 10 + (a[i++] - '0');
            while (j < b.size() && is_digit(b[j]))
                v2 = v2 * 10 + (b[j++] - '0');
            if (v1 != v2) return v1 < v2 ? -1 : 1;
        } else if (is_digit(cb)) {
            return -1;
        } else if (ca != cb) {
            return static_cast<signed char>(ca) - static_cast<signed char>(cb);
        } else {
            ++i, ++j;
        }
    }
    return -at(b, j);
}

std::string write_ld_cache(std::vector<LdCacheEntry> entries,
                           const std::vector<std::string>& hwcaps) {
    auto before = [](const LdCacheEntry& x, const LdCacheEntry& y) {
        int c = ld_cache_libcmp(y.name, x.name);
        if (c != 0) return c < 0;
        if (x.flags != y.flags) return x.flags > y.flags;
        return is_extension(x.hwcap) && !is_extension(y.hwcap);
    };
    // Usually an image's sorted cache followed by a few new entries: sort the tail, merge.
    auto sorted_end = std::is_sorted_until(entries.begin(), entries.end(), before);
    std::stable_sort(sorted_end, entries.end(), before);
    std::inplace_merge(entries.begin(), sorted_end, entries.end(), before);

    // String table right after the entries; offsets count from the file start.
    const size_t strings_at = k_new_header + entries.size() * k_new_entry;
    std::string strings;
    strings.reserve(entries.size() * 64);
    auto intern = [&](std::string_view s) -> uint32_t {
        auto at = static_cast<uint32_t>(strings_at + strings.size());
        strings.append(s).push_back('\0');
        return at;
    };
    std::vector<std::pair<uint32_t, uint32_t>> keys;
    keys.reserve(entries.size());
    for (const auto& e : entries)
        keys.emplace_back(intern(e.name), intern(e.path));
    std::vector<uint32_t> hwcap_offsets;
    for (const auto& h : hwcaps)
        hwcap_offsets.push_back(intern(h));

    const std::string generator = "ferry";
    const size_t ext_at = align(strings_at + strings.size(), 4);
    const uint32_t sections = hwcaps.empty() ? 1 : 2;
    const size_t gen_at = ext_at + 8 + sections * 16;
    const size_t hw_at = align(gen_at + generator.size(), 4);
    const size_t total = hwcaps.empty() ? gen_at + generator.size() : hw_at + hwcaps.size() * 4;

    std::string out(total, '\0');
    std::memcpy(out.data(), k_new_magic.data(), k_new_magic.size());
    store<uint32_t>(out, 20, static_cast<uint32_t>(entries.size()));
    store<uint32_t>(out, 24, static_cast<uint32_t>(strings.size()));
    store<uint8_t>(out, 28,
                   std::endian::native == std::endian::little ? k_endian_little : k_endian_big);
    store<uint32_t>(out, 32, static_cast<uint32_t>(ext_at));
    for (size_t i = 0; i < entries.size(); ++i) {
        size_t e = k_new_header + i * k_new_entry;
        store<int32_t>(out, e, entries[i].flags);
        store<uint32_t>(out, e + 4, keys[i].first);
        store<uint32_t>(out, e + 8, keys[i].second);
        store<uint64_t>(out, e + 16, entries[i].hwcap);
    }
    std::memcpy(out.data() + strings_at, strings.data(), strings.size());
    store<uint32_t>(out, ext_at, k_extension_magic);
    store<uint32_t>(out, ext_at + 4, sections);
    store<uint32_t>(out, ext_at + 8, k_tag_generator);
    store<uint32_t>(out, ext_at + 16, static_cast<uint32_t>(gen_at));
    store<uint32_t>(out, ext_at + 20, static_cast<uint32_t>(generator.size()));
    std::memcpy(out.data() + gen_at, generator.data(), generator.size());
    if (!hwcaps.empty()) {
        store<uint32_t>(out, ext_at + 24, k_tag_glibc_hwcaps);
        store<uint32_t>(out, ext_at + 32, static_cast<uint32_t>(hw_at));
        store<uint32_t>(out, ext_at + 36, static_cast<uint32_t>(hwcaps.size() * 4));
        for (size_t i = 0; i < hwcap_offsets.size(); ++i)
            store<uint32_t>(out, hw_at + i * 4, hwcap_offsets[i]);
    }
    return out;
}

}  // namespace ferry::gpu
