#pragma once
// The compressions a tar archive may come in, as docker's archive.DetectCompression tells them
// apart: those of layer blobs (Compression) and bzip2 and xz, which no layer media type names
// and which only ADD of a local archive meets. Kept apart from Compression so that layer
// handling (media types, pull, push, load) never sees a kind it has no answer for.

#include <cstdint>
#include <memory>
#include <span>

#include "ferry/image/compression.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// How a tar archive is compressed.
enum class ArchiveCompression { none, gzip, zstd, bzip2, xz };

// The compression an archive starts with: gzip (1f 8b), zstd (28 b5 2f fd), bzip2 ("BZh"),
// xz (fd 37 7a 58 5a 00), else none. Give it at least 6 bytes; fewer may read as none.
ArchiveCompression detect_archive_compression(std::span<const uint8_t> first_bytes);

// A streaming decompressor for c, as Decompressor::create's (none copies its input through).
// bzip2 accepts concatenated streams and fails with `corrupt bzip2 data: <what>` or
// `truncated bzip2 stream`; xz accepts concatenated streams and their padding and fails with
// `corrupt xz data: <what>` or `truncated xz stream`. Fails with `bzip2: cannot allocate a
// decompression context` (or xz's) when the library cannot set up.
Result<std::unique_ptr<Decompressor>> make_archive_decompressor(ArchiveCompression c);

}  // namespace ferry
