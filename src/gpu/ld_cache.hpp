#pragma once
// /etc/ld.so.cache, read and written in C++: the host's cache tells where the driver libraries
// are (no ldconfig -p), and a container gets a new cache (its image's entries plus the injected
// libraries) bind-mounted over its own, so no ldconfig, and nothing the image controls, runs on
// the host side. Both formats are read: the old `ld.so-1.7.0` one (alone or followed by the new
// one, ldconfig's "compat") and the new `glibc-ld.so.cache1.1` one; the new one is written.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::gpu {

// ld.so.cache entry flags (glibc's dl-cache.h).
inline constexpr int32_t k_ld_flag_elf_libc6 = 0x0003;    // ELF, glibc
inline constexpr int32_t k_ld_flag_x8664_lib64 = 0x0300;  // x86-64
inline constexpr int32_t k_ld_flag_aarch64_lib64 = 0x0a00;
// hwcap bit marking a glibc-hwcaps subdirectory entry (its low 32 bits index the hwcaps list).
inline constexpr uint64_t k_ld_hwcap_extension = 1ull << 62;

// The flags ldconfig gives a 64-bit library of this machine (0x0303 on x86-64).
int32_t native_ld_flags();
// The flags of a 32-bit library that runs here (i386 on x86-64: 0x0003); 0 when there is none.
int32_t compat32_ld_flags();

enum class LdCacheFormat { old_only, new_only, compat };

// A view of one entry; the strings point into the parsed bytes.
struct LdCacheRef {
    std::string_view name;  // soname, the lookup key ("libcuda.so.1")
    std::string_view path;  // full path of the library
    int32_t flags = 0;
    uint64_t hwcap = 0;
};

// A parsed cache; valid while the bytes it was parsed from are.
struct LdCacheView {
    LdCacheFormat format = LdCacheFormat::new_only;
    std::vector<LdCacheRef> entries;       // in file order (ldconfig's lookup order)
    std::vector<std::string_view> hwcaps;  // glibc-hwcaps subdirectory names (new format)
};

// Parses cache bytes in one pass. Every string offset is checked against the file. Fails with
// `not an ld.so.cache` or `corrupt ld.so.cache: ...`.
Result<LdCacheView> parse_ld_cache(std::string_view data);

// An owned entry, for writing.
struct LdCacheEntry {
    std::string name;
    std::string path;
    int32_t flags = 0;
    uint64_t hwcap = 0;
};

// Builds a new-format cache (the format glibc has read since 2.2 and ldconfig writes by
// default) from entries, sorted as ldconfig sorts them so glibc's binary search finds them:
// names in descending _dl_cache_libcmp order, then higher flags first, glibc-hwcaps entries
// before plain ones; entries that tie keep their order. hwcaps are the subdirectory names that
// extension entries index.
std::string write_ld_cache(std::vector<LdCacheEntry> entries,
                           const std::vector<std::string>& hwcaps = {});

// glibc's _dl_cache_libcmp: strcmp, except that runs of digits compare as numbers.
int ld_cache_libcmp(std::string_view a, std::string_view b);

}  // namespace ferry::gpu
