#pragma once
// Linux capabilities: names, docker's default set, docker's --cap-add/--cap-drop resolution, and
// applying the five sets to the calling process (for the container's init, just before exec).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Docker's default capability set (moby oci.DefaultCapabilities), in docker's order.
inline constexpr std::array<std::string_view, 14> k_default_capabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

// The number of a capability named "CAP_CHOWN", "chown" or "CHOWN"; nullopt when unknown.
std::optional<int> capability_number(std::string_view name);
// The canonical name of capability n ("CAP_CHOWN"); empty when n is unknown.
std::string_view capability_name(int n);
// Every capability ferry knows, canonical names in number order.
std::vector<std::string> all_capabilities();
// The capabilities of all_capabilities() that the kernel has and this process's bounding set
// holds: what --privileged gives (podman's choice; docker asks for all and fails where its own
// bounding set is smaller).
std::vector<std::string> privileged_capabilities();

// Docker's resolution of --cap-add/--cap-drop over base (normally k_default_capabilities): names
// with or without CAP_, any case; `ALL` in add gives every capability, `ALL` in drop starts from
// none (then add applies). Fails as docker's daemon, add checked first: `invalid CapAdd: unknown
// capability: "CAP_FOO"` (or `invalid CapDrop: ...`). Result is canonical and sorted by
// capability number.
Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& base,
                                                      const std::vector<std::string>& add,
                                                      const std::vector<std::string>& drop);

// The five capability sets as bit masks (bit n = capability n).
struct CapabilitySets {
    uint64_t bounding = 0;
    uint64_t effective = 0;
    uint64_t permitted = 0;
    uint64_t inheritable = 0;
    uint64_t ambient = 0;
};

// Masks for the spec's sets; fails with `unknown capability: "CAP_FOO"` on a name ferry does not
// know. Capabilities above the running kernel's last one are left out.
Result<CapabilitySets> capability_sets(const oci::Capabilities& caps);
// The highest capability number the running kernel knows.
int last_capability();

// Drops every capability outside sets.bounding from the bounding set (needs CAP_SETPCAP, so it
// comes before the switch to the process's user). Fails with
// `drop capability CAP_X: strerror`.
Result<void> apply_bounding_set(const CapabilitySets& sets);
// Sets effective, permitted and inheritable (capset), then the ambient set. Call after the final
// setuid (made with PR_SET_KEEPCAPS). Fails with `set capabilities: strerror`, naming the
// capabilities asked for that the bounding set lacks: `set capabilities: Operation not
// permitted (not in ferry's bounding set: CAP_SYS_RESOURCE)`.
Result<void> apply_capabilities(const CapabilitySets& sets);

}  // namespace ferry::runtime
