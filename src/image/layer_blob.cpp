// See layer_blob.hpp. Three kinds of thread share the work: the caller's regenerates the tar
// (regenerate_layer reads the files into ParallelCompressor's input blocks directly, no other
// copy), passes finished compressed blocks to the sink and hashes them (the compressed stream
// is the smaller one); the hasher thread hashes the uncompressed blocks for the diff-ID check,
// holding a reference on each block until hashed; the compression workers do the rest. Input
// blocks come from one fixed pool, so whichever of them is slowest throttles the others and
// memory stays at the compressor's bound.

#include "ferry/image/layer_blob.hpp"

#include <fcntl.h>

#include <cstring>

#include "ferry/image/compression_parallel.hpp"
#include "ferry/image/pack.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/async_hasher.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::image {

namespace {

// Collects the regenerated tar into the compressor's input blocks, handing each full block
// to the hasher and the compressor.
class BlockSink : public TarSink {
  public:
    BlockSink(ParallelCompressor& compressor, AsyncHasher& hasher, const ByteSink& out,
              Progress* progress)
        : m_compressor(compressor), m_hasher(hasher), m_out(out), m_progress(progress),
          m_stream(hasher.open()) {}
    ~BlockSink() override {
        if (m_block) m_compressor.pool().release(m_block);
    }

    Result<void> write(std::span<const uint8_t> bytes) override {
        while (!bytes.empty()) {
            std::span<uint8_t> room = TRY(space());
            size_t n = std::min(bytes.size(), room.size());
            std::memcpy(room.data(), bytes.data(), n);
            TRY(filled(n));
            bytes = bytes.subspan(n);
        }
        return {};
    }

    Result<void> copy_from(int fd, uint64_t offset, uint64_t len) override {
        while (len > 0) {
            std::span<uint8_t> room = TRY(space());
            size_t n = static_cast<size_t>(std::min<uint64_t>(len, room.size()));
            TRY(fs::pread_exact(fd, room.data(), n, offset));
            TRY(filled(n));
            offset += n;
            len -= n;
        }
        return {};
    }

    // Submits the last block and waits for all output; returns the tar's "sha256:<hex>".
    Result<std::string> finish() {
        if (m_block && m_fill > 0) TRY(submit());
        TRY(m_compressor.finish(m_out));
        return "sha256:" + m_hasher.finish(m_stream).first;
    }

  private:
    Result<std::span<uint8_t>> space() {
        if (!m_block) {
            m_block = m_compressor.acquire();
            m_fill = 0;
        }
        return std::span<uint8_t>(m_block->data() + m_fill, m_block->capacity() - m_fill);
    }

    Result<void> filled(size_t n) {
        m_fill += n;
        if (m_progress) m_progress->advance(n);
        if (m_fill == m_block->capacity()) TRY(submit());
        return {};
    }

    Result<void> submit() {
        Chunk* block = std::exchange(m_block, nullptr);
        m_hasher.update(m_stream, block, {block->data(), m_fill});
        return m_compressor.submit(block, m_fill, m_out);
    }

    ParallelCompressor& m_compressor;
    AsyncHasher& m_hasher;
    const ByteSink& m_out;
    Progress* m_progress;
    AsyncHasher::Stream m_stream;
    Chunk* m_block = nullptr;
    size_t m_fill = 0;
};

}  // namespace

std::string layer_blob_media_type(Compression c, MediaTypes types) {
    return std::string(types == MediaTypes::docker ? docker_layer_media_type(c)
                                                   : oci_layer_media_type(c));
}

Result<LayerBlob> produce_layer_blob(const Store& store, const std::string& chain,
                                     const BlobSettings& settings, const ByteSink& out,
                                     Progress* progress) {
    LayerMeta meta = TRY(store.layer_meta(chain));
    std::string dir = store.layer_path(chain);
    Fd diff = TRY(fs::open(dir + "/diff", O_RDONLY | O_DIRECTORY));
    Fd record = TRY(fs::open(dir + "/tar-split.zst", O_RDONLY));
    auto compressor =
        TRY(ParallelCompressor::create(settings.compression, settings.level, settings.threads));
    Sha256 blob_hash;
    ByteSink counted = [&](std::span<const uint8_t> bytes) -> Result<void> {
        blob_hash.update(bytes.data(), bytes.size());
        return out(bytes);
    };
    // Declared after the compressor, whose pool it holds references into: destroyed first.
    AsyncHasher hasher;
    BlockSink sink(*compressor, hasher, counted, progress);
    TRY_CTX("layer " + meta.diff_id, regenerate_layer(diff.get(), record.get(), sink));
    std::string got = TRY_CTX("layer " + meta.diff_id, sink.finish());
    if (got != meta.diff_id)
        return fail("layer " + meta.diff_id +
                    ": regenerated content does not match its digest (got " + got +
                    "; the store is damaged)");
    LayerBlob blob;
    blob.size = blob_hash.size();
    blob.digest = "sha256:" + blob_hash.hex_digest();
    blob.media_type = layer_blob_media_type(settings.compression, settings.media_types);
    blob.diff_id = meta.diff_id;
    return blob;
}

}  // namespace ferry::image
