// Entering a user namespace with subordinate ids needs a second process: only the setuid
// newuidmap/newgidmap may write such mappings, and they write them for a process that is already
// in the new namespace. So, as podman does, a forked helper waits on a pipe while this process
// unshares, then runs the helpers for it (write_id_mappings) and reports back on a second pipe;
// this process then becomes uid and gid 0 inside. The mappings are the containers' default ones
// (rootless_id_mappings, UsernsMode::root) so that an id means the same to the store commands and
// to every container. The store records them (`userns`) because its layers' owners depend on
// them: a changed /etc/subuid is reported instead of giving containers wrong owners.

#include "ferry/runtime/store_userns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr const char* k_record = "userns";

std::string describe(const std::vector<oci::IdMapping>& maps) {
    std::vector<std::string> parts;
    for (const auto& m : maps)
        parts.push_back(std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
                        std::to_string(m.size));
    return join(parts, ", ");
}

std::string record_text(const IdMappings& maps) {
    std::string text;
    for (const auto& m : maps.uids)
        text += "uid " + std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
                std::to_string(m.size) + "\n";
    for (const auto& m : maps.gids)
        text += "gid " + std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
                std::to_string(m.size) + "\n";
    return text;
}

IdMappings parse_record(std::string_view text) {
    IdMappings out;
    for (const auto& line : split(text, '\n')) {
        if (line.size() < 4) continue;
        auto maps = parse_id_map(std::string_view(line).substr(4));
        auto& into = line.starts_with("uid ") ? out.uids : out.gids;
        into.insert(into.end(), maps.begin(), maps.end());
    }
    return out;
}

// Whether every id old maps is mapped the same way by now.
bool keeps(const std::vector<oci::IdMapping>& old, const std::vector<oci::IdMapping>& now) {
    for (const auto& o : old) {
        bool found = false;
        for (const auto& n : now)
            found = found ||
                    (n.container_id <= o.container_id &&
                     uint64_t(o.container_id) + o.size <= uint64_t(n.container_id) + n.size &&
                     int64_t(n.host_id) - n.container_id == int64_t(o.host_id) - o.container_id);
        if (!found) return false;
    }
    return true;
}

// The store's mappings for ctx's user; nullopt without subordinate uid and gid ranges.
std::optional<IdMappings> store_mappings(const Context& ctx) {
    IdMappings maps = user_id_mappings(ctx.uid, ctx.gid, UsernsMode::root);
    if (!has_subordinate_ids(maps.uids) || !has_subordinate_ids(maps.gids)) return std::nullopt;
    return maps;
}

// Reads the pipe to its end and waits for the helper; returns its error message, empty when it
// succeeded.
std::string finish_helper(pid_t child, int from_child) {
    std::string msg = fs::read_all(from_child, 1 << 16).value_or("");
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    return msg.empty() ? "helper process failed with status " + std::to_string(status) : msg;
}

}  // namespace

Result<void> unshare_user_namespace(const IdMappings& maps) {
    int go[2], back[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return fail_errno("create a user namespace");
    Fd go_read(go[0]), go_write(go[1]);
    if (::pipe2(back, O_CLOEXEC) != 0) return fail_errno("create a user namespace");
    Fd back_read(back[0]), back_write(back[1]);
    pid_t self = ::getpid();
    pid_t child = ::fork();
    if (child < 0) return fail_errno("create a user namespace");
    if (child == 0) {  // the helper: never returns
        go_write.reset();
        char c = 0;
        ssize_t n;
        while ((n = ::read(go_read.get(), &c, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1) ::_exit(1);  // the parent could not unshare
        auto r = write_id_mappings(self, maps.uids, maps.gids);
        if (!r) (void)fs::write_all(back_write.get(), r.error().message);
        ::_exit(r ? 0 : 1);
    }
    go_read.reset();
    back_write.reset();
    int err = ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    if (err == 0) (void)fs::write_all(go_write.get(), "u");
    go_write.reset();
    std::string msg = finish_helper(child, back_read.get());
    if (err != 0) return fail_errno("create a user namespace", err);
    if (!msg.empty()) return fail(msg);
    if (::setresgid(0, 0, 0) != 0) return fail_errno("become gid 0 in the user namespace");
    if (::setresuid(0, 0, 0) != 0) return fail_errno("become uid 0 in the user namespace");
    return {};
}

Result<void> check_store_mappings(const std::string& root, const IdMappings* maps) {
    const std::string path = root + "/" + k_record;
    auto text = fs::read_file(path, 1 << 16);
    if (!text && text.error().sys_errno != ENOENT) return std::unexpected(text.error());
    if (!text && !maps) return {};
    IdMappings recorded = text ? parse_record(*text) : IdMappings{};
    if (text && (!maps || !keeps(recorded.uids, maps->uids) || !keeps(recorded.gids, maps->gids)))
        return fail("the store `" + root + "` was written with the ids `" +
                    describe(recorded.uids) + "` (uid) and `" + describe(recorded.gids) +
                    "` (gid), and /etc/subuid and /etc/subgid now give " +
                    (maps ? "`" + describe(maps->uids) + "` and `" + describe(maps->gids) + "`"
                          : std::string("none")) +
                    ": restore them, or use another store (--root)");
    if (text && recorded == *maps) return {};
    TRY(fs::make_dirs(root, 0700));
    return write_file_atomic(path, record_text(*maps), 0600);
}

Result<void> enter_store_user_namespace(Context& ctx) {
    if (!ctx.rootless || ctx.store_userns) return {};
    const std::string what = "enter the store's user namespace";
    std::optional<IdMappings> maps = store_mappings(ctx);
    TRY_CTX(what, check_store_mappings(ctx.root, maps ? &*maps : nullptr));
    if (!maps) return {};
    TRY_CTX(what, unshare_user_namespace(*maps));
    ctx.store_userns = true;
    return {};
}

Result<void> in_store_user_namespace(const Context& ctx, const std::function<Result<void>()>& fn) {
    return in_store_user_namespace(ctx, [&](const Context&) { return fn(); });
}

Result<void> in_store_user_namespace(const Context& ctx,
                                     const std::function<Result<void>(const Context&)>& fn) {
    if (!ctx.rootless || ctx.store_userns || !store_mappings(ctx)) return fn(ctx);
    int back[2];
    if (::pipe2(back, O_CLOEXEC) != 0) return fail_errno("create a process");
    Fd back_read(back[0]), back_write(back[1]);
    pid_t child = ::fork();
    if (child < 0) return fail_errno("create a process");
    if (child == 0) {  // never returns
        back_read.reset();
        Context inside = ctx;
        auto r = enter_store_user_namespace(inside);
        if (r) r = fn(inside);
        if (!r) {
            std::string errno_text = std::to_string(r.error().sys_errno);
            (void)fs::write_all(back_write.get(), errno_text + "\n" + r.error().message);
        }
        ::_exit(r ? 0 : 1);
    }
    back_write.reset();
    std::string msg = finish_helper(child, back_read.get());
    if (msg.empty()) return {};
    auto parts = split_once(msg, '\n');
    if (!parts) return fail(msg);
    Error e{std::string(parts->second), static_cast<int>(parse_i64(parts->first).value_or(0))};
    return std::unexpected(std::move(e));
}

}  // namespace ferry::runtime
