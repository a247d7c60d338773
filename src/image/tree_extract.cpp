// Parents are looked up through LayerDir (openat2 RESOLVE_IN_ROOT below the destination,
// missing ones made 0755); the last component is created relative to its parent's descriptor
// with O_EXCL / mkdirat / symlinkat / linkat / mknodat, none of which follow a symlink there.
// Metadata order as the unpacker's: data, owner (chown clears set-id bits), mode, xattrs, times;
// every call on a name is one that does not follow a final symlink (fchownat, fchmodat and
// utimensat with AT_SYMLINK_NOFOLLOW, lsetxattr), as the tree may change under us (cp into a
// running container).
// Directory modes and times wait until the end (a read-only directory must still take its
// children; their creation would change its times), applied deepest first through a fresh
// RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS lookup.

#include "ferry/image/tree_extract.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <vector>

#include "ferry/image/file_copy.hpp"
#include "ferry/image/layer_dir.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

std::pair<std::string, std::string> split_last(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return {"", path};
    return {path.substr(0, slash), path.substr(slash + 1)};
}

bool ignorable_xattr_error(int err) {
    return err == ENOTSUP || err == EPERM || err == EACCES;
}

}  // namespace

struct TreeExtractor::Impl {
    Impl(ExtractOptions o, LayerDir d) : opt(std::move(o)), dirs(std::move(d)) {}

    struct Deferred {
        std::string path;
        uint32_t mode;
        int64_t atime, mtime;
    };

    ExtractOptions opt;
    LayerDir dirs;
    bool root = ::geteuid() == 0;
    const TarEntry* entry = nullptr;
    std::string path;  // the entry's normalised destination path
    Fd file;
    size_t extent = 0;
    uint64_t extent_done = 0;
    std::vector<Deferred> deferred;
    uint64_t count = 0;

    Result<void> begin(const TarEntry& e);
    Result<void> clear_way(int dirfd, const std::string& base, const TarEntry& e);
    Result<void> create(const TarEntry& e, int dirfd, const std::string& base);
    Result<void> hardlink(const TarEntry& e, int dirfd, const std::string& base);
    Result<void> set_owner(const TarEntry& e, int fd, int dirfd, const char* name);
    Result<void> set_xattrs(const TarEntry& e, int fd, int dirfd, const char* name);
    Result<void> write(std::span<const uint8_t> bytes);
    Result<void> finish_file();
};

TreeExtractor::TreeExtractor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TreeExtractor::~TreeExtractor() = default;

Result<std::unique_ptr<TreeExtractor>> TreeExtractor::create(int dest, ExtractOptions options) {
    auto dirs = TRY(LayerDir::open(dest));
    auto impl = std::make_unique<Impl>(std::move(options), std::move(dirs));
    return std::unique_ptr<TreeExtractor>(new TreeExtractor(std::move(impl)));
}

Result<void> TreeExtractor::on_raw(std::span<const uint8_t>) {
    return {};
}

Result<void> TreeExtractor::on_entry(const TarEntry& entry) {
    Impl& m = *m_impl;
    m.entry = &entry;
    return m.begin(entry);
}

Result<void> TreeExtractor::on_data(std::span<const uint8_t> bytes) {
    Impl& m = *m_impl;
    if (!m.file) return {};
    TRY_CTX("`" + printable(m.path) + "`", m.write(bytes));
    return {};
}

Result<void> TreeExtractor::on_entry_end() {
    Impl& m = *m_impl;
    if (!m.file) return {};
    TRY_CTX("`" + printable(m.path) + "`", m.finish_file());
    return {};
}

uint64_t TreeExtractor::entries() const {
    return m_impl->count;
}

