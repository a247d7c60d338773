// The container's file system. Planning (parent) parses every mount's options, checks bind
// sources and sysctls, and decides how device nodes are made; the child then only mounts. All
// targets are resolved below the root's descriptor with RESOLVE_IN_ROOT (ensure_target), and
// masked and read-only paths are applied before pivot_root through the same resolution. Where a
// user namespace may not mount a file system (sysfs without its own network namespace, mqueue,
// cgroup v1), the host's is bind-mounted instead, as rootless runc and podman do.

#include "ferry/runtime/rootfs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "ferry/runtime/userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr std::string_view k_ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

Result<void> check_sysctl(const std::string& key, const NamespacePlan& ns) {
    std::string name = "sysctl `" + key + "`";
    if (key.empty() || key.find("..") != std::string::npos || key.front() == '/' ||
        key.front() == '.')
        return fail(name + " is not a valid name");
    bool ipc = key.rfind("fs.mqueue.", 0) == 0 ||
               std::find(std::begin(k_ipc_sysctls), std::end(k_ipc_sysctls), key) !=
                   std::end(k_ipc_sysctls);
    if (ipc) {
        if (ns.has(CLONE_NEWIPC)) return {};
        return fail(name + " is not allowed in the host's ipc namespace");
    }
    if (key.rfind("net.", 0) == 0) {
        if (ns.has(CLONE_NEWNET)) return {};
        return fail(name + " is not allowed in the host's network namespace");
    }
    if (key == "kernel.hostname" || key == "kernel.domainname") {
        if (ns.has(CLONE_NEWUTS)) return {};
        return fail(name + " is not allowed in the host's uts namespace");
    }
    return fail(name + " is not in a separate kernel namespace");
}

Result<unsigned long> propagation_of(const std::string& name) {
    if (name.empty() || name == "slave" || name == "rslave") return MS_SLAVE | MS_REC;
    if (name == "private" || name == "rprivate") return MS_PRIVATE | MS_REC;
    if (name == "shared" || name == "rshared") return MS_SHARED | MS_REC;
    if (name == "unbindable" || name == "runbindable") return MS_UNBINDABLE | MS_REC;
    return fail("unknown rootfs propagation `" + name + "`");
}

// Drops a devpts gid= option naming a group the user namespace does not map (the mount would
// fail); the nodes then belong to the mounting user's group.
void drop_unmapped_gid(MountOptions& options, const std::vector<oci::IdMapping>& gid_maps) {
    std::erase_if(options.data, [&](const auto& kv) {
        if (kv.first != "gid") return false;
        auto gid = parse_u64(kv.second);
        return !gid || !id_is_mapped(gid_maps, static_cast<uint32_t>(*gid));
    });
}

}  // namespace

Result<RootfsPlan> plan_rootfs(const oci::RuntimeSpec& spec, const std::string& rootfs,
                               const std::optional<OverlaySpec>& overlay, const NamespacePlan& ns,
                               const CgroupSystem* cgroups,
                               std::optional<std::pair<uint32_t, uint32_t>> open_as) {
    RootfsPlan plan;
    plan.open_as = open_as;
    plan.rootfs = rootfs;
    plan.overlay = overlay;
    plan.in_user_namespace = ns.has_user();
    plan.cgroup_namespace = ns.has(CLONE_NEWCGROUP);
    plan.device_mode =
        plan.in_user_namespace || ::geteuid() != 0 ? DeviceMode::bind : DeviceMode::mknod;
    plan.readonly = spec.root.readonly;
    const oci::Linux empty_linux;
    const oci::Linux& linux = spec.linux ? *spec.linux : empty_linux;
    unsigned long prop = TRY(propagation_of(linux.rootfs_propagation));
    plan.propagation = (prop & MS_PRIVATE) ? prop : (MS_SLAVE | MS_REC);
    if (prop & (MS_SHARED | MS_UNBINDABLE)) plan.late_propagation = prop;
    for (const auto& m : spec.mounts) {
        PlannedMount pm{m, {}, TargetKind::directory};
        auto options = parse_mount_options(m.options);
        if (!options)
            return std::unexpected(
                std::move(options.error()).prefix("mount `" + m.destination + "`"));
        pm.options = std::move(*options);
        if (m.type == "bind") pm.options.bind = true;
        if (m.destination.empty() || m.destination.front() != '/')
            return fail("mount destination `" + m.destination + "` is not an absolute path");
        if (pm.options.bind) {
            struct stat st {};
            if (::stat(m.source.c_str(), &st) != 0)
                return fail_errno("bind mount source `" + m.source + "`");
            pm.target = S_ISDIR(st.st_mode) ? TargetKind::directory : TargetKind::file;
        } else if (m.type == "cgroup" || m.type == "cgroup2") {
            if (!cgroups) return fail("mount `" + m.destination + "`: cgroups are not known");
            plan.cgroups = *cgroups;
        }
        if (m.type == "devpts" && plan.in_user_namespace)
            drop_unmapped_gid(pm.options, linux.gid_mappings);
        plan.mounts.push_back(std::move(pm));
    }
    plan.devices = linux.devices;
    for (const auto& d : plan.devices)
        if (d.path.empty() || d.path.front() != '/')
            return fail("device path `" + d.path + "` is not an absolute path");
    plan.masked_paths = linux.masked_paths;
    plan.readonly_paths = linux.readonly_paths;
    for (const auto& [key, value] : linux.sysctl) {
        TRY(check_sysctl(key, ns));
        plan.sysctls.emplace_back(key, value);
    }
    return plan;
}

