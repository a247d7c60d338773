// Mounts as moby's WithMounts builds them: the user's mounts (--volumes-from's, then binds,
// volumes, tmpfs, the image's remaining VOLUMEs, the three network files, a host /dev/shm for
// --ipc host) replace any default mount at the same place, are sorted by depth so parents come
// first, and follow the defaults. Binds get rbind plus their propagation (rprivate unless
// given), volumes a plain rbind, tmpfs docker's noexec,nosuid,nodev,rprivate merged with the
// given options (later ones win, as mount.MergeTmpfsOptions). A read-only root makes every
// default mount but /proc and the /dev ones read-only; --privileged makes /sys and the cgroup
// mount writable.

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "ferry/runtime/mounts.hpp"
#include "ferry/runtime/plan_parts.hpp"
#include "ferry/runtime/volumes.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime::plan_parts {

namespace {

constexpr int64_t k_default_shm_size = 64 << 20;

// mount.MergeTmpfsOptions' flag table: options with the same key override each other.
struct TmpfsFlag {
    std::string_view name;
    int key;
};
constexpr TmpfsFlag k_tmpfs_flags[] = {
    {"ro", 1},          {"rw", 1},           {"suid", 2},         {"nosuid", 2},
    {"dev", 3},         {"nodev", 3},        {"exec", 4},         {"noexec", 4},
    {"sync", 5},        {"async", 5},        {"dirsync", 6},      {"remount", 7},
    {"mand", 8},        {"nomand", 8},       {"atime", 9},        {"noatime", 9},
    {"diratime", 10},   {"nodiratime", 10},  {"bind", 11},        {"rbind", 12},
    {"relatime", 13},   {"norelatime", 13},  {"strictatime", 14}, {"nostrictatime", 14},
    {"unbindable", -1}, {"runbindable", -1}, {"private", -1},     {"rprivate", -1},
    {"shared", -1},     {"rshared", -1},     {"slave", -1},       {"rslave", -1},
};
constexpr std::string_view k_tmpfs_data[] = {"size",      "mode",      "uid", "gid",
                                             "nr_inodes", "nr_blocks", "mpol"};

Result<std::vector<std::string>> merge_tmpfs_options(const std::vector<std::string>& options) {
    std::set<int> flags_seen;
    std::set<std::string> data_seen;
    std::vector<std::string> out;
    for (auto it = options.rbegin(); it != options.rend(); ++it) {
        const std::string& opt = *it;
        if (opt == "defaults") continue;
        auto flag = std::find_if(std::begin(k_tmpfs_flags), std::end(k_tmpfs_flags),
                                 [&](const TmpfsFlag& f) { return f.name == opt; });
        if (flag != std::end(k_tmpfs_flags)) {
            if (flags_seen.insert(flag->key).second) out.insert(out.begin(), opt);
            continue;
        }
        auto eq = opt.find('=');
        std::string key = opt.substr(0, eq);
        if (eq == std::string::npos || std::find(std::begin(k_tmpfs_data), std::end(k_tmpfs_data),
                                                 key) == std::end(k_tmpfs_data))
            return fail("invalid tmpfs option \"" + opt + "\"");
        if (data_seen.insert(key).second) out.insert(out.begin(), opt);
    }
    return out;
}

// The size as docker's ConvertTmpfsOptions writes it: the largest unit that divides it.
std::string tmpfs_size(int64_t size) {
    if (size % (1 << 30) == 0) return std::to_string(size >> 30) + "g";
    if (size % (1 << 20) == 0) return std::to_string(size >> 20) + "m";
    if (size % (1 << 10) == 0) return std::to_string(size >> 10) + "k";
    return std::to_string(size);
}

std::string octal(uint32_t mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%o", mode);
    return buf;
}

const char* type_name(MountRequest::Type t) {
    return t == MountRequest::Type::bind     ? "bind"
           : t == MountRequest::Type::volume ? "volume"
                                             : "tmpfs";
}

size_t depth(const std::string& dest) {
    return static_cast<size_t>(std::count(dest.begin(), dest.end(), '/'));
}

bool has_option(const oci::Mount& m, std::string_view opt) {
    return std::find(m.options.begin(), m.options.end(), opt) != m.options.end();
}

// A mountinfo field with its \ooo escapes decoded.
std::string unescape_mountinfo(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        bool escape = s[i] == '\\' && i + 3 < s.size();
        for (size_t k = 1; escape && k <= 3; ++k)
            escape = s[i + k] >= '0' && s[i + k] <= '7';
        if (!escape) {
            out += s[i];
            continue;
        }
        out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
        i += 3;
    }
    return out;
}