Result<void> TreeExtractor::finish() {
    Impl& m = *m_impl;
    for (auto it = m.deferred.rbegin(); it != m.deferred.rend(); ++it) {
        auto fd = fs::open_in_root(m.dirs.root(), it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
                                   RESOLVE_NO_SYMLINKS);
        if (!fd) {
            int err = fd.error().sys_errno;
            if (err == ENOENT || err == ENOTDIR || err == ELOOP) continue;  // replaced later
            return std::unexpected(std::move(fd.error()));
        }
        timespec ts[2] = {fs::to_timespec(it->atime), fs::to_timespec(it->mtime)};
        if (::fchmod(fd->get(), it->mode) != 0 || ::futimens(fd->get(), ts) != 0)
            return fail_errno("`" + printable(it->path) + "`: set mode and times");
    }
    m.deferred.clear();
    return {};
}

Result<void> TreeExtractor::Impl::begin(const TarEntry& e) {
    dirs.begin_entry();
    std::string name = opt.rename ? opt.rename(e.path) : e.path;
    if (name.find('\0') != std::string::npos || !normalise_path(name, path))
        return fail("invalid archive path `" + printable(e.path) + "`");
    if (path.empty()) return {};  // the destination itself: left as it is, as docker does
    ++count;
    auto [dir, base] = split_last(path);
    auto d = TRY(dirs.dir(dir, LayerDir::Missing::create));
    TRY(clear_way(d.fd, base, e));
    if (e.type == EntryType::hardlink) return hardlink(e, d.fd, base);
    TRY_CTX("`" + printable(path) + "`", create(e, d.fd, base));
    return {};
}

Result<void> TreeExtractor::Impl::clear_way(int dirfd, const std::string& base, const TarEntry& e) {
    struct stat st {};
    if (::fstatat(dirfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return {};
        return fail_errno("`" + printable(path) + "`");
    }
    bool dir = e.type == EntryType::directory;
    if (S_ISDIR(st.st_mode) && !dir)
        return fail("cannot overwrite directory \"" + printable(path) + "\" with non-directory");
    if (!S_ISDIR(st.st_mode) && dir)
        return fail("cannot overwrite non-directory \"" + printable(path) + "\" with directory");
    if (dir) return {};  // merged: only the metadata changes
    if (::unlinkat(dirfd, base.c_str(), 0) != 0)
        return fail_errno("replace `" + printable(path) + "`");
    if (S_ISLNK(st.st_mode)) dirs.mark_stale();
    return {};
}

Result<void> TreeExtractor::Impl::create(const TarEntry& e, int dirfd, const std::string& base) {
    const char* name = base.c_str();
    timespec ts[2] = {fs::to_timespec(e.atime_ns.value_or(e.mtime_ns)),
                      fs::to_timespec(e.mtime_ns)};
    switch (e.type) {
        case EntryType::regular: {
            int fd =
                ::openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd < 0) return fail_errno("create");
            file.reset(fd);
            extent = 0;
            extent_done = 0;
            if ((!e.sparse.empty() || e.real_size != e.size) &&
                ::ftruncate(fd, static_cast<off_t>(e.real_size)) != 0)
                return fail_errno("set size");
            return {};
        }
        case EntryType::directory: {
            if (::mkdirat(dirfd, name, 0700) != 0 && errno != EEXIST) return fail_errno("create");
            Fd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!fd) return fail_errno("open");
            TRY(set_owner(e, fd.get(), -1, nullptr));
            TRY(set_xattrs(e, fd.get(), -1, nullptr));
            deferred.push_back({path, e.mode & 07777, e.atime_ns.value_or(e.mtime_ns), e.mtime_ns});
            return {};
        }
        case EntryType::symlink:
            if (::symlinkat(e.linkpath.c_str(), dirfd, name) != 0) return fail_errno("create");
            break;
        case EntryType::char_device:
        case EntryType::block_device:
        case EntryType::fifo: {
            mode_t type = e.type == EntryType::fifo          ? S_IFIFO
                          : e.type == EntryType::char_device ? S_IFCHR
                                                             : S_IFBLK;
            dev_t dev = e.type == EntryType::fifo ? 0 : makedev(e.dev_major, e.dev_minor);
            if (::mknodat(dirfd, name, type | 0600, dev) != 0) {
                if (errno == EPERM && !root) return {};  // as docker in a user namespace
                return fail_errno("create");
            }
            break;
        }
        case EntryType::hardlink:
            return {};
    }
    TRY(set_owner(e, -1, dirfd, name));
    if (e.type != EntryType::symlink &&
        ::fchmodat(dirfd, name, e.mode & 07777, AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno("set mode");
    TRY(set_xattrs(e, -1, dirfd, name));
    if (::utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) != 0) return fail_errno("set times");
    return {};
}

