#pragma once
// Streaming compression and decompression of layer blobs: gzip through ISA-L's igzip (several
// times zlib's speed), zstd through libzstd. Push interfaces: the caller feeds bytes as they
// arrive and receives output through a sink, so a layer is never held in memory; each object
// owns one ~1 MiB output buffer and allocates nothing per call.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "ferry/oci/media_types.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Receives output bytes; an error stops the stream and is returned by feed or finish.
using ByteSink = std::function<Result<void>(std::span<const uint8_t>)>;

// Size of the output buffer of each compressor and decompressor.
inline constexpr size_t k_compression_buffer_size = 1u << 20;

// The compression a blob starts with: gzip (1f 8b), zstd (28 b5 2f fd), else none. Give it at
// least 4 bytes; fewer can only be recognised as gzip or none.
Compression detect_compression(std::span<const uint8_t> first_bytes);

// Decompresses one stream fed in pieces of any size (one byte at a time works). gzip streams
// may hold several members (pigz, concatenated files), zstd streams several frames, skippable
// frames included. After an error the object is spent: create another for another stream.
class Decompressor {
  public:
    virtual ~Decompressor() = default;

    // A decompressor for c (Compression::none copies its input through).
    static Result<std::unique_ptr<Decompressor>> create(Compression c);

    // Decompresses in, passing every byte produced to out before returning. Fails with
    // `corrupt gzip data: <what>` or `corrupt zstd data: <zstd's error name>`, or with out's
    // error.
    virtual Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) = 0;
    // Checks that the stream ended cleanly. Fails with `truncated gzip stream` or
    // `truncated zstd stream` when input stopped inside a member or frame (or there was none).
    virtual Result<void> finish() = 0;
};

// Compresses one stream fed in pieces of any size.
class Compressor {
  public:
    virtual ~Compressor() = default;

    // A compressor for c at level: ISA-L's 0-3 for gzip (default 1), zstd's 1-19 (default 3).
    // Compression::none copies its input through. Fails with `invalid gzip level 7`.
    static Result<std::unique_ptr<Compressor>> create(Compression c,
                                                      std::optional<int> level = std::nullopt);

    // Compresses in, passing output to out as the buffer fills.
    virtual Result<void> feed(std::span<const uint8_t> in, const ByteSink& out) = 0;
    // Ends the stream, passing the remaining output (trailer included) to out.
    virtual Result<void> finish(const ByteSink& out) = 0;
};

}  // namespace ferry
