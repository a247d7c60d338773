#pragma once
// The parts of the OCI runtime specification (v1.1, config.json) that ferry uses, as plain
// structs. Field names follow the specification's JSON names in snake_case; the JSON form is
// exactly the specification's, so the same file serves the later runc-compatible mode. Optional
// members of the specification are std::optional (or empty containers) here and are left out of
// the JSON when absent.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ferry/util/result.hpp"

namespace ferry::oci {

// The specification version ferry writes.
inline constexpr std::string_view k_runtime_spec_version = "1.1.0";

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
    bool operator==(const ConsoleSize&) const = default;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    bool operator==(const User&) const = default;
};

// Capability names as the kernel's, with the CAP_ prefix ("CAP_CHOWN").
struct Capabilities {
    std::vector<std::string> bounding;
    std::vector<std::string> effective;
    std::vector<std::string> inheritable;
    std::vector<std::string> permitted;
    std::vector<std::string> ambient;
    bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE"
    uint64_t hard = 0;
    uint64_t soft = 0;
    bool operator==(const Rlimit&) const = default;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string cwd = "/";
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::optional<int> oom_score_adj;
    bool operator==(const Process&) const = default;
};

struct Root {
    std::string path;
    bool readonly = false;
    bool operator==(const Root&) const = default;
};

struct Mount {
    std::string destination;
    std::string type;
    std::string source;
    std::vector<std::string> options;
    bool operator==(const Mount&) const = default;
};

// type: pid, network, mount, ipc, uts, user, cgroup, time. An empty path creates a new one.
struct Namespace {
    std::string type;
    std::string path;
    bool operator==(const Namespace&) const = default;
};

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
    bool operator==(const IdMapping&) const = default;
};

// A device node to create in the container (linux.devices).
struct Device {
    std::string path;
    std::string type;  // c, b, u or p
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    bool operator==(const Device&) const = default;
};

// One rule of the device cgroup (linux.resources.devices); absent major/minor mean any.
struct DeviceRule {
    bool allow = false;
    std::string type;  // a, c or b; empty means a
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::string access;  // a combination of r, w, m; empty means rwm
    bool operator==(const DeviceRule&) const = default;
};

struct MemoryResources {
    std::optional<int64_t> limit;
    std::optional<int64_t> swap;  // memory + swap, as the specification (-1: unlimited)
    std::optional<int64_t> reservation;
    bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> period;
    std::string cpus;
    std::string mems;
    bool operator==(const CpuResources&) const = default;
};

struct PidsResources {
    int64_t limit = 0;
    bool operator==(const PidsResources&) const = default;
};

struct BlockIoResources {
    std::optional<uint16_t> weight;
    bool operator==(const BlockIoResources&) const = default;
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<MemoryResources> memory;
    std::optional<CpuResources> cpu;
    std::optional<PidsResources> pids;
    std::optional<BlockIoResources> block_io;
    bool operator==(const Resources&) const = default;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op;  // SCMP_CMP_EQ, ...
    bool operator==(const SeccompArg&) const = default;
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;  // SCMP_ACT_ALLOW, ...
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
    bool operator==(const SeccompSyscall&) const = default;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;  // SCMP_ARCH_X86_64, ...
    std::vector<SeccompSyscall> syscalls;
    bool operator==(const Seccomp&) const = default;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::vector<Device> devices;
    std::optional<Resources> resources;
    std::string cgroups_path;
    std::map<std::string, std::string> sysctl;
    std::optional<Seccomp> seccomp;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::string rootfs_propagation;  // private, slave, shared, unbindable; empty: runtime default
    bool operator==(const Linux&) const = default;
};

struct RuntimeSpec {
    std::string oci_version{k_runtime_spec_version};
    std::optional<Process> process;
    Root root;
    std::string hostname;
    std::vector<Mount> mounts;
    std::optional<Linux> linux;
    std::map<std::string, std::string> annotations;
    bool operator==(const RuntimeSpec&) const = default;
};

// The specification as JSON (config.json), keys in the specification's order.
nlohmann::ordered_json to_json(const RuntimeSpec& spec);
// The JSON text of to_json, indented by indent spaces (-1: one line).
std::string to_json_text(const RuntimeSpec& spec, int indent = -1);
// Reads a specification from parsed JSON; fails with `spec: field `process.args`: expected an
// array of strings` naming the first offending field. Unknown fields are ignored.
Result<RuntimeSpec> runtime_spec_from_json(const nlohmann::ordered_json& json);
// Parses config.json text; fails with `spec: invalid JSON` or as runtime_spec_from_json.
Result<RuntimeSpec> parse_runtime_spec(std::string_view text);

// The seccomp part alone, as it appears under linux.seccomp.
nlohmann::ordered_json to_json(const Seccomp& seccomp);
// Reads linux.seccomp; `where` names the object in errors (`linux.seccomp`).
Result<Seccomp> seccomp_from_json(const nlohmann::ordered_json& json, std::string_view where);

}  // namespace ferry::oci
