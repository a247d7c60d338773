#pragma once
// The cgroup and the processes of a running container, found from its init process: the
// cgroup it is in (/proc/PID/cgroup), and the processes sharing its pid namespace (or, for a
// container in the host's pid namespace, its cgroup).

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The cgroup of process pid, when it has one of its own (not the root of the hierarchy); null
// when it has none. Fails with `read `/proc/N/cgroup`: strerror`.
Result<std::unique_ptr<Cgroup>> process_cgroup(pid_t pid);

// The processes of the container whose init is pid (init included), ascending. Those in its pid
// namespace; when that is ferry's own (--pid host), those in its cgroup. host_proc is /proc
// (tests pass another root).
Result<std::vector<pid_t>> container_processes(pid_t pid, const std::string& host_proc = "/proc");

// Removes the cgroup a container with this spec and ID was started in (the spec's cgroupsPath,
// else the supervisor's /ferry/<id>), for `rm` and `container prune`. A missing cgroup is not an
// error; one that still holds processes fails (`remove cgroup ...: Device or resource busy`).
Result<void> remove_container_cgroup(const oci::RuntimeSpec& spec, const std::string& id);

// Freezes a cgroup for the lifetime of the object and thaws it afterwards.
class FreezeGuard {
  public:
    FreezeGuard() = default;
    FreezeGuard(FreezeGuard&&) = default;
    FreezeGuard& operator=(FreezeGuard&&) = default;
    ~FreezeGuard();
    // Freezes cgroup (may be null: nothing to do). Fails with `pause container: …`.
    static Result<FreezeGuard> freeze(std::unique_ptr<Cgroup> cgroup);

  private:
    std::unique_ptr<Cgroup> m_cgroup;
};

}  // namespace ferry::runtime