// moby's ensureShared / ensureSharedOrSlave: the mount holding source (the longest mount point
// above its real path) must propagate as the bind asks.
Result<void> check_source_propagation(const std::string& source, bool slave_ok) {
    // A -v source made at the start is checked where it will be made: its nearest ancestor.
    std::string existing = clean_path(source);
    char real[PATH_MAX];
    while (!::realpath(existing.c_str(), real)) {
        if (errno != ENOENT || existing == "/") return fail_errno("bind source `" + source + "`");
        existing = existing.substr(0, std::max<size_t>(existing.rfind('/'), 1));
    }
    auto text = TRY(fs::read_file("/proc/self/mountinfo", 16 << 20));
    std::string best, optional;
    for (const auto& line : split(text, '\n')) {
        auto f = split(line, ' ');
        if (f.size() < 7) continue;
        std::string mp = unescape_mountinfo(f[4]);
        std::string_view path(real);
        bool parent = mp == "/" || path == mp ||
                      (path.starts_with(mp) && path.size() > mp.size() && path[mp.size()] == '/');
        if (!parent || mp.size() < best.size()) continue;
        best = mp;
        optional.clear();
        for (size_t i = 6; i < f.size() && f[i] != "-"; ++i)
            optional += f[i] + " ";
    }
    bool shared = optional.find("shared:") != std::string::npos;
    bool slave = optional.find("master:") != std::string::npos;
    if (shared || (slave_ok && slave)) return {};
    return fail("path " + source + " is mounted on " + best + " but it is not a shared" +
                (slave_ok ? " or slave mount" : " mount"));
}

struct UserMounts {
    std::vector<oci::Mount> mounts;
    std::set<std::string> dests;

    Result<void> add(oci::Mount m) {
        if (!dests.insert(m.destination).second)
            return fail("duplicate mount point: " + m.destination);
        mounts.push_back(std::move(m));
        return {};
    }
};

Result<oci::Mount> bind_mount(const MountRequest& r, const std::string& dest, ContainerPlan& plan,
                              oci::Linux& linux) {
    std::string what = "invalid mount config for type \"bind\": ";
    if (r.source.empty() || r.source.front() != '/')
        return fail(what + (r.source.empty() ? "field Source must not be empty"
                                             : "invalid bind source `" + r.source + "`"));
    struct stat st {};
    if (::stat(r.source.c_str(), &st) != 0) {
        if (r.flag != MountRequest::Flag::volume)
            return fail(what + "bind source path does not exist: " + r.source);
        plan.create_host_dirs.push_back(clean_path(r.source));
    }
    std::string prop = r.propagation.empty() ? "rprivate" : r.propagation;
    static constexpr std::string_view k_props[] = {"private", "rprivate", "shared",
                                                   "rshared", "slave",    "rslave"};
    if (std::find(std::begin(k_props), std::end(k_props), prop) == std::end(k_props))
        return fail(what + "invalid propagation mode: " + prop);
    const std::string& root = linux.rootfs_propagation;
    if (prop == "shared" || prop == "rshared") {
        TRY(check_source_propagation(r.source, false));
        if (root != "shared" && root != "rshared") linux.rootfs_propagation = "shared";
    } else if (prop == "slave" || prop == "rslave") {
        TRY(check_source_propagation(r.source, true));
        if (root != "shared" && root != "rshared" && root != "slave" && root != "rslave")
            linux.rootfs_propagation = "rslave";
    }
    oci::Mount m{dest, "bind", clean_path(r.source), {"rbind"}};
    if (r.readonly) m.options.push_back("ro");
    m.options.push_back(prop);
    return m;
}

Result<oci::Mount> volume_mount(const MountRequest& r, const std::string& dest,
                                const PlanPaths& paths, ContainerPlan& plan) {
    std::string name = r.source;
    if (name.empty()) {
        name = anonymous_volume_name();
    } else {
        TRY_CTX("create " + name, validate_volume_name(name));
    }
    plan.volumes.push_back({name, r.source.empty(), dest, !r.no_copy});
    oci::Mount m{dest, "bind", volume_data_path(paths.store_root, name), {"rbind"}};
    if (r.readonly) m.options.push_back("ro");
    return m;
}

Result<oci::Mount> tmpfs_mount(const MountRequest& r, const std::string& dest) {
    if (!r.source.empty())
        return fail("invalid mount config for type \"tmpfs\": field Source must not be specified");
    std::vector<std::string> options = {"noexec", "nosuid", "nodev", "rprivate"};
    if (r.readonly) options.push_back("ro");
    if (r.tmpfs_mode) options.push_back("mode=" + octal(*r.tmpfs_mode));
    if (r.tmpfs_size) options.push_back("size=" + tmpfs_size(*r.tmpfs_size));
    options.insert(options.end(), r.extra_options.begin(), r.extra_options.end());
    return oci::Mount{dest, "tmpfs", "tmpfs", TRY(merge_tmpfs_options(options))};
}

