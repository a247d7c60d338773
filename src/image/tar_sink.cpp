// The default copy_from reads through one 1 MiB buffer per thread (allocated on first use, so a
// layer of many small files costs no allocation per file). FdSink copies file to file in the
// kernel with copy_file_range, which needs both ends to be regular files (or, since 5.3, any
// files on the same file system); a pipe or socket gets plain writes.

#include "ferry/image/tar_sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "ferry/util/fs.hpp"

namespace ferry::image {

namespace {
constexpr size_t k_copy_buffer = size_t{1} << 20;
}

Result<void> TarSink::copy_from(int fd, uint64_t offset, uint64_t len) {
    thread_local std::unique_ptr<uint8_t[]> buf;
    if (!buf) buf = std::make_unique_for_overwrite<uint8_t[]>(k_copy_buffer);
    while (len > 0) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, k_copy_buffer));
        ssize_t n = ::pread(fd, buf.get(), want, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("read");
        }
        if (n == 0) return fail("read: unexpected end of file");
        TRY(write({buf.get(), static_cast<size_t>(n)}));
        offset += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return {};
}

FdSink::FdSink(int fd) : m_fd(fd) {
    struct stat st {};
    m_regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

Result<void> FdSink::write(std::span<const uint8_t> bytes) {
    TRY(fs::write_all(m_fd, {reinterpret_cast<const char*>(bytes.data()), bytes.size()}));
    m_written += bytes.size();
    return {};
}

Result<void> FdSink::copy_from(int fd, uint64_t offset, uint64_t len) {
    if (!m_regular) return TarSink::copy_from(fd, offset, len);
    while (len > 0) {
        auto src = static_cast<off_t>(offset);
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, uint64_t{1} << 30));
        ssize_t n = ::copy_file_range(fd, &src, m_fd, nullptr, want, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
                m_regular = false;
                return TarSink::copy_from(fd, offset, len);
            }
            return fail_errno("copy");
        }
        if (n == 0) return fail("read: unexpected end of file");
        offset += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
        m_written += static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace ferry::image
