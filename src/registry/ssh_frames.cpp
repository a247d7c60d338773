// Frame I/O: blocking reads and writes over pipes, retried on EINTR and short counts. A frame's
// header and a small payload go out in one writev, so a frame is never split by a failure
// between the two.

#include "ferry/registry/ssh_frames.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

std::string type_name(FrameType t) { return std::string("`") + static_cast<char>(t) + "`"; }

// Reads exactly n bytes; eof is set when input ended before the first byte.
Result<void> read_exact(int fd, void* buf, size_t n, bool& eof) {
    auto* p = static_cast<uint8_t*>(buf);
    size_t got = 0;
    eof = false;
    while (got < n) {
        ssize_t r = ::read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return fail_errno("read");
        if (r == 0) {
            eof = got == 0;
            return fail("the far side closed the connection");
        }
        got += static_cast<size_t>(r);
    }
    return {};
}

}  // namespace

Result<void> FrameChannel::send(FrameType type, std::string_view payload) {
    uint8_t head[5] = {static_cast<uint8_t>(type), static_cast<uint8_t>(payload.size() >> 24),
                       static_cast<uint8_t>(payload.size() >> 16),
                       static_cast<uint8_t>(payload.size() >> 8),
                       static_cast<uint8_t>(payload.size())};
    iovec iov[2] = {{head, sizeof head}, {const_cast<char*>(payload.data()), payload.size()}};
    size_t total = sizeof head + payload.size(), done = 0;
    while (done < total) {
        ssize_t w = ::writev(m_out, iov, 2);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return fail_errno("write");
        done += static_cast<size_t>(w);
        for (auto& v : iov) {
            size_t take = std::min(v.iov_len, static_cast<size_t>(w));
            v.iov_base = static_cast<char*>(v.iov_base) + take;
            v.iov_len -= take;
            w -= static_cast<ssize_t>(take);
        }
    }
    return {};
}

Result<std::pair<FrameType, uint32_t>> FrameChannel::header() {
    uint8_t head[5];
    bool eof = false;
    TRY(read_exact(m_in, head, sizeof head, eof));
    uint32_t n = uint32_t(head[1]) << 24 | uint32_t(head[2]) << 16 | uint32_t(head[3]) << 8 |
                 uint32_t(head[4]);
    auto type = static_cast<FrameType>(head[0]);
    if (n > (type == FrameType::data ? k_data_frame_max : k_frame_max))
        return fail("protocol error: frame of " + std::to_string(n) + " bytes");
    return std::pair{type, n};
}

Result<void> FrameChannel::payload(void* buf, size_t n) {
    bool eof = false;
    return read_exact(m_in, buf, n, eof);
}

Result<std::string> FrameChannel::read_payload(uint32_t n) {
    std::string s(n, '\0');
    TRY(payload(s.data(), n));
    return s;
}

Result<std::pair<FrameType, std::string>> FrameChannel::expect_either(FrameType want,
                                                                     FrameType other) {
    auto [type, n] = TRY(header());
    std::string body = TRY(read_payload(n));
    if (type == FrameType::error) {
        m_far_error = true;
        return fail(printable(body, 4096));
    }
    if (type != want && type != other)
        return fail("protocol error: expected frame " + type_name(want) + ", got " +
                    type_name(type));
    return std::pair{type, std::move(body)};
}

Result<std::string> FrameChannel::expect(FrameType want) {
    auto got = TRY(expect_either(want, want));
    return std::move(got.second);
}

}  // namespace ferry::registry