Result<void> add_requests(const RunOptions& o, const PlanPaths& paths, ContainerPlan& plan,
                          UserMounts& user) {
    oci::Linux& linux = *plan.spec.linux;
    // --volumes-from's mounts first; the container's own -v/--mount at the same place win.
    std::set<std::string> own;
    for (const auto& r : o.mounts)
        if (!r.target.empty() && r.target.front() == '/') own.insert(clean_path(r.target));
    std::vector<const MountRequest*> requests;
    for (const auto& r : o.inherited_mounts)
        if (!own.count(clean_path(r.target))) requests.push_back(&r);
    for (const auto& r : o.mounts)
        requests.push_back(&r);
    for (const MountRequest* req : requests) {
        const MountRequest& r = *req;
        if (r.target.empty() || r.target.front() != '/')
            return fail("invalid mount target `" + r.target + "`: must be an absolute path");
        std::string dest = clean_path(r.target);
        if (dest == "/")
            return fail(std::string("invalid mount config for type \"") + type_name(r.type) +
                        "\": invalid specification: destination can't be '/'");
        oci::Mount m;
        switch (r.type) {
            case MountRequest::Type::bind:
                m = TRY(bind_mount(r, dest, plan, linux));
                break;
            case MountRequest::Type::volume:
                m = TRY(volume_mount(r, dest, paths, plan));
                break;
            case MountRequest::Type::tmpfs:
                m = TRY(tmpfs_mount(r, dest));
                break;
        }
        TRY(user.add(std::move(m)));
    }
    return {};
}

// The spec's mounts so far (docker's defaults, then rootless device binds) that survive the
// user's mounts, /dev/shm sized.
std::vector<oci::Mount> default_mounts(const RunOptions& o, const UserMounts& user,
                                       std::vector<oci::Mount> spec_mounts) {
    std::vector<oci::Mount> out;
    bool user_dev = user.dests.count("/dev") > 0;
    for (auto& m : spec_mounts) {
        if (user.dests.count(m.destination)) continue;
        if (user_dev && m.destination.starts_with("/dev/")) continue;
        if (m.destination == "/dev/shm") {
            if (o.ipc == "none") continue;
            std::erase_if(m.options, [](const std::string& s) { return s.starts_with("size="); });
            m.options.push_back("size=" + std::to_string(shm_size(o)));
        }
        out.push_back(std::move(m));
    }
    return out;
}

void adjust_options(const RunOptions& o, const PlanIdentity& identity, const UserMounts& user,
                    std::vector<oci::Mount>& mounts) {
    auto clear_ro = [](oci::Mount& m) { std::erase(m.options, std::string("ro")); };
    for (auto& m : mounts) {
        if (o.read_only && !user.dests.count(m.destination) && m.destination != "/proc" &&
            m.destination != "/dev" && !m.destination.starts_with("/dev/") && !has_option(m, "ro"))
            m.options.push_back("ro");
        if (o.privileged && m.destination == "/sys") clear_ro(m);
        if ((o.privileged || !identity.uid_mappings.empty()) && m.type == "cgroup") clear_ro(m);
    }
}

}  // namespace

int64_t shm_size(const RunOptions& o) {
    return o.shm_size.value_or(0) > 0 ? *o.shm_size : k_default_shm_size;
}

Result<void> plan_mounts(const RunOptions& o, const ContainerConfig& image, const PlanPaths& paths,
                         const PlanIdentity& identity, bool init, ContainerPlan& plan) {
    UserMounts user;
    TRY(add_requests(o, paths, plan, user));
    if (image.volumes) {
        for (const auto& v : *image.volumes) {
            std::string dest = clean_path("/" + v);
            if (user.dests.count(dest) || dest == "/") continue;
            MountRequest anonymous;
            anonymous.type = MountRequest::Type::volume;
            anonymous.target = dest;
            TRY(user.add(TRY(volume_mount(anonymous, dest, paths, plan))));
        }
    }
    std::vector<std::string> file_opts = {"rbind", "rprivate"};
    if (o.read_only) file_opts.insert(file_opts.begin() + 1, "ro");
    for (const char* name : {"resolv.conf", "hostname", "hosts"}) {
        std::string dest = std::string("/etc/") + name;
        if (!user.dests.count(dest))
            TRY(user.add({dest, "bind", paths.run_dir + "/" + name, file_opts}));
    }
    if (o.ipc == "host" && !user.dests.count("/dev/shm"))
        TRY(user.add({"/dev/shm", "bind", "/dev/shm", {"rbind", "rprivate"}}));
    std::stable_sort(user.mounts.begin(), user.mounts.end(),
                     [](const oci::Mount& a, const oci::Mount& b) {
                         return depth(a.destination) < depth(b.destination);
                     });

    std::vector<oci::Mount> mounts = default_mounts(o, user, std::move(plan.spec.mounts));
    if (init) mounts.push_back({"/dev/init", "bind", paths.init_binary, {"bind", "ro"}});
    mounts.insert(mounts.end(), std::make_move_iterator(user.mounts.begin()),
                  std::make_move_iterator(user.mounts.end()));
    adjust_options(o, identity, user, mounts);
    plan.spec.mounts = std::move(mounts);
    return {};
}

}  // namespace ferry::runtime::plan_parts
