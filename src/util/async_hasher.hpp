#pragma once
// AsyncHasher: SHA-256 on a second core. The producer hands over spans of buffers it promises to
// keep alive until the hasher is done with them (tracked with a Chunk reference count), and
// carries on unpacking while the hash is computed: hashing and writing run in parallel.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "ferry/util/sha256.hpp"

namespace ferry {

class ChunkPool;

// A fixed buffer shared between the producer and the hasher; reusable once its count drops to 0.
class Chunk {
public:
    explicit Chunk(size_t capacity) : m_data(capacity) {}
    uint8_t* data() { return m_data.data(); }
    size_t capacity() const { return m_data.size(); }
    // Number of outstanding users; the producer holds one while filling and parsing.
    std::atomic<int>& users() { return m_users; }
    // The pool it belongs to: a release must wake that pool's waiters.
    ChunkPool* owner() const { return m_owner; }

private:
    friend class ChunkPool;
    std::vector<uint8_t> m_data;
    std::atomic<int> m_users{0};
    ChunkPool* m_owner = nullptr;
};

// A pool of Chunks; acquire() blocks until one is free, which bounds memory and throttles the
// producer to the hasher's speed.
class ChunkPool {
public:
    ChunkPool(size_t count, size_t capacity);
    // A free chunk with users() == 1 (the caller's reference).
    Chunk* acquire();
    // Drops one reference; the chunk returns to the pool when none are left.
    void release(Chunk* chunk);

private:
    std::vector<std::unique_ptr<Chunk>> m_chunks;
    std::mutex m_mutex;
    std::condition_variable m_freed;
};

class AsyncHasher {
public:
    // Identifies one running hash.
    using Stream = size_t;

    AsyncHasher();
    ~AsyncHasher();
    AsyncHasher(const AsyncHasher&) = delete;
    AsyncHasher& operator=(const AsyncHasher&) = delete;

    // Starts a new hash and returns its handle.
    Stream open();
    // Queues bytes (inside chunk, which gains a reference until hashed, then is released to its
    // own pool) for stream.
    void update(Stream stream, Chunk* chunk, std::span<const uint8_t> bytes);
    // Queues bytes the caller keeps alive until finish(stream) returns (no chunk involved).
    void update_unowned(Stream stream, std::span<const uint8_t> bytes);
    // Waits for the stream's queued bytes and returns its hex digest and byte count; an empty
    // digest for a stream never opened.
    std::pair<std::string, uint64_t> finish(Stream stream);

private:
    struct Job {
        Stream stream;
        Chunk* chunk;
        std::span<const uint8_t> bytes;
    };
    void run();

    std::vector<std::unique_ptr<Sha256>> m_hashes;
    std::deque<Job> m_jobs;
    std::mutex m_mutex;
    std::condition_variable m_work, m_done;
    std::vector<size_t> m_pending;  // queued-but-unhashed jobs per stream
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace ferry