// Each lower layer is appended with lowerdir+ (6.8+), or all at once in the colon-joined form on
// older kernels.
Result<Fd> make_overlay_mount(const OverlaySpec& o, bool userns) {
    MountOptions opts;
    for (const auto& l : o.lower_dirs)
        opts.data.emplace_back("lowerdir+", l);
    if (!o.upper_dir.empty()) {
        opts.data.emplace_back("upperdir", o.upper_dir);
        opts.data.emplace_back("workdir", o.work_dir);
    }
    if (userns) opts.data.emplace_back("userxattr", "");
    if (o.volatile_upper && !o.upper_dir.empty()) opts.data.emplace_back("volatile", "");
    if (o.nodev) opts.attr_set |= MOUNT_ATTR_NODEV;
    auto mnt = new_fs_mount("overlay", "overlay", opts);
    if (!mnt && o.volatile_upper && mnt.error().message.find("volatile") != std::string::npos) {
        std::erase_if(opts.data, [](const auto& kv) { return kv.first == "volatile"; });
        mnt = new_fs_mount("overlay", "overlay", opts);  // a kernel before 5.10
    }
    if (!mnt && mnt.error().message.find("lowerdir+") != std::string::npos) {
        std::string joined;
        for (const auto& l : o.lower_dirs)
            joined += (joined.empty() ? "" : ":") + l;
        std::erase_if(opts.data, [](const auto& kv) { return kv.first == "lowerdir+"; });
        opts.data.insert(opts.data.begin(), {"lowerdir", joined});
        mnt = new_fs_mount("overlay", "overlay", opts);
    }
    return mnt;
}

