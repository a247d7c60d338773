#pragma once
// The image's user database: /etc/passwd and /etc/group as text, parsed, and the `-u` user
// resolved against them exactly as runc's user.GetExecUser does for docker (names or ids, the
// primary group from passwd unless a group is given, supplementary groups from /etc/group).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
    std::string shell;
};

struct GroupEntry {
    std::string name;
    uint32_t gid = 0;
    std::vector<std::string> members;
};

// The entries of /etc/passwd text in file order; blank, comment and malformed lines (fewer than
// three fields, or an id that is not a number) are skipped.
std::vector<PasswdEntry> parse_passwd(std::string_view text);
// The entries of /etc/group text in file order, skipping lines as parse_passwd.
std::vector<GroupEntry> parse_group(std::string_view text);

// The user a container process runs as.
struct ExecUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> supplementary;  // from /etc/group, when the group was not given
    std::string home = "/";               // from passwd; "/" when the user has no entry
    std::string name;                     // from passwd; "" when the user has no entry
};

// Resolves a `-u` value (user[:group], names or numeric ids; "" for uid 0) as runc does. A
// missing file is nullopt. Fails with docker's wording:
// `unable to find user x: no matching entries in passwd file`,
// `unable to find group x: no matching entries in group file`,
// `uids and gids must be in range 0-2147483647`.
Result<ExecUser> resolve_exec_user(std::string_view spec,
                                   const std::optional<std::vector<PasswdEntry>>& passwd,
                                   const std::optional<std::vector<GroupEntry>>& group);

// The gids of --group-add values as runc's GetAdditionalGroups finds them: a group of that name
// or gid in /etc/group, else a number used as it is. Fails with `Unable to find group x: no
// matching entries in group file` or `uids and gids must be in range 0-2147483647`.
Result<std::vector<uint32_t>> resolve_additional_groups(
    const std::vector<std::string>& groups, const std::optional<std::vector<GroupEntry>>& group);

}  // namespace ferry::runtime
