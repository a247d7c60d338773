#pragma once
// TarSink: where generated tar bytes go (a file, a pipe, a hash, an outer archive).

#include <cstdint>
#include <span>

#include "ferry/util/result.hpp"

namespace ferry::image {

class TarSink {
  public:
    virtual ~TarSink() = default;
    // Takes bytes, in order.
    virtual Result<void> write(std::span<const uint8_t> bytes) = 0;
    // Takes len bytes of fd starting at offset. The default reads them (1 MiB at a time) and
    // calls write(); fails with `read: unexpected end of file` when fd is shorter.
    virtual Result<void> copy_from(int fd, uint64_t offset, uint64_t len);
};

// A sink writing to a file descriptor at its current position; copy_from uses copy_file_range
// when fd is a regular file (falling back to read/write). A regular file's pages are handed to
// the disk as they are written (sync_file_range, 32 MiB at a time, not waited for), so a large
// archive does not pile up dirty pages and a final fsync has little left to write.
class FdSink : public TarSink {
  public:
    // Writes to fd (not owned), which must stay open.
    explicit FdSink(int fd);
    Result<void> write(std::span<const uint8_t> bytes) override;
    Result<void> copy_from(int fd, uint64_t offset, uint64_t len) override;
    // Bytes written so far.
    uint64_t written() const { return m_written; }

  private:
    // Starts the writeback of what was written since the last call, once it is 32 MiB or more.
    void start_writeback();

    int m_fd;
    bool m_regular;
    off_t m_start = 0;  // fd's position when the sink was made
    uint64_t m_written = 0;
    uint64_t m_written_back = 0;  // bytes whose writeback has been started
};

}  // namespace ferry::image
