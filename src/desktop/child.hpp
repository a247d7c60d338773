#pragma once
// How a desktop's servers (Xvnc, websockify) are started: this thread's children that die with
// it (PR_SET_PDEATHSIG SIGTERM: the monitor, which the starting process becomes, owns them), in
// a session of their own (no terminal's signals), no signal blocked, stdin on /dev/null,
// stdout and stderr to a log, no descriptor but keep (when >= 0).

#include <sys/types.h>

#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::desktop {

Result<pid_t> start_child(std::vector<std::string> args, int log_fd, int keep = -1);

}  // namespace ferry::desktop
