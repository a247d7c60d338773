#pragma once
// `ferry top CONTAINER [ps OPTIONS]` with options: the host's ps run with them, its output kept
// for the container's processes, as docker's daemon does (moby daemon/top_unix.go): `ps OPTIONS
// -qPID,PID...` (or, should ps refuse -q, `ps OPTIONS`), the PID column found by its header, a
// process's following thread lines (`-` in the PID column) kept with it, the last column
// holding the rest of each line.

#include <sys/types.h>

#include <string_view>
#include <vector>

#include "ferry/runtime/ps_table.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// docker's validatePSArgs: an output column renamed to a header starting with PID is refused
// unless it is the pid column itself. Fails with `specifying "user=PID" is not allowed`.
Result<void> check_ps_args(std::string_view ps_args);

// docker's parsePSOutput: the rows of ps output that belong to pids. Fails with `Couldn't find
// PID field in ps output` or `Unexpected pid 'x': ...`.
Result<PsTable> parse_ps_output(std::string_view output, const std::vector<pid_t>& pids);

// Runs the host's ps with ps_args (split on single spaces, as docker) and returns the rows of
// pids. Fails with `ps: <the first line ps wrote on stderr>` or parse_ps_output's errors.
Result<PsTable> host_ps(std::string_view ps_args, const std::vector<pid_t>& pids);

}  // namespace ferry::runtime
