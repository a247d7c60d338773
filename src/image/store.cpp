// The store's file layout and its crash and concurrency rules (see store.hpp). Locks:
// images.lock serialises images.json rewrites; layers.lock is held shared by loads and commits
// from the moment they rely on a layer until images.json names it, and exclusive by garbage
// collection, which only ever takes it without waiting from rmi/prune, so deleting never blocks
// a load and a load never waits for a deletion.

#include "ferry/image/store.hpp"

#include <fcntl.h>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr const char* k_intent = "intent";

// Whether path changed in the last minute: a container directory renamed into tmp/ for a
// background deletion (ContainerStore::remove) is left to its deleter that long.
bool recently_changed(const std::string& path) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) return false;
    return ::time(nullptr) - st.st_ctime < 60;
}

bool valid_digest(const std::string& d) {
    return d.size() == 71 && d.starts_with("sha256:") && is_lower_hex(std::string_view(d).substr(7));
}

}  // namespace

Staging::~Staging() {
    if (m_path.empty()) return;
    m_fd.reset();
    (void)fs::remove_tree(m_path);
    m_lock.release(true);
}

Result<Store> Store::open(const Context& ctx) {
    Store s;
    s.m_root = ctx.root;
    s.m_rootless = ctx.rootless;
    s.m_userns = ctx.store_userns;
    for (const char* sub : {"blobs/sha256", "layers", "tmp"})
        TRY_CTX("open store `" + s.m_root + "`", fs::make_dirs(s.m_root + "/" + sub, 0700));
    TRY(s.clean_tmp());
    return s;
}

UnpackOptions Store::unpack_options() const {
    if (!m_rootless) return {};
    UnpackOptions o;
    o.ownership = m_userns ? OwnershipMode::user_namespace : OwnershipMode::best_effort;
    o.whiteout_xattr = WhiteoutXattr::user;
    o.devices = DeviceNodes::skip;
    return o;
}

Result<Staging> Store::stage() {
    Staging st;
    std::string id = random_hex(8);
    std::string base = m_root + "/tmp/" + id;
    st.m_lock = TRY(FileLock::acquire(base + ".lock", LockMode::exclusive, LockWait::no_wait));
    if (::mkdir(base.c_str(), 0700) != 0) return fail_errno("create `" + base + "`");
    st.m_path = base;
    st.m_fd = TRY(fs::open(base, O_RDONLY | O_DIRECTORY));
    return st;
}

Result<void> Store::clean_tmp() {
    const std::string tmp = m_root + "/tmp";
    auto names = TRY(fs::list_dir(tmp));
    std::set<std::string> locks;
    for (const auto& n : names)
        if (n.ends_with(".lock")) locks.insert(n.substr(0, n.size() - 5));
    std::vector<std::string> intents;
    for (const auto& n : names) {
        if (n.ends_with(".lock")) continue;
        if (n.starts_with("rm-") && recently_changed(tmp + "/" + n)) continue;  // being deleted
        auto lock = FileLock::acquire(tmp + "/" + n + ".lock", LockMode::exclusive,
                                      LockWait::no_wait);
        if (!lock) continue;  // its owner is alive
        if (auto intent = fs::read_file(tmp + "/" + n + "/" + k_intent))
            for (auto& chain : split(*intent, '\n'))
                if (!chain.empty()) intents.push_back(chain);
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
        auto lock = FileLock::acquire(tmp + "/" + n + ".lock", LockMode::exclusive,
                                      LockWait::no_wait);
        if (lock) lock->release(true);
    }
    if (!intents.empty()) {
        // A load died between installing layers or blobs and naming them: collect what is
        // unreferenced.
        auto report = collect_garbage(LockWait::no_wait);
        if (!report) log::warn(report.error().message);
    }
    return {};
}

Result<ImageCatalog> Store::read_images() const {
    std::string path = m_root + "/images.json";
    if (!fs::lexists(path)) return ImageCatalog{};
    std::string text = TRY(fs::read_file(path));
    return ImageCatalog::parse(text);
}

Result<void> Store::update_images(const std::function<Result<void>(ImageCatalog&)>& fn) {
    auto lock = TRY(FileLock::acquire(m_root + "/images.lock", LockMode::exclusive));
    ImageCatalog index = TRY(read_images());
    TRY(fn(index));
    return write_file_atomic(m_root + "/images.json", index.serialize(), 0600);
}

std::string Store::blob_path(const std::string& digest) const {
    return m_root + "/blobs/sha256/" + digest.substr(7);
}

