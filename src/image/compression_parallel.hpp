#pragma once
// ParallelCompressor: one compressed stream made on several threads. The input is cut into
// blocks of k_parallel_block bytes, each compressed on its own (a gzip member, or a zstd frame)
// by a pool of worker threads, and the results are handed to the sink in input order. A gzip
// stream of concatenated members is one valid gzip stream (RFC 1952; pigz -i, Go's gzip reader
// as docker uses it), and a zstd stream of frames one zstd stream. Each block depends only on
// its bytes and the settings, so the output is the same whatever the number of threads and
// however the input is fed: a remembered digest stays valid.
//
// Memory is bounded by construction: a fixed pool of input blocks (shared with whoever else
// reads them, such as a hasher) and at most threads + 2 blocks in flight, each with one output
// buffer of compress_bound(block) bytes; parallel_compression_memory() gives the total.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "ferry/image/compression.hpp"
#include "ferry/util/async_hasher.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Bytes of input per independently compressed block.
inline constexpr size_t k_parallel_block = size_t{1} << 20;
// The most worker threads one ParallelCompressor starts.
inline constexpr unsigned k_max_compression_threads = 8;

// The worker threads used for threads (0: one per core), between 1 and
// k_max_compression_threads.
unsigned compression_threads(unsigned threads);

// An upper bound of the memory a ParallelCompressor for c at level with threads workers
// allocates (input blocks, output buffers, per-thread compressor state), in bytes.
size_t parallel_compression_memory(Compression c, std::optional<int> level, unsigned threads);

class ParallelCompressor {
  public:
    // A compressor for c at level (ISA-L's 0-3 for gzip, default 1; zstd's 1-19, default 3,
    // frames with their checksum) on compression_threads(threads) workers; Compression::none
    // copies. Fails with `invalid gzip level 7` or `invalid zstd level 30`.
    static Result<std::unique_ptr<ParallelCompressor>> create(Compression c,
                                                              std::optional<int> level,
                                                              unsigned threads = 0);
    // Stops the workers; blocks not yet emitted are dropped.
    ~ParallelCompressor();
    ParallelCompressor(const ParallelCompressor&) = delete;
    ParallelCompressor& operator=(const ParallelCompressor&) = delete;

    // The pool of input blocks (capacity k_parallel_block each); a hasher reading the input
    // may hold references on them.
    ChunkPool& pool() { return m_pool; }
    // A free input block holding the caller's reference; waits until one is free.
    Chunk* acquire() { return m_pool.acquire(); }
    // Queues the first size bytes of block (taking the caller's reference) as the next block
    // of the stream, and passes every block finished in order to out, waiting for the oldest
    // while threads + 2 are in flight. Fails with a worker's error or out's.
    Result<void> submit(Chunk* block, size_t size, const ByteSink& out);
    // Copies in into blocks and submits each as it fills.
    Result<void> feed(std::span<const uint8_t> in, const ByteSink& out);
    // Submits the partly filled block of feed, waits for every block and passes the rest to
    // out. A stream with no input at all gets one empty member or frame (a valid stream).
    Result<void> finish(const ByteSink& out);

  private:
    struct Job;
    struct Worker;
    ParallelCompressor(Compression c, int level, unsigned threads);
    void run(Worker& worker);
    // Passes the finished jobs at the front to out; with wait, waits for the front one first.
    Result<void> emit(const ByteSink& out, bool wait);

    Compression m_compression;
    int m_level;
    size_t m_max_in_flight;
    ChunkPool m_pool;
    std::mutex m_mutex;
    std::condition_variable m_work, m_done;
    std::deque<std::unique_ptr<Job>> m_in_flight;  // in stream order
    std::deque<Job*> m_todo;                       // not yet taken by a worker
    std::vector<std::vector<uint8_t>> m_spare;     // output buffers to reuse
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::vector<std::thread> m_threads;
    bool m_stop = false;
    uint64_t m_blocks = 0;    // blocks submitted
    Chunk* m_fill = nullptr;  // feed's partly filled block
    size_t m_fill_size = 0;
};

}  // namespace ferry
