#pragma once
// HostRoot: the directory that stands for the host's `/` when ferry looks at drivers. In
// production it is `/`; tests point it (FERRY_HOST_ROOT) at a fake driver root holding /proc,
// /dev, /etc/ld.so.cache and the driver files. Every path given to it is an absolute in-root path
// and is resolved inside the root (openat2 RESOLVE_IN_ROOT), so a fake root's absolute symlinks
// behave as they would on a real host.

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

// FERRY_HOST_ROOT when set and not empty (test-only), else "/".
std::string default_host_root_path();

class HostRoot {
  public:
    // Opens dir (made canonical) as the root. Fails with `open `dir`: strerror`.
    static Result<HostRoot> open(const std::string& dir);

    // The root directory descriptor.
    int fd() const { return m_fd.get(); }
    // The canonical root path: "/" or "/tmp/x" (no trailing slash).
    const std::string& path() const { return m_path; }
    // Whether the root is the real `/`.
    bool is_real_root() const { return m_path == "/"; }
    // The path the rest of the system sees for an in-root path ("/dev/nvidia0" under root
    // "/tmp/x" is "/tmp/x/dev/nvidia0"); used for bind-mount sources.
    std::string host_path(std::string_view in_root) const;

    // Reads a file (at most max bytes). Fails with `read `path`: ...`.
    Result<std::string> read(std::string_view path, size_t max = 1u << 20) const;
    // stat(2) of path, symlinks followed inside the root. Fails with `open `path`: ...`.
    Result<struct stat> stat(std::string_view path) const;
    // lstat(2) of path (the last component is not followed). Fails with `stat `path`: ...`.
    Result<struct stat> lstat(std::string_view path) const;
    // The canonical in-root path of path: every symlink followed inside the root.
    Result<std::string> resolve(std::string_view path) const;
    // The names in a directory, unsorted.
    Result<std::vector<std::string>> list(std::string_view path) const;

  private:
    HostRoot(Fd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
    Fd m_fd;
    std::string m_path;
};

// The canonical path of what fd refers to, relative to the tree whose canonical path is root
// ("/" or "/x/y"); fails when fd lies outside that tree.
Result<std::string> path_below(int fd, const std::string& root);

}  // namespace ferry::gpu
