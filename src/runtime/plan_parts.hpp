#pragma once
// The parts of plan_container, one file each: mounts and volumes (plan_mounts.cpp), resources
// and devices (plan_resources.cpp), docker's Config/HostConfig (plan_inspect.cpp). Internal to
// runtime/: container_plan.hpp is the interface.

#include <string>
#include <vector>

#include "ferry/runtime/container_plan.hpp"

namespace ferry::runtime::plan_parts {

// The container's mounts after docker's defaults: -v, --mount, --tmpfs, the image's VOLUMEs not
// otherwise mounted, /etc/hostname, /etc/hosts and /etc/resolv.conf, /dev/shm (size, ipc modes),
// /dev/init for init, ordered by depth as docker orders them; the read-only root and privileged
// adjustments. Fills plan.spec.mounts, plan.volumes and plan.create_host_dirs. Fails with
// `invalid mount config for type "bind": bind source path does not exist: /x`,
// `duplicate mount point: /x` and the like.
Result<void> plan_mounts(const RunOptions& o, const ContainerConfig& image, const PlanPaths& paths,
                         const PlanIdentity& identity, bool init, ContainerPlan& plan);

// The size of the container's /dev/shm in bytes: --shm-size, or docker's 64 MB when the flag is
// missing or 0 (the daemon's default for 0).
int64_t shm_size(const RunOptions& o);

// linux.resources (memory, cpu, pids, device rules) and linux.devices for --device and
// --privileged, with docker's checks (`Minimum memory limit allowed is 6MB`, ...). Fills
// plan.spec and plan.warnings; rootless devices become bind mounts.
Result<void> plan_resources(const RunOptions& o, const PlanIdentity& identity, ContainerPlan& plan);

// docker's floors and units for resources, shared with `ferry update` (container_update.cpp).
constexpr int64_t k_min_memory = 6 << 20;  // `Minimum memory limit allowed is 6MB`
constexpr int64_t k_cpu_period = 100000;   // --cpus: the quota over 100 ms
// The CPUs this process may run on (its affinity mask), the bound of --cpus.
int usable_cpus();

// process.rlimits for --ulimit, sorted by name; fails with `unknown ulimit `x``.
Result<std::vector<oci::Rlimit>> plan_rlimits(const std::vector<Ulimit>& ulimits);

// The device nodes below dir as docker lists them for --privileged (runc's HostDevices): every
// character and block device, recursively, skipping pts, shm, fd, mqueue, .lxc, .lxd-mounts,
// .udev and console; sorted by path. Each device's path is its host path.
Result<std::vector<oci::Device>> host_devices(const std::string& dir);

// What docker's merge of the flags over the image gives, as Config shows it.
struct MergedConfig {
    std::optional<std::vector<std::string>> entrypoint;
    std::optional<std::vector<std::string>> cmd;
    std::optional<std::vector<std::string>> env;
    std::string user;
    std::string working_dir;
    std::map<std::string, std::string> labels;
    std::vector<std::string> volumes;  // image VOLUMEs and anonymous -v targets
    std::string stop_signal;           // "" when neither the flag nor the image sets one
};

// The cgroup namespace mode: --cgroupns, else docker's default for the host (private on a pure
// cgroup v2 host, host on v1 and hybrid ones).
std::string cgroupns_mode(const RunOptions& o);

// docker's Config of the container (for inspect).
Json config_json(const RunOptions& o, const ContainerConfig& image, const MergedConfig& merged,
                 const std::string& hostname);
// docker's HostConfig of the container (for inspect).
Json host_config_json(const RunOptions& o, const ContainerPlan& plan);

}  // namespace ferry::runtime::plan_parts
