#pragma once
// Namespaces of a container: which ones the clone creates and which existing ones (by path) the
// child joins, from the spec's linux.namespaces.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// An existing namespace to join, opened by the parent.
struct NamespaceJoin {
    int flag = 0;  // CLONE_NEWNET, ...
    std::string type;
    std::string path;
    Fd fd;
};

struct NamespacePlan {
    uint64_t clone_flags = 0;          // namespaces the clone creates (never the cgroup one)
    bool new_cgroup = false;           // unshared by the child once it is in its cgroup
    std::vector<NamespaceJoin> joins;  // user namespace first, pid namespace excluded
    Fd join_pid;  // an existing pid namespace, entered by the parent for the clone

    // Whether the container has a user namespace (new or joined).
    bool has_user() const;
    // Whether the container gets a namespace of this CLONE_NEW* flag (new or joined).
    bool has(int flag) const;
};

// The CLONE_NEW* flag of a spec namespace type (pid, network, mount, ipc, uts, user, cgroup,
// time); fails with `unknown namespace type `x``.
Result<int> namespace_flag(std::string_view type);
// The name of a CLONE_NEW* flag under /proc/PID/ns ("net", "mnt", ...).
std::string_view proc_ns_name(int flag);
// Plans the spec's namespaces, opening the paths to join; fails with `namespace `pid` is listed
// twice` or `open `PATH`: strerror`.
Result<NamespacePlan> plan_namespaces(const std::vector<oci::Namespace>& namespaces);
// In the child: joins each planned namespace in order; fails with
// `join network namespace `PATH`: strerror`.
Result<void> join_namespaces(const std::vector<NamespaceJoin>& joins);

}  // namespace ferry::runtime