namespace {

std::unexpected<Error> mount_error(const oci::Mount& m, Error e) {
    std::string source = m.source.empty() ? m.type : m.source;
    return std::unexpected(
        std::move(e).prefix("mount `" + source + "` on `" + m.destination + "`"));
}

Result<void> mount_overlay(const OverlaySpec& o, const std::string& target, bool userns) {
    auto mnt = make_overlay_mount(o, userns);
    if (!mnt)
        return std::unexpected(std::move(mnt.error()).prefix("mount overlay on `" + target + "`"));
    Fd dir = TRY(fs::open(target, O_PATH | O_DIRECTORY));
    auto r = attach_mount(mnt->get(), dir.get());
    if (!r)
        return std::unexpected(std::move(r.error()).prefix("mount overlay on `" + target + "`"));
    return {};
}

Result<void> mount_root(const RootfsPlan& plan) {
    if (plan.overlay) return mount_overlay(*plan.overlay, plan.rootfs, plan.in_user_namespace);
    auto clone = clone_mount(AT_FDCWD, plan.rootfs, true);
    if (!clone)
        return std::unexpected(
            std::move(clone.error()).prefix("bind rootfs `" + plan.rootfs + "`"));
    Fd dir = TRY(fs::open(plan.rootfs, O_PATH | O_DIRECTORY));
    auto r = attach_mount(clone->get(), dir.get());
    if (!r)
        return std::unexpected(std::move(r.error()).prefix("bind rootfs `" + plan.rootfs + "`"));
    return {};
}

Result<void> bind_host(int rootfd, const std::string& host_path, const PlannedMount& pm) {
    Fd src = TRY(clone_mount(AT_FDCWD, host_path, pm.options.recursive || !pm.options.bind));
    MountOptions attrs = pm.options;
    attrs.recursive = true;
    TRY(set_mount_attributes(src.get(), attrs));
    Fd target = TRY(ensure_target(rootfd, pm.mount.destination, pm.target));
    return attach_mount(src.get(), target.get());
}

// A cgroup mount: cgroup2 on v2 hosts; on v1 and hybrid hosts a tmpfs holding one mount per
// hierarchy (named as on the host), symlinks for co-mounted controllers and, on hybrid hosts,
// the v2 hierarchy as `unified`, as runc builds it. In a cgroup namespace of its own each is a
// new mount (whose root is the namespace's); in the host's (--cgroupns host) each is, as runc
// binds it, the host's directory of the process's own cgroup (read here: the child is in its
// cgroup by the time it mounts), so the container still sees only its own subtree.
Result<void> mount_cgroup(int rootfd, const PlannedMount& pm, const CgroupSystem& cgroups,
                          bool own_namespace) {
    MountOptions flags = pm.options;
    flags.data.clear();
    std::map<std::string, std::string> own;
    if (!own_namespace)
        own = parse_proc_cgroup(TRY(fs::read_file("/proc/self/cgroup", 1 << 16)));
    auto hierarchy = [&](const std::string& type, const MountOptions& o,
                         const std::string& host_dir, const std::string& key) -> Result<Fd> {
        if (own_namespace) return new_fs_mount(type, "cgroup", o);
        auto it = own.find(key);
        Fd mnt = TRY(clone_mount(AT_FDCWD, host_dir + (it == own.end() ? "" : it->second), false));
        TRY(set_mount_attributes(mnt.get(), o));
        return mnt;
    };
    Fd target = TRY(ensure_target(rootfd, pm.mount.destination, TargetKind::directory));
    if (cgroups.layout == CgroupLayout::v2 || pm.mount.type == "cgroup2") {
        Fd mnt = TRY(hierarchy("cgroup2", flags, cgroups.unified, ""));
        return attach_mount(mnt.get(), target.get());
    }
    MountOptions tmpfs = flags;
    tmpfs.attr_set &= ~uint64_t(MOUNT_ATTR_RDONLY);
    tmpfs.data = {{"mode", "755"}};
    Fd holder = TRY(new_fs_mount("tmpfs", "cgroup", tmpfs));
    TRY(attach_mount(holder.get(), target.get()));
    Fd dir = TRY(fs::open_in_root(rootfd, pm.mount.destination, O_PATH | O_DIRECTORY));
    auto add = [&](const std::string& name, const std::string& type, const MountOptions& o,
                   const std::string& host_dir, const std::string& key) -> Result<void> {
        if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
            return fail_errno("create `" + name + "`");
        Fd mnt = TRY(hierarchy(type, o, host_dir, key));
        Fd sub = TRY(fs::open_in_root(dir.get(), name, O_PATH | O_DIRECTORY));
        return attach_mount(mnt.get(), sub.get());
    };
    for (const auto& h : cgroups.hierarchies) {
        std::string name = h.mount_point.substr(h.mount_point.rfind('/') + 1);
        MountOptions o = flags;
        for (const auto& c : h.controllers) {
            if (c.rfind("name=", 0) == 0)
                o.data.emplace_back("name", c.substr(5));
            else
                o.data.emplace_back(c, "");
        }
        TRY(add(name, "cgroup", o, h.mount_point, h.key()));
        if (h.controllers.size() > 1) {
            for (const auto& c : h.controllers)
                if (c != name && c.rfind("name=", 0) != 0)
                    ::symlinkat(name.c_str(), dir.get(), c.c_str());
        }
    }
    if (!cgroups.unified.empty()) TRY(add("unified", "cgroup2", flags, cgroups.unified, ""));
    if (flags.readonly()) {
        MountOptions ro;
        ro.attr_set = MOUNT_ATTR_RDONLY;
        TRY(set_mount_attributes(dir.get(), ro));
    }
    return {};
}

// The host path a user namespace binds instead of mounting a file system of this type.
std::string_view host_fallback(const std::string& type) {
    if (type == "sysfs") return "/sys";
    if (type == "mqueue") return "/dev/mqueue";
    if (type == "proc") return "/proc";
    if (type == "cgroup" || type == "cgroup2") return "/sys/fs/cgroup";
    return {};
}

Result<void> mount_one(int rootfd, const PlannedMount& pm, const RootfsPlan& plan) {
    const oci::Mount& m = pm.mount;
    if (pm.options.bind) return bind_host(rootfd, m.source, pm);
    Result<void> r;
    if (m.type == "cgroup" || m.type == "cgroup2") {
        r = mount_cgroup(rootfd, pm, plan.cgroups, plan.cgroup_namespace);
    } else {
        auto target = ensure_target(rootfd, m.destination, TargetKind::directory);
        if (!target) return std::unexpected(std::move(target.error()));
        auto mnt = new_fs_mount(m.type, m.source.empty() ? m.type : m.source, pm.options);
        r = mnt ? attach_mount(mnt->get(), target->get())
                : Result<void>(std::unexpected(mnt.error()));
    }
    std::string_view fallback = host_fallback(m.type);
    if (!r && plan.in_user_namespace && !fallback.empty() &&
        (r.error().sys_errno == EPERM || r.error().sys_errno == EACCES)) {
        PlannedMount host = pm;
        host.options.recursive = true;
        host.options.bind = true;
        host.options.data.clear();
        r = bind_host(rootfd, std::string(fallback), host);
    }
    return r;
}

Result<void> write_sysctl(const std::string& key, const std::string& value) {
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    auto fd = fs::open(path, O_WRONLY | O_TRUNC);
    if (!fd) return std::unexpected(std::move(fd.error()).prefix("set sysctl `" + key + "`"));
    auto r = fs::write_all(fd->get(), value);
    if (!r) return fail_errno("set sysctl `" + key + "`", r.error().sys_errno);
    return {};
}

Result<void> mask_path(int rootfd, const std::string& path) {
    auto fd = fs::open_in_root(rootfd, path, O_PATH);
    if (!fd) return fd.error().sys_errno == ENOENT ? Result<void>() : std::unexpected(fd.error());
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) return fail_errno("stat");
    Fd mnt;
    if (S_ISDIR(st.st_mode)) {
        MountOptions ro;
        ro.attr_set = MOUNT_ATTR_RDONLY;
        mnt = TRY(new_fs_mount("tmpfs", "tmpfs", ro));
    } else {
        mnt = TRY(clone_mount(AT_FDCWD, "/dev/null", false));
    }
    return attach_mount(mnt.get(), fd->get());
}

