#pragma once
// Running the system `ssh` (so ~/.ssh/config, agents and jump hosts apply) with its stdin and
// stdout as the frame channel of an ssh move, and its stderr kept to explain a failure.

#include <functional>
#include <string>
#include <vector>

#include "ferry/registry/ssh_frames.hpp"
#include "ferry/registry/ssh_target.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// Runs `ssh … -- $FERRY_SSH_REMOTE remote_args…` (ssh_command), calls before_io (still
// single-threaded: the place to enter the store's user namespace, which ssh itself must stay
// out of), then talk with a channel over ssh's stdout and stdin, and waits for ssh. What ssh
// printed on stderr is passed on when all went well. On failure the error is the far side's
// own text when it sent one; else, when ssh failed, `ssh `user@host` exited with status N: <its
// last line on stderr>` (for status 127 with a hint at FERRY_SSH_REMOTE); else talk's error.
// Fails with `run `ssh`: strerror` when ssh cannot be started.
Result<void> run_over_ssh(const SshTarget& target, const std::vector<std::string>& remote_args,
                          const std::function<Result<void>()>& before_io,
                          const std::function<Result<void>(FrameChannel&)>& talk);

}  // namespace ferry::registry
