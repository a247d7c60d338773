#pragma once
// ArchiveSource: reads an archive (file or pipe) on its own thread into pooled chunks, inflating
// it first when the whole archive is gzip or zstd (`ferry load -i env.tar.gz`). The consumer takes
// filled chunks in order; the pool bounds memory and makes the reader wait for the consumer.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ferry/util/async_hasher.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

class ArchiveSource {
public:
    ~ArchiveSource();
    ArchiveSource(const ArchiveSource&) = delete;
    ArchiveSource& operator=(const ArchiveSource&) = delete;

    // Starts reading fd (not owned; it must outlive the source). on_read(bytes) is called from
    // the reader thread with the count of raw bytes read, for progress.
    static Result<std::unique_ptr<ArchiveSource>> start(int fd, ChunkPool& pool,
                                                        std::function<void(uint64_t)> on_read);
    // The next filled chunk (the caller owns one reference and releases it to the pool) and
    // the number of bytes in it; null at the end or when the reader failed.
    Chunk* next(size_t& size);
    // How the reader ended: its error (read or decompression), or success.
    Result<void> result();

private:
    ArchiveSource(int fd, ChunkPool& pool, std::function<void(uint64_t)> on_read);
    void run();
    Result<void> read_all();
    void push(Chunk* chunk, size_t size);

    int m_fd;
    ChunkPool& m_pool;
    std::function<void(uint64_t)> m_on_read;
    Fd m_wake;  // eventfd: wakes a reader blocked on a pipe when the consumer gives up
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::pair<Chunk*, size_t>> m_filled;
    bool m_done = false;
    bool m_stop = false;
    Result<void> m_result;
    std::thread m_thread;
};

}  // namespace ferry::image
