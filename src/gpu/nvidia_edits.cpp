// NVIDIA edits. Libraries are mounted under their real file names (libcuda.so.535.104.05) in the
// image's library directory and given the same soname links the host's cache has (libcuda.so.1,
// libcuda.so), as nvidia-container-cli does; binaries go to /usr/bin, firmware and sockets to
// their host paths. Every container path is made canonical inside the rootfs first.

#include "ferry/gpu/nvidia_edits.hpp"

#include <span>

namespace ferry::gpu {

namespace {

const std::vector<std::string> k_ro_bind = {"ro", "nosuid", "nodev", "bind"};

std::string basename_of(std::string_view p) {
    return std::string(p.substr(p.rfind('/') + 1));
}

oci::cdi::DeviceNode node(const std::string& path, int64_t major, int64_t minor, uint32_t mode) {
    oci::cdi::DeviceNode n;
    n.path = path;
    n.type = "c";
    n.major = major;
    n.minor = minor;
    n.file_mode = mode;
    n.permissions = "rw";
    return n;
}

}  // namespace

Result<std::string> image_library_dir(const RootfsView& rootfs, bool lib32) {
#if defined(__aarch64__)
    static const char* native[] = {"/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"};
#else
    static const char* native[] = {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"};
#endif
    static const char* compat32[] = {"/usr/lib/i386-linux-gnu", "/usr/lib"};
    std::span<const char*> candidates =
        lib32 ? std::span<const char*>(compat32) : std::span<const char*>(native);
    for (const char* c : candidates) {
        auto dir = rootfs.directory(c);
        if (!dir)
            return fail("image library directory `" + std::string(c) + "`: " + dir.error().message);
        if (*dir) return std::move(**dir);
    }
    return canonical_container_path(rootfs, "/usr/lib");
}

Result<Edits> nvidia_edits(const NvidiaHost& host, const GpuSelection& sel,
                           const RootfsView& rootfs, const std::optional<CudaCompat>& compat) {
    Edits e;
    if (!sel.active) return e;
    e.cdi.env = sel.env;
    for (size_t g : sel.gpus) {
        const Gpu& gpu = host.gpus[g];
        e.cdi.device_nodes.push_back(
            node("/dev/nvidia" + std::to_string(gpu.minor), k_nvidia_major, gpu.minor, 0666));
    }
    for (const auto& d : host.control_devices)
        e.cdi.device_nodes.push_back(node(d.path, d.major, d.minor, d.mode));

    std::optional<std::string> libdir, libdir32;
    for (const auto& lib : host.libraries) {
        if (!lib.wanted_by.any(sel.caps) || (lib.lib32 && !sel.caps.has(Cap::compat32))) continue;
        auto& dir = lib.lib32 ? libdir32 : libdir;
        if (!dir) dir = TRY(image_library_dir(rootfs, lib.lib32));
        std::string file = basename_of(lib.path);
        e.cdi.mounts.push_back({lib.path, *dir + "/" + file, "", k_ro_bind});
        for (const auto& name : lib.names)
            if (name != file) e.symlinks.push_back({*dir + "/" + name, file});
    }
    for (const auto& bin : host.binaries) {
        if (!bin.wanted_by.any(sel.caps)) continue;
        std::string target = TRY(canonical_container_path(rootfs, "/usr/bin/" + bin.names[0]));
        e.cdi.mounts.push_back({bin.path, target, "", k_ro_bind});
    }
    for (const auto& f : host.files) {
        if (!f.wanted_by.any(sel.caps)) continue;
        std::string target = TRY(canonical_container_path(rootfs, f.container));
        e.cdi.mounts.push_back({f.path, target, "", {"ro", "nosuid", "nodev", "noexec", "bind"}});
    }
    if (compat && sel.caps.any(Capabilities{Cap::compute, Cap::video}))
        e.ld_overrides = compat->entries;
    return e;
}

}  // namespace ferry::gpu
