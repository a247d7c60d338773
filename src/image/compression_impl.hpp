#pragma once
// Factories of the per-algorithm compressors and decompressors (compression_gzip.cpp,
// compression_zstd.cpp), used by compression.cpp.

#include <memory>

#include "ferry/image/compression.hpp"

namespace ferry::detail {

Result<std::unique_ptr<Decompressor>> make_gzip_decompressor();
Result<std::unique_ptr<Compressor>> make_gzip_compressor(std::optional<int> level);
Result<std::unique_ptr<Decompressor>> make_zstd_decompressor();
Result<std::unique_ptr<Compressor>> make_zstd_compressor(std::optional<int> level);

}  // namespace ferry::detail
