#pragma once
// The process table `ferry top` prints: procps's `ps -ef` columns (UID PID PPID C STIME TTY TIME
// CMD) computed from /proc, so no host program is run, and laid out as docker's client lays out
// `docker top` (Go's tabwriter: columns at least 20 wide, 3 spaces of padding).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct PsTable {
    std::vector<std::string> titles;
    std::vector<std::vector<std::string>> rows;
};

// Where the figures come from: the /proc to read, the clock tick rate and the current time
// (tests pass fakes).
struct PsClock {
    std::string proc = "/proc";
    int64_t ticks_per_second = 100;
    int64_t now = 0;  // unix seconds
};

// The clock of this machine (sysconf(_SC_CLK_TCK), time(2)) over /proc.
PsClock host_ps_clock();

// `ps -ef` rows for pids, in the order given; a process that exited meanwhile is left out.
// Fails with `read `/proc/stat`: strerror` when the boot time cannot be read.
Result<PsTable> ps_ef(const std::vector<pid_t>& pids, const PsClock& clock);

// The table as docker top prints it, every line ending with a newline.
std::string format_ps_table(const PsTable& table);

}  // namespace ferry::runtime
