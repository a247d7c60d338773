// Mount primitives. Options are parsed once, in the parent, into mount_setattr/fsmount flags and
// fsconfig parameters; the child only issues syscalls. Targets are found with openat2
// RESOLVE_IN_ROOT; a missing target is created one component at a time below a parent that was
// itself resolved inside the root, then resolved again, so nothing is ever created or mounted
// outside the tree whatever the image's symlinks say.

#include "ferry/runtime/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

struct FlagOption {
    std::string_view name;
    uint64_t set;
    uint64_t atime;  // nonzero: an atime option (clears MOUNT_ATTR__ATIME first)
};

constexpr FlagOption k_flag_options[] = {
    {"ro", MOUNT_ATTR_RDONLY, 0},
    {"nosuid", MOUNT_ATTR_NOSUID, 0},
    {"nodev", MOUNT_ATTR_NODEV, 0},
    {"noexec", MOUNT_ATTR_NOEXEC, 0},
    {"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"nodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"noatime", MOUNT_ATTR_NOATIME, 1},
    {"strictatime", MOUNT_ATTR_STRICTATIME, 1},
    {"relatime", MOUNT_ATTR_RELATIME, 1},
};

// Options that keep the default (the kernel's or the bind source's).
constexpr std::string_view k_ignored[] = {
    "rw",    "suid", "dev", "exec",      "atime",       "diratime",   "defaults",
    "async", "z",    "Z",   "tmpcopyup", "notmpcopyup", "norelatime", "nostrictatime"};

struct PropagationOption {
    std::string_view name;
    uint64_t flag;
    bool recursive;
};

constexpr PropagationOption k_propagation[] = {
    {"private", MS_PRIVATE, false},       {"rprivate", MS_PRIVATE, true},
    {"slave", MS_SLAVE, false},           {"rslave", MS_SLAVE, true},
    {"shared", MS_SHARED, false},         {"rshared", MS_SHARED, true},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE, true},
};

constexpr std::string_view k_unsupported[] = {"idmap",   "ridmap", "remount", "sync",
                                              "dirsync", "mand",   "rro",     "rrw"};

}  // namespace

bool MountOptions::readonly() const {
    return attr_set & MOUNT_ATTR_RDONLY;
}

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options) {
    MountOptions out;
    for (const auto& opt : options) {
        bool handled = false;
        for (const auto& f : k_flag_options) {
            if (opt != f.name) continue;
            if (f.atime) {
                out.attr_set &= ~uint64_t(MOUNT_ATTR__ATIME);
                out.attr_clr |= MOUNT_ATTR__ATIME;
            }
            out.attr_set |= f.set;
            handled = true;
        }
        for (const auto& p : k_propagation) {
            if (opt != p.name) continue;
            out.propagation = p.flag;
            handled = true;
        }
        for (auto name : k_ignored)
            handled = handled || opt == name;
        if (opt == "bind" || opt == "rbind") {
            out.bind = true;
            out.recursive = out.recursive || opt == "rbind";
            handled = true;
        }
        for (auto name : k_unsupported)
            if (opt == name || opt.rfind(std::string(name) + "=", 0) == 0)
                return fail("unsupported mount option `" + opt + "`");
        if (handled) continue;
        if (opt.empty()) return fail("empty mount option");
        auto eq = opt.find('=');
        if (eq == std::string::npos)
            out.data.emplace_back(opt, "");
        else
            out.data.emplace_back(opt.substr(0, eq), opt.substr(eq + 1));
    }
    return out;
}

std::string clean_path(std::string_view path) {
    bool absolute = !path.empty() && path.front() == '/';
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        std::string_view part = path.substr(pos, next - pos);
        pos = next + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out = absolute ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += '/';
        out.append(parts[i]);
    }
    return out.empty() ? "." : out;
}

