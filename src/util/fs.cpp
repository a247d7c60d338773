// File-system helpers. Removal walks the tree with openat/unlinkat on directory descriptors and
// O_NOFOLLOW, so a symlink planted anywhere in the tree is unlinked, never followed. Confinement
// uses openat2(RESOLVE_IN_ROOT), which the kernel enforces atomically.

#include "ferry/util/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "ferry/util/strings.hpp"

namespace ferry::fs {

Result<Fd> open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
    int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) return fail_errno("open `" + path + "`");
    return Fd(fd);
}

Result<Fd> open(const std::string& path, int flags, mode_t mode) {
    return open_at(AT_FDCWD, path, flags, mode);
}

Result<Fd> open_in_root(int rootfd, std::string_view path, int flags, mode_t mode,
                        uint64_t extra_resolve) {
    std::string p(path);
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
    for (;;) {
        long fd = ::syscall(SYS_openat2, rootfd, p.empty() ? "." : p.c_str(), &how, sizeof how);
        if (fd >= 0) return Fd(static_cast<int>(fd));
        if (errno == EAGAIN || errno == EINTR) continue;  // a rename raced the lookup
        return fail_errno("open `" + p + "`");
    }
}

Result<std::string> read_all(int fd, size_t max) {
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("read");
        }
        if (n == 0) break;
        if (out.size() + static_cast<size_t>(n) > max)
            return fail("larger than " + std::to_string(max) + " bytes");
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

Result<std::string> read_file_at(int dirfd, const std::string& path, size_t max) {
    Fd fd = TRY(open_at(dirfd, path, O_RDONLY));
    auto data = read_all(fd.get(), max);
    if (!data) return std::unexpected(std::move(data.error()).prefix("read `" + path + "`"));
    return data;
}

Result<std::string> read_file(const std::string& path, size_t max) {
    return read_file_at(AT_FDCWD, path, max);
}

Result<void> write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("write");
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

Result<void> pread_exact(int fd, void* buf, size_t size, uint64_t offset) {
    auto* p = static_cast<char*>(buf);
    while (size > 0) {
        ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("read");
        }
        if (n == 0) return fail("read: unexpected end of file");
        p += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

Result<void> make_dirs(const std::string& path, mode_t mode) {
    if (path.empty()) return {};
    // Usually the parent exists: one mkdir instead of one per component.
    if (::mkdir(path.c_str(), mode) == 0) return {};
    if (errno == ENOENT || errno == ENOTDIR) {  // the walk names the component at fault
        size_t pos = 0;
        while (pos <= path.size()) {
            size_t next = path.find('/', pos);
            if (next == std::string::npos) next = path.size();
            std::string partial = path.substr(0, next);
            pos = next + 1;
            if (partial.empty()) continue;
            if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST)
                return fail_errno("create directory `" + partial + "`");
        }
    } else if (errno != EEXIST) {
        return fail_errno("create directory `" + path + "`");
    }
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return fail_errno("create directory `" + path + "`");
    if (!S_ISDIR(st.st_mode)) return fail("create directory `" + path + "`: not a directory");
    return {};
}

Result<Published> publish_dir(const std::string& tmp, const std::string& dir) {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE) == 0)
        return Published::here;
    int err = errno;
    (void)remove_tree(tmp);
    if (err == EEXIST || err == ENOTEMPTY) return Published::already_there;
    return fail_errno("rename `" + tmp + "` to `" + dir + "`", err);
}

namespace {

Result<void> remove_children(int dirfd, const std::string& where) {
    Fd dup_fd(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    if (!dup_fd) return fail_errno("remove `" + where + "`");
    DIR* dir = ::fdopendir(dup_fd.get());
    if (!dir) return fail_errno("remove `" + where + "`");
    dup_fd.release();
    ::rewinddir(dir);  // the offset is shared with dirfd: a second pass starts at the top
    std::vector<std::pair<std::string, bool>> entries;
    while (dirent* de = ::readdir(dir)) {
        std::string_view n(de->d_name);
        if (n == "." || n == "..") continue;
        entries.emplace_back(de->d_name, de->d_type == DT_DIR || de->d_type == DT_UNKNOWN);
    }
    ::closedir(dir);
    for (auto& [name, maybe_dir] : entries) {
        if (!maybe_dir && ::unlinkat(dirfd, name.c_str(), 0) == 0) continue;
        TRY(remove_tree_at(dirfd, name));
    }
    return {};
}

}  // namespace

Result<void> remove_tree_at(int dirfd, const std::string& name) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
    if (errno != EISDIR && errno != EPERM) return fail_errno("remove `" + name + "`");
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    // A directory of one's own without permissions (overlay's work/work is mode 000) only
    // stops a caller without CAP_DAC_OVERRIDE: it gets them first.
    if (fd < 0 && errno == EACCES && ::fchmodat(dirfd, name.c_str(), 0700, 0) == 0)
        fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return {};
        return fail_errno("remove `" + name + "`");
    }
    Fd sub(fd);
    auto emptied = remove_children(sub.get(), name);
    if (!emptied && emptied.error().sys_errno == EACCES && ::fchmod(sub.get(), 0700) == 0)
        emptied = remove_children(sub.get(), name);
    TRY(emptied);
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
        return fail_errno("remove `" + name + "`");
    return {};
}

