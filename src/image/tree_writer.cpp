// Headers are built from one lstat per file; a regular file is opened (O_NOFOLLOW) and fstat'ed
// again so the size written is the size of what is read. Hard links are recognised by (device,
// inode) for every non-directory with more than one link: the first path met carries the data,
// later ones are links to it, so the archive is only valid in the order it is written (which is
// what tar requires anyway). Extended attributes are read through the open descriptor, or for
// symlinks and nodes through /proc/self/fd/DIR/NAME with the l* calls (never following a link).

#include "ferry/image/tree_writer.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr uint64_t k_overflow_id = 65534;

bool overlay_xattr(std::string_view key) {
    return key.starts_with("trusted.overlay.") || key.starts_with("user.overlay.");
}

// Opens name in dirfd without following a symlink; errors read `read `path`: strerror`.
Result<Fd> open_entry(int dirfd, const std::string& name, int flags, const std::string& path) {
    int fd = ::openat(dirfd, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("read `" + printable(path) + "`");
    return Fd(fd);
}

std::string proc_path(int dirfd, const std::string& name) {
    return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

// The names of fd's (or path's) xattrs; empty where the file system has none.
Result<std::string> list_xattrs(int fd, const std::string& path) {
    std::string names(256, '\0');
    for (;;) {
        ssize_t n = fd >= 0 ? ::flistxattr(fd, names.data(), names.size())
                            : ::llistxattr(path.c_str(), names.data(), names.size());
        if (n >= 0) {
            names.resize(static_cast<size_t>(n));
            return names;
        }
        if (errno == ENOTSUP || errno == ENODATA) return std::string();
        if (errno != ERANGE) return fail_errno("list xattrs");
        names.resize(names.size() * 4);
    }
}

Result<std::string> get_xattr(int fd, const std::string& path, const char* key) {
    std::string value(256, '\0');
    for (;;) {
        ssize_t n = fd >= 0 ? ::fgetxattr(fd, key, value.data(), value.size())
                            : ::lgetxattr(path.c_str(), key, value.data(), value.size());
        if (n >= 0) {
            value.resize(static_cast<size_t>(n));
            return value;
        }
        if (errno != ERANGE) return fail_errno(std::string("read xattr `") + key + "`");
        value.resize(value.size() * 4);
    }
}

}  // namespace

uint64_t to_container_id(const std::vector<oci::IdMapping>& maps, uint64_t id) {
    if (maps.empty()) return id;
    for (const auto& m : maps)
        if (id >= m.host_id && id - m.host_id < m.size) return m.container_id + (id - m.host_id);
    return k_overflow_id;
}

bool is_whiteout(const struct stat& st) {
    return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

TreeWriter::TreeWriter(TarWriter& writer, OwnerMaps owners)
    : m_writer(writer), m_owners(std::move(owners)) {}

TarEntry TreeWriter::header(const std::string& path, const struct stat& st) const {
    TarEntry e;
    e.path = path;
    e.mode = st.st_mode & 07777;
    e.uid = to_container_id(m_owners.uids, st.st_uid);
    e.gid = to_container_id(m_owners.gids, st.st_gid);
    e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000;
    return e;
}

Result<void> TreeWriter::read_xattrs(int fd, int dirfd, const std::string& name,
                                     const std::string& path, TarEntry& e) {
    std::string via = fd >= 0 ? std::string() : proc_path(dirfd, name);
    std::string names = TRY_CTX("`" + printable(path) + "`", list_xattrs(fd, via));
    for (size_t at = 0; at < names.size();) {
        std::string key(names.c_str() + at);
        at += key.size() + 1;
        if (key.ends_with("overlay.redirect") || key.ends_with("overlay.metacopy")) {
            // The file's real name or data live in a lower layer: the upper tree alone is not
            // the change. ferry mounts overlays without these features.
            std::string feature =
                key.ends_with("redirect") ? "redirect (redirect_dir)" : "metacopy";
            return fail("`" + printable(path) + "` is an overlay " + feature +
                        ", which ferry cannot archive");
        }
        if (key.empty() || overlay_xattr(key)) continue;
        auto value = get_xattr(fd, via, key.c_str());
        if (!value) {
            if (value.error().sys_errno == ENODATA) continue;  // removed meanwhile
            return std::unexpected(std::move(value.error()).prefix("`" + printable(path) + "`"));
        }
        e.xattrs.emplace_back(std::move(key), std::move(*value));
    }
    return {};
}

Result<void> TreeWriter::add(int dirfd, const std::string& name, const std::string& path,
                             const struct stat& st) {
    if (S_ISSOCK(st.st_mode)) return {};  // tar cannot say "socket"; docker skips them too
    TarEntry e = header(path, st);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        auto [it, first] = m_links.try_emplace({st.st_dev, st.st_ino}, path);
        if (!first) {
            e.linkpath = it->second;
            ++m_entries;
            return m_writer.add_hardlink(e);
        }
    }
    ++m_entries;
    if (S_ISREG(st.st_mode)) {
        Fd fd = TRY(open_entry(dirfd, name, O_RDONLY, path));
        struct stat now {};
        if (::fstat(fd.get(), &now) != 0) return fail_errno("read `" + printable(path) + "`");
        e.size = e.real_size = static_cast<uint64_t>(now.st_size);
        TRY(read_xattrs(fd.get(), dirfd, name, path, e));
        TRY_CTX("read `" + printable(path) + "`", m_writer.add_file(e, fd.get()));
        m_data += e.size;
        return {};
    }
    if (S_ISDIR(st.st_mode)) {
        Fd fd = TRY(open_entry(dirfd, name, O_RDONLY | O_DIRECTORY, path));
        TRY(read_xattrs(fd.get(), dirfd, name, path, e));
        return m_writer.add_directory(e);
    }
    TRY(read_xattrs(-1, dirfd, name, path, e));
    if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
        if (n < 0) return fail_errno("read link `" + printable(path) + "`");
        target.resize(static_cast<size_t>(n));
        e.linkpath = std::move(target);
        return m_writer.add_symlink(e);
    }
    if (S_ISCHR(st.st_mode))
        e.type = EntryType::char_device;
    else if (S_ISBLK(st.st_mode))
        e.type = EntryType::block_device;
    else
        e.type = EntryType::fifo;
    if (e.type != EntryType::fifo) {
        e.dev_major = major(st.st_rdev);
        e.dev_minor = minor(st.st_rdev);
    }
    return m_writer.add_device(e);
}

