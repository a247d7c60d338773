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

// rootless_id_mappings for user uid (its name looked up in the passwd database) with its ranges
// in /etc/subuid and /etc/subgid; a file that cannot be read gives no ranges.
IdMappings user_id_mappings(uid_t uid, gid_t gid, UsernsMode mode);

// Whether mappings use subordinate ids, i.e. map more than the user's own id.
bool has_subordinate_ids(const std::vector<oci::IdMapping>& maps);

// Parses /proc/PID/uid_map or gid_map text (`inside outside count` per line) into mappings
// (container_id = inside, host_id = outside). Malformed lines are skipped.
std::vector<oci::IdMapping> parse_id_map(std::string_view text);
// The calling process's own mappings: /proc/self/uid_map and gid_map (the initial namespace
// maps every id to itself). Fails with `read `/proc/self/uid_map`: strerror`.
Result<IdMappings> own_id_mappings();

// maps (container id -> host id) seen from a process whose namespace maps its own ids to the
// host's by own: container id -> the process's id. Host ranges own does not map are left out.
std::vector<oci::IdMapping> relative_to(const std::vector<oci::IdMapping>& maps,
                                        const std::vector<oci::IdMapping>& own);

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

// Moves the calling process, which must be single-threaded, into the user namespace of process
// pid (/proc/PID/ns/user; the caller must own that namespace or be privileged). Fails with
// `join the user namespace of process N: strerror`.
Result<void> join_user_namespace(pid_t pid);

// Whether container id `id` is mapped by any of maps.
bool id_is_mapped(const std::vector<oci::IdMapping>& maps, uint32_t id);

}  // namespace ferry::runtime