Result<void> Store::put_blob(const std::string& digest, std::string_view data) {
    if (!valid_digest(digest)) return fail("invalid digest `" + printable(digest) + "`");
    std::string path = blob_path(digest);
    if (fs::lexists(path)) return {};
    // Written in a staging dir, then renamed: a crash never leaves a partial blob in blobs/.
    Staging st = TRY(stage());
    TRY(write_file_atomic_at(st.fd(), "blob", data, 0600));
    if (::rename((st.path() + "/blob").c_str(), path.c_str()) != 0)
        return fail_errno("store blob `" + digest + "`");
    return {};
}

Result<void> Store::install_blob(Staging& staging, const std::string& digest,
                                 std::string_view data) {
    if (!valid_digest(digest)) return fail("invalid digest `" + printable(digest) + "`");
    std::string path = blob_path(digest);
    if (fs::lexists(path)) return {};
    TRY(record_intent(staging, digest));
    std::string name = "blob-" + digest.substr(7);
    TRY(write_file_atomic_at(staging.fd(), name, data, 0600));
    if (::rename((staging.path() + "/" + name).c_str(), path.c_str()) != 0)
        return fail_errno("store blob `" + digest + "`");
    return {};
}

Result<std::string> Store::read_blob(const std::string& digest) const {
    if (!valid_digest(digest)) return fail("invalid digest `" + printable(digest) + "`");
    std::string path = blob_path(digest);
    if (!fs::lexists(path)) return fail("blob `" + digest + "` is missing from the store");
    return fs::read_file(path);
}

std::string Store::layer_path(const std::string& chain) const {
    return m_root + "/layers/" + chain;
}

bool Store::has_layer(const std::string& chain) const { return fs::lexists(layer_path(chain)); }

Result<LayerMeta> Store::layer_meta(const std::string& chain) const {
    std::string text = TRY_CTX("layer " + chain, fs::read_file(layer_path(chain) + "/layer.json"));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("diff_id") ||
        !j["diff_id"].is_string() || !j.contains("tar_size") ||
        !j["tar_size"].is_number_unsigned())
        return fail("layer " + chain + ": malformed layer.json");
    LayerMeta m;
    m.diff_id = j["diff_id"].get<std::string>();
    if (j.contains("parent") && j["parent"].is_string()) m.parent = j["parent"].get<std::string>();
    if (j.contains("size") && j["size"].is_number_unsigned()) m.size = j["size"].get<uint64_t>();
    m.tar_size = j["tar_size"].get<uint64_t>();
    return m;
}

Result<void> Store::write_layer_meta(int layer_dirfd, const LayerMeta& meta) {
    nlohmann::ordered_json j;
    j["diff_id"] = meta.diff_id;
    j["parent"] = meta.parent;
    j["size"] = meta.size;
    j["tar_size"] = meta.tar_size;
    return write_file_atomic_at(layer_dirfd, "layer.json", j.dump() + "\n", 0600);
}

Result<void> Store::install_layer(Staging& staging, const std::string& staged_name,
                                  const std::string& chain) {
    // Intent first: if we die after the rename, the next open knows to check this layer.
    TRY(record_intent(staging, chain));
    std::string from = staging.path() + "/" + staged_name;
    std::string to = layer_path(chain);
    if (::rename(from.c_str(), to.c_str()) == 0) return {};
    if (errno == ENOTEMPTY || errno == EEXIST) return {};  // installed by someone else first
    return fail_errno("install layer " + chain);
}

Result<void> Store::record_intent(Staging& staging, const std::string& what) {
    Fd intent = TRY(fs::open_at(staging.fd(), k_intent, O_WRONLY | O_CREAT | O_APPEND, 0600));
    return fs::write_all(intent.get(), what + "\n");
}

Result<FileLock> Store::pin_layers() const {
    return FileLock::acquire(m_root + "/layers.lock", LockMode::shared);
}

Result<void> Store::move_to_trash(const std::string& relative, const std::string& what) {
    Staging trash = TRY(stage());
    std::string to = trash.path() + "/x";
    if (::rename((m_root + "/" + relative).c_str(), to.c_str()) != 0) {
        if (errno == ENOENT) return {};
        return fail_errno("remove " + what);
    }
    return {};  // trash's destructor deletes the tree outside any store lock
}

Result<GcReport> Store::collect_garbage(LockWait wait, const std::set<std::string>& extra_chains) {
    GcReport report;
    auto gc_lock = FileLock::acquire(m_root + "/layers.lock", LockMode::exclusive, wait);
    if (!gc_lock) {
        if (wait == LockWait::no_wait) return report;
        return std::unexpected(gc_lock.error());
    }
    ImageCatalog index = TRY(read_images());
    auto chains = index.referenced_chain_ids();
    chains.insert(extra_chains.begin(), extra_chains.end());
    auto blobs = index.referenced_blobs();
    auto sorted = [](std::vector<std::string> names) {  // a stable report order
        std::sort(names.begin(), names.end());
        return names;
    };
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
    return report;
}

}  // namespace ferry::image
