#pragma once
// Docker's seccomp profile format (the file `--security-opt seccomp=PATH` names, and the shape
// of docker's built-in default): an OCI seccomp section plus archMap and rules that apply only
// with (includes) or without (excludes) some capabilities, architectures or kernel versions.
// Resolving a profile for one container gives the spec's linux.seccomp, as moby does.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Conditions on a profile rule: capabilities (of the bounding set), architectures (Go names:
// amd64, arm64, ...) and a minimum kernel version ("4.8").
struct SeccompCondition {
    std::vector<std::string> caps;
    std::vector<std::string> arches;
    std::string min_kernel;
    bool operator==(const SeccompCondition&) const = default;
};

struct SeccompProfileRule {
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errno_ret;
    std::vector<oci::SeccompArg> args;
    SeccompCondition includes;  // the rule applies only when all of these hold
    SeccompCondition excludes;  // the rule is dropped when any of these holds
    bool operator==(const SeccompProfileRule&) const = default;
};

struct SeccompArchMap {
    std::string arch;  // SCMP_ARCH_X86_64
    std::vector<std::string> sub_arches;
    bool operator==(const SeccompArchMap&) const = default;
};

struct SeccompProfile {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<SeccompArchMap> arch_map;
    std::vector<SeccompProfileRule> syscalls;
    bool operator==(const SeccompProfile&) const = default;
};

// Parses a docker-format profile; fails with `seccomp profile: invalid JSON` or
// `seccomp profile: field `syscalls[2].names`: expected an array of strings`.
Result<SeccompProfile> parse_seccomp_profile(std::string_view text);

// The host facts a profile is resolved against.
struct SeccompHost {
    std::string arch;            // Go name of the native architecture ("amd64")
    std::string scmp_arch;       // its libseccomp name ("SCMP_ARCH_X86_64")
    std::string kernel_release;  // uname -r
};
// This machine's facts (read once).
const SeccompHost& seccomp_host();

// The spec's seccomp section for a container whose bounding set is bounding_caps: the native
// architecture and its sub-architectures from archMap, and the rules whose conditions hold.
// Fails with `seccomp profile: both architectures and archMap are given`.
Result<oci::Seccomp> resolve_seccomp_profile(const SeccompProfile& profile,
                                             const std::vector<std::string>& bounding_caps,
                                             const SeccompHost& host = seccomp_host());

// Docker's default profile (moby profiles/seccomp/default.json), held as data.
const SeccompProfile& docker_default_seccomp_profile();

}  // namespace ferry::runtime