Result<Fd> ensure_target(int rootfd, std::string_view raw, TargetKind kind) {
    std::string path = clean_path(raw);
    auto fd = fs::open_in_root(rootfd, path, O_PATH);
    if (fd || fd.error().sys_errno != ENOENT) return fd;
    size_t slash = path.rfind('/');
    std::string parent =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty() || base == "." || parent == path) return fd;
    Fd dir = TRY(ensure_target(rootfd, parent, TargetKind::directory));
    int rc;
    if (kind == TargetKind::directory) {
        rc = ::mkdirat(dir.get(), base.c_str(), 0755);
    } else {
        rc = ::openat(dir.get(), base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                      0644);
        if (rc >= 0) ::close(rc);
    }
    if (rc < 0 && errno != EEXIST) return fail_errno("create `" + path + "`");
    return fs::open_in_root(rootfd, path, O_PATH);
}

Result<Fd> clone_mount(int dirfd, const std::string& path, bool recursive) {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    if (path.empty()) flags |= AT_EMPTY_PATH;
    int fd = ::open_tree(dirfd, path.c_str(), flags);
    if (fd < 0) return fail_errno("clone mount");
    return Fd(fd);
}

Result<void> set_mount_attributes(int mount_fd, const MountOptions& options) {
    if (!options.attr_set && !options.attr_clr && !options.propagation) return {};
    mount_attr attr{};
    attr.attr_set = options.attr_set;
    attr.attr_clr = options.attr_clr;
    attr.propagation = options.propagation;
    unsigned flags = AT_EMPTY_PATH | (options.recursive ? AT_RECURSIVE : 0);
    if (::mount_setattr(mount_fd, "", flags, &attr, sizeof attr) != 0)
        return fail_errno("set mount attributes");
    return {};
}

namespace {

// The kernel's message for a failed fsconfig/fsmount, read from the fs context ("e overlay:
// ..."), or the plain errno text.
std::unexpected<Error> fs_context_error(int fs_fd, std::string_view what, int err) {
    char buf[512];
    ssize_t n = ::read(fs_fd, buf, sizeof buf - 1);
    if (n > 2 && (buf[0] == 'e' || buf[0] == 'w') && buf[1] == ' ') {
        std::string msg(buf + 2, static_cast<size_t>(n) - 2);
        while (!msg.empty() && msg.back() == '\n')
            msg.pop_back();
        return std::unexpected(Error{std::string(what) + ": " + msg, err, 125});
    }
    return fail_errno(what, err);
}

}  // namespace

Result<Fd> new_fs_mount(const std::string& type, const std::string& source,
                        const MountOptions& options) {
    int raw = ::fsopen(type.c_str(), FSOPEN_CLOEXEC);
    if (raw < 0) return fail_errno("open file system `" + type + "`");
    Fd fs_fd(raw);
    if (!source.empty() &&
        ::fsconfig(fs_fd.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0)
        return fs_context_error(fs_fd.get(), "set source", errno);
    for (const auto& [key, value] : options.data) {
        int rc = value.empty() && key.find('=') == std::string::npos
                     ? ::fsconfig(fs_fd.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                     : ::fsconfig(fs_fd.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
        if (rc != 0) return fs_context_error(fs_fd.get(), "option `" + key + "`", errno);
    }
    if (::fsconfig(fs_fd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        return fs_context_error(fs_fd.get(), "create", errno);
    unsigned attrs = static_cast<unsigned>(options.attr_set);
    int mnt = ::fsmount(fs_fd.get(), FSMOUNT_CLOEXEC, attrs);
    if (mnt < 0) return fs_context_error(fs_fd.get(), "mount", errno);
    Fd mount_fd(mnt);
    if (options.propagation) {
        mount_attr attr{};
        attr.propagation = options.propagation;
        if (::mount_setattr(mount_fd.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
            return fail_errno("set mount propagation");
    }
    return mount_fd;
}

Result<void> attach_mount(int mount_fd, int target_fd) {
    if (::move_mount(mount_fd, "", target_fd, "",
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return fail_errno("attach mount");
    return {};
}

}  // namespace ferry::runtime
