// What the store deletes, and when (see store.hpp for the layout and locks).
//
// Garbage collection takes layers.lock exclusive (no load or commit is between installing a
// layer and naming it), then, under images.lock shared, reads images.json and the container
// records: no `rmi` can run in between, and a container being created holds images.lock shared
// too, so its image stays in the index while its record may not be readable yet. Whatever either
// names is kept; anything it cannot read stops the collection before anything is deleted.
//
// The clean-up of tmp/ at every Store::open removes the staging of dead processes. A staging
// whose `intent` lists installed-but-unnamed layers or blobs is kept, locked, until a garbage
// collection has run: if this clean-up is killed half-way, or collection is impossible now (a
// load holds layers.lock, a record is damaged), the next command tries again. Files a dead
// process wrote outside the store (its `partial` list) are removed first. Each collection also
// drops the blob cache's entries of layers no longer in the store (blob_cache.hpp).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "ferry/image/blob_cache.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

// Whether path changed in the last minute: a container directory renamed into tmp/ for a
// background deletion (ContainerStore::remove) is left to its deleter that long.
bool recently_changed(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return false;
    return ::time(nullptr) - st.st_ctime < 60;
}

bool has_intent(const std::string& staging) {
    struct stat st {};
    return ::stat((staging + "/intent").c_str(), &st) == 0 && st.st_size > 0;
}

std::vector<std::string> sorted(std::vector<std::string> names) {  // a stable report order
    std::sort(names.begin(), names.end());
    return names;
}

// Whether tmp/<name> is an interrupted pull's directory with no commit half-done in it.
bool interrupted_pull(const std::string& tmp, const std::string& name) {
    return name.starts_with("pull-") && !name.ends_with(".lock") && !has_intent(tmp + "/" + name);
}

}  // namespace

