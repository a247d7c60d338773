#pragma once
// Store: the on-disk image store of design.md.
//
//   blobs/sha256/<hex>        manifests and configs, byte for byte as received
//   layers/<chain-hex>/       diff/ (the overlay lower dir), tar-split.zst, layer.json; immutable
//   images.json               ImageCatalog, rewritten atomically under images.lock
//   layers.lock               shared by anyone about to reference layers not yet in images.json,
//                             exclusive while garbage collection deletes unreferenced layers
//   tmp/<id>/ + tmp/<id>.lock staging; an entry whose lock is free is garbage (except a
//                             container being deleted in the background, tmp/rm-<id>, for a
//                             minute)
//
// Nothing half-written is ever visible under a final name: layers and blobs are built in tmp/
// and renamed into place; images.json is replaced atomically. A process killed at any moment
// leaves only tmp/ entries (removed by the next Store::open) and, between installing layers and
// rewriting images.json, layers and blobs no image references (listed in the staging dir's
// `intent` file, so the next open knows to collect garbage).

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ferry/core/context.hpp"
#include "ferry/image/image_catalog.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// layer.json: what the store knows about one unpacked layer.
struct LayerMeta {
    std::string diff_id;       // sha256:<hex> of the uncompressed tar
    std::string parent;        // parent chain hex, empty for a base layer
    uint64_t size = 0;         // content size (docker's layer Size)
    uint64_t tar_size = 0;     // bytes of the regenerated tar
};

// A private directory under tmp/, locked for as long as the object lives and removed with it.
class Staging {
public:
    Staging() = default;
    Staging(Staging&&) = default;
    Staging& operator=(Staging&&) = default;
    ~Staging();
    // Absolute path of the staging directory.
    const std::string& path() const { return m_path; }
    // Descriptor of the staging directory.
    int fd() const { return m_fd.get(); }

private:
    friend class Store;
    std::string m_path;
    Fd m_fd;
    FileLock m_lock;
};

// Which unreferenced things a garbage collection deleted.
struct GcReport {
    std::vector<std::string> layers;  // chain hex
    std::vector<std::string> blobs;   // sha256:<hex>
    uint64_t reclaimed = 0;           // bytes
};

class Store {
public:
    // Opens (creating if needed) the store at ctx.root and removes garbage left in tmp/ by
    // processes that died.
    static Result<Store> open(const Context& ctx);

    const std::string& root() const { return m_root; }
    // Whether this store belongs to a rootless user (no device nodes, user.* overlay xattrs).
    bool rootless() const { return m_rootless; }
    // How layers are unpacked into this store: root keeps owners and device nodes; rootless
    // uses user.* overlay xattrs, refuses device nodes and keeps owners inside the store's user
    // namespace (subordinate ids), else gives every file to the user (best effort).
    UnpackOptions unpack_options() const;

    // A new locked staging directory under tmp/.
    Result<Staging> stage();

    // A snapshot of images.json (no lock needed: it is replaced atomically).
    Result<ImageCatalog> read_images() const;
    // Read-modify-write of images.json under images.lock; fn may fail to abandon the change.
    Result<void> update_images(const std::function<Result<void>(ImageCatalog&)>& fn);

    // Blob path for a digest "sha256:<hex>".
    std::string blob_path(const std::string& digest) const;
    // Stores a blob (atomically); no-op if present.
    Result<void> put_blob(const std::string& digest, std::string_view data);
    // Stores a blob (atomically) for the work of staging, recording it in the staging's intent
    // file first (as install_layer) so a crash before images.json names it is cleaned up; no-op
    // if present.
    Result<void> install_blob(Staging& staging, const std::string& digest, std::string_view data);
    // Reads a blob, failing with `blob `sha256:…` is missing from the store`.
    Result<std::string> read_blob(const std::string& digest) const;

    // Directory of a layer (layers/<chain-hex>).
    std::string layer_path(const std::string& chain) const;
    // Whether a layer is installed.
    bool has_layer(const std::string& chain) const;
    // The layer's layer.json.
    Result<LayerMeta> layer_meta(const std::string& chain) const;
    // Writes layer.json into a staged layer dir (before install_layer).
    static Result<void> write_layer_meta(int layer_dirfd, const LayerMeta& meta);
    // Renames a staged layer directory into layers/<chain>; if another process installed the
    // same layer first, keeps theirs (layers are content-addressed). Records the chain in the
    // staging's intent file first so a crash before images.json names it is cleaned up.
    Result<void> install_layer(Staging& staging, const std::string& staged_name,
                               const std::string& chain);

    // Holds layers.lock shared: garbage collection will not delete any layer while it is held.
    Result<FileLock> pin_layers() const;
    // Deletes layers and blobs no image (nor extra_refs) references. With LockWait::no_wait it
    // returns an empty report when another process holds layers pinned.
    Result<GcReport> collect_garbage(LockWait wait, const std::set<std::string>& extra_chains = {});

private:
    Result<void> clean_tmp();
    Result<void> record_intent(Staging& staging, const std::string& what);
    Result<void> move_to_trash(const std::string& relative, const std::string& what);
    std::string m_root;
    bool m_rootless = false;
    bool m_userns = false;
};

}  // namespace ferry::image
