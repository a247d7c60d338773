// See compression_parallel.hpp. The caller's thread fills input blocks and submits them; each
// becomes a Job at the back of m_in_flight and in m_todo. Workers take jobs from m_todo,
// compress the block into the job's output buffer with their own long-lived state (an igzip
// stream and level buffer, or a ZSTD_CCtx), release the block and mark the job done. Only the
// caller's thread passes output to the sink, always the front job and only once it is done, so
// the order is the input's and the sink needs no locking. With threads + 2 jobs in flight the
// caller waits for the front: workers always have the next block ready, and memory stays at
// the bound parallel_compression_memory() computes (which create() keeps under
// k_compression_memory_budget by using fewer threads for memory-hungry zstd levels).

#define ZSTD_STATIC_LINKING_ONLY
#include "ferry/image/compression_parallel.hpp"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace ferry {

namespace {

// What the compressors of one ParallelCompressor may hold at most.
constexpr size_t k_compression_memory_budget = size_t{48} << 20;

size_t gzip_level_buffer(int level) {
    switch (level) {
        case 0:
            return ISAL_DEF_LVL0_DEFAULT;
        case 1:
            return ISAL_DEF_LVL1_DEFAULT;
        case 2:
            return ISAL_DEF_LVL2_DEFAULT;
        default:
            return ISAL_DEF_LVL3_DEFAULT;
    }
}

Result<int> checked_level(Compression c, std::optional<int> level) {
    switch (c) {
        case Compression::gzip: {
            int l = level.value_or(1);
            if (l < 0 || l > 3) return fail("invalid gzip level " + std::to_string(l));
            return l;
        }
        case Compression::zstd: {
            int l = level.value_or(3);
            if (l < 1 || l > ZSTD_maxCLevel()) return fail("invalid zstd level " + std::to_string(l));
            return l;
        }
        case Compression::none:
            return 0;
    }
    return 0;
}

// The most bytes one block compresses to (igzip's stored blocks cost 5 bytes per 64 KiB).
size_t compress_bound(Compression c, size_t n) {
    switch (c) {
        case Compression::gzip:
            return n + n / 1024 + 1024;
        case Compression::zstd:
            return ZSTD_compressBound(n);
        case Compression::none:
            return n;
    }
    return n;
}

size_t state_memory(Compression c, int level) {
    switch (c) {
        case Compression::gzip:
            return gzip_level_buffer(level) + sizeof(isal_zstream);
        case Compression::zstd:
            return ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(level, k_parallel_block, 0));
        case Compression::none:
            return 0;
    }
    return 0;
}

}  // namespace

struct ParallelCompressor::Job {
    Chunk* block = nullptr;
    size_t size = 0;
    std::vector<uint8_t> out;
    Result<void> result;
    bool done = false;
};

// One worker's compressor state, reused for every block it compresses.
struct ParallelCompressor::Worker {
    Compression compression = Compression::none;
    int level = 0;
    std::unique_ptr<uint8_t[]> level_buf;
    ZSTD_CCtx* zstd = nullptr;

    ~Worker() { ZSTD_freeCCtx(zstd); }

    Result<void> gzip(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
        isal_zstream s{};
        isal_deflate_init(&s);
        s.level = static_cast<uint32_t>(level);
        s.level_buf = level_buf.get();
        s.level_buf_size = static_cast<uint32_t>(gzip_level_buffer(level));
        s.gzip_flag = IGZIP_GZIP;
        s.flush = NO_FLUSH;
        s.end_of_stream = 1;
        s.next_in = const_cast<uint8_t*>(in.data());
        s.avail_in = static_cast<uint32_t>(in.size());
        out.resize(compress_bound(Compression::gzip, in.size()));
        size_t used = 0;
        while (s.internal_state.state != ZSTATE_END) {
            if (used == out.size()) out.resize(out.size() * 2);
            s.next_out = out.data() + used;
            s.avail_out = static_cast<uint32_t>(out.size() - used);
            int ret = isal_deflate(&s);
            if (ret != COMP_OK)
                return fail("gzip compression failed: igzip error " + std::to_string(ret));
            used = out.size() - s.avail_out;
        }
        out.resize(used);
        return {};
    }

    Result<void> zstd_frame(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
        out.resize(compress_bound(Compression::zstd, in.size()));
        size_t n = ZSTD_compress2(zstd, out.data(), out.size(), in.data(), in.size());
        if (ZSTD_isError(n))
            return fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
        out.resize(n);
        return {};
    }

    Result<void> compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
        switch (compression) {
            case Compression::gzip:
                return gzip(in, out);
            case Compression::zstd:
                return zstd_frame(in, out);
            case Compression::none:
                out.assign(in.begin(), in.end());
                return {};
        }
        return {};
    }
};

unsigned compression_threads(unsigned threads) {
    if (threads == 0) threads = std::thread::hardware_concurrency();
    return std::clamp(threads, 1u, k_max_compression_threads);
}

