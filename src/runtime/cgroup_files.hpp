#pragma once
// Small file helpers shared by the v1 and v2 cgroup implementations (internal to runtime/).

#include <sys/types.h>

#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::runtime::cgroup_files {

// Writes value to dir/file (no O_CREAT: control files exist); fails with
// `set `file` to `value`: strerror`.
Result<void> write(const std::string& dir, const std::string& file, const std::string& value);
// Reads dir/file without its trailing newline.
Result<std::string> read(const std::string& dir, const std::string& file);
// Reads a number from dir/file; 0 when the file says "max".
Result<uint64_t> read_u64(const std::string& dir, const std::string& file);
// The pids listed in dir/cgroup.procs.
Result<std::vector<pid_t>> procs(const std::string& dir);
// Creates dir below mount (both absolute) with missing parents; fails with
// `create cgroup `dir`: strerror`.
Result<void> make(const std::string& dir);
// Removes dir, retrying while it is busy with exiting processes (up to about one second).
Result<void> remove(const std::string& dir);

}  // namespace ferry::runtime::cgroup_files
