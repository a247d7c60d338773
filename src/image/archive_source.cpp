// The reader thread polls the input together with an eventfd so that a consumer that stops
// early (bad input) can always wake and join it, even when the input is a silent pipe. Outer
// compression is detected from the first bytes; decompressed output is copied into chunks.

#include "ferry/image/archive_source.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "ferry/image/compression.hpp"

namespace ferry::image {

ArchiveSource::ArchiveSource(int fd, ChunkPool& pool, std::function<void(uint64_t)> on_read)
    : m_fd(fd), m_pool(pool), m_on_read(std::move(on_read)) {}

ArchiveSource::~ArchiveSource() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        for (auto& [chunk, size] : m_filled) m_pool.release(chunk);
        m_filled.clear();
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wake.get(), &one, sizeof one);
    m_ready.notify_all();
    if (m_thread.joinable()) m_thread.join();
    for (auto& [chunk, size] : m_filled) m_pool.release(chunk);
}

Result<std::unique_ptr<ArchiveSource>> ArchiveSource::start(
    int fd, ChunkPool& pool, std::function<void(uint64_t)> on_read) {
    std::unique_ptr<ArchiveSource> src(new ArchiveSource(fd, pool, std::move(on_read)));
    src->m_wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!src->m_wake) return fail_errno("eventfd");
    src->m_thread = std::thread([s = src.get()] { s->run(); });
    return src;
}

Chunk* ArchiveSource::next(size_t& size) {
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [&] { return !m_filled.empty() || m_done; });
    if (m_filled.empty()) return nullptr;
    auto [chunk, n] = m_filled.front();
    m_filled.pop_front();
    size = n;
    return chunk;
}

Result<void> ArchiveSource::result() {
    std::lock_guard lock(m_mutex);
    return m_result;
}

void ArchiveSource::push(Chunk* chunk, size_t size) {
    std::lock_guard lock(m_mutex);
    if (m_stop) {
        m_pool.release(chunk);
        return;
    }
    m_filled.emplace_back(chunk, size);
    m_ready.notify_one();
}

void ArchiveSource::run() {
    auto r = read_all();
    std::lock_guard lock(m_mutex);
    m_result = std::move(r);
    m_done = true;
    m_ready.notify_all();
}

Result<void> ArchiveSource::read_all() {
    // Reads up to size bytes into buf; 0 at end of input or when asked to stop.
    auto read_some = [&](uint8_t* buf, size_t size) -> Result<size_t> {
        for (;;) {
            {
                std::lock_guard lock(m_mutex);
                if (m_stop) return 0;
            }
            ssize_t n = ::read(m_fd, buf, size);
            if (n >= 0) {
                if (n > 0 && m_on_read) m_on_read(static_cast<uint64_t>(n));
                return static_cast<size_t>(n);
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return fail_errno("read");
            pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake.get(), POLLIN, 0}};
            ::poll(fds, 2, -1);
        }
    };

    Chunk* chunk = m_pool.acquire();
    size_t fill = 0;
    // Fill the first chunk enough to recognise the format.
    while (fill < 512) {
        size_t n = TRY(read_some(chunk->data() + fill, chunk->capacity() - fill));
        if (n == 0) break;
        fill += n;
    }
    Compression c = detect_compression({chunk->data(), fill});
    if (c == Compression::none) {
        for (;;) {
            if (fill == chunk->capacity()) {
                push(chunk, fill);
                chunk = m_pool.acquire();
                fill = 0;
            }
            size_t n = TRY(read_some(chunk->data() + fill, chunk->capacity() - fill));
            if (n == 0) break;
            fill += n;
        }
        if (fill)
            push(chunk, fill);
        else
            m_pool.release(chunk);
        return {};
    }

    auto inflater = TRY(Decompressor::create(c));
    std::vector<uint8_t> raw(chunk->data(), chunk->data() + fill);
    Chunk* out = m_pool.acquire();
    size_t out_fill = 0;
    auto emit = [&](std::span<const uint8_t> bytes) -> Result<void> {
        while (!bytes.empty()) {
            size_t n = std::min(bytes.size(), out->capacity() - out_fill);
            std::memcpy(out->data() + out_fill, bytes.data(), n);
            out_fill += n;
            bytes = bytes.subspan(n);
            if (out_fill == out->capacity()) {
                push(out, out_fill);
                out = m_pool.acquire();
                out_fill = 0;
            }
        }
        return {};
    };
    auto cleanup = [&] {
        m_pool.release(chunk);
        if (out_fill)
            push(out, out_fill);
        else
            m_pool.release(out);
    };
    auto fed = inflater->feed(raw, emit);
    raw.resize(chunk->capacity());
    while (fed) {
        auto n = read_some(raw.data(), raw.size());
        if (!n) {
            fed = std::unexpected(n.error());
            break;
        }
        if (*n == 0) {
            fed = inflater->finish();
            break;
        }
        fed = inflater->feed({raw.data(), *n}, emit);
    }
    cleanup();
    return fed;
}

}  // namespace ferry::image
