#pragma once
// Constants and encodings of the tar-split record (described in tar_split.hpp). Internal.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ferry::image::split {

inline constexpr std::string_view k_magic{"ferry-ts", 8};
inline constexpr uint32_t k_version = 1;
inline constexpr uint32_t k_flag_complete = 1;
inline constexpr size_t k_header_size = 96;
inline constexpr uint64_t k_side_align = 4096;
inline constexpr uint64_t k_max_events = 100000;              // replaced files per layer
inline constexpr uint64_t k_max_path = uint64_t{1} << 20;     // a payload path, decoded
inline constexpr uint64_t k_max_extents = uint64_t{1} << 20;  // extents of one payload
inline constexpr uint64_t k_max_events_bytes = uint64_t{64} << 20;

enum Tag : uint8_t { tag_raw = 1, tag_payload = 2, tag_end = 3 };

// The fixed header at offset 0.
struct Header {
    uint32_t flags = 0;
    uint64_t tar_size = 0;
    uint64_t payload_refs = 0;
    uint64_t ops_offset = k_header_size;
    uint64_t ops_size = 0;
    uint64_t side_offset = 0;
    uint64_t side_size = 0;
    uint64_t events_offset = 0;
    uint64_t events_size = 0;
    uint64_t events_count = 0;
};

inline void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t get_u32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= uint32_t{p[i]} << (8 * i);
    return v;
}
inline uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

// Serialises h (version and magic included) into k_header_size bytes.
inline void encode_header(const Header& h, uint8_t* out) {
    std::memset(out, 0, k_header_size);
    std::memcpy(out, k_magic.data(), k_magic.size());
    put_u32(out + 8, k_version);
    put_u32(out + 12, h.flags);
    const uint64_t fields[] = {h.tar_size,      h.payload_refs, h.ops_offset,
                               h.ops_size,      h.side_offset,  h.side_size,
                               h.events_offset, h.events_size,  h.events_count};
    for (size_t i = 0; i < std::size(fields); ++i)
        put_u64(out + 16 + 8 * i, fields[i]);
}

// Appends v as LEB128.
template <class Buffer>
void put_varint(Buffer& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<typename Buffer::value_type>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<typename Buffer::value_type>(v));
}

// Reads a LEB128 value from [p, end); false when truncated or over 64 bits.
inline bool get_varint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p == end) return false;
        uint8_t b = *p++;
        v |= uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

}  // namespace ferry::image::split
