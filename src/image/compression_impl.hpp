#pragma once
// Factories of the per-algorithm compressors and decompressors (compression_gzip.cpp,
// compression_zstd.cpp; compression_bzip2.cpp and compression_xz.cpp, which only decompress),
// used by compression.cpp and archive_compression.cpp.

#include <memory>

#include "ferry/image/compression.hpp"

namespace ferry::detail {

Result<std::unique_ptr<Decompressor>> make_gzip_decompressor();
Result<std::unique_ptr<Compressor>> make_gzip_compressor(std::optional<int> level);
Result<std::unique_ptr<Decompressor>> make_zstd_decompressor();
Result<std::unique_ptr<Compressor>> make_zstd_compressor(std::optional<int> level);
Result<std::unique_ptr<Decompressor>> make_bzip2_decompressor();
Result<std::unique_ptr<Decompressor>> make_xz_decompressor();

}  // namespace ferry::detail
