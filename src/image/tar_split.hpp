#pragma once
// The tar-split record of a layer: everything of the layer tar that is not file content (headers,
// extension data, padding, end marker), plus, for each file's content, a reference to the file in
// the unpacked layer. With the unpacked files it regenerates the tar byte for byte.
//
// File format (all integers little-endian):
//   header (96 bytes): magic "ferry-ts", u32 version (1), u32 flags (1 = complete), u64 tar_size,
//     u64 payload_refs, u64 ops_offset, u64 ops_size, u64 side_offset, u64 side_size,
//     u64 events_offset, u64 events_size, u64 events_count, 8 reserved bytes;
//   ops: one zstd stream of operations, each a tag byte then LEB128 varints:
//     1 raw:     len, bytes
//     2 payload: shared prefix with the previous payload path, suffix length, suffix bytes,
//                data length, extent count (0: one extent at 0 of the data length), then per
//                extent the gap since the previous extent's end and its length
//     3 end:     tar_size, payload_refs
//   side area: copies of files that a later entry of the same layer replaced, each at a 4 KiB
//     aligned offset, sparse files with their holes;
//   events: one zstd frame, per replaced file: path length, path, refs (payload references
//     written before the replacement), side offset, side size.
// A payload reference to `path` reads from the side copy of the first replacement of `path`
// that came after it, if there is one, else from the layer directory.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "ferry/image/tar_entry.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// The figures kept in a record's header.
struct TarSplitInfo {
    uint64_t tar_size = 0;      // bytes of the layer tar
    uint64_t payload_refs = 0;  // file contents referenced
    uint64_t replaced = 0;      // side copies of replaced files
};

// Streams a record to a file. Raw bytes are coalesced and compressed as they come; nothing
// grows with the layer except the (rare) list of replaced files.
class TarSplitWriter {
  public:
    // Starts a record in fd, a regular file written with pwrite from offset 0 (its position is
    // unused). spool_dir is a directory where an unnamed temporary file (O_TMPFILE) holds side
    // copies until finish(); -1 when replacements cannot happen. Fails when zstd cannot start.
    static Result<TarSplitWriter> create(int fd, int spool_dir);
    TarSplitWriter(TarSplitWriter&&) noexcept;
    TarSplitWriter& operator=(TarSplitWriter&&) noexcept;
    ~TarSplitWriter();

    // Appends bytes stored verbatim.
    Result<void> add_raw(std::span<const uint8_t> bytes);
    // Appends a reference to length bytes of the file at path (relative to the layer directory):
    // the extents of the file in order (empty: bytes 0..length).
    Result<void> add_payload(std::string_view path, uint64_t length,
                             std::span<const SparseExtent> extents);
    // Keeps a copy of the file open at fd (size bytes, holes kept) that is about to be replaced
    // at path, for the payload references to path written so far.
    Result<void> add_replaced(std::string_view path, int fd, uint64_t size);
    // Bytes of tar described so far.
    uint64_t tar_size() const;
    // Ends the ops stream, appends the side area and the events, and writes the header. The
    // caller fsyncs and renames the file.
    Result<TarSplitInfo> finish();

  private:
    struct Impl;
    explicit TarSplitWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// One step of a record.
struct TarSplitSegment {
    enum class Kind { raw, payload };
    Kind kind = Kind::raw;
    std::span<const uint8_t> raw;           // raw: bytes, valid until the next call
    std::string_view path;                  // payload: file in the layer dir, valid until next
    uint64_t length = 0;                    // payload: data bytes
    std::span<const SparseExtent> extents;  // payload: where they are in the file, in order
    std::optional<uint64_t> side_offset;    // payload: read from the record at this offset
    uint64_t side_size = 0;                 // payload: size of that side copy
};

// Streams a record back.
class TarSplitReader {
  public:
    // Opens the record in fd (read with pread). Fails with `tar-split record: ...` when it is
    // not one, is incomplete or of another version.
    static Result<TarSplitReader> open(int fd);
    TarSplitReader(TarSplitReader&&) noexcept;
    TarSplitReader& operator=(TarSplitReader&&) noexcept;
    ~TarSplitReader();

    // The header's figures.
    const TarSplitInfo& info() const;
    // The next segment; false after the last. Fails with `tar-split record: corrupt` on a
    // damaged record.
    Result<bool> next(TarSplitSegment& out);

  private:
    struct Impl;
    explicit TarSplitReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Reads only the header of the record in fd (one pread).
Result<TarSplitInfo> read_tar_split_info(int fd);

}  // namespace ferry::image