Result<void> TreeExtractor::Impl::hardlink(const TarEntry& e, int dirfd, const std::string& base) {
    std::string target = opt.rename ? opt.rename(e.linkpath) : e.linkpath, link;
    if (target.find('\0') != std::string::npos || !normalise_path(target, link) || link.empty())
        return fail("invalid archive path `" + printable(e.linkpath) + "`");
    auto [tdir, tbase] = split_last(link);
    auto t = dirs.dir(tdir, LayerDir::Missing::fail);
    if (!t)
        return fail("`" + printable(path) + "`: link target `" + printable(link) + "` is missing");
    if (::linkat(t->fd, tbase.c_str(), dirfd, base.c_str(), 0) != 0)
        return fail_errno("`" + printable(path) + "`: link to `" + printable(link) + "`");
    return {};
}

Result<void> TreeExtractor::Impl::set_owner(const TarEntry& e, int fd, int dirfd,
                                            const char* name) {
    if (opt.owners == ExtractOwners::caller) return {};
    if (e.uid > 0xfffffffe || e.gid > 0xfffffffe) return {};
    auto uid = static_cast<uid_t>(e.uid);
    auto gid = static_cast<gid_t>(e.gid);
    int r =
        fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r != 0 && (root || (errno != EPERM && errno != EINVAL))) return fail_errno("set owner");
    return {};
}

Result<void> TreeExtractor::Impl::set_xattrs(const TarEntry& e, int fd, int dirfd,
                                             const char* name) {
    for (const auto& [key, value] : e.xattrs) {
        if (key.starts_with("trusted.overlay.") || key.starts_with("user.overlay.")) continue;
        if (key.find('\0') != std::string::npos) continue;
        std::string via = fd >= 0 ? "" : "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
        int r = fd >= 0 ? ::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0)
                        : ::lsetxattr(via.c_str(), key.c_str(), value.data(), value.size(), 0);
        if (r != 0 && !ignorable_xattr_error(errno))
            return fail_errno("set xattr `" + printable(key) + "`");
    }
    return {};
}

Result<void> TreeExtractor::Impl::write(std::span<const uint8_t> bytes) {
    const auto& sparse = entry->sparse;
    if (sparse.empty())
        return fs::write_all(file.get(),
                             {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    while (!bytes.empty()) {
        while (extent < sparse.size() && extent_done == sparse[extent].length) {
            ++extent;
            extent_done = 0;
        }
        if (extent == sparse.size()) return fail("data beyond the sparse map");
        size_t n = static_cast<size_t>(
            std::min<uint64_t>(bytes.size(), sparse[extent].length - extent_done));
        TRY(pwrite_all(file.get(), bytes.data(), n, sparse[extent].offset + extent_done));
        extent_done += n;
        bytes = bytes.subspan(n);
    }
    return {};
}

Result<void> TreeExtractor::Impl::finish_file() {
    Fd fd = std::move(file);
    const TarEntry& e = *entry;
    TRY(set_owner(e, fd.get(), -1, nullptr));
    if (::fchmod(fd.get(), e.mode & 07777) != 0) return fail_errno("set mode");
    TRY(set_xattrs(e, fd.get(), -1, nullptr));
    timespec ts[2] = {fs::to_timespec(e.atime_ns.value_or(e.mtime_ns)),
                      fs::to_timespec(e.mtime_ns)};
    if (::futimens(fd.get(), ts) != 0) return fail_errno("set times");
    return {};
}

}  // namespace ferry::image
