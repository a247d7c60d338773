#pragma once
// The figures of `ferry stats`, as docker's daemon collects them and its CLI computes them:
// CPU time, memory (usage without the inactive file cache, and the limit), PIDs and block I/O
// from the container's cgroups (v1 controllers, v2 files), read through its init's
// /proc/PID/cgroup.
//
// Where the container has no cgroup for a figure (a cgroup v1 host and a container without
// limits: no memory, pids or blkio cgroup of its own; a hybrid host's tracking cgroup has cpu.stat
// and cgroup.threads, no controllers), the figure is summed over its processes from /proc
// instead: CPU as their user and system time, memory as their resident set (VmRSS), PIDs as
// their threads, block I/O as their read_bytes/write_bytes; the memory limit is then the
// host's memory, as docker shows for a container without a limit. These sums miss what
// exited processes used. NET I/O is 0 / 0: ferry's containers use the host's network or none,
// for which docker also shows 0B / 0B.

#include <cstdint>
#include <string>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct StatsSample {
    uint64_t cpu_ns = 0;        // CPU time the container used
    uint64_t system_ns = 0;     // CPU time of the whole host (every CPU), when read
    uint32_t online_cpus = 0;
    uint64_t memory = 0;        // bytes, inactive file cache excluded (docker's MEM USAGE)
    uint64_t memory_limit = 0;  // bytes: the limit, or the host's memory
    uint64_t net_rx = 0, net_tx = 0;
    uint64_t block_read = 0, block_write = 0;
    uint64_t pids = 0;
};

// Samples a running container (record's, its state read by the caller). Fails when its init
// is gone (`Container <id> is not running`).
Result<StatsSample> sample_container(const ContainerStore& store, const ContainerRecord& record,
                                     const ContainerState& state);

// The CPU percentage between two samples of one container, as docker's CLI: the container's
// share of the host's CPU time times the online CPUs (100% is one CPU busy).
double cpu_percent(const StatsSample& before, const StatsSample& after);

// The memory percentage of a sample: usage / limit.
double memory_percent(const StatsSample& sample);

// Sums the `Read` and `Write` lines of blkio.throttle.io_service_bytes_recursive text.
void parse_blkio_bytes(std::string_view text, uint64_t& read, uint64_t& write);
// Sums the rbytes= and wbytes= fields of io.stat text.
void parse_io_stat(std::string_view text, uint64_t& read, uint64_t& write);
// The value of key in `key value` lines (memory.stat, cpu.stat); 0 when absent.
uint64_t stat_value(std::string_view text, std::string_view key);

}  // namespace ferry::runtime
