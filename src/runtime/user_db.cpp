// User database parsing and runc's GetExecUser semantics. A numeric user is always a uid (even
// when a user of that name exists); the first matching line wins; supplementary groups are the
// groups listing the matched user's name, and only when no group was given explicitly. A
// numeric id with no entry is used as it is.

#include "ferry/runtime/user_db.hpp"

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr uint64_t k_max_id = 2147483647;

// Calls fn(fields) for every line of text that is not blank or a comment.
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        if (line.empty() || line.front() == '#') continue;
        fn(split(line, ':'));
    }
}

std::optional<uint32_t> parse_id(std::string_view s) {
    auto n = parse_u64(s);
    if (!n || *n > k_max_id) return std::nullopt;
    return static_cast<uint32_t>(*n);
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
    std::vector<PasswdEntry> out;
    for_each_line(text, [&](const std::vector<std::string>& f) {
        if (f.size() < 3) return;
        auto uid = parse_id(f[2]);
        auto gid = f.size() > 3 ? parse_id(f[3]) : std::optional<uint32_t>(0);
        if (!uid || !gid) return;
        out.push_back({f[0], *uid, *gid, f.size() > 5 ? f[5] : "", f.size() > 6 ? f[6] : ""});
    });
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
    std::vector<GroupEntry> out;
    for_each_line(text, [&](const std::vector<std::string>& f) {
        if (f.size() < 3) return;
        auto gid = parse_id(f[2]);
        if (!gid) return;
        GroupEntry g{f[0], *gid, {}};
        if (f.size() > 3 && !f[3].empty())
            for (auto& m : split(f[3], ','))
                if (auto t = trim(m); !t.empty()) g.members.emplace_back(t);
        out.push_back(std::move(g));
    });
    return out;
}

Result<ExecUser> resolve_exec_user(std::string_view spec,
                                   const std::optional<std::vector<PasswdEntry>>& passwd,
                                   const std::optional<std::vector<GroupEntry>>& group) {
    std::string_view user_arg = spec, group_arg;
    if (auto colon = spec.find(':'); colon != std::string_view::npos) {
        user_arg = spec.substr(0, colon);
        group_arg = spec.substr(colon + 1);
        if (auto more = group_arg.find(':'); more != std::string_view::npos)
            group_arg = group_arg.substr(0, more);
    }
    auto user_num = parse_u64(user_arg);
    auto group_num = parse_u64(group_arg);
    ExecUser out;

    const PasswdEntry* match = nullptr;
    if (passwd) {
        for (const auto& p : *passwd) {
            bool hit = user_arg.empty() ? p.uid == 0
                       : user_num       ? p.uid == *user_num
                                        : p.name == user_arg;
            if (hit) {
                match = &p;
                break;
            }
        }
    }
    if (match) {
        out.uid = match->uid;
        out.gid = match->gid;
        out.home = match->home;
        out.name = match->name;
    } else if (!user_arg.empty()) {
        if (!user_num)
            return fail("unable to find user " + std::string(user_arg) +
                        ": no matching entries in passwd file");
        if (*user_num > k_max_id) return fail("uids and gids must be in range 0-2147483647");
        out.uid = static_cast<uint32_t>(*user_num);
    }

    if (group_arg.empty() && !match) return out;
    const GroupEntry* explicit_group = nullptr;
    if (group) {
        for (const auto& g : *group) {
            if (group_arg.empty()) {
                for (const auto& m : g.members)
                    if (m == match->name) {
                        out.supplementary.push_back(g.gid);
                        break;
                    }
            } else if (group_num ? g.gid == *group_num : g.name == group_arg) {
                explicit_group = &g;
                break;
            }
        }
    }
    if (group_arg.empty()) return out;
    if (explicit_group) {
        out.gid = explicit_group->gid;
    } else {
        if (!group_num)
            return fail("unable to find group " + std::string(group_arg) +
                        ": no matching entries in group file");
        if (*group_num > k_max_id) return fail("uids and gids must be in range 0-2147483647");
        out.gid = static_cast<uint32_t>(*group_num);
    }
    return out;
}

Result<std::vector<uint32_t>> resolve_additional_groups(
    const std::vector<std::string>& groups, const std::optional<std::vector<GroupEntry>>& group) {
    std::vector<uint32_t> out;
    for (const auto& wanted : groups) {
        std::optional<uint32_t> gid;
        for (const auto& g : group.value_or(std::vector<GroupEntry>{}))
            if (!gid && (g.name == wanted || std::to_string(g.gid) == wanted)) gid = g.gid;
        if (!gid) {
            auto n = parse_i64(wanted);
            if (!n)
                return fail("Unable to find group " + wanted +
                            ": no matching entries in group file");
            if (*n < 0 || static_cast<uint64_t>(*n) > k_max_id)
                return fail("uids and gids must be in range 0-2147483647");
            gid = static_cast<uint32_t>(*n);
        }
        if (std::find(out.begin(), out.end(), *gid) == out.end()) out.push_back(*gid);
    }
    return out;
}

}  // namespace ferry::runtime