Result<void> remove_tree(const std::string& path) { return remove_tree_at(AT_FDCWD, path); }

std::string absolute_path(std::string_view path) {
    if (path.starts_with('/')) return clean_path(path);
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return clean_path(path);
    return clean_path(std::string(cwd) + "/" + std::string(path));
}

timespec to_timespec(int64_t ns) {
    int64_t sec = ns / 1'000'000'000, rem = ns % 1'000'000'000;
    if (rem < 0) {
        rem += 1'000'000'000;
        --sec;
    }
    return timespec{static_cast<time_t>(sec), static_cast<long>(rem)};
}

bool lexists(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

bool lexists_at(int dirfd, const std::string& name) {
    struct stat st{};
    return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Result<std::vector<std::string>> list_dir_fd(int dirfd) {
    Fd dup_fd(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    if (!dup_fd) return fail_errno("list directory");
    DIR* dir = ::fdopendir(dup_fd.get());
    if (!dir) return fail_errno("list directory");
    dup_fd.release();
    ::rewinddir(dir);
    std::vector<std::string> names;
    while (dirent* de = ::readdir(dir)) {
        std::string_view n(de->d_name);
        if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(dir);
    return names;
}

Result<std::vector<std::string>> list_dir(const std::string& path) {
    Fd fd = TRY(open(path, O_RDONLY | O_DIRECTORY));
    auto names = list_dir_fd(fd.get());
    if (!names) return std::unexpected(std::move(names.error()).prefix("`" + path + "`"));
    return names;
}

namespace {

Result<void> copy_dir_attrs(int src, int dst) {
    struct stat st{};
    if (::fstat(src, &st) != 0) return fail_errno("stat");
    if (::fchown(dst, st.st_uid, st.st_gid) != 0 && errno != EPERM && errno != EINVAL)
        return fail_errno("chown");
    if (::fchmod(dst, st.st_mode & 07777) != 0) return fail_errno("chmod");
    char names[4096];
    ssize_t len = ::flistxattr(src, names, sizeof names);
    for (ssize_t off = 0; len > 0 && off < len;) {
        const char* n = names + off;
        off += static_cast<ssize_t>(std::strlen(n)) + 1;
        char value[4096];
        ssize_t vlen = ::fgetxattr(src, n, value, sizeof value);
        if (vlen >= 0) (void)::fsetxattr(dst, n, value, static_cast<size_t>(vlen), 0);
    }
    timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(dst, times) != 0) return fail_errno("set times");
    return {};
}

Result<void> clone_dir(int src, int dst) {
    auto names = TRY(list_dir_fd(src));
    for (const auto& n : names) {
        struct stat st{};
        if (::fstatat(src, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_errno("stat `" + n + "`");
        if (!S_ISDIR(st.st_mode)) {
            if (::linkat(src, n.c_str(), dst, n.c_str(), 0) != 0)
                return fail_errno("link `" + n + "`");
            continue;
        }
        if (::mkdirat(dst, n.c_str(), 0700) != 0) return fail_errno("create `" + n + "`");
        Fd s = TRY(open_at(src, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        Fd d = TRY(open_at(dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        TRY_CTX("`" + n + "`", clone_dir(s.get(), d.get()));
        TRY_CTX("`" + n + "`", copy_dir_attrs(s.get(), d.get()));
    }
    return {};
}

Result<void> du_walk(int dirfd, uint64_t& total, std::set<std::pair<dev_t, ino_t>>& seen) {
    auto names = TRY(list_dir_fd(dirfd));
    for (const auto& name : names) {
        struct stat st{};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.emplace(st.st_dev, st.st_ino).second)
            continue;
        total += static_cast<uint64_t>(st.st_blocks) * 512;
        if (S_ISDIR(st.st_mode)) {
            int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) continue;
            Fd sub(fd);
            TRY(du_walk(sub.get(), total, seen));
        }
    }
    return {};
}

}  // namespace

Result<void> clone_tree_hardlinks(const std::string& src_path, int dst_parent,
                                  const std::string& name) {
    Fd src = TRY(open(src_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    if (::mkdirat(dst_parent, name.c_str(), 0700) != 0) return fail_errno("create `" + name + "`");
    Fd dst = TRY(open_at(dst_parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    TRY_CTX("copy `" + src_path + "`", clone_dir(src.get(), dst.get()));
    return copy_dir_attrs(src.get(), dst.get());
}

Result<uint64_t> disk_usage(const std::string& path) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) return fail_errno("stat `" + path + "`");
    uint64_t total = static_cast<uint64_t>(st.st_blocks) * 512;
    if (!S_ISDIR(st.st_mode)) return total;
    Fd fd = TRY(open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    std::set<std::pair<dev_t, ino_t>> seen;
    TRY(du_walk(fd.get(), total, seen));
    return total;
}

std::string find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
        std::string candidate = dir + "/" + name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

}  // namespace ferry::fs
