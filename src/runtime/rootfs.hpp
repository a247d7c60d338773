#pragma once
// The container's file system, set up by the child in its new mount namespace: propagation, the
// root (a bind of a directory onto itself, or an overlay), the spec's mounts (proc, sysfs, a
// tmpfs /dev with its nodes, devpts, mqueue, cgroup, tmpfs, binds), devices, sysctls, masked and
// read-only paths, pivot_root, a read-only root. Planned in the parent, carried out in the child.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/devices.hpp"
#include "ferry/runtime/mounts.hpp"
#include "ferry/runtime/namespaces.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// An overlay root: lower_dirs top first (as overlayfs's lowerdir), plus upper and work dirs on
// one file system.
struct OverlaySpec {
    std::vector<std::string> lower_dirs;
    std::string upper_dir;
    std::string work_dir;
    bool nodev = false;  // device nodes in the image cannot be opened (see device_policy.hpp)
    bool volatile_upper = false;  // overlay's volatile: no sync reaches the upper directory
};

struct PlannedMount {
    oci::Mount mount;
    MountOptions options;
    TargetKind target = TargetKind::directory;  // a bind of a non-directory needs a file
};

struct RootfsPlan {
    std::string rootfs;  // host path of the root directory, or the overlay's mount point
    std::optional<OverlaySpec> overlay;
    bool in_user_namespace = false;
    unsigned long propagation = 0;       // for `/` before anything (MS_SLAVE | MS_REC default)
    unsigned long late_propagation = 0;  // for `/` after pivot_root (shared, unbindable)
    bool readonly = false;
    std::vector<PlannedMount> mounts;
    std::vector<oci::Device> devices;
    DeviceMode device_mode = DeviceMode::mknod;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::vector<std::pair<std::string, std::string>> sysctls;  // key (net.ipv4.x), value
    CgroupSystem cgroups;  // to build a cgroup mount on v1 and hybrid hosts
    bool cgroup_namespace = true;  // false: the host's (cgroup mounts show the own cgroup only)
    // The user's own ids in the container's user namespace, when its root is someone else (a
    // rootless --userns=keep-id container with subordinate ids: its root is a subordinate id,
    // which cannot search directories the user owns with a group the namespace does not map,
    // such as a 0700 home of group `users`). The child then opens the host paths (the overlay's
    // directories, its mount point's parent, bind sources) with these as its file system ids,
    // and mounts through those descriptors as root (open_host_paths).
    std::optional<std::pair<uint32_t, uint32_t>> open_as;
};

// Docker's masked paths (moby oci.DefaultLinuxSpec).
inline constexpr std::string_view k_default_masked_paths[] = {"/proc/asound",
                                                              "/proc/acpi",
                                                              "/proc/kcore",
                                                              "/proc/keys",
                                                              "/proc/latency_stats",
                                                              "/proc/timer_list",
                                                              "/proc/timer_stats",
                                                              "/proc/sched_debug",
                                                              "/proc/scsi",
                                                              "/sys/firmware",
                                                              "/sys/devices/virtual/powercap"};
// Docker's read-only paths.
inline constexpr std::string_view k_default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

// Plans the file system of spec with its root at rootfs (or overlay mounted there), for the
// namespaces in ns; the gid mappings come from the spec. cgroups describes the host for a
// cgroup mount (nullptr: the spec mounts none); open_as: see RootfsPlan::open_as. Fails with
// `bind mount source `/x`: No such file or directory`, `unsupported mount option ...`,
// `sysctl `x` is not allowed ...` and the like.
Result<RootfsPlan> plan_rootfs(const oci::RuntimeSpec& spec, const std::string& rootfs,
                               const std::optional<OverlaySpec>& overlay, const NamespacePlan& ns,
                               const CgroupSystem* cgroups,
                               std::optional<std::pair<uint32_t, uint32_t>> open_as = {});

// A new, detached overlay mount of o (with userxattr for an overlay in a user namespace); usable
// as a directory descriptor without being attached anywhere. Fails with the kernel's reason.
Result<Fd> make_overlay_mount(const OverlaySpec& o, bool userns);

// In the child: builds the file system and pivots into it. The working directory afterwards is
// the new `/`. Fails with `mount `proc` on `/proc`: Permission denied` and the like.
Result<void> setup_rootfs(const RootfsPlan& plan);

}  // namespace ferry::runtime
