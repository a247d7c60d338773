#pragma once
// The vocabulary shared by the tar reader, the layer unpacker and the tar writer: one archive
// entry with every header (ustar, GNU, PAX) already merged, and the visitor a streaming parse
// reports to.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::image {

// What an entry is, after folding the typeflag variants ('0', '\0', '7', 'S' are regular).
enum class EntryType { regular, hardlink, symlink, char_device, block_device, directory, fifo };

// One run of data in a sparse file: length bytes at offset of the logical file.
struct SparseExtent {
    uint64_t offset;
    uint64_t length;
};

// An archive entry with its long names, PAX records and sparse map applied.
struct TarEntry {
    EntryType type = EntryType::regular;
    char typeflag = '0';  // the raw typeflag of the entry's own header
    std::string path;     // after PAX/GNU long names, as in the archive (not normalised)
    std::string linkpath;
    uint32_t mode = 0;  // 07777 bits
    uint64_t uid = 0;
    uint64_t gid = 0;
    std::string uname;
    std::string gname;
    uint64_t size = 0;       // data bytes (on_data) that follow this entry's headers and sparse map
    uint64_t real_size = 0;  // logical file size (differs for sparse files)
    int64_t mtime_ns = 0;
    std::optional<int64_t> atime_ns;
    std::optional<int64_t> ctime_ns;
    uint32_t dev_major = 0;
    uint32_t dev_minor = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;  // from SCHILY.xattr.*
    std::vector<SparseExtent> sparse;                         // data extents (empty: not sparse)
};

// Receives a parse. Every input byte goes to exactly one of on_raw / on_data, in order, so a
// visitor that stores the raw bytes and knows where the data went can rebuild the archive.
class TarVisitor {
  public:
    virtual ~TarVisitor() = default;
    // Headers, PAX/GNU extension data, sparse maps, padding, the end marker, trailing bytes.
    virtual Result<void> on_raw(std::span<const uint8_t> bytes) = 0;
    // All headers of an entry are parsed; its data follows. entry stays valid until
    // on_entry_end.
    virtual Result<void> on_entry(const TarEntry& entry) = 0;
    // Data of the current entry (sparse files: the data extents, concatenated in order).
    virtual Result<void> on_data(std::span<const uint8_t> bytes) = 0;
    // The current entry's data is complete (its padding follows as raw bytes).
    virtual Result<void> on_entry_end() = 0;
};

}  // namespace ferry::image
