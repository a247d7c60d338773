#pragma once
// `ferry exec`: another process in a running container, with the container's namespaces,
// cgroup, capabilities, seccomp filter and environment.

#include <string>
#include <vector>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct ExecOptions {
    std::vector<std::string> command;
    bool interactive = false;         // -i: stdin reaches the process
    bool tty = false;                 // -t
    bool detach = false;              // -d: start it and return
    std::vector<std::string> env;     // -e KEY=VALUE (added to the container's environment)
    std::string workdir;              // -w
    std::string user;                 // -u user[:group]
    bool privileged = false;          // --privileged: every capability
    std::string detach_keys = "ctrl-p,ctrl-q";
};

// Runs the command and returns its exit status (docker's: 126 cannot run, 127 not found,
// 128+N killed); with detach, returns 0 once it started. Fails with `Container <id> is not
// running` for a stopped container (status 1, as docker's CLI) and with `unable to find user x:
// no matching entries in passwd file` for an unknown -u (status 126, as docker's).
Result<int> exec_container(const ContainerStore& store, const ContainerRecord& record,
                           const ExecOptions& options);

}  // namespace ferry::runtime
