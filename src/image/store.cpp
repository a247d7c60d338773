// The store's file layout and its crash and concurrency rules (see store.hpp). Locks:
// images.lock serialises images.json rewrites (and is held shared by container creation and
// garbage collection, see store.hpp); layers.lock is held shared by loads and commits from the
// moment they rely on a layer until images.json names it, and exclusive by garbage collection,
// which only ever takes it without waiting from rmi/prune, so deleting never blocks a load and a
// load never waits for a deletion. Garbage collection and the clean-up of tmp/ are in
// store_gc.cpp.

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

void Staging::abandon() {
    m_fd.reset();
    m_lock.release();
    m_path.clear();
}

Result<Store> Store::open(const Context& ctx, TmpCleanup cleanup) {
    Store s;
    s.m_root = ctx.root;
    s.m_rootless = ctx.rootless;
    s.m_userns = ctx.store_userns;
    s.m_uses = ctx.container_uses;
    for (const char* sub : {"blobs/sha256", "layers", "tmp"})
        TRY_CTX("open store `" + s.m_root + "`", fs::make_dirs(s.m_root + "/" + sub, 0700));
    if (cleanup == TmpCleanup::now) TRY(s.clean_tmp());
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
    TRY(ensure_index());
    return make_staging();
}

Result<std::optional<Staging>> Store::stage_resumable(const std::string& key) {
    if (key.empty() || !is_lower_hex(key)) return fail("pull key `" + key + "`: not hex");
    TRY(ensure_index());
    Staging st;
    std::string base = m_root + "/tmp/pull-" + key;
    auto lock = FileLock::acquire(base + ".lock", LockMode::exclusive, LockWait::no_wait);
    if (!lock) {
        if (lock.error().sys_errno == EWOULDBLOCK) return std::nullopt;
        return std::unexpected(lock.error());
    }
    st.m_lock = std::move(*lock);
    if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) return fail_errno("create `" + base + "`");
    st.m_path = base;
    st.m_fd = TRY(fs::open(base, O_RDONLY | O_DIRECTORY));
    return std::optional<Staging>(std::move(st));
}

Result<Staging> Store::make_staging() {
    Staging st;
    std::string id = random_hex(8);
    std::string base = m_root + "/tmp/" + id;
    st.m_lock = TRY(FileLock::acquire(base + ".lock", LockMode::exclusive, LockWait::no_wait));
    if (::mkdir(base.c_str(), 0700) != 0) return fail_errno("create `" + base + "`");
    st.m_path = base;
    st.m_fd = TRY(fs::open(base, O_RDONLY | O_DIRECTORY));
    return st;
}

Result<ImageCatalog> Store::read_images() const {
    const std::string path = images_path();
    auto text = fs::read_file(path);
    if (!text) {
        if (text.error().sys_errno != ENOENT) return std::unexpected(text.error());
        if (TRY(holds_nothing())) return ImageCatalog{};
        return damaged("image index", path, "missing while the store holds layers or blobs");
    }
    auto parsed = ImageCatalog::parse(*text);
    if (parsed) return parsed;
    if (parsed.error().sys_errno == EPROTO)
        return fail("image index `" + path + "` has " + parsed.error().message +
                    ": use the ferry that wrote it, or rebuild the index with `ferry system "
                    "check --repair`");
    return damaged("image index", path, parsed.error().message);
}

Result<bool> Store::holds_nothing() const {
    for (const char* sub : {"/layers", "/blobs/sha256"}) {
        auto names = fs::list_dir(m_root + sub);
        if (!names) {
            if (names.error().sys_errno == ENOENT) continue;
            return std::unexpected(names.error());
        }
        if (!names->empty()) return false;
    }
    return true;
}

Result<void> Store::ensure_index() {
    // Written before anything is installed, so that images.json is missing only from a store
    // that holds nothing (read_images tells such a store from one whose index was lost).
    if (fs::lexists(images_path())) return {};
    return update_images([](ImageCatalog&) -> Result<void> { return {}; });
}

Result<FileLock> Store::lock_images(LockMode mode) const {
    return FileLock::acquire(m_root + "/images.lock", mode);
}

Result<ContainerUses> Store::container_uses(UseState state) const {
    if (m_uses) return m_uses(state);
    auto names = fs::list_dir(m_root + "/containers");
    if (!names) {
        if (names.error().sys_errno == ENOENT) return ContainerUses{};
        return std::unexpected(names.error());
    }
    if (names->empty()) return ContainerUses{};
    return fail("cannot tell which layers the containers of `" + m_root + "` use");
}

Result<void> Store::update_images(const std::function<Result<void>(ImageCatalog&)>& fn) {
    auto lock = TRY(lock_images(LockMode::exclusive));
    ImageCatalog index = TRY(read_images());
    TRY(fn(index));
    return write_index(index);
}

Result<void> Store::replace_images(const ImageCatalog& index, const FileLock& held) {
    if (!held || held.path() != m_root + "/images.lock") return fail("images.lock is not held");
    return write_index(index);
}

Result<void> Store::write_index(const ImageCatalog& index) {
    std::string text = index.serialize();
    TRY(write_file_atomic(images_path(), text, 0600));
    // A second copy on its own inode, from which `system check --repair` recovers the names
    // should images.json be damaged. Not synced (the index itself is): a crash may leave it one
    // change behind, which costs at most that change's names.
    return write_file_atomic(images_path() + ".bak", text, 0600, Durability::process_crash);
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
    if (fs::lexists(to)) return {};  // installed by someone else first
    // The layer's files reach the disk before its name does (design.md: nothing half-written
    // is ever visible under a name, power failures included). One syncfs writes back every
    // staged file at once; after the first layer of a load it finds little left to do.
    if (::syncfs(staging.fd()) != 0) return fail_errno("install layer " + chain + ": syncfs");
    if (::rename(from.c_str(), to.c_str()) == 0) return {};
    if (errno == ENOTEMPTY || errno == EEXIST) return {};  // installed by someone else first
    return fail_errno("install layer " + chain);
}

Result<void> Store::record_intent(Staging& staging, const std::string& what) {
    Fd intent = TRY(fs::open_at(staging.fd(), "intent", O_WRONLY | O_CREAT | O_APPEND, 0600));
    return fs::write_all(intent.get(), what + "\n");
}

Result<void> Store::register_partial(Staging& staging, const std::string& path) {
    Fd list = TRY(fs::open_at(staging.fd(), "partial", O_WRONLY | O_CREAT | O_APPEND, 0600));
    TRY(fs::write_all(list.get(), path + "\n"));
    // Durable before the file it names can exist: a power failure must not keep the file and
    // lose its record.
    if (::fsync(list.get()) != 0) return fail_errno("fsync `" + staging.path() + "/partial`");
    return {};
}

Result<FileLock> Store::pin_layers() const {
    return FileLock::acquire(m_root + "/layers.lock", LockMode::shared);
}

}  // namespace ferry::image
