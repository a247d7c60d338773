// Directory lookups for the unpacker. Archives list files directory by directory, so a small
// LRU cache of O_PATH descriptors (keyed by the archive's normalised path) saves most lookups.
// A lookup first tries openat2 RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, which succeeds for the
// ordinary case and proves the path is real; only when a symlink is on the way (ELOOP) does it
// resolve through it (still inside the root) and read the real path back from /proc/self/fd,
// so payload references in the record always name where the file really is. Missing
// directories are made one component at a time, each with mkdirat relative to its resolved
// parent.

#include "ferry/image/layer_dir.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/util/fs.hpp"

namespace ferry::image {

namespace {

Result<std::string> read_fd_path(int fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    char buf[4096];
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    if (n < 0) return fail_errno("read `" + link + "`");
    if (static_cast<size_t>(n) == sizeof buf) return fail("read `" + link + "`: path too long");
    return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Result<LayerDir> LayerDir::open(int root) {
    LayerDir d;
    d.m_root = root;
    d.m_root_path = TRY(read_fd_path(root));
    if (d.m_root_path == "/") d.m_root_path.clear();
    return d;
}

void LayerDir::begin_entry() {
    if (!m_stale) return;
    for (auto& s : m_slots) {
        s.fd.reset();
        s.path.clear();
        s.used = 0;
    }
    m_stale = false;
}

Result<LayerDir::Dir> LayerDir::dir(std::string_view path, Missing missing) {
    if (path.empty()) return Dir{m_root, {}};
    Slot* victim = &m_slots[0];
    for (auto& s : m_slots) {
        if (s.fd && s.path == path) {
            s.used = ++m_clock;
            return Dir{s.fd.get(), s.real};
        }
        if (!s.fd || s.used < victim->used) victim = &s;
    }
    std::string real;
    auto fd = open_dir(path, real);
    if (!fd && fd.error().sys_errno == ENOENT && missing == Missing::create) {
        TRY(create_dirs(path));
        fd = open_dir(path, real);
    }
    if (!fd) return std::unexpected(std::move(fd.error()));
    victim->fd = std::move(*fd);
    victim->path.assign(path);
    victim->real = std::move(real);
    victim->used = ++m_clock;
    return Dir{victim->fd.get(), victim->real};
}

Result<Fd> LayerDir::open_dir(std::string_view path, std::string& real) {
    constexpr int flags = O_PATH | O_DIRECTORY;
    auto fd = fs::open_in_root(m_root, path, flags, 0, RESOLVE_NO_SYMLINKS);
    if (fd) {
        real.assign(path);
        return fd;
    }
    if (fd.error().sys_errno != ELOOP) return fd;
    fd = fs::open_in_root(m_root, path, flags);
    if (!fd) return fd;
    real = TRY(real_path(fd->get(), path));
    return fd;
}

Result<std::string> LayerDir::real_path(int fd, std::string_view path) {
    auto full = read_fd_path(fd);
    if (!full)
        return std::unexpected(
            std::move(full.error()).prefix("resolve `" + std::string(path) + "`"));
    std::string_view rest(*full);
    if (!rest.starts_with(m_root_path))
        return fail("resolve `" + std::string(path) + "`: outside the layer");
    rest.remove_prefix(m_root_path.size());
    if (!rest.empty() && rest[0] != '/')
        return fail("resolve `" + std::string(path) + "`: outside the layer");
    if (!rest.empty()) rest.remove_prefix(1);
    return std::string(rest);
}

Result<void> LayerDir::create_dirs(std::string_view path) {
    Fd parent;
    int at = m_root;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        std::string_view prefix = path.substr(0, next);
        std::string name(path.substr(pos, next - pos));
        auto fd = fs::open_in_root(m_root, prefix, O_PATH | O_DIRECTORY);
        if (!fd && fd.error().sys_errno == ENOENT) {
            if (::mkdirat(at, name.c_str(), 0755) == 0)
                (void)::fchmodat(at, name.c_str(), 0755, 0);  // whatever the umask
            else if (errno != EEXIST)
                return fail_errno("create directory `" + std::string(prefix) + "`");
            fd = fs::open_in_root(m_root, prefix, O_PATH | O_DIRECTORY);
        }
        if (!fd) return std::unexpected(std::move(fd.error()));
        parent = std::move(*fd);
        at = parent.get();
        pos = next + 1;
    }
    return {};
}

}  // namespace ferry::image
