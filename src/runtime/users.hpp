#pragma once
// Resolving `-u user[:group]` as docker does (libcontainer's GetExecUser): names and numbers
// looked up in the image's or container's /etc/passwd and /etc/group, which are read through a
// caller-given reader that resolves paths inside the container — never the host's files, never
// through NSS.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> groups;  // supplementary groups from /etc/group
    std::string home = "/";
    std::string name;  // empty for a numeric user without a passwd entry
};

// Reads a file of the container ("/etc/passwd"); an error means the file is absent.
using FileReader = std::function<Result<std::string>(const std::string& path)>;

// Resolves spec ("", "name", "1000", "name:group", "1000:1000", ":group"). Fails with docker's
// `unable to find user x: no matching entries in passwd file` and `unable to find group x: no
// matching entries in group file`.
Result<ResolvedUser> resolve_user(std::string_view spec, const FileReader& read);

}  // namespace ferry::runtime
