#pragma once
// LayerIngest: one layer blob on its way into the store. Bytes arrive as they are read from the
// archive; the blob digest is hashed on the hasher thread; compressed blobs are inflated here and
// the uncompressed stream (whose digest is the diff ID) is hashed on the hasher thread too, while
// this thread parses the tar and unpacks it into a staged layer directory with its tar-split
// record. Nothing is buffered beyond one chunk.

#include <memory>
#include <span>
#include <string>

#include "ferry/image/compression.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/async_hasher.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// A layer unpacked into a staging directory and verified: what commit_images installs. A pull
// can also rebuild one from the record it kept of a layer an interrupted pull finished.
struct StagedLayer {
    std::string dir;            // the directory's name under the staging directory
    std::string diff_id;        // sha256:<hex> of the uncompressed tar
    uint64_t content_size = 0;  // bytes of file content (UnpackStats::content_size)
    uint64_t tar_size = 0;      // bytes of the uncompressed tar
};

class LayerIngest {
public:
    // Creates staged directory `dir_name` (with diff/ and tar-split.zst) under staging_fd.
    // first_bytes decides the compression.
    static Result<std::unique_ptr<LayerIngest>> create(int staging_fd, const std::string& dir_name,
                                                       std::span<const uint8_t> first_bytes,
                                                       AsyncHasher& hasher,
                                                       ChunkPool& inflate_pool,
                                                       const UnpackOptions& options);
    // As create, for a blob whose compression is known (commit feeds a plain tar it writes).
    static Result<std::unique_ptr<LayerIngest>> create(int staging_fd, const std::string& dir_name,
                                                       Compression compression,
                                                       AsyncHasher& hasher,
                                                       ChunkPool& inflate_pool,
                                                       const UnpackOptions& options);
    ~LayerIngest();

    // Consumes the next bytes of the blob. chunk holds them and stays valid until hashed;
    // null when the caller keeps the bytes alive until the digests are read.
    Result<void> feed(Chunk* chunk, std::span<const uint8_t> bytes);
    // Ends the blob: flushes the inflater, the tar parser and the unpacker.
    Result<void> finish();

    // After finish(): the digests ("sha256:<hex>"), waiting for the hasher. The diff ID equals
    // the blob digest for an uncompressed blob.
    std::string blob_digest();
    std::string diff_id();
    uint64_t blob_size();
    const UnpackStats& stats() const { return m_stats; }
    Compression compression() const { return m_compression; }
    const std::string& dir_name() const { return m_dir_name; }
    // After finish(): the staged layer, for commit_images.
    StagedLayer staged() { return {m_dir_name, diff_id(), m_stats.content_size, m_stats.tar_size}; }

private:
    LayerIngest(AsyncHasher& hasher, ChunkPool& pool) : m_hasher(hasher), m_pool(pool) {}
    Result<void> take_inflated(std::span<const uint8_t> bytes);
    void resolve_digests();

    AsyncHasher& m_hasher;
    ChunkPool& m_pool;
    std::string m_dir_name;
    Compression m_compression = Compression::none;
    AsyncHasher::Stream m_blob_stream = 0, m_diff_stream = 0;
    std::unique_ptr<Decompressor> m_inflater;
    std::unique_ptr<LayerUnpacker> m_unpacker;
    std::unique_ptr<TarReader> m_reader;
    Fd m_diff_fd, m_record_fd;
    Chunk* m_out = nullptr;  // current inflate output chunk
    size_t m_out_fill = 0;
    UnpackStats m_stats{};
    bool m_streams_open = false;  // the hasher streams exist (create got that far)
    bool m_resolved = false;
    std::string m_blob_digest, m_diff_id;
    uint64_t m_blob_size = 0;
};

}  // namespace ferry::image