Result<void> TreeWriter::add_whiteout(const std::string& path, const struct stat& st) {
    size_t slash = path.rfind('/');
    std::string name = slash == std::string::npos
                           ? ".wh." + path
                           : path.substr(0, slash + 1) + ".wh." + path.substr(slash + 1);
    TarEntry e = header(name, st);
    e.mode = 0600;
    ++m_entries;
    return m_writer.add_file(e, std::span<const uint8_t>());
}

Result<void> TreeWriter::add_opaque(const std::string& dir_path, const struct stat& dir) {
    TarEntry e = header(dir_path + "/.wh..wh..opq", dir);
    e.mode = dir.st_mode & 0777;
    e.mtime_ns = 0;
    ++m_entries;
    return m_writer.add_file(e, std::span<const uint8_t>());
}

namespace {

Result<void> write_children(TreeWriter& tree, int dirfd, const std::string& prefix) {
    auto names = fs::list_dir_fd(dirfd);
    if (!names)
        return std::unexpected(std::move(names.error()).prefix("read `" + printable(prefix) + "`"));
    std::sort(names->begin(), names->end());
    for (const auto& name : *names)
        TRY(write_tree(tree, dirfd, name, prefix + "/" + name));
    return {};
}

}  // namespace

Result<void> write_tree(TreeWriter& tree, int dirfd, const std::string& name,
                        const std::string& path) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT && name != ".") return {};  // removed meanwhile
        return fail_errno("read `" + printable(path) + "`");
    }
    TRY(tree.add(dirfd, name, path, st));
    if (!S_ISDIR(st.st_mode)) return {};
    Fd sub = TRY(open_entry(dirfd, name, O_RDONLY | O_DIRECTORY, path));
    return write_children(tree, sub.get(), path);
}

}  // namespace ferry::image
