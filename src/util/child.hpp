#pragma once
// A helper program started as this thread's child that dies with it (PR_SET_PDEATHSIG; it exits
// at once if this process is already gone), stdin on /dev/null, no descriptor of ours but the
// ones ChildIo names: pasta and slirp4netns (runtime/container_pasta), a desktop's Xvnc and
// websockify (desktop/).

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry {

struct ChildIo {
    int out = -1;   // its stdout; -1: /dev/null
    int err = -1;   // its stderr; -1: /dev/null
    int keep = -1;  // one more descriptor it inherits under its own number; -1: none
    int death_signal = SIGKILL;  // what it gets when this thread ends
    // A session of its own (no terminal's signals) and no signal blocked (the caller may
    // block some).
    bool detached = false;
};

// Forks and execs args[0] (a path) with args. Fails only when fork does; an exec that fails
// ends the child with status 127.
Result<pid_t> start_child(std::vector<std::string> args, const ChildIo& io);

}  // namespace ferry