size_t parallel_compression_memory(Compression c, std::optional<int> level, unsigned threads) {
    int l = checked_level(c, level).value_or(0);
    size_t in_flight = threads + 2;
    // The pool holds one more block than can be in flight: the one being filled.
    return (in_flight + 1) * k_parallel_block +
           in_flight * compress_bound(c, k_parallel_block) + threads * state_memory(c, l);
}

Result<std::unique_ptr<ParallelCompressor>> ParallelCompressor::create(Compression c,
                                                                       std::optional<int> level,
                                                                       unsigned threads) {
    int l = TRY(checked_level(c, level));
    unsigned n = compression_threads(threads);
    while (n > 1 && parallel_compression_memory(c, l, n) > k_compression_memory_budget)
        --n;
    std::unique_ptr<ParallelCompressor> p(new ParallelCompressor(c, l, n));
    for (auto& w : p->m_workers) {
        w->compression = c;
        w->level = l;
        if (c == Compression::gzip) w->level_buf.reset(new uint8_t[gzip_level_buffer(l)]);
        if (c == Compression::zstd) {
            w->zstd = ZSTD_createCCtx();
            if (!w->zstd) return fail("zstd: cannot allocate a compression context");
            ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_compressionLevel, l);
            ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_checksumFlag, 1);
        }
    }
    for (auto& w : p->m_workers)
        p->m_threads.emplace_back([raw = p.get(), worker = w.get()] { raw->run(*worker); });
    return p;
}

ParallelCompressor::ParallelCompressor(Compression c, int level, unsigned threads)
    : m_compression(c), m_level(level), m_max_in_flight(threads + 2),
      m_pool(threads + 3, k_parallel_block) {
    for (unsigned i = 0; i < threads; ++i)
        m_workers.push_back(std::make_unique<Worker>());
}

ParallelCompressor::~ParallelCompressor() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        for (Job* job : m_todo)
            m_pool.release(job->block);
        m_todo.clear();
    }
    m_work.notify_all();
    for (auto& t : m_threads)
        t.join();
    if (m_fill) m_pool.release(m_fill);
}

void ParallelCompressor::run(Worker& worker) {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work.wait(lock, [&] { return m_stop || !m_todo.empty(); });
        if (m_stop) return;
        Job* job = m_todo.front();
        m_todo.pop_front();
        lock.unlock();
        Result<void> r = worker.compress({job->block->data(), job->size}, job->out);
        m_pool.release(job->block);
        lock.lock();
        job->block = nullptr;
        job->result = std::move(r);
        job->done = true;
        m_done.notify_all();
    }
}

Result<void> ParallelCompressor::submit(Chunk* block, size_t size, const ByteSink& out) {
    {
        std::lock_guard lock(m_mutex);
        auto job = std::make_unique<Job>();
        job->block = block;
        job->size = size;
        if (!m_spare.empty()) {
            job->out = std::move(m_spare.back());
            m_spare.pop_back();
        }
        m_todo.push_back(job.get());
        m_in_flight.push_back(std::move(job));
        ++m_blocks;
    }
    m_work.notify_one();
    TRY(emit(out, false));
    while (m_in_flight.size() >= m_max_in_flight)
        TRY(emit(out, true));
    return {};
}

Result<void> ParallelCompressor::emit(const ByteSink& out, bool wait) {
    for (;;) {
        std::unique_ptr<Job> job;
        {
            std::unique_lock lock(m_mutex);
            if (m_in_flight.empty()) return {};
            if (wait) m_done.wait(lock, [&] { return m_in_flight.front()->done; });
            if (!m_in_flight.front()->done) return {};
            job = std::move(m_in_flight.front());
            m_in_flight.pop_front();
        }
        wait = false;
        TRY(job->result);
        if (!job->out.empty()) TRY(out(job->out));
        std::lock_guard lock(m_mutex);
        job->out.clear();
        m_spare.push_back(std::move(job->out));
    }
}

Result<void> ParallelCompressor::feed(std::span<const uint8_t> in, const ByteSink& out) {
    while (!in.empty()) {
        if (!m_fill) {
            m_fill = m_pool.acquire();
            m_fill_size = 0;
        }
        size_t n = std::min(in.size(), m_fill->capacity() - m_fill_size);
        std::memcpy(m_fill->data() + m_fill_size, in.data(), n);
        m_fill_size += n;
        in = in.subspan(n);
        if (m_fill_size == m_fill->capacity()) {
            Chunk* full = std::exchange(m_fill, nullptr);
            TRY(submit(full, m_fill_size, out));
        }
    }
    return {};
}

Result<void> ParallelCompressor::finish(const ByteSink& out) {
    if (m_fill || m_blocks == 0) {
        Chunk* last = m_fill ? std::exchange(m_fill, nullptr) : m_pool.acquire();
        TRY(submit(last, m_fill_size, out));
        m_fill_size = 0;
    }
    while (!m_in_flight.empty())
        TRY(emit(out, true));
    return {};
}

}  // namespace ferry
