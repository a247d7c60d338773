// passwd lines are name:password:uid:gid:gecos:home:shell; group lines name:password:gid:members.
// A name that is all digits is taken as an id when no entry has it as a name (as docker).

#include "ferry/runtime/users.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

struct PasswdEntry {
    std::string name;
    uint32_t uid, gid;
    std::string home;
};

struct GroupEntry {
    std::string name;
    uint32_t gid;
    std::vector<std::string> members;
};

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
    std::vector<PasswdEntry> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 6) continue;
        auto uid = parse_u64(f[2]), gid = parse_u64(f[3]);
        if (!uid || !gid) continue;
        out.push_back({f[0], static_cast<uint32_t>(*uid), static_cast<uint32_t>(*gid), f[5]});
    }
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
    std::vector<GroupEntry> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 3) continue;
        auto gid = parse_u64(f[2]);
        if (!gid) continue;
        GroupEntry g{f[0], static_cast<uint32_t>(*gid), {}};
        if (f.size() > 3 && !f[3].empty()) g.members = split(f[3], ',');
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace

Result<ResolvedUser> resolve_user(std::string_view spec, const FileReader& read) {
    std::string_view user_part = spec, group_part;
    bool has_group = false;
    if (auto c = spec.find(':'); c != std::string_view::npos) {
        user_part = spec.substr(0, c);
        group_part = spec.substr(c + 1);
        has_group = true;
    }
    auto passwd = parse_passwd(read("/etc/passwd").value_or(""));
    auto groups = parse_group(read("/etc/group").value_or(""));
    ResolvedUser u;
    std::string want = user_part.empty() ? "root" : std::string(user_part);
    const PasswdEntry* entry = nullptr;
    for (const auto& e : passwd)
        if (e.name == want) entry = &e;
    if (!entry)
        if (auto id = parse_u64(want))
            for (const auto& e : passwd)
                if (e.uid == *id) entry = &e;
    if (entry) {
        u.uid = entry->uid;
        u.gid = entry->gid;
        u.home = entry->home.empty() ? "/" : entry->home;
        u.name = entry->name;
    } else if (auto id = parse_u64(want); id && *id <= UINT32_MAX) {
        u.uid = static_cast<uint32_t>(*id);
    } else if (user_part.empty()) {
        u.uid = 0;  // no passwd at all: root by number, as docker
    } else {
        return fail("unable to find user " + want + ": no matching entries in passwd file");
    }
    if (has_group && !group_part.empty()) {
        const GroupEntry* g = nullptr;
        for (const auto& e : groups)
            if (e.name == group_part) g = &e;
        if (!g)
            if (auto id = parse_u64(group_part))
                for (const auto& e : groups)
                    if (e.gid == *id) g = &e;
        if (g) {
            u.gid = g->gid;
        } else if (auto id = parse_u64(group_part); id && *id <= UINT32_MAX) {
            u.gid = static_cast<uint32_t>(*id);
        } else {
            return fail("unable to find group " + std::string(group_part) +
                        ": no matching entries in group file");
        }
    } else if (!u.name.empty()) {
        for (const auto& g : groups)
            for (const auto& m : g.members)
                if (m == u.name && g.gid != u.gid) u.groups.push_back(g.gid);
    }
    return u;
}

}  // namespace ferry::runtime
