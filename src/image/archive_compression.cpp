// See archive_compression.hpp. gzip, zstd and none are the layer codecs of compression.cpp;
// bzip2 and xz have decompressors of their own (compression_bzip2.cpp, compression_xz.cpp).

#include "ferry/image/archive_compression.hpp"

#include <cstring>

#include "ferry/image/compression_impl.hpp"

namespace ferry {

ArchiveCompression detect_archive_compression(std::span<const uint8_t> b) {
    switch (detect_compression(b)) {
        case Compression::gzip:
            return ArchiveCompression::gzip;
        case Compression::zstd:
            return ArchiveCompression::zstd;
        case Compression::none:
            break;
    }
    if (b.size() >= 3 && std::memcmp(b.data(), "BZh", 3) == 0) return ArchiveCompression::bzip2;
    if (b.size() >= 6 && std::memcmp(b.data(), "\xfd" "7zXZ\0", 6) == 0)
        return ArchiveCompression::xz;
    return ArchiveCompression::none;
}

Result<std::unique_ptr<Decompressor>> make_archive_decompressor(ArchiveCompression c) {
    switch (c) {
        case ArchiveCompression::gzip:
            return Decompressor::create(Compression::gzip);
        case ArchiveCompression::zstd:
            return Decompressor::create(Compression::zstd);
        case ArchiveCompression::bzip2:
            return detail::make_bzip2_decompressor();
        case ArchiveCompression::xz:
            return detail::make_xz_decompressor();
        case ArchiveCompression::none:
            break;
    }
    return Decompressor::create(Compression::none);
}

}  // namespace ferry
