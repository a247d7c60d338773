// The mknod rules are libseccomp conditions on the mode and device arguments: allowed when the
// file type is not a device (FIFO, socket, regular), or a character device whose number is on
// docker's default allowlist (the pts major with any minor). Device numbers are compared in the
// kernel's 32-bit encoding, which is what the syscalls take.

#include "ferry/runtime/device_policy.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ferry/runtime/devices.hpp"

namespace ferry::runtime {

namespace {

constexpr uint64_t k_type_mask = S_IFMT;
constexpr uint64_t k_major_mask = 0xfff00;  // the major in the kernel's new_encode_dev form

uint64_t encode(uint64_t major, uint64_t minor) {
    return (minor & 0xff) | (major << 8) | ((minor & ~uint64_t{0xff}) << 12);
}

bool same_rules(const std::vector<oci::DeviceRule>& a, const std::vector<oci::DeviceRule>& b) {
    return a == b;
}

}  // namespace

bool needs_cgroup(const oci::RuntimeSpec& spec) {
    if (!spec.linux) return false;
    const oci::Linux& l = *spec.linux;
    bool own_pids = std::any_of(l.namespaces.begin(), l.namespaces.end(), [](const auto& n) {
        return n.type == "pid" && n.path.empty();
    });
    if (!own_pids) return true;
    if (!l.seccomp) return !spec.process || !spec.process->capabilities ||
                           std::find(spec.process->capabilities->bounding.begin(),
                                     spec.process->capabilities->bounding.end(),
                                     "CAP_MKNOD") != spec.process->capabilities->bounding.end();
    if (!l.devices.empty()) return true;
    if (!l.cgroups_path.empty()) return true;
    if (l.resources) {
        const oci::Resources& r = *l.resources;
        if (r.memory || r.cpu || r.pids || (r.block_io && r.block_io->weight)) return true;
        if (!r.devices.empty() && !same_rules(r.devices, docker_default_device_rules()))
            return true;
    }
    return false;
}

bool runs_without_cgroup(const CgroupSystem& system, const oci::RuntimeSpec& spec) {
    return system.layout != CgroupLayout::v2 && !needs_cgroup(spec);
}

void confine_devices(oci::RuntimeSpec& spec, OverlaySpec& overlay) {
    overlay.nodev = true;
    for (auto& m : spec.mounts) {
        bool bind = m.type == "bind" ||
                    std::find(m.options.begin(), m.options.end(), "bind") != m.options.end() ||
                    std::find(m.options.begin(), m.options.end(), "rbind") != m.options.end();
        if (bind && std::find(m.options.begin(), m.options.end(), "nodev") == m.options.end())
            m.options.push_back("nodev");
    }
    confine_device_syscalls(spec);
}

void confine_device_syscalls(oci::RuntimeSpec& spec) {
    if (!spec.linux || !spec.linux->seccomp) return;
    oci::Seccomp& sc = *spec.linux->seccomp;
    for (auto& rule : sc.syscalls)
        std::erase_if(rule.names, [](const std::string& n) { return n == "mknod" || n == "mknodat"; });
    std::erase_if(sc.syscalls, [](const oci::SeccompSyscall& r) { return r.names.empty(); });
    auto add = [&](const std::string& name, uint32_t mode_arg, std::vector<oci::SeccompArg> extra,
                   uint64_t type) {
        oci::SeccompSyscall r;
        r.names = {name};
        r.action = "SCMP_ACT_ALLOW";
        r.args.push_back({mode_arg, k_type_mask, type, "SCMP_CMP_MASKED_EQ"});
        for (auto& a : extra) r.args.push_back(a);
        sc.syscalls.push_back(std::move(r));
    };
    static const std::pair<uint64_t, uint64_t> k_allowed[] = {
        {0, 0}, {1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {10, 200}};
    for (const auto& [name, mode_arg] :
         {std::pair<std::string, uint32_t>{"mknod", 1}, {"mknodat", 2}}) {
        uint32_t dev_arg = mode_arg + 1;
        for (uint64_t type : {uint64_t{0}, uint64_t{S_IFREG}, uint64_t{S_IFIFO}, uint64_t{S_IFSOCK}})
            add(name, mode_arg, {}, type);
        for (const auto& [major, minor] : k_allowed)
            add(name, mode_arg, {{dev_arg, encode(major, minor), 0, "SCMP_CMP_EQ"}}, S_IFCHR);
        add(name, mode_arg, {{dev_arg, k_major_mask, encode(136, 0), "SCMP_CMP_MASKED_EQ"}},
            S_IFCHR);
    }
}

}  // namespace ferry::runtime
