#pragma once
// User namespaces: the uid/gid mappings a rootless user gets (a single mapping, /etc/subuid
// ranges, --userns=keep-id) and writing them for a child process, directly (as root, or a
// rootless single mapping of one's own ids) or through the setuid newuidmap/newgidmap helpers.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// One line of /etc/subuid or /etc/subgid for a user.
struct SubIdRange {
    uint32_t start = 0;
    uint32_t count = 0;
    bool operator==(const SubIdRange&) const = default;
};

// The ranges for user (matched by name or by numeric id) in /etc/subuid-format text, in file
// order. Malformed lines are skipped, as shadow's tools do.
std::vector<SubIdRange> parse_subid_ranges(std::string_view text, std::string_view user,
                                           uint32_t id);
// parse_subid_ranges on a file; a missing file gives no ranges.
Result<std::vector<SubIdRange>> read_subid_ranges(const std::string& path, std::string_view user,
                                                  uint32_t id);

enum class UsernsMode {
    root,     // the user is root inside (docker rootless, podman's default)
    keep_id,  // the user keeps its own id inside (podman --userns=keep-id)
};

struct IdMappings {
    std::vector<oci::IdMapping> uids;
    std::vector<oci::IdMapping> gids;
    bool operator==(const IdMappings&) const = default;
};

// The mappings for a rootless user: its own id becomes 0 (root) or stays itself (keep_id); the
// other container ids come from the subordinate ranges in order. Without ranges, only the
// user's own id is mapped.
IdMappings rootless_id_mappings(uid_t uid, gid_t gid, const std::vector<SubIdRange>& subuids,
                                const std::vector<SubIdRange>& subgids, UsernsMode mode);

// Writes the mappings of the user namespace of process pid. Root writes /proc/PID/uid_map and
// gid_map itself; an unprivileged caller does so for a mapping of only its own ids (after
// `deny` in /proc/PID/setgroups), and otherwise runs newuidmap/newgidmap. Fails with
// `write `/proc/N/uid_map`: strerror` or `newuidmap: <its message>`.
Result<void> write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                               const std::vector<oci::IdMapping>& gids);

// Whether write_id_mappings, run by the calling user, denies setgroups for these mappings (an
// unprivileged caller mapping only its own ids).
bool setgroups_denied(const std::vector<oci::IdMapping>& uids,
                      const std::vector<oci::IdMapping>& gids);

// Whether container id `id` is mapped by any of maps.
bool id_is_mapped(const std::vector<oci::IdMapping>& maps, uint32_t id);

}  // namespace ferry::runtime
