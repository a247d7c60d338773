// Docker's defaults (moby oci/defaults.go and daemon/oci_linux.go) as one spec. Capabilities go
// to bounding, effective and permitted; inheritable and ambient stay empty, as docker sets them
// since 20.10.

#include "ferry/runtime/defaults.hpp"

#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/devices.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/runtime/seccomp_profile.hpp"

namespace ferry::runtime {

std::vector<oci::Mount> docker_default_mounts() {
    return {
        {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
        {"/dev/pts",
         "devpts",
         "devpts",
         {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
        {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}},
        {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
        {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
    };
}

Result<oci::RuntimeSpec> docker_default_spec(const std::string& rootfs_path,
                                             const std::vector<std::string>& args) {
    oci::RuntimeSpec spec;
    spec.root.path = rootfs_path;
    oci::Process p;
    p.args = args;
    p.env = {"PATH=" + std::string(k_default_path)};
    p.cwd = "/";
    std::vector<std::string> caps(k_default_capabilities.begin(), k_default_capabilities.end());
    p.capabilities = oci::Capabilities{caps, caps, {}, caps, {}};
    spec.process = std::move(p);
    spec.mounts = docker_default_mounts();
    oci::Linux l;
    for (const char* ns : {"mount", "network", "uts", "pid", "ipc", "cgroup"})
        l.namespaces.push_back({ns, ""});
    l.masked_paths.assign(std::begin(k_default_masked_paths), std::end(k_default_masked_paths));
    l.readonly_paths.assign(std::begin(k_default_readonly_paths),
                            std::end(k_default_readonly_paths));
    l.resources = oci::Resources{};
    l.resources->devices = docker_default_device_rules();
    l.seccomp = TRY(resolve_seccomp_profile(docker_default_seccomp_profile(), caps));
    spec.linux = std::move(l);
    return spec;
}

}  // namespace ferry::runtime
