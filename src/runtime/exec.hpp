#pragma once
// exec_in: starts another process in a running container (`ferry exec`): it joins the
// namespaces of the container's init (user first), its cgroups, and gets the same kind of
// capabilities, seccomp filter, no_new_privs, user and working directory handling as the init.

#include <sys/types.h>

#include <array>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/pid.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/seccomp.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct ExecRequest {
    pid_t container_pid = 0;                      // the container's init, in ferry's pid namespace
    const oci::Process* process = nullptr;        // args, env, cwd, user, caps, terminal, ...
    const oci::Seccomp* seccomp = nullptr;        // normally the container's linux.seccomp
    const SeccompProgram* precompiled = nullptr;  // seccomp already compiled
    std::string seccomp_cache_dir;                // else compiled through this cache
    StdioMode stdio = StdioMode::inherit;         // process.terminal always gets a pty
    std::array<int, 3> stdio_fds = {-1, -1, -1};
    std::vector<int> extra_fds;
    bool join_cgroup = true;
    const CgroupSystem* cgroups = nullptr;  // the host's layout; nullptr: detected
    // Whether setgroups is allowed in the container's user namespace (false for a rootless
    // single mapping); read from /proc/PID/setgroups when unset.
    std::optional<bool> set_groups;
};

struct Executed {
    Pid pid;        // ferry's child, in the container's pid namespace
    Fd pty_master;  // when the process has a terminal
};

// Starts the process; errors as spawn_container's, prefixed `exec in container:`.
Result<Executed> exec_in(const ExecRequest& request);

}  // namespace ferry::runtime