Result<void> readonly_path(int rootfd, const std::string& path) {
    auto fd = fs::open_in_root(rootfd, path, O_PATH);
    if (!fd) return fd.error().sys_errno == ENOENT ? Result<void>() : std::unexpected(fd.error());
    Fd mnt = TRY(clone_mount(fd->get(), "", true));
    MountOptions ro;
    ro.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    ro.recursive = true;
    TRY(set_mount_attributes(mnt.get(), ro));
    return attach_mount(mnt.get(), fd->get());
}

Result<void> pivot(const std::string& rootfs) {
    Fd root = TRY(fs::open(rootfs, O_PATH | O_DIRECTORY));
    if (::fchdir(root.get()) != 0) return fail_errno("chdir to rootfs");
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return fail_errno("pivot_root");
    // The old root now sits on top of the new one, at `.`: detach it.
    if (::umount2(".", MNT_DETACH) != 0) return fail_errno("detach old root");
    if (::chdir("/") != 0) return fail_errno("chdir to /");
    return {};
}

// Opens the host paths of plan with its open_as ids as file system ids (the capabilities that
// bypass permissions are off meanwhile, so the user's own permissions decide, as for the user),
// and renames them in plan to /proc/self/fd/N: mounted through those, the paths are not walked
// again. The descriptors are opened here, in the child's mount namespace, which the mounts
// need (a descriptor of the parent's namespace cannot be mounted from).
Result<std::vector<Fd>> open_host_paths(RootfsPlan& plan) {
    auto [uid, gid] = *plan.open_as;
    uid_t old_uid = static_cast<uid_t>(::setfsuid(uid));
    gid_t old_gid = static_cast<gid_t>(::setfsgid(gid));
    auto restore = [&] {
        ::setfsgid(old_gid);
        ::setfsuid(old_uid);
    };
    if (static_cast<uint32_t>(::setfsuid(static_cast<uid_t>(-1))) != uid) {
        restore();
        return fail("open host paths as uid " + std::to_string(uid) + ": not permitted");
    }
    std::vector<Fd> held;
    auto hold = [&](std::string& path) -> Result<void> {
        auto fd = fs::open(path, O_PATH);
        if (!fd) return std::unexpected(std::move(fd.error()).prefix("open `" + path + "`"));
        path = "/proc/self/fd/" + std::to_string(fd->get());
        held.push_back(std::move(*fd));
        return {};
    };
    auto opened = [&]() -> Result<void> {
        if (plan.overlay) {
            for (auto& dir : plan.overlay->lower_dirs) TRY(hold(dir));
            if (!plan.overlay->upper_dir.empty()) {
                TRY(hold(plan.overlay->upper_dir));
                TRY(hold(plan.overlay->work_dir));
            }
        }
        // The mount point's parent: the path crosses into the overlay once it is mounted.
        auto slash = plan.rootfs.rfind('/');
        if (slash != std::string::npos && slash > 0) {
            std::string parent = plan.rootfs.substr(0, slash);
            TRY(hold(parent));
            plan.rootfs = parent + plan.rootfs.substr(slash);
        }
        for (auto& pm : plan.mounts)
            if (pm.options.bind) TRY(hold(pm.mount.source));
        return {};
    }();
    restore();
    if (!opened) return std::unexpected(std::move(opened.error()));
    return held;
}

