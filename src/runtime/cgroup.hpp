#pragma once
// Control groups: finding the host's layout (pure v2, hybrid, pure v1), computing the control
// file writes for a spec's resources, and a Cgroup that creates, limits, joins, reports, freezes
// and removes one container's cgroup. v1 and v2 are separate implementations (cgroup_v1.cpp,
// cgroup_v2.cpp); the v2 device allowlist is a BPF program (cgroup_bpf.hpp).

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

enum class CgroupLayout {
    v1,      // per-controller hierarchies only
    hybrid,  // v1 controllers plus an empty v2 hierarchy (/sys/fs/cgroup/unified)
    v2,      // one unified hierarchy at /sys/fs/cgroup
};

// One v1 hierarchy mounted on the host.
struct CgroupHierarchy {
    std::vector<std::string> controllers;  // {"cpu", "cpuacct"}, {"name=systemd"}
    std::string mount_point;               // /sys/fs/cgroup/cpu,cpuacct
    // The key of this hierarchy in /proc/PID/cgroup ("cpu,cpuacct", "name=systemd").
    std::string key() const;
    bool operator==(const CgroupHierarchy&) const = default;
};

// What the host offers, found once.
struct CgroupSystem {
    CgroupLayout layout = CgroupLayout::v2;
    std::string unified;                       // the v2 mount point (empty for pure v1)
    std::vector<CgroupHierarchy> hierarchies;  // v1 hierarchies (empty for pure v2)
    std::map<std::string, std::string> self;   // own cgroup per hierarchy key ("" for v2)
};

// The v1 hierarchies in /proc/self/mountinfo text.
std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo);
// /proc/PID/cgroup text as hierarchy key -> path ("" is the v2 hierarchy).
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);
// Reads the host's layout from /proc/self/mountinfo, /proc/self/cgroup and statfs of
// /sys/fs/cgroup; fails with `no cgroup file system is mounted` when there is none.
Result<CgroupSystem> detect_cgroups();

// The cgroup path for a spec's cgroupsPath: an absolute path as it is, a relative one below own
// (the caller's cgroup), an empty one as fallback. The result is absolute and clean.
std::string resolve_cgroup_path(std::string_view cgroups_path, std::string_view own,
                                std::string_view fallback);

// One control file write: controller "" means the v2 hierarchy.
struct CgroupWrite {
    std::string controller;
    std::string file;
    std::string value;
    bool operator==(const CgroupWrite&) const = default;
};
// The v1 control file writes for resources, in the order they must happen (device rules
// included). Fails with `cpu shares must be at least 2` style messages for invalid values.
Result<std::vector<CgroupWrite>> cgroup_v1_writes(const oci::Resources& resources);
// The v2 control file writes for resources (devices excluded: they are a BPF program).
Result<std::vector<CgroupWrite>> cgroup_v2_writes(const oci::Resources& resources);
// cpu.shares (2..262144) as cgroup v2's cpu.weight (1..10000), as runc converts it.
uint64_t cpu_shares_to_weight(uint64_t shares);

struct CgroupStats {
    uint64_t memory_usage = 0;  // bytes
    uint64_t memory_limit = 0;  // bytes; 0 when unlimited
    uint64_t pids_current = 0;
    uint64_t cpu_usage_ns = 0;
};

enum class CgroupOpen {
    create,    // make the directories (existing ones are reused)
    existing,  // the cgroup must exist
    track,     // make the directories only: on v2 no controller is enabled on the way down (a
               // cgroup that only tracks its processes, to freeze, kill and count them)
};

// One container's cgroup.
class Cgroup {
  public:
    virtual ~Cgroup() = default;
    // The cgroup at path (absolute, below each hierarchy's root) for the host's layout. Fails
    // with `create cgroup `/sys/fs/cgroup/memory/ferry/x`: strerror` (or `open cgroup ...`).
    static Result<std::unique_ptr<Cgroup>> open(const CgroupSystem& system, const std::string& path,
                                                CgroupOpen how);

    // The cgroup path (same in every hierarchy).
    virtual const std::string& path() const = 0;
    // Writes the resource limits and device rules; fails with `set `memory.max` to `..`: strerror`.
    virtual Result<void> apply(const oci::Resources& resources) = 0;
    // Moves process pid (and its threads) into the cgroup.
    virtual Result<void> add(pid_t pid) = 0;
    // The v2 cgroup directory, for clone3's CLONE_INTO_CGROUP (a process born in its cgroup
    // costs no migration); an empty Fd on v1 and hybrid hosts, where add() is the way in.
    virtual Result<Fd> clone_target() = 0;
    // The cgroup.procs files of every hierarchy, opened for writing, for a process that moves
    // itself in (writes "0") after it has left ferry's view of /sys.
    virtual Result<std::vector<Fd>> open_procs() = 0;
    // Reads usage figures.
    virtual Result<CgroupStats> stats() = 0;
    // Freezes (true) or thaws (false) every process in the cgroup.
    virtual Result<void> freeze(bool frozen) = 0;
    // Kills every process in the cgroup with SIGKILL.
    virtual Result<void> kill_all() = 0;
    // Removes the cgroup directories (the cgroup must be empty; waits briefly for exiting
    // processes). A missing directory is not an error.
    virtual Result<void> destroy() = 0;
    // The cgroup's directories, one per hierarchy (for the monitor, which removes them when
    // the container exits).
    virtual std::vector<std::string> dirs() const = 0;
};

// Implementations, chosen by Cgroup::open.
Result<std::unique_ptr<Cgroup>> make_cgroup_v1(const CgroupSystem& system, const std::string& path,
                                               CgroupOpen how);
Result<std::unique_ptr<Cgroup>> make_cgroup_v2(const CgroupSystem& system, const std::string& path,
                                               CgroupOpen how);

// The cgroup.procs files of the cgroups process pid is in (read from /proc/PID/cgroup), opened
// for writing: a new process writes "0" into each to join pid's cgroups.
Result<std::vector<Fd>> open_procs_of(const CgroupSystem& system, pid_t pid);

}  // namespace ferry::runtime
