#pragma once
// Copying byte ranges between files in the kernel (copy_file_range, falling back to pread and
// pwrite), optionally keeping holes, and unnamed scratch files. Internal to image/.

#include <cstdint>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Copies len bytes from in at in_off to out at out_off. Fails with `copy: strerror`, or
// `copy: unexpected end of file` when in is shorter.
Result<void> copy_range(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len);
// As copy_range, but only the data regions of in (SEEK_DATA / SEEK_HOLE) are written: holes in
// the source stay holes in the destination. The destination is not extended over a final hole.
Result<void> copy_range_sparse(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len);
// An unnamed read-write file on dirfd's file system: O_TMPFILE, or where the file system lacks
// it, a randomly named file unlinked at once. Fails with `create temporary file: strerror`.
Result<Fd> open_scratch(int dirfd);
// Writes all of size bytes at offset (pwrite), retrying short writes and EINTR.
Result<void> pwrite_all(int fd, const void* data, size_t size, uint64_t offset);

}  // namespace ferry::image