Result<void> setup_planned_rootfs(const RootfsPlan& plan);

}  // namespace

Result<void> setup_rootfs(const RootfsPlan& plan) {
    if (!plan.open_as) return setup_planned_rootfs(plan);
    RootfsPlan opened = plan;
    auto held = TRY(open_host_paths(opened));
    return setup_planned_rootfs(opened);
}

namespace {

Result<void> setup_planned_rootfs(const RootfsPlan& plan) {
    if (::mount(nullptr, "/", nullptr, plan.propagation, nullptr) != 0)
        return fail_errno("make mounts private");
    TRY(mount_root(plan));
    Fd root = TRY(fs::open(plan.rootfs, O_PATH | O_DIRECTORY));
    for (const auto& pm : plan.mounts) {
        auto r = mount_one(root.get(), pm, plan);
        if (!r) return mount_error(pm.mount, std::move(r.error()));
        if (clean_path(pm.mount.destination) == "/dev" && pm.mount.type == "tmpfs")
            TRY(populate_dev(root.get(), plan.device_mode));
    }
    for (const auto& d : plan.devices)
        TRY(create_device(root.get(), d, plan.device_mode));
    for (const auto& [key, value] : plan.sysctls)
        TRY(write_sysctl(key, value));
    for (const auto& p : plan.masked_paths) {
        auto r = mask_path(root.get(), p);
        if (!r) return std::unexpected(std::move(r.error()).prefix("mask `" + p + "`"));
    }
    for (const auto& p : plan.readonly_paths) {
        auto r = readonly_path(root.get(), p);
        if (!r) return std::unexpected(std::move(r.error()).prefix("make `" + p + "` read-only"));
    }
    TRY(pivot(plan.rootfs));
    if (plan.late_propagation &&
        ::mount(nullptr, "/", nullptr, plan.late_propagation, nullptr) != 0)
        return fail_errno("set rootfs propagation");
    if (plan.readonly) {
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) != 0)
            return fail_errno("make rootfs read-only");
    }
    return {};
}

}  // namespace

}  // namespace ferry::runtime
