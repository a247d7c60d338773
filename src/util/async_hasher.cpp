// One worker thread drains a FIFO of (stream, bytes) jobs. Jobs of one stream are hashed in the
// order queued, so a stream's digest equals hashing its bytes sequentially. finish() waits only
// for that stream's jobs.

#include "ferry/util/async_hasher.hpp"

namespace ferry {

ChunkPool::ChunkPool(size_t count, size_t capacity) {
    for (size_t i = 0; i < count; ++i) {
        m_chunks.push_back(std::make_unique<Chunk>(capacity));
        m_chunks.back()->m_owner = this;
    }
}

Chunk* ChunkPool::acquire() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        for (auto& c : m_chunks) {
            int expected = 0;
            if (c->users().compare_exchange_strong(expected, 1)) return c.get();
        }
        m_freed.wait(lock);
    }
}

void ChunkPool::release(Chunk* chunk) {
    if (chunk->users().fetch_sub(1) == 1) {
        std::lock_guard lock(m_mutex);
        m_freed.notify_all();
    }
}

AsyncHasher::AsyncHasher() : m_thread([this] { run(); }) {}

AsyncHasher::~AsyncHasher() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_work.notify_all();
    m_thread.join();
    for (auto& job : m_jobs)
        if (job.chunk) job.chunk->owner()->release(job.chunk);
}

AsyncHasher::Stream AsyncHasher::open() {
    std::lock_guard lock(m_mutex);
    m_hashes.push_back(std::make_unique<Sha256>());
    m_pending.push_back(0);
    return m_hashes.size() - 1;
}

void AsyncHasher::update(Stream stream, Chunk* chunk, std::span<const uint8_t> bytes) {
    if (bytes.empty()) return;
    chunk->users().fetch_add(1);
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back({stream, chunk, bytes});
        ++m_pending[stream];
    }
    m_work.notify_one();
}

void AsyncHasher::update_unowned(Stream stream, std::span<const uint8_t> bytes) {
    if (bytes.empty()) return;
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back({stream, nullptr, bytes});
        ++m_pending[stream];
    }
    m_work.notify_one();
}

std::pair<std::string, uint64_t> AsyncHasher::finish(Stream stream) {
    std::unique_lock lock(m_mutex);
    if (stream >= m_hashes.size()) return {"", 0};
    m_done.wait(lock, [&] { return m_pending[stream] == 0; });
    Sha256& h = *m_hashes[stream];
    uint64_t size = h.size();
    return {h.hex_digest(), size};
}

void AsyncHasher::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
        if (m_stop) return;
        Job job = m_jobs.front();
        m_jobs.pop_front();
        Sha256* h = m_hashes[job.stream].get();
        lock.unlock();
        h->update(job.bytes.data(), job.bytes.size());
        if (job.chunk) job.chunk->owner()->release(job.chunk);
        lock.lock();
        if (--m_pending[job.stream] == 0) m_done.notify_all();
    }
}

}  // namespace ferry
