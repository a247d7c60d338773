#pragma once
// Store: the on-disk image store of design.md.
//
//   blobs/sha256/<hex>        manifests and configs, byte for byte as received
//   layers/<chain-hex>/       diff/ (the overlay lower dir), tar-split.zst, layer.json; immutable
//   images.json               ImageCatalog, rewritten atomically under images.lock (and copied to
//                             images.json.bak, where a repair finds the names)
//   images.lock               exclusive while images.json is rewritten; shared by a container
//                             being created from an image until its record is written (so
//                             `rmi`, which checks the containers under the exclusive lock,
//                             sees the container or the creation sees the image gone), and by
//                             garbage collection while it reads the index and the containers
//   layers.lock               shared by anyone about to reference layers not yet in images.json,
//                             exclusive while garbage collection deletes unreferenced layers
//   tmp/<id>/ + tmp/<id>.lock staging; an entry whose lock is free is garbage (except a
//                             container being deleted in the background, tmp/rm-<id>, for a
//                             minute, and a pull's, tmp/pull-<key>, for a day: the layers it
//                             finished, each with its record, wait there for the next pull)
//
// Nothing half-written is ever visible under a final name: layers and blobs are built in tmp/
// and renamed into place (a layer's files made durable first: syncfs); images.json is replaced
// atomically. A process killed at any moment leaves only tmp/ entries (removed by the next
// Store::open) and, between installing layers and rewriting images.json, layers and blobs no
// image references (listed in the staging dir's `intent` file, which stays until a garbage
// collection has run, so the next open knows to collect garbage even if the previous clean-up
// was killed too). Files a dead process was writing outside the store (`save -o`'s) are listed
// in its staging dir's `partial` file and removed with it.
//
// Garbage collection keeps every layer and image config a container record names (through
// Context::container_uses), and deletes nothing while images.json or a container record cannot
// be read: unreadable is never taken for empty.

#include <cstdint>
#include <functional>
#include <optional>
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
    // Unlocks the directory and leaves it in place, so that the next command's clean-up of
    // tmp/ takes it for a dead process's: for an intent that must outlive this process.
    void abandon();

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
    bool skipped = false;             // LockWait::no_wait and another process held layers.lock
};

// Removes the files a dead process listed in the `partial` file of its staging directory
// (Store::register_partial). Only names with `.tmp-` in their last component: the list is
// ferry's own, but a mistake must never delete a user's file.
void remove_partial_files(const std::string& staging_dir);

// Whether tmp/<name> is an interrupted pull's directory to keep (Store::stage_resumable): a
// pull-<key> directory without an intent, changed in the last day. Its lock is not looked at.
bool kept_pull(const std::string& tmp, const std::string& name);

// Whether Store::open cleans tmp/ (every command does; `system check` looks first).
enum class TmpCleanup { now, none };

class Store {
public:
    // Opens (creating if needed) the store at ctx.root and removes garbage left in tmp/ by
    // processes that died.
    static Result<Store> open(const Context& ctx, TmpCleanup cleanup = TmpCleanup::now);

    const std::string& root() const { return m_root; }
    // Whether this store belongs to a rootless user (no device nodes, user.* overlay xattrs).
    bool rootless() const { return m_rootless; }
    // How layers are unpacked into this store: root keeps owners and device nodes; rootless
    // uses user.* overlay xattrs, refuses device nodes and keeps owners inside the store's user
    // namespace (subordinate ids), else gives every file to the user (best effort).
    UnpackOptions unpack_options() const;

    // A new locked staging directory under tmp/.
    Result<Staging> stage();
    // The staging directory of a pull that can be resumed, tmp/pull-<key> (key: lower hex),
    // created or taken over from a pull that failed or died. Staging::abandon keeps it for the
    // next pull; the clean-up of tmp/ leaves it a day, unless it holds an intent (a commit died
    // half-way: collected as any staging). nullopt while another process holds it.
    Result<std::optional<Staging>> stage_resumable(const std::string& key);
    // Removes the kept directories of interrupted pulls that no process holds (`system prune`);
    // returns the bytes freed.
    Result<uint64_t> drop_interrupted_pulls();

    // A snapshot of images.json (no lock needed: it is replaced atomically). A store without
    // one has no images only while it holds no layers and no blobs; otherwise, and when the file
    // cannot be parsed, fails with damaged()'s line (`image index `…/images.json` is damaged
    // (empty file): run `ferry system check --repair``); a version this ferry does not know
    // fails with `image index `…` has unknown version 2: use the ferry that wrote it, or rebuild
    // the index with `ferry system check --repair``.
    Result<ImageCatalog> read_images() const;
    // Path of images.json.
    std::string images_path() const { return m_root + "/images.json"; }
    // Holds images.lock in mode (see the layout above).
    Result<FileLock> lock_images(LockMode mode) const;
    // The store's containers (Context::container_uses). Without that reader, fails unless
    // containers/ is empty or absent.
    Result<ContainerUses> container_uses(UseState state) const;
    // Read-modify-write of images.json under images.lock; fn may fail to abandon the change.
    // A copy goes to images.json.bak (on its own inode), from which `system check --repair`
    // recovers the names should images.json ever be damaged.
    Result<void> update_images(const std::function<Result<void>(ImageCatalog&)>& fn);
    // Replaces images.json with index; the caller holds images.lock exclusive (held).
    Result<void> replace_images(const ImageCatalog& index, const FileLock& held);

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

    // Records path, a file this process writes outside the store under a temporary name, in
    // the staging's `partial` list: should the process die, the clean-up of its staging
    // removes the file (only a name containing `.tmp-` is ever removed that way).
    Result<void> register_partial(Staging& staging, const std::string& path);

    // Appends what (a chain ID or blob digest) to the staging's `intent` file: should the
    // process die before a garbage collection, the next command's clean-up runs one.
    Result<void> record_intent(Staging& staging, const std::string& what);

    // Holds layers.lock shared: garbage collection will not delete any layer while it is held.
    Result<FileLock> pin_layers() const;
    // Deletes layers and blobs that no image, no container (nor extra_chains) references. With
    // LockWait::no_wait it returns an empty report marked skipped when another process holds
    // layers pinned (a collection running meanwhile is waited for). Fails, deleting nothing, when images.json or a container record cannot be
    // read (`not deleting unused layers: container record `…` is damaged (…): …`).
    Result<GcReport> collect_garbage(LockWait wait, const std::set<std::string>& extra_chains = {});

    // Prints `ferry: warning: message`, once per message in this process (a collection that
    // cannot run is reported by the clean-up at open and again by the command's own).
    void warn_once(const std::string& message);

    // Moves root/relative (a layer or blob) into a private staging directory that is deleted
    // at once, outside any lock; a missing entry is no error.
    Result<void> move_to_trash(const std::string& relative, const std::string& what);

private:
    // layers.lock exclusive. With LockWait::no_wait, fails with EWOULDBLOCK while a load or commit
    // pins the layers, but waits for another collection (or a system check) to end.
    Result<FileLock> lock_for_collection(LockWait wait) const;
    Result<void> clean_tmp();
    Result<Staging> make_staging();
    Result<void> write_index(const ImageCatalog& index);
    Result<void> ensure_index();
    Result<bool> holds_nothing() const;
    std::string m_root;
    bool m_rootless = false;
    bool m_userns = false;
    ContainerUsesFn m_uses;
    std::set<std::string> m_warned;
};

}  // namespace ferry::image
