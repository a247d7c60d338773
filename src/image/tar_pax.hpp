#pragma once
// PAX extended headers: the records ferry understands, kept as the archive wrote them until an
// entry's own header arrives. Internal to image/.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::image::tar {

// The PAX keys ferry applies; others are kept only as raw bytes (the record file has them).
enum class PaxKey {
    path,
    linkpath,
    size,
    uid,
    gid,
    uname,
    gname,
    mtime,
    atime,
    ctime,
    sparse_major,      // GNU.sparse.major
    sparse_minor,      // GNU.sparse.minor
    sparse_name,       // GNU.sparse.name
    sparse_size,       // GNU.sparse.size (0.x) or GNU.sparse.realsize (1.0)
    sparse_numblocks,  // GNU.sparse.numblocks
    sparse_map,        // GNU.sparse.map, or 0.0's GNU.sparse.offset/numbytes pairs joined
    count
};

// One PAX header's worth of records (or the global ones). A key present with an empty value
// means "deleted": fall back to the ustar field. Strings keep their allocations across entries.
struct PaxRecords {
    static constexpr size_t k_keys = static_cast<size_t>(PaxKey::count);
    std::array<std::string, k_keys> values;
    std::array<bool, k_keys> present{};
    std::vector<std::pair<std::string, std::string>> xattrs;  // SCHILY.xattr.*, in order
    size_t bytes = 0;  // retained bytes, to bound memory on hostile input

    // The value of key, nullptr when absent.
    const std::string* get(PaxKey key) const {
        size_t i = static_cast<size_t>(key);
        return present[i] ? &values[i] : nullptr;
    }
    // Sets key to value.
    void set(PaxKey key, std::string_view value) {
        size_t i = static_cast<size_t>(key);
        values[i].assign(value);
        present[i] = true;
    }
    // Whether any record is held.
    bool empty() const;
    // Forgets every record, keeping allocations.
    void clear();
};

// Parses the data of a PAX header into out (merging over what out holds). Fails with
// `malformed record` or `bad number in record `KEY``.
std::optional<std::string> parse_pax(std::string_view data, PaxRecords& out);

// Parses a PAX time ("1700000000.123456789", "-1.5") into nanoseconds.
std::optional<int64_t> parse_pax_time(std::string_view s);
// Parses an unsigned decimal PAX number.
std::optional<uint64_t> parse_pax_uint(std::string_view s);

}  // namespace ferry::image::tar
