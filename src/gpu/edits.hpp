#pragma once
// Edits: what GPU set-up asks the runtime to do to a container, whether it came from the native
// NVIDIA path or from CDI specs. It is the CDI containerEdits (env, device nodes, mounts, hooks,
// groups) plus what ferry does natively: symlinks to create, device cgroup rules, and a new
// /etc/ld.so.cache. Both paths build Edits with in-root host paths, then go through the same
// finalize_edits and container_ld_cache, so applying them is one mechanism.
//
// The runtime applies a finalized Edits at each container start (runtime/gpu_start.hpp), before
// the container process exists:
//   - env: replace same-named variables (glibc's getenv returns the first duplicate);
//   - device_nodes: rootful, mknod path (type, major, minor, file_mode, uid, gid) in the
//     container's /dev; rootless, bind-mount host_path there (mknod is not allowed);
//     device_rules: allow in the device cgroup (v1 devices.allow, v2 the BPF filter);
//   - mounts: bind host_path at container_path with the options (ro, nosuid, nodev), onto an
//     empty file or directory of the GPU layer (runtime/gpu_layer.hpp);
//   - symlinks and ld_cache: files of the GPU layer, so never of the container's own layer;
//   - additional_gids: as the OCI runtime spec says; hooks are interpreted first (cdi_hooks.hpp).
// Container paths are canonical inside the rootfs except for their last component (no symlink
// in the parents at computation time), so the GPU layer puts them exactly where the container
// will look, and an image symlink can never send a mount or a link to the host.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/gpu/host_root.hpp"
#include "ferry/gpu/ld_cache.hpp"
#include "ferry/gpu/rootfs_view.hpp"
#include "ferry/oci/cdi.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

// A symbolic link to create in the container.
struct Symlink {
    std::string path;    // where, in the container
    std::string target;  // what it points to (relative to path's directory, as stored)

    bool operator==(const Symlink&) const = default;
};

// A device cgroup allow rule.
struct DeviceRule {
    char type = 'c';  // 'c' or 'b'
    int64_t major = 0;
    int64_t minor = 0;
    std::string access;  // subset of "rwm"

    bool operator==(const DeviceRule&) const = default;
};

struct Edits {
    oci::cdi::ContainerEdits cdi;
    std::vector<Symlink> symlinks;
    // Device cgroup rules for the device nodes; filled by finalize_edits.
    std::vector<DeviceRule> device_rules;
    // Libraries to register in the container's ld.so.cache (besides the mounted ones), e.g. the
    // image's CUDA forward-compatibility libraries; they replace host entries of the same name.
    std::vector<LdCacheEntry> ld_overrides;
    // The container's new /etc/ld.so.cache (the image's entries plus the injected libraries);
    // set by container_ld_cache when libraries are mounted. It is a file of the GPU layer, not a
    // bind mount: a later `ldconfig` in the container (dpkg's libc-bin trigger) replaces the
    // file by rename, which fails on a mount point.
    std::optional<std::string> ld_cache;

    // Whether there is nothing to do.
    bool empty() const;
    // Appends other's edits.
    void append(const Edits& other);
};

// Makes e ready for the runtime (call once): drops repeated device nodes, mount targets and
// links (the first one stays), fills each device node's type, numbers and mode from the host
// node (stat inside host) when the spec left them out, turns every host path (device nodes,
// mount sources) into the path seen outside the host root, and derives the device cgroup rules.
// Fails with `device `/dev/x`: open `/dev/x`: No such file or directory`, or `device `/dev/x`:
// not a device node`, or `mount source `/x`: ...`.
Result<void> finalize_edits(Edits& e, const HostRoot& host);

// Builds the container's ld.so.cache into e.ld_cache: the image's own cache (read inside
// rootfs; a missing or unreadable one counts as empty) plus an entry for every mounted file that
// is an ELF shared library of this machine (named by the symlinks pointing at it, else by its
// DT_SONAME, else by its file name), plus e.ld_overrides; injected names replace image entries
// of the same name and class. Leaves ld_cache unset when no library is mounted. Call after
// finalize_edits.
Result<void> container_ld_cache(Edits& e, const RootfsView& rootfs);

// The canonical path in the rootfs for a container path: its longest existing parent directory
// resolved inside the rootfs (symlinks followed there, never out of it), then the rest of the
// path as given. Fails when the path is not absolute.
Result<std::string> canonical_container_path(const RootfsView& rootfs, std::string_view path);

// The DT_SONAME of the 64-bit little-endian ELF shared library at path (read through its
// section headers); "" when it has none or is not one.
std::string elf_soname(const std::string& path);

enum class TargetKind { file, directory };

// Opens the mount target path inside rootfs (O_PATH), creating missing parent directories (0755)
// and the target itself (an empty file or a directory). Bind-mount onto
// /proc/self/fd/<fd>; the descriptor still names the file under the new mount, so open the
// target again to remount it read-only. No symlink is followed anywhere on the
// way (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS), so pass canonical paths. Fails with
// `mount target `/usr/lib/x`: open `...`: Too many levels of symbolic links` on a symlink.
Result<Fd> open_mount_target(int rootfs_fd, std::string_view path, TargetKind kind);

// Creates the symlink path -> target inside rootfs, replacing a non-directory already there;
// parents are created and never followed through symlinks. Fails with
// `symlink `path`: ...`.
Result<void> make_symlink_in_root(int rootfs_fd, std::string_view path, std::string_view target);

}  // namespace ferry::gpu
