#pragma once
// Device access without a device cgroup.
//
// Moving a process into a cgroup v1 hierarchy waits for an RCU grace period (8-12 ms on the
// development machine), the largest cost of a start; on cgroup v2 the child is born in its
// cgroup for free. So on v1 (and hybrid) hosts a container that asks for no resource limits and
// no extra devices gets no cgroup of its own, and docker's device allowlist is enforced another
// way, with the same effect for the container:
//   - /dev holds only the allowlisted nodes (as always);
//   - the root file system and bind mounts are mounted nodev, so a device node in the image or
//     on a volume cannot be opened;
//   - seccomp refuses mknod/mknodat of block devices and of character devices outside the
//     allowlist (EPERM), so a new node in /dev cannot be made either.
// With --privileged, --device, a custom or no seccomp profile, or any limit, the container gets
// its cgroup as docker's does; so does a container in the host's pid namespace (--pid host),
// whose processes outliving the init are found through the cgroup and killed with it. GPUs
// (--gpus, CDI devices) do not need one: their nodes are made in /dev by ferry and the rules
// above keep every other node out (gpu_start.hpp).

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/rootfs.hpp"

namespace ferry::runtime {

// Whether the container must have a cgroup: limits, device rules beyond docker's defaults,
// extra device nodes, no seccomp filter to guard mknod, or no pid namespace of its own.
// (Privileged containers may use every device anyway and need none for that.)
bool needs_cgroup(const oci::RuntimeSpec& spec);

// Whether a container with this spec runs without a cgroup on a host of this layout: a v1 or
// hybrid host and no need for one.
bool runs_without_cgroup(const CgroupSystem& system, const oci::RuntimeSpec& spec);

// Applies the cgroup-less device confinement described above to spec and overlay.
void confine_devices(oci::RuntimeSpec& spec, OverlaySpec& overlay);

// The seccomp part of confine_devices alone, for a process exec'd into such a container (its
// /dev is a tmpfs that allows devices: only the filter keeps new nodes out).
void confine_device_syscalls(oci::RuntimeSpec& spec);

}  // namespace ferry::runtime
