// Namespace planning. New namespaces are created by the clone itself (one syscall), except the
// cgroup namespace, which the child unshares after the parent has moved it into its cgroup so
// that the container sees its own cgroup as `/`. Joined namespaces are opened by the parent
// (paths resolve on the host) and entered by the child with setns, the user namespace first so
// that the others are joined with its capabilities.

#include "ferry/runtime/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <array>

#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

struct NsType {
    std::string_view spec;
    std::string_view proc;
    int flag;
};

constexpr std::array<NsType, 8> k_types = {{
    {"user", "user", CLONE_NEWUSER},
    {"mount", "mnt", CLONE_NEWNS},
    {"pid", "pid", CLONE_NEWPID},
    {"network", "net", CLONE_NEWNET},
    {"ipc", "ipc", CLONE_NEWIPC},
    {"uts", "uts", CLONE_NEWUTS},
    {"cgroup", "cgroup", CLONE_NEWCGROUP},
    {"time", "time", CLONE_NEWTIME},
}};

std::string_view spec_name(int flag) {
    for (const auto& t : k_types)
        if (t.flag == flag) return t.spec;
    return "unknown";
}

}  // namespace

bool NamespacePlan::has_user() const {
    return has(CLONE_NEWUSER);
}

bool NamespacePlan::has(int flag) const {
    if (flag == CLONE_NEWCGROUP && new_cgroup) return true;
    if (flag == CLONE_NEWPID && join_pid) return true;
    if (clone_flags & static_cast<uint64_t>(flag)) return true;
    for (const auto& j : joins)
        if (j.flag == flag) return true;
    return false;
}

Result<int> namespace_flag(std::string_view type) {
    for (const auto& t : k_types)
        if (t.spec == type) return t.flag;
    return fail("unknown namespace type `" + std::string(type) + "`");
}

std::string_view proc_ns_name(int flag) {
    for (const auto& t : k_types)
        if (t.flag == flag) return t.proc;
    return {};
}

Result<NamespacePlan> plan_namespaces(const std::vector<oci::Namespace>& namespaces) {
    NamespacePlan plan;
    int seen = 0;
    for (const auto& ns : namespaces) {
        int flag = TRY(namespace_flag(ns.type));
        if (seen & flag) return fail("namespace `" + ns.type + "` is listed twice");
        seen |= flag;
        if (ns.path.empty()) {
            if (flag == CLONE_NEWCGROUP)
                plan.new_cgroup = true;
            else
                plan.clone_flags |= static_cast<uint64_t>(flag);
            continue;
        }
        Fd fd = TRY(fs::open(ns.path, O_RDONLY));
        if (flag == CLONE_NEWPID) {
            plan.join_pid = std::move(fd);
            continue;
        }
        NamespaceJoin join{flag, ns.type, ns.path, std::move(fd)};
        if (flag == CLONE_NEWUSER)
            plan.joins.insert(plan.joins.begin(), std::move(join));
        else
            plan.joins.push_back(std::move(join));
    }
    return plan;
}

// Whether fd is the user namespace this process is in (joined for it by an intermediate,
// spawn.cpp): setns refuses to enter it again.
static bool in_user_namespace(int fd) {
    struct stat want{}, own{};
    return ::fstat(fd, &want) == 0 && ::stat("/proc/self/ns/user", &own) == 0 &&
           want.st_ino == own.st_ino && want.st_dev == own.st_dev;
}

Result<void> join_namespaces(const std::vector<NamespaceJoin>& joins) {
    for (const auto& j : joins) {
        if (j.flag == CLONE_NEWUSER && in_user_namespace(j.fd.get())) continue;
        if (::setns(j.fd.get(), j.flag) != 0)
            return fail_errno("join " + std::string(spec_name(j.flag)) + " namespace `" + j.path +
                              "`");
    }
    return {};
}

}  // namespace ferry::runtime
