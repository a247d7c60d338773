#pragma once
// RootfsView: read-only access to a container's root file system as the container will see it,
// for the few lookups GPU set-up makes in the image (its library directory, canonical mount
// targets, /etc/ld.so.cache, /usr/local/cuda/compat). Symlinks are followed inside the rootfs
// only. The runtime implements it over the image's layers merged as overlayfs would
// (runtime/gpu_start.cpp), before anything is mounted; DirRootfs serves a plain directory.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

class RootfsView {
  public:
    virtual ~RootfsView() = default;

    // The canonical path of the directory at path (absolute; every symlink followed inside the
    // rootfs); nullopt when nothing or no directory is there. Fails on I/O errors and loops.
    virtual Result<std::optional<std::string>> directory(std::string_view path) const = 0;
    // Opens the regular file at path for reading (symlinks followed inside the rootfs); nullopt
    // when there is none.
    virtual Result<std::optional<Fd>> open_file(std::string_view path) const = 0;
    // The names in the directory at path, unsorted; nullopt when there is no directory there.
    virtual Result<std::optional<std::vector<std::string>>> list(std::string_view path) const = 0;
};

// A RootfsView of the directory tree at a descriptor (openat2 RESOLVE_IN_ROOT).
class DirRootfs final : public RootfsView {
  public:
    // Views the tree at dir_fd, which must stay open while the view is used.
    explicit DirRootfs(int dir_fd) : m_fd(dir_fd) {}

    Result<std::optional<std::string>> directory(std::string_view path) const override;
    Result<std::optional<Fd>> open_file(std::string_view path) const override;
    Result<std::optional<std::vector<std::string>>> list(std::string_view path) const override;

  private:
    int m_fd;
};

}  // namespace ferry::gpu
