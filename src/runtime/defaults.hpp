#pragma once
// Docker's defaults for a Linux container, as one runtime spec: the mounts, namespaces,
// capabilities, masked and read-only paths, device allowlist and seccomp profile that `docker run`
// gives a container without flags. The spec generator starts from it; the test driver too.

#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Docker's default mounts: /proc, /dev (tmpfs), /dev/pts, /sys (read-only), /sys/fs/cgroup
// (read-only), /dev/mqueue, /dev/shm (64 MiB).
std::vector<oci::Mount> docker_default_mounts();

// The spec `docker run IMAGE args...` starts from: process args, env PATH, cwd /, uid 0, default
// capabilities (bounding, effective, permitted), rlimit-free, new mount, network, uts, pid, ipc
// and cgroup namespaces, masked and read-only paths, the default device rules and docker's
// default seccomp profile resolved for the default capabilities. root.path is rootfs_path.
Result<oci::RuntimeSpec> docker_default_spec(const std::string& rootfs_path,
                                             const std::vector<std::string>& args);

}  // namespace ferry::runtime
