#pragma once
// spawn_container: turns a runtime spec into a running container process. The caller gets the
// process (a pidfd), the console master when the spec asks for a terminal, and the cgroup;
// it waits for the process, then removes the cgroup.
//
//     auto spec = TRY(docker_default_spec("/containers/x/rootfs", {"sh"}));
//     auto c = TRY(spawn_container({.spec = &spec, .default_cgroup_path = "/ferry/x"}));
//     int status = TRY(c.pid.wait());       // docker's exit status
//     if (c.cgroup) (void)c.cgroup->destroy();
//
// The process is ferry's child; ferry must be single-threaded while spawn_container runs (the
// child is a fork-like clone that goes on using the heap).

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/pid.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/runtime/seccomp.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct SpawnRequest {
    const oci::RuntimeSpec* spec = nullptr;
    // Host path of the root: the directory itself, or where the overlay is mounted (inside the
    // container's mount namespace only). Empty: spec.root.path, as given (a relative path is
    // relative to ferry's working directory).
    std::string rootfs;
    std::optional<OverlaySpec> overlay;
    // Standard descriptors; a spec with process.terminal always gets a pty.
    StdioMode stdio = StdioMode::inherit;
    std::array<int, 3> stdio_fds = {-1, -1, -1};  // for StdioMode::fds; -1 keeps ferry's own
    std::vector<int> extra_fds;                   // become 3, 4, ... in the container
    // The cgroup when linux.cgroupsPath is empty ("/ferry/<id>"); with both empty the
    // container gets no cgroup of its own and resources are refused.
    std::string default_cgroup_path;
    // The host's cgroup layout; nullptr: detected (host_cgroups). Tests pass another hierarchy.
    const CgroupSystem* cgroups = nullptr;
    // The cgroup only tracks the container's processes (freezer.hpp): made bare (CgroupOpen::
    // track), no resources written; spec resources with limits are refused.
    bool cgroup_track_only = false;
    // linux.seccomp already compiled; nullptr: compiled here, through the cache in
    // seccomp_cache_dir when one is given (see compile_seccomp_cached).
    const SeccompProgram* seccomp = nullptr;
    std::string seccomp_cache_dir;
    // The container init gets PR_SET_PDEATHSIG=SIGKILL: it dies when the process that spawned
    // it (the container's monitor) dies, so no container outlives its supervision.
    bool die_with_parent = false;
    // Called with the container's process once its namespaces and cgroup exist, before it runs
    // anything (it waits for the go-ahead): what is set up from outside, such as its network
    // links. A failure fails the start, the process killed.
    std::function<Result<void>(pid_t)> before_start;
};

struct Spawned {
    Pid pid;
    Fd pty_master;                   // when the process has a terminal
    std::unique_ptr<Cgroup> cgroup;  // null when the container has none
};

// Starts the container. Errors inside the container's set-up come back as
// `container init: mount `proc` on `/proc`: Permission denied`; a command that cannot be run
// as `container init: exec `x`: executable file not found in $PATH` with exit status 127 (126
// when it exists but cannot be executed). Nothing is left behind on failure.
Result<Spawned> spawn_container(const SpawnRequest& request);

// The host's cgroup layout, detected on first use and kept for the process's lifetime.
Result<const CgroupSystem*> host_cgroups();

}  // namespace ferry::runtime
