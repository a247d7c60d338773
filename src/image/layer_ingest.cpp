// See layer_ingest.hpp. Inflated bytes are copied into chunks of a pool separate from the
// archive reader's, so the reader, this thread and the hasher can never wait on each other in a
// cycle: the hasher never waits, and this thread only waits for chunks the hasher will free.

#include "ferry/image/layer_ingest.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstring>

#include "ferry/util/fs.hpp"

namespace ferry::image {

Result<std::unique_ptr<LayerIngest>> LayerIngest::create(int staging_fd,
                                                         const std::string& dir_name,
                                                         std::span<const uint8_t> first_bytes,
                                                         AsyncHasher& hasher,
                                                         ChunkPool& inflate_pool,
                                                         const UnpackOptions& options) {
    return create(staging_fd, dir_name, detect_compression(first_bytes), hasher, inflate_pool,
                  options);
}

Result<std::unique_ptr<LayerIngest>> LayerIngest::create(int staging_fd,
                                                         const std::string& dir_name,
                                                         Compression compression,
                                                         AsyncHasher& hasher,
                                                         ChunkPool& inflate_pool,
                                                         const UnpackOptions& options) {
    std::unique_ptr<LayerIngest> in(new LayerIngest(hasher, inflate_pool));
    in->m_dir_name = dir_name;
    if (::mkdirat(staging_fd, dir_name.c_str(), 0700) != 0)
        return fail_errno("create `" + dir_name + "`");
    Fd dir = TRY(fs::open_at(staging_fd, dir_name, O_RDONLY | O_DIRECTORY));
    if (::mkdirat(dir.get(), "diff", 0755) != 0) return fail_errno("create `diff`");
    in->m_diff_fd = TRY(fs::open_at(dir.get(), "diff", O_RDONLY | O_DIRECTORY));
    in->m_record_fd =
        TRY(fs::open_at(dir.get(), "tar-split.zst", O_WRONLY | O_CREAT | O_EXCL, 0600));
    in->m_unpacker = TRY(LayerUnpacker::create(in->m_diff_fd.get(), in->m_record_fd.get(), options));
    in->m_reader = std::make_unique<TarReader>(*in->m_unpacker);
    in->m_compression = compression;
    in->m_blob_stream = hasher.open();
    in->m_streams_open = true;
    if (in->m_compression != Compression::none) {
        in->m_inflater = TRY(Decompressor::create(in->m_compression));
        in->m_diff_stream = hasher.open();
    } else {
        in->m_diff_stream = in->m_blob_stream;
    }
    return in;
}

LayerIngest::~LayerIngest() {
    if (m_out) m_pool.release(m_out);
    // Never leave hasher jobs pointing at our buffers; a create() that failed before opening
    // its streams (a full disk at the first mkdir) has none.
    if (m_streams_open) resolve_digests();
}

Result<void> LayerIngest::take_inflated(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        if (!m_out) {
            m_out = m_pool.acquire();
            m_out_fill = 0;
        }
        size_t n = std::min(bytes.size(), m_out->capacity() - m_out_fill);
        uint8_t* dst = m_out->data() + m_out_fill;
        std::memcpy(dst, bytes.data(), n);
        m_out_fill += n;
        bytes = bytes.subspan(n);
        std::span<const uint8_t> copy(dst, n);
        m_hasher.update(m_diff_stream, m_out, copy);
        TRY(m_reader->feed(copy));
        if (m_out_fill == m_out->capacity()) {
            m_pool.release(m_out);
            m_out = nullptr;
        }
    }
    return {};
}

Result<void> LayerIngest::feed(Chunk* chunk, std::span<const uint8_t> bytes) {
    if (chunk)
        m_hasher.update(m_blob_stream, chunk, bytes);
    else
        m_hasher.update_unowned(m_blob_stream, bytes);
    if (!m_inflater) return m_reader->feed(bytes);
    return m_inflater->feed(bytes,
                            [this](std::span<const uint8_t> out) { return take_inflated(out); });
}

Result<void> LayerIngest::finish() {
    if (m_inflater) TRY(m_inflater->finish());
    TRY(m_reader->finish());
    m_stats = TRY(m_unpacker->finish());
    return {};
}

void LayerIngest::resolve_digests() {
    if (m_resolved) return;
    m_resolved = true;
    auto [blob, size] = m_hasher.finish(m_blob_stream);
    m_blob_digest = "sha256:" + blob;
    m_blob_size = size;
    m_diff_id = m_inflater ? "sha256:" + m_hasher.finish(m_diff_stream).first : m_blob_digest;
}

std::string LayerIngest::blob_digest() {
    resolve_digests();
    return m_blob_digest;
}

std::string LayerIngest::diff_id() {
    resolve_digests();
    return m_diff_id;
}

uint64_t LayerIngest::blob_size() {
    resolve_digests();
    return m_blob_size;
}

}  // namespace ferry::image