bool kept_pull(const std::string& tmp, const std::string& name) {
    constexpr time_t k_keep_seconds = 24 * 3600;
    if (!interrupted_pull(tmp, name)) return false;
    struct stat st {};
    if (::lstat((tmp + "/" + name).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    return ::time(nullptr) - st.st_mtime < k_keep_seconds;
}

Result<uint64_t> Store::drop_interrupted_pulls() {
    const std::string tmp = m_root + "/tmp";
    uint64_t freed = 0;
    for (const auto& n : TRY(fs::list_dir(tmp))) {
        if (!interrupted_pull(tmp, n)) continue;
        auto lock =
            FileLock::acquire(tmp + "/" + n + ".lock", LockMode::exclusive, LockWait::no_wait);
        if (!lock) continue;  // a pull is using it
        freed += fs::disk_usage(tmp + "/" + n).value_or(0);
        TRY(fs::remove_tree(tmp + "/" + n));
        lock->release(true);
    }
    return freed;
}

void remove_partial_files(const std::string& staging) {
    auto list = fs::read_file(staging + "/partial");
    if (!list) return;
    for (const auto& path : split(*list, '\n')) {
        auto slash = path.rfind('/');
        if (path.empty() || path[0] != '/' || slash == std::string::npos ||
            path.find(".tmp-", slash) == std::string::npos)
            continue;
        if (::unlink(path.c_str()) == 0) log::debug("removed the partial file `" + path + "`");
    }
}

Result<void> Store::clean_tmp() {
    const std::string tmp = m_root + "/tmp";
    auto names = TRY(fs::list_dir(tmp));
    std::set<std::string> locks;
    for (const auto& n : names)
        if (n.ends_with(".lock")) locks.insert(n.substr(0, n.size() - 5));
    struct Dead {
        std::string name;
        FileLock lock;
    };
    std::vector<Dead> pending;  // dead stagings whose intent waits for a garbage collection
    for (const auto& n : names) {
        if (n.ends_with(".lock")) continue;
        if (n.starts_with("rm-") && recently_changed(tmp + "/" + n)) continue;  // being deleted
        auto lock =
            FileLock::acquire(tmp + "/" + n + ".lock", LockMode::exclusive, LockWait::no_wait);
        if (!lock) continue;  // its owner is alive
        if (kept_pull(tmp, n)) {  // for the next pull of that image to resume
            locks.erase(n);
            continue;
        }
        remove_partial_files(tmp + "/" + n);
        if (has_intent(tmp + "/" + n)) {
            pending.push_back({n, std::move(*lock)});
            continue;
        }
        log::debug("removing leftover `tmp/" + n + "`");
        // What cannot be removed (files a rootless container gave to other ids of its user
        // namespace) must not stop every command: it is tried again next time.
        if (auto removed = fs::remove_tree(tmp + "/" + n); !removed) {
            log::warn("cannot remove leftover `tmp/" + n + "`: " + removed.error().message);
            continue;
        }
        lock->release(true);
        locks.erase(n);
    }
    for (const auto& n : locks) {  // lock files whose directory is already gone
        auto lock =
            FileLock::acquire(tmp + "/" + n + ".lock", LockMode::exclusive, LockWait::no_wait);
        if (lock) lock->release(true);
    }
    if (pending.empty()) return {};
    // A load died between installing layers or blobs and naming them: collect what is
    // unreferenced, then forget the intents (not before: a clean-up killed here is redone).
    auto report = collect_garbage(LockWait::no_wait);
    if (!report) {
        warn_once(report.error().message);
        return {};
    }
    if (report->skipped) return {};
    for (auto& dead : pending) {
        log::debug("removing leftover `tmp/" + dead.name + "`");
        if (auto removed = fs::remove_tree(tmp + "/" + dead.name); !removed) {
            log::warn("cannot remove leftover `tmp/" + dead.name + "`: " + removed.error().message);
            continue;
        }
        dead.lock.release(true);
    }
    return {};
}

void Store::warn_once(const std::string& message) {
    if (m_warned.insert(message).second) log::warn(message);
}

Result<void> Store::move_to_trash(const std::string& relative, const std::string& what) {
    Staging trash = TRY(make_staging());
    std::string to = trash.path() + "/x";
    if (::rename((m_root + "/" + relative).c_str(), to.c_str()) != 0) {
        if (errno == ENOENT) return {};
        return fail_errno("remove " + what);
    }
    return {};  // trash's destructor deletes the tree outside any store lock
}

Result<FileLock> Store::lock_for_collection(LockWait wait) const {
    const std::string path = m_root + "/layers.lock";
    for (int round = 0;; ++round) {
        auto lock = FileLock::acquire(path, LockMode::exclusive, wait);
        if (lock || wait == LockWait::block || lock.error().sys_errno != EWOULDBLOCK) return lock;
        // Pinned (shared) by a load or commit, which may take long: give up. Held exclusive by
        // another collection or a system check, which end soon: wait for it, then try again
        // (its collection may have read the index before this process changed it).
        auto probe = FileLock::acquire(path, LockMode::shared, LockWait::no_wait);
        if (probe || probe.error().sys_errno != EWOULDBLOCK || round == 3) return lock;
        auto waited = TRY(FileLock::acquire(path, LockMode::shared, LockWait::block));
        waited.release();
    }
}

Result<GcReport> Store::collect_garbage(LockWait wait, const std::set<std::string>& extra_chains) {
    GcReport report;
    auto gc_lock = lock_for_collection(wait);
    if (!gc_lock) {
        if (wait == LockWait::no_wait && gc_lock.error().sys_errno == EWOULDBLOCK) {
            report.skipped = true;
            return report;
        }
        return std::unexpected(gc_lock.error());
    }
    std::set<std::string> chains = extra_chains, blobs;
    {
        const std::string why = "not deleting unused layers";
        FileLock index_lock = TRY_CTX(why, lock_images(LockMode::shared));
        ImageCatalog index = TRY_CTX(why, read_images());
        ContainerUses uses = TRY_CTX(why, container_uses(UseState::skip));
        if (!uses.damaged.empty()) return fail(why + ": " + uses.damaged.front());
        chains.merge(index.referenced_chain_ids());
        blobs = index.referenced_blobs();
        for (const auto& c : uses.containers) {
            chains.insert(c.chain_ids.begin(), c.chain_ids.end());
            blobs.insert(c.image_id);  // its config: commit builds on it
        }
    }
    for (const auto& name : sorted(TRY(fs::list_dir(m_root + "/layers")))) {
        if (chains.count(name)) continue;
        report.reclaimed += fs::disk_usage(layer_path(name)).value_or(0);
        TRY(move_to_trash("layers/" + name, "layer " + name));
        report.layers.push_back(name);
    }
    for (const auto& name : sorted(TRY(fs::list_dir(m_root + "/blobs/sha256")))) {
        if (blobs.count("sha256:" + name)) continue;
        report.reclaimed += fs::disk_usage(m_root + "/blobs/sha256/" + name).value_or(0);
        TRY(move_to_trash("blobs/sha256/" + name, "blob " + name));
        report.blobs.push_back("sha256:" + name);
    }
    // Still under layers.lock: the layers listed are all there are. Only a cache: a failure
    // here costs a later push a compression, not this collection.
    if (auto pruned = prune_blob_cache(*this); !pruned)
        log::debug("not pruning the blob cache: " + pruned.error().message);
    return report;
}

}  // namespace ferry::image
