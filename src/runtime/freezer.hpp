#pragma once
// A way to freeze every running container (pause, unpause, commit's --pause), whatever cgroups
// it was started with.
//
// On cgroup v1 and hybrid hosts a container without limits gets no cgroup of its own, because
// moving a process into a v1 cgroup waits for an RCU grace period (device_policy.hpp). Freezing
// needs one, so:
//   - hybrid hosts (v1 controllers plus a cgroup2 mount, even without controllers, as this
//     project's development machine): such a container gets a *tracking cgroup* in the v2
//     hierarchy alone (/ferry/<id>), made bare (no controllers enabled, no limits, no device
//     filter) and entered at birth with clone3's CLONE_INTO_CGROUP, which costs no grace
//     period. cgroup.freeze, cgroup.kill, cgroup.procs and cpu.stat are core files of every v2
//     cgroup, controllers or not, so it can be frozen, killed and counted. Its monitor removes
//     it with the container. Cost: one mkdir before the clone and one rmdir at the exit.
//   - pure v1 hosts: nothing is made at start. The first freeze makes a freezer cgroup
//     (/ferry/<id> in the freezer hierarchy) and moves the container's processes into it until a
//     scan finds none outside (a process forked meanwhile by one already inside is born inside,
//     so the scan converges); the grace periods are paid by the pause, not by every start. The
//     monitor is told every v1 directory the container may come to have (--cgroup-dir), and
//     removes those that exist.
//   - v2 hosts, and containers with a cgroup of their own anywhere: that cgroup (v1: the freezer
//     hierarchy's directory).
// A rootless container without a delegated cgroup has none of these and cannot be frozen.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The hierarchies a container without a cgroup of its own is tracked in on host: the v2
// hierarchy alone on a hybrid host; nullopt elsewhere (pure v1: none; v2: it always has one).
std::optional<CgroupSystem> tracking_cgroups(const CgroupSystem& host);

// The cgroup path of container id with this spec: its cgroupsPath, else /ferry/<id> (what the
// supervisor gives spawn_container), made absolute below ferry's own cgroup.
std::string container_cgroup_path(const CgroupSystem& host, const oci::RuntimeSpec& spec,
                                  const std::string& id);

enum class FreezerUse {
    existing,   // only a cgroup the container already is in
    on_demand,  // on a pure v1 host, make the freezer cgroup and move the processes in
};

// The cgroup to freeze the running container whose init is pid and whose cgroup path is path
// (container_cgroup_path). Fails with `the container has no cgroup to freeze it with (rootless
// without a delegated cgroup)` (sys_errno ENOTSUP) when there is none, or with the cgroup's
// errors.
Result<std::unique_ptr<Cgroup>> container_freezer(const CgroupSystem& host, pid_t pid,
                                                  const std::string& path, FreezerUse use);

}  // namespace ferry::runtime
