#pragma once
// Frames of the ssh move protocol (ssh_move.cpp describes the conversation): a one-byte type, a
// four-byte big-endian length, then that many payload bytes, over a pair of pipes.

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::registry {

// Frame types.
enum class FrameType : char {
    hello = 'H',      // JSON {"protocol": N, "ferry": "version"}
    image = 'I',      // JSON {"names": [...], "compression": "zstd"|"gzip"}
    config = 'C',     // the image config, byte for byte
    want = 'W',       // JSON {"chains": ["<hex>", ...]}: the layers the receiver lacks
    layer = 'L',      // JSON {"chain": "<hex>", "diff_id": "sha256:…"}: a layer follows
    data = 'D',       // compressed layer bytes
    layer_end = 'E',  // JSON {"digest": "sha256:…", "size": N} of the compressed bytes
    done = 'O',       // JSON {"id": "sha256:…", "manifest": "sha256:…", "manifest_size": N}
    bye = 'Z',        // the sender has no more images
    error = 'X',      // one line: why the sending side stops
};

// Largest payload of a data frame, and of any other frame.
inline constexpr uint32_t k_data_frame_max = 1u << 20;
inline constexpr uint32_t k_frame_max = 16u << 20;

// One side of the conversation: reads frames from in_fd, writes them to out_fd (not owned).
class FrameChannel {
public:
    FrameChannel(int in_fd, int out_fd) : m_in(in_fd), m_out(out_fd) {}

    // Writes one frame. Fails with `write: Broken pipe` and the like.
    Result<void> send(FrameType type, std::string_view payload);
    // Reads the next frame's header: its type and payload length. Fails with `the far side
    // closed the connection` at end of input, or `protocol error: frame of N bytes` over
    // the limits.
    Result<std::pair<FrameType, uint32_t>> header();
    // Reads exactly n payload bytes into buf (after header()).
    Result<void> payload(void* buf, size_t n);
    // Reads a whole frame, which must be of type want; a frame of type error fails with its
    // text (and sets far_error()), any other with `protocol error: expected X, got Y`.
    Result<std::string> expect(FrameType want);
    // Reads a frame of type want or other; returns which one with its payload.
    Result<std::pair<FrameType, std::string>> expect_either(FrameType want, FrameType other);
    // Whether the far side reported an error (its text is the failure already returned).
    bool far_error() const { return m_far_error; }

private:
    Result<std::string> read_payload(uint32_t n);
    int m_in, m_out;
    bool m_far_error = false;
};

}  // namespace ferry::registry
