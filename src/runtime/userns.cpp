// Mappings are computed as pure functions (tested on their own); writing them is the only part
// that touches the system. The newuidmap/newgidmap helpers are run with posix_spawn and a clean
// environment, their stderr captured through a pipe for the error message; they are the one
// helper program on the spawn path, and only for rootless users with subordinate ranges. A
// process inside a user namespace (the store's, runtime/store_userns.cpp) sees its own ids, not
// the host's: relative_to rewrites a container's host-side mappings into those ids.

#include "ferry/runtime/userns.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/runtime/pid.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

std::vector<SubIdRange> parse_subid_ranges(std::string_view text, std::string_view user,
                                           uint32_t id) {
    std::vector<SubIdRange> out;
    std::string id_text = std::to_string(id);
    for (const auto& line : split(text, '\n')) {
        auto fields = split(trim(line), ':');
        if (fields.size() != 3) continue;
        if (fields[0] != user && fields[0] != id_text) continue;
        auto start = parse_u64(fields[1]);
        auto count = parse_u64(fields[2]);
        if (!start || !count || *count == 0 || *start > UINT32_MAX || *count > UINT32_MAX ||
            *start + *count > uint64_t(UINT32_MAX) + 1)
            continue;
        out.push_back({static_cast<uint32_t>(*start), static_cast<uint32_t>(*count)});
    }
    return out;
}

Result<std::vector<SubIdRange>> read_subid_ranges(const std::string& path, std::string_view user,
                                                  uint32_t id) {
    auto text = fs::read_file(path, 1 << 20);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return std::vector<SubIdRange>{};
        return std::unexpected(std::move(text.error()));
    }
    return parse_subid_ranges(*text, user, id);
}

namespace {

// Maps container ids [first, first + want) onto the ranges from (range, offset) onwards; returns
// how many it mapped.
uint64_t take_ranges(std::vector<oci::IdMapping>& out, uint64_t first, uint64_t want,
                     const std::vector<SubIdRange>& ranges, size_t& range, uint64_t& offset) {
    uint64_t done = 0;
    while (done < want && range < ranges.size()) {
        uint64_t left = ranges[range].count - offset;
        uint64_t n = std::min(left, want - done);
        out.push_back({static_cast<uint32_t>(first + done),
                       static_cast<uint32_t>(ranges[range].start + offset),
                       static_cast<uint32_t>(n)});
        done += n;
        offset += n;
        if (offset == ranges[range].count) {
            ++range;
            offset = 0;
        }
    }
    return done;
}

std::vector<oci::IdMapping> mappings_for(uint32_t own, const std::vector<SubIdRange>& ranges,
                                         UsernsMode mode) {
    std::vector<oci::IdMapping> out;
    size_t range = 0;
    uint64_t offset = 0;
    uint64_t total = 0;
    for (const auto& r : ranges)
        total += r.count;
    if (mode == UsernsMode::root) {
        out.push_back({0, own, 1});
        take_ranges(out, 1, total, ranges, range, offset);
        return out;
    }
    uint64_t below = take_ranges(out, 0, own, ranges, range, offset);
    out.push_back({own, own, 1});
    take_ranges(out, uint64_t(own) + 1, total - below, ranges, range, offset);
    return out;
}

std::string map_text(const std::vector<oci::IdMapping>& maps) {
    std::string text;
    for (const auto& m : maps)
        text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
                std::to_string(m.size) + "\n";
    return text;
}

Result<void> write_proc(pid_t pid, const char* name, const std::string& text) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    Fd fd = TRY(fs::open(path, O_WRONLY));
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n != static_cast<ssize_t>(text.size())) return fail_errno("write `" + path + "`");
    return {};
}

// A newuidmap or newgidmap under way: its output (stdout and stderr) comes on `output`.
struct MapHelper {
    const char* name;
    pid_t pid = 0;
    Fd output;
};

