// The default copy_from reads through one 1 MiB buffer per thread (allocated on first use, so a
// layer of many small files costs no allocation per file). FdSink copies file to file in the
// kernel with copy_file_range, which needs both ends to be regular files (or, since 5.3, any
// files on the same file system); a pipe or socket gets plain writes. Writeback of a regular
// file is started every 32 MiB so the disk works while the archive is being produced (measured:
// `ferry save -o` of 1.3 GB, whose fsync otherwise waited for all of it at the end).

#include "ferry/image/tar_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "ferry/util/fs.hpp"

namespace ferry::image {

namespace {
constexpr size_t k_copy_buffer = size_t{1} << 20;
constexpr uint64_t k_writeback_window = uint64_t{32} << 20;
}  // namespace

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
    if (m_regular) m_start = std::max<off_t>(::lseek(fd, 0, SEEK_CUR), 0);
}

void FdSink::start_writeback() {
    if (!m_regular || m_written - m_written_back < k_writeback_window) return;
    // Best effort: a file system without it (or an error) leaves the pages to the kernel.
    (void)::sync_file_range(m_fd, m_start + static_cast<off_t>(m_written_back),
                            static_cast<off_t>(m_written - m_written_back), SYNC_FILE_RANGE_WRITE);
    m_written_back = m_written;
}

Result<void> FdSink::write(std::span<const uint8_t> bytes) {
    TRY(fs::write_all(m_fd, {reinterpret_cast<const char*>(bytes.data()), bytes.size()}));
    m_written += bytes.size();
    start_writeback();
    return {};
}

Result<void> FdSink::copy_from(int fd, uint64_t offset, uint64_t len) {
    if (!m_regular) return TarSink::copy_from(fd, offset, len);
    while (len > 0) {
        auto src = static_cast<off_t>(offset);
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, k_writeback_window));
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
        start_writeback();
    }
    return {};
}

}  // namespace ferry::image
