#pragma once
// Mount primitives on the new mount API (open_tree, fsopen/fsconfig/fsmount, mount_setattr,
// move_mount). Every target inside a rootfs is an O_PATH descriptor resolved with openat2
// RESOLVE_IN_ROOT, so a symlink in the image can never redirect a mount outside the rootfs.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// A spec mount's options, split into what the kernel takes where.
struct MountOptions {
    uint64_t attr_set = 0;     // MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC, _NOSYMFOLLOW, atime
    uint64_t attr_clr = 0;     // MOUNT_ATTR__ATIME when an atime option is given
    uint64_t propagation = 0;  // MS_PRIVATE, MS_SLAVE, MS_SHARED or MS_UNBINDABLE; 0: unchanged
    bool bind = false;
    bool recursive = false;  // rbind, or an r-prefixed propagation/ro option
    // File-system parameters for fsconfig: ("size", "64m"), ("newinstance", "") for a flag.
    std::vector<std::pair<std::string, std::string>> data;

    bool readonly() const;
    bool operator==(const MountOptions&) const = default;
};

// Splits spec mount options (ro, nosuid, rbind, rslave, size=64m, ...); fails with
// `unsupported mount option `idmap``.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& options);

enum class TargetKind { directory, file };

// Removes `.`, `..` and repeated slashes from an absolute or relative path, never climbing above
// its start ("/a/../../b" gives "/b").
std::string clean_path(std::string_view path);

// Opens path inside the tree at rootfd as O_PATH (symlinks resolve inside the tree), creating it
// (a directory or an empty file) and its missing parents inside the tree first. Fails with
// `open `path`: strerror` or `create `path`: strerror`.
Result<Fd> ensure_target(int rootfd, std::string_view path, TargetKind kind);

// A detached copy of the mount at path (relative to dirfd; "" with an O_PATH fd for the fd
// itself), with submounts when recursive.
Result<Fd> clone_mount(int dirfd, const std::string& path, bool recursive);
// Applies options' flags and propagation to a mount (recursively when options.recursive).
Result<void> set_mount_attributes(int mount_fd, const MountOptions& options);
// A new, detached mount of a file system: fsopen(type), each data parameter, fsmount with the
// option flags. On failure the message ends with the kernel's own explanation when it gives one.
Result<Fd> new_fs_mount(const std::string& type, const std::string& source,
                        const MountOptions& options);
// Attaches a detached mount onto target_fd (move_mount).
Result<void> attach_mount(int mount_fd, int target_fd);

}  // namespace ferry::runtime