// Starts helper (newuidmap or newgidmap) for pid with the mappings as arguments.
Result<MapHelper> start_map_helper(const char* helper, pid_t pid,
                                   const std::vector<oci::IdMapping>& maps) {
    std::vector<std::string> args = {helper, std::to_string(pid)};
    for (const auto& m : maps) {
        args.push_back(std::to_string(m.container_id));
        args.push_back(std::to_string(m.host_id));
        args.push_back(std::to_string(m.size));
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail_errno(std::string("run ") + helper);
    MapHelper started{helper, 0, Fd(pipe_fds[0])};
    Fd write_end(pipe_fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
    char* envp[] = {const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nullptr};
    int rc = ::posix_spawnp(&started.pid, helper, &actions, nullptr, argv.data(), envp);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return fail_errno(std::string("run ") + helper, rc);
    return started;
}

// Waits for a started helper; fails with its message.
Result<void> finish_map_helper(MapHelper& helper) {
    std::string output = fs::read_all(helper.output.get(), 1 << 16).value_or("");
    int status = 0;
    while (::waitpid(helper.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    std::string name = helper.name;
    std::string msg(trim(output));
    if (msg.rfind(name + ": ", 0) == 0) msg.erase(0, name.size() + 2);
    if (msg.empty()) msg = "failed with status " + std::to_string(docker_exit_status(status));
    return fail(name + ": " + printable(msg));
}

}  // namespace

IdMappings rootless_id_mappings(uid_t uid, gid_t gid, const std::vector<SubIdRange>& subuids,
                                const std::vector<SubIdRange>& subgids, UsernsMode mode) {
    return {mappings_for(uid, subuids, mode), mappings_for(gid, subgids, mode)};
}

IdMappings user_id_mappings(uid_t uid, gid_t gid, UsernsMode mode) {
    std::string user;
    if (passwd* pw = ::getpwuid(uid)) user = pw->pw_name;
    auto subuids = read_subid_ranges("/etc/subuid", user, uid).value_or(std::vector<SubIdRange>{});
    auto subgids = read_subid_ranges("/etc/subgid", user, gid).value_or(std::vector<SubIdRange>{});
    return rootless_id_mappings(uid, gid, subuids, subgids, mode);
}

bool has_subordinate_ids(const std::vector<oci::IdMapping>& maps) {
    uint64_t total = 0;
    for (const auto& m : maps)
        total += m.size;
    return total > 1;
}

std::vector<oci::IdMapping> parse_id_map(std::string_view text) {
    std::vector<oci::IdMapping> out;
    for (const auto& line : split(text, '\n')) {
        std::vector<uint64_t> fields;
        for (const auto& word : split(line, ' ')) {
            if (word.empty()) continue;
            auto v = parse_u64(word);
            if (!v || *v > UINT32_MAX) break;
            fields.push_back(*v);
        }
        if (fields.size() != 3 || fields[2] == 0) continue;
        out.push_back({static_cast<uint32_t>(fields[0]), static_cast<uint32_t>(fields[1]),
                       static_cast<uint32_t>(fields[2])});
    }
    return out;
}

Result<IdMappings> own_id_mappings() {
    IdMappings out;
    out.uids = parse_id_map(TRY(fs::read_file("/proc/self/uid_map", 1 << 16)));
    out.gids = parse_id_map(TRY(fs::read_file("/proc/self/gid_map", 1 << 16)));
    return out;
}

std::vector<oci::IdMapping> relative_to(const std::vector<oci::IdMapping>& maps,
                                        const std::vector<oci::IdMapping>& own) {
    std::vector<oci::IdMapping> out;
    for (const auto& m : maps) {
        for (const auto& o : own) {
            uint64_t from = std::max<uint64_t>(m.host_id, o.host_id);
            uint64_t to =
                std::min<uint64_t>(uint64_t(m.host_id) + m.size, uint64_t(o.host_id) + o.size);
            if (from >= to) continue;
            out.push_back({static_cast<uint32_t>(m.container_id + (from - m.host_id)),
                           static_cast<uint32_t>(o.container_id + (from - o.host_id)),
                           static_cast<uint32_t>(to - from)});
        }
    }
    return out;
}

Result<void> join_user_namespace(pid_t pid) {
    const std::string what = "join the user namespace of process " + std::to_string(pid);
    Fd ns = TRY_CTX(what, fs::open("/proc/" + std::to_string(pid) + "/ns/user", O_RDONLY));
    if (::setns(ns.get(), CLONE_NEWUSER) != 0) return fail_errno(what);
    return {};
}

bool id_is_mapped(const std::vector<oci::IdMapping>& maps, uint32_t id) {
    for (const auto& m : maps)
        if (id >= m.container_id && uint64_t(id) < uint64_t(m.container_id) + m.size) return true;
    return false;
}

bool setgroups_denied(const std::vector<oci::IdMapping>& uids,
                      const std::vector<oci::IdMapping>& gids) {
    bool own_uid = uids.size() == 1 && uids[0].size == 1 && uids[0].host_id == ::geteuid();
    bool own_gid = gids.size() == 1 && gids[0].size == 1 && gids[0].host_id == ::getegid();
    return ::geteuid() != 0 && own_uid && own_gid;
}

Result<void> write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                               const std::vector<oci::IdMapping>& gids) {
    bool deny = setgroups_denied(uids, gids);
    if (::geteuid() == 0 || deny) {
        if (deny) TRY(write_proc(pid, "setgroups", "deny"));
        if (!uids.empty()) TRY(write_proc(pid, "uid_map", map_text(uids)));
        if (!gids.empty()) TRY(write_proc(pid, "gid_map", map_text(gids)));
        return {};
    }
    // Side by side: each is a set-user-ID program's start (a millisecond or two), and they
    // write different files.
    std::vector<MapHelper> helpers;
    Result<void> result;
    auto start = [&](const char* name, const std::vector<oci::IdMapping>& maps) {
        if (maps.empty() || !result) return;
        auto helper = start_map_helper(name, pid, maps);
        if (helper)
            helpers.push_back(std::move(*helper));
        else
            result = std::unexpected(std::move(helper.error()));
    };
    start("newuidmap", uids);
    start("newgidmap", gids);
    for (auto& h : helpers)  // every helper waited for; the first failure is the one reported
        if (auto done = finish_map_helper(h); !done && result) result = std::move(done);
    return result;
}

}  // namespace ferry::runtime
