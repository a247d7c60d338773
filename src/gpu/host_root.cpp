// HostRoot: every lookup is one openat2(RESOLVE_IN_ROOT) on the root descriptor, then a plain
// fstat/read/readdir on the result. Canonical paths come from the kernel (readlink of
// /proc/self/fd/N), never from string manipulation, so they hold no symlink and no `..`.

#include "ferry/gpu/host_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "ferry/util/fs.hpp"

namespace ferry::gpu {

std::string default_host_root_path() {
    const char* env = std::getenv("FERRY_HOST_ROOT");
    return env && *env ? env : "/";
}

Result<std::string> path_below(int fd, const std::string& root) {
    char buf[PATH_MAX];
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n < 0) return fail_errno("readlink `" + link + "`");
    std::string real(buf, static_cast<size_t>(n));
    if (root == "/") return real;
    if (real == root) return std::string("/");
    if (real.size() > root.size() && real.compare(0, root.size(), root) == 0 &&
        real[root.size()] == '/')
        return real.substr(root.size());
    return fail("`" + real + "` is outside `" + root + "`");
}

Result<HostRoot> HostRoot::open(const std::string& dir) {
    Fd fd = TRY(fs::open(dir, O_PATH | O_DIRECTORY));
    std::string path = TRY(path_below(fd.get(), "/"));
    return HostRoot(std::move(fd), std::move(path));
}

std::string HostRoot::host_path(std::string_view in_root) const {
    if (is_real_root()) return std::string(in_root);
    return m_path + std::string(in_root);
}

Result<std::string> HostRoot::read(std::string_view path, size_t max) const {
    Fd fd = TRY(fs::open_in_root(m_fd.get(), path, O_RDONLY));
    auto data = fs::read_all(fd.get(), max);
    if (!data)
        return std::unexpected(std::move(data.error()).prefix("read `" + std::string(path) + "`"));
    return data;
}

Result<struct stat> HostRoot::stat(std::string_view path) const {
    Fd fd = TRY(fs::open_in_root(m_fd.get(), path, O_PATH));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail_errno("stat `" + std::string(path) + "`");
    return st;
}

Result<struct stat> HostRoot::lstat(std::string_view path) const {
    Fd fd = TRY(fs::open_in_root(m_fd.get(), path, O_PATH | O_NOFOLLOW));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail_errno("stat `" + std::string(path) + "`");
    return st;
}

Result<std::string> HostRoot::resolve(std::string_view path) const {
    Fd fd = TRY(fs::open_in_root(m_fd.get(), path, O_PATH));
    return path_below(fd.get(), m_path);
}

Result<std::vector<std::string>> HostRoot::list(std::string_view path) const {
    Fd fd = TRY(fs::open_in_root(m_fd.get(), path, O_RDONLY | O_DIRECTORY));
    return fs::list_dir_fd(fd.get());
}

}  // namespace ferry::gpu
