#pragma once
// The blob cache (blob-cache.json in the store root, rewritten under blob-cache.lock): what the
// store knows about the compressed blobs of its layers, so that a push does not compress or
// send again what it or a pull already knows. Two kinds of entry:
//
//   compressed: (diff ID, compression) -> (digest, size, media type) of the blob
//               produce_layer_blob makes of that layer with that compression (its default
//               level and block size), recorded by push after producing it;
//   sources:    diff ID -> (registry, repository, digest, size, media type) of a blob a pull
//               fetched (or a push sent), as docker's v2metadata: the same registry has that
//               blob (HEAD finds it), and another repository of it can be asked to mount it
//               (`POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<repository>`).
//
// Only a source says where a blob is; a compressed entry says what the store would produce, so
// it may be uploaded anywhere (a pulled blob, compressed by someone else, cannot be).
//
// It is only a cache: a missing or damaged file reads as empty (nothing is trusted from it
// without the registry's confirmation: a HEAD, or the digest of the bytes produced), a damaged
// one is reported by `ferry system check` and rebuilt empty by `--repair`; recording into a
// damaged file leaves it as it is. It is bounded (4096 compressed entries, 8192 sources, at
// most 8 per layer; the oldest go first) and garbage collection drops the entries of layers no
// longer in the store. Every rewrite is atomic (write-temp, fsync, rename).

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/image/layer_blob.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Where a registry holds a layer's blob.
struct BlobSource {
    std::string registry;    // the reference's domain, e.g. docker.io, localhost:5000
    std::string repository;  // e.g. library/ubuntu
    std::string digest;      // sha256:<hex> of the blob
    uint64_t size = 0;
    std::string media_type;
};

// One compressed entry.
struct CompressedEntry {
    std::string diff_id;
    Compression compression = Compression::gzip;
    std::string digest;
    uint64_t size = 0;
    std::string media_type;
};

// One source entry.
struct SourceEntry {
    std::string diff_id;
    BlobSource source;
};

// The file's content, newest entries first.
struct BlobCache {
    std::vector<CompressedEntry> compressed;
    std::vector<SourceEntry> sources;

    // Parses blob-cache.json. Fails with sys_errno EUCLEAN and a detail (`truncated or
    // malformed JSON`, `no `version``, `malformed entry`, `unknown version 2`).
    static Result<BlobCache> parse(std::string_view text);
    std::string serialize() const;
    // Adds e in front, replacing the entry of the same diff ID and compression; drops the
    // oldest past the bounds.
    void add(CompressedEntry e);
    // Adds e in front, replacing the entry of the same diff ID, registry and repository;
    // drops the oldest past the bounds (8 sources per diff ID).
    void add(SourceEntry e);
    // Drops the entries whose diff ID is not in diff_ids; returns how many.
    size_t retain(const std::set<std::string>& diff_ids);
};

// What one record_blobs call adds.
struct BlobCacheUpdate {
    std::vector<CompressedEntry> compressed;
    std::vector<SourceEntry> sources;
};

// Path of blob-cache.json in store.
std::string blob_cache_path(const Store& store);

// The blob produce_layer_blob made of diff_id with compression (default level), when
// recorded; none when not, or when the file is missing or damaged. Check it before use (HEAD
// on the registry); what produce_layer_blob returns is always right, whatever was remembered.
std::optional<LayerBlob> known_blob(const Store& store, const std::string& diff_id,
                                    Compression compression);

// The registries and repositories known to hold a blob of diff_id, newest first; empty when
// none, or when the file is missing or damaged.
std::vector<BlobSource> blob_sources(const Store& store, const std::string& diff_id);

// Adds the entries in one atomic rewrite under blob-cache.lock (one call per push or pull, not
// per layer: each rewrite costs two fsyncs). A damaged file is left as it is (system check
// reports it) and nothing is recorded; that is no error. Fails on I/O errors (`lock `…`: timed
// out after 300s`, a full disk).
Result<void> record_blobs(const Store& store, const BlobCacheUpdate& update);

// Reads the file: an empty cache when missing; damaged()'s error (`blob cache `…` is damaged
// (…): run `ferry system check --repair``) when it cannot be parsed.
Result<BlobCache> read_blob_cache(const Store& store);

// Replaces the file with an empty cache, under its lock (system check --repair).
Result<void> reset_blob_cache(const Store& store);

// Drops the entries of layers no longer in the store (garbage collection calls it while it
// holds layers.lock). A missing or damaged file is left as it is.
Result<void> prune_blob_cache(const Store& store);

}  // namespace ferry::image
