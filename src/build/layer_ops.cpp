// See layer_ops.hpp.

#include "ferry/build/layer_ops.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

Result<runtime::ExecUser> resolve_user(const runtime::LayerView& view, std::string_view spec) {
    std::optional<std::vector<runtime::PasswdEntry>> passwd;
    std::optional<std::vector<runtime::GroupEntry>> group;
    if (auto fd = TRY(view.open_file("/etc/passwd")))
        passwd = runtime::parse_passwd(TRY(fs::read_all(fd->get())));
    if (auto fd = TRY(view.open_file("/etc/group")))
        group = runtime::parse_group(TRY(fs::read_all(fd->get())));
    return runtime::resolve_exec_user(spec, passwd, group);
}

Result<CopyOwner> resolve_chown(const runtime::LayerView& view, std::string_view spec) {
    size_t colon = spec.find(':');
    std::string_view user = spec.substr(0, colon);
    CopyOwner owner;
    owner.uid = TRY(resolve_user(view, user)).uid;
    owner.gid = owner.uid;
    if (colon != std::string_view::npos) {
        auto u = TRY(resolve_user(view, "0:" + std::string(spec.substr(colon + 1))));
        owner.gid = u.gid;
    }
    return owner;
}

Result<mode_t> parse_chmod(std::string_view text) {
    mode_t mode = 0;
    if (text.empty() || text.size() > 4) return fail("invalid chmod parameter: " + std::string(text));
    for (char c : text) {
        if (c < '0' || c > '7') return fail("invalid chmod parameter: " + std::string(text));
        mode = mode * 8 + static_cast<mode_t>(c - '0');
    }
    return mode;
}

Result<void> make_dir_in_layer(const runtime::LayerView& view, int upper, const std::string& path,
                               const CopyOwner& owner) {
    std::string at;
    Fd dir = TRY(fs::open_at(upper, ".", O_RDONLY | O_DIRECTORY));
    for (const auto& part : split(path, '/')) {
        if (part.empty()) continue;
        at += "/" + part;
        auto found = TRY(view.lookup(at));
        if (found && found->path != at) return fail("WORKDIR " + path + ": `" + at +
                                                    "` is a symbolic link in the image");
        if (found && !S_ISDIR(found->st.st_mode)) return fail("mkdir " + at + ": not a directory");
        mode_t mode = found ? found->st.st_mode & 07777 : 0755;
        if (::mkdirat(dir.get(), part.c_str(), mode) != 0 && errno != EEXIST)
            return fail_errno("mkdir " + at);
        Fd next = TRY(fs::open_at(dir.get(), part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        uid_t uid = found ? found->st.st_uid : owner.uid;
        gid_t gid = found ? found->st.st_gid : owner.gid;
        if (::fchown(next.get(), uid, gid) != 0) return fail_errno("chown " + at);
        if (::fchmod(next.get(), mode) != 0) return fail_errno("chmod " + at);
        if (found) {
            struct timespec times[2] = {found->st.st_atim, found->st.st_mtim};
            ::futimens(next.get(), times);
        }
        dir = std::move(next);
    }
    return {};
}

}  // namespace ferry::build
