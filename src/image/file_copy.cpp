// copy_file_range first (no copy through user space; a reflink on file systems that share
// extents), pread/pwrite through a 1 MiB buffer when the kernel refuses (different file systems
// on old kernels, special files). Holes are found with SEEK_DATA / SEEK_HOLE. Scratch files are
// O_TMPFILE where the file system has it (never visible), else named and unlinked at once.

#include "ferry/image/file_copy.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>

#include "ferry/util/random.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_buffer = size_t{1} << 20;

Result<void> copy_through_buffer(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len) {
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(k_buffer);
    while (len > 0) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, k_buffer));
        ssize_t n = ::pread(in, buf.get(), want, static_cast<off_t>(in_off));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("copy");
        }
        if (n == 0) return fail("copy: unexpected end of file");
        TRY(pwrite_all(out, buf.get(), static_cast<size_t>(n), out_off));
        in_off += static_cast<uint64_t>(n);
        out_off += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace

Result<Fd> open_scratch(int dirfd) {
    int fd = ::openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return Fd(fd);
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return fail_errno("create temporary file");
    std::string name = ".ferry-scratch-" + random_hex(8);
    fd = ::openat(dirfd, name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return fail_errno("create temporary file");
    Fd owned(fd);
    if (::unlinkat(dirfd, name.c_str(), 0) != 0) return fail_errno("create temporary file");
    return owned;
}

Result<void> pwrite_all(int fd, const void* data, size_t size, uint64_t offset) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
        ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("write");
        }
        p += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

Result<void> copy_range(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len) {
    while (len > 0) {
        auto src = static_cast<off_t>(in_off);
        auto dst = static_cast<off_t>(out_off);
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, uint64_t{1} << 30));
        ssize_t n = ::copy_file_range(in, &src, out, &dst, want, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                errno == EBADF)
                return copy_through_buffer(in, in_off, out, out_off, len);
            return fail_errno("copy");
        }
        if (n == 0) return fail("copy: unexpected end of file");
        in_off += static_cast<uint64_t>(n);
        out_off += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return {};
}

Result<void> copy_range_sparse(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len) {
    uint64_t pos = in_off, end = in_off + len;
    while (pos < end) {
        off_t data = ::lseek(in, static_cast<off_t>(pos), SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO) return {};  // only a hole is left
            if (errno == EINVAL)
                return copy_range(in, pos, out, out_off + (pos - in_off), end - pos);
            return fail_errno("copy");
        }
        auto start = static_cast<uint64_t>(data);
        if (start >= end) return {};
        off_t hole = ::lseek(in, data, SEEK_HOLE);
        if (hole < 0) return fail_errno("copy");
        uint64_t stop = std::min<uint64_t>(static_cast<uint64_t>(hole), end);
        TRY(copy_range(in, start, out, out_off + (start - in_off), stop - start));
        pos = stop;
    }
    return {};
}

}  // namespace ferry::image
