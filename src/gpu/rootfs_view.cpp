// DirRootfs: every lookup is one openat2 with RESOLVE_IN_ROOT below the tree's descriptor, and a
// directory's canonical path is read back from the descriptor the kernel resolved
// (/proc/self/fd), relative to the tree's own path, so it names exactly what was opened.

#include "ferry/gpu/rootfs_view.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "ferry/gpu/host_root.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::gpu {

namespace {

bool missing(const Error& e) {
    return e.sys_errno == ENOENT || e.sys_errno == ENOTDIR;
}

}  // namespace

Result<std::optional<std::string>> DirRootfs::directory(std::string_view path) const {
    auto fd = fs::open_in_root(m_fd, path, O_PATH | O_DIRECTORY);
    if (!fd) {
        if (missing(fd.error())) return std::nullopt;
        return std::unexpected(std::move(fd.error()));
    }
    const std::string root = TRY(path_below(m_fd, "/"));
    return std::optional<std::string>(TRY(path_below(fd->get(), root)));
}

Result<std::optional<Fd>> DirRootfs::open_file(std::string_view path) const {
    auto fd = fs::open_in_root(m_fd, path, O_RDONLY | O_NONBLOCK);
    if (!fd) {
        if (missing(fd.error()) || fd.error().sys_errno == EISDIR) return std::nullopt;
        return std::unexpected(std::move(fd.error()));
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) return fail_errno("stat `" + std::string(path) + "`");
    if (!S_ISREG(st.st_mode)) return std::nullopt;
    return std::optional<Fd>(std::move(*fd));
}

Result<std::optional<std::vector<std::string>>> DirRootfs::list(std::string_view path) const {
    auto fd = fs::open_in_root(m_fd, path, O_RDONLY | O_DIRECTORY);
    if (!fd) {
        if (missing(fd.error())) return std::nullopt;
        return std::unexpected(std::move(fd.error()));
    }
    return std::optional<std::vector<std::string>>(TRY(fs::list_dir_fd(fd->get())));
}

}  // namespace ferry::gpu
