#pragma once
// TarWriter: writes new tar archives deterministically (same input, same bytes): ustar headers,
// a PAX header before one only when a value does not fit ustar (long or non-ASCII names, big
// sizes or ids, sub-second or negative times, xattrs), and the two-block end marker. Used for
// the outer docker-archive, `ferry export` and commit diffs.

#include <cstdint>
#include <span>
#include <string_view>

#include "ferry/image/tar_entry.hpp"
#include "ferry/image/tar_sink.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

class TarWriter {
  public:
    // Writes to sink, which must outlive the writer.
    explicit TarWriter(TarSink& sink);
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;

    // A regular file of entry.size bytes taken from data (whose size must match). The entry's
    // type, linkpath and device numbers are ignored; so are its typeflag and sparse map.
    Result<void> add_file(const TarEntry& entry, std::span<const uint8_t> data);
    // A regular file of entry.size bytes read from fd at offset 0 (sink.copy_from).
    Result<void> add_file(const TarEntry& entry, int fd);
    // Starts a regular file of entry.size bytes whose data the caller writes to payload(),
    // e.g. a layer streamed by regenerate_layer; end_file() completes it.
    Result<void> begin_file(const TarEntry& entry);
    // The sink for the data of the file begun.
    TarSink& payload();
    // Ends the file begun; fails when its data was not exactly entry.size bytes.
    Result<void> end_file();

    // A directory (a trailing `/` is added to the name).
    Result<void> add_directory(const TarEntry& entry);
    // A symlink to entry.linkpath.
    Result<void> add_symlink(const TarEntry& entry);
    // A hard link to entry.linkpath (a path in the same archive).
    Result<void> add_hardlink(const TarEntry& entry);
    // A character or block device, or a FIFO, as entry.type says.
    Result<void> add_device(const TarEntry& entry);
    // An overlay/AUFS whiteout for path: an empty file `.wh.NAME` in path's directory,
    // mode 0, owned by 0:0, with entry time mtime_ns.
    Result<void> add_whiteout(std::string_view path, int64_t mtime_ns = 0);
    // Marks directory dir opaque: an empty file `dir/.wh..wh..opq`.
    Result<void> add_opaque(std::string_view dir, int64_t mtime_ns = 0);

    // Writes the end marker (two zero blocks) and returns the archive's size. Fails when a file
    // is still open.
    Result<uint64_t> finish();
    // Bytes written so far.
    uint64_t written() const { return m_written; }

  private:
    class Payload : public TarSink {
      public:
        explicit Payload(TarWriter& w) : m_writer(w) {}
        Result<void> write(std::span<const uint8_t> bytes) override;
        Result<void> copy_from(int fd, uint64_t offset, uint64_t len) override;

      private:
        TarWriter& m_writer;
    };

    Result<void> write_headers(const TarEntry& entry, char typeflag, uint64_t size);
    Result<void> emit(std::span<const uint8_t> bytes);
    Result<void> pad(uint64_t size);

    TarSink& m_sink;
    Payload m_payload;
    uint64_t m_written = 0;
    bool m_in_file = false;
    uint64_t m_file_size = 0;
    uint64_t m_file_done = 0;
    std::string m_file_name;
};

}  // namespace ferry::image
