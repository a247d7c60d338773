#pragma once
// The on-disk layout of a tar header block (ustar, old GNU and star variants) and the number
// and string encodings of its fields. Internal to image/: the reader parses with it, the writer
// formats with it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ferry::image::tar {

inline constexpr size_t k_block = 512;

// A field of a header block: offset and width in bytes.
struct Field {
    size_t offset;
    size_t size;
};

inline constexpr Field k_name{0, 100};
inline constexpr Field k_mode{100, 8};
inline constexpr Field k_uid{108, 8};
inline constexpr Field k_gid{116, 8};
inline constexpr Field k_size{124, 12};
inline constexpr Field k_mtime{136, 12};
inline constexpr Field k_chksum{148, 8};
inline constexpr size_t k_typeflag = 156;
inline constexpr Field k_linkname{157, 100};
inline constexpr Field k_magic{257, 8};  // magic and version together
inline constexpr Field k_uname{265, 32};
inline constexpr Field k_gname{297, 32};
inline constexpr Field k_devmajor{329, 8};
inline constexpr Field k_devminor{337, 8};
inline constexpr Field k_prefix{345, 155};
// Old GNU format: these overlay the ustar prefix.
inline constexpr Field k_gnu_atime{345, 12};
inline constexpr Field k_gnu_ctime{357, 12};
inline constexpr size_t k_gnu_sparse = 386;  // 4 entries of offset[12] numbytes[12]
inline constexpr size_t k_gnu_sparse_entries = 4;
inline constexpr size_t k_gnu_isextended = 482;
inline constexpr Field k_gnu_realsize{483, 12};
// An old GNU sparse extension block: 21 entries then isextended.
inline constexpr size_t k_gnu_ext_entries = 21;
inline constexpr size_t k_gnu_ext_isextended = 504;
// star: a 131-byte prefix, atime, ctime, and "tar\0" at the end of the block.
inline constexpr Field k_star_prefix{345, 131};
inline constexpr Field k_star_trailer{508, 4};

inline constexpr std::string_view k_magic_ustar{
    "ustar\0"
    "00",
    8};                                                         // POSIX ustar / PAX
inline constexpr std::string_view k_magic_gnu{"ustar  \0", 8};  // old GNU

// Which variant a header block is, from its magic.
enum class Format { v7, ustar, gnu, star };

// The bytes of field f of block.
inline std::span<const uint8_t> field(std::span<const uint8_t, k_block> block, Field f) {
    return block.subspan(f.offset, f.size);
}

// Rounds n up to a whole number of blocks.
inline constexpr uint64_t round_up(uint64_t n) {
    return (n + k_block - 1) & ~uint64_t{k_block - 1};
}
// Bytes of zero padding after n bytes of data.
inline constexpr uint64_t padding(uint64_t n) {
    return round_up(n) - n;
}

// Whether all 512 bytes are zero.
bool is_zero_block(std::span<const uint8_t, k_block> block);
// Whether the stored checksum matches the unsigned or the signed sum (as Go's archive/tar).
bool checksum_ok(std::span<const uint8_t, k_block> block);
// The unsigned checksum with the checksum field counted as spaces.
uint32_t checksum(std::span<const uint8_t, k_block> block);
// The variant named by the block's magic.
Format format_of(std::span<const uint8_t, k_block> block);

// Parses an octal field (surrounding spaces and NULs allowed) or a GNU base-256 field; nullopt
// when malformed or out of range.
std::optional<int64_t> parse_numeric(std::span<const uint8_t> field);
// The field up to its first NUL.
std::string_view parse_string(std::span<const uint8_t> field);

// Writes v as zero-padded octal with a trailing NUL; false when it does not fit.
bool format_octal(std::span<uint8_t> field, uint64_t v);
// Copies s into the field (NUL-padded); false when it does not fit.
bool format_string(std::span<uint8_t> field, std::string_view s);

}  // namespace ferry::image::tar
