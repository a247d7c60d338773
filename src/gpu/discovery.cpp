// NVIDIA discovery in one pass over a handful of files:
//   1. /proc/driver/nvidia/version gives the kernel module version (absent: no driver);
//   2. /proc/driver/nvidia/gpus/<bus id>/information gives each GPU's model, UUID and minor;
//      GPUs are numbered in bus-id order, as NVML numbers them;
//   3. /proc/devices gives the dynamic major of nvidia-uvm; the control nodes are stat'ed;
//   4. /etc/ld.so.cache is parsed once; each entry named like a driver library is resolved inside
//      the root and kept only when the file's name ends in the module version (a library left
//      from another driver would fail at run time with "driver/library version mismatch");
//   5. binaries are looked up in a fixed list of directories, firmware in
//      /lib/firmware/nvidia/<version>, sockets and the EGL/Vulkan loaders' vendor files
//      (graphics) at their fixed paths.
// No directory of /usr is walked, nothing is cached on disk, no driver code runs.

#include "ferry/gpu/discovery.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <map>

#include "ferry/gpu/driver_tables.hpp"
#include "ferry/gpu/ld_cache.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr const char* k_version_file = "/proc/driver/nvidia/version";
constexpr const char* k_gpus_dir = "/proc/driver/nvidia/gpus";

// "Key:   value" lines of an information file.
std::map<std::string, std::string, std::less<>> parse_fields(std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& line : split(text, '\n')) {
        auto kv = split_once(line, ':');
        if (!kv) continue;
        out.emplace(std::string(trim(kv->first)), std::string(trim(kv->second)));
    }
    return out;
}

Result<std::vector<Gpu>> read_gpus(const HostRoot& host) {
    auto dirs = host.list(k_gpus_dir);
    if (!dirs) {
        if (dirs.error().sys_errno == ENOENT) return std::vector<Gpu>{};
        return std::unexpected(dirs.error());
    }
    std::vector<std::string> buses = *dirs;
    std::sort(buses.begin(), buses.end(),
              [](const std::string& a, const std::string& b) { return to_lower(a) < to_lower(b); });
    std::vector<Gpu> gpus;
    for (const auto& bus : buses) {
        std::string file = std::string(k_gpus_dir) + "/" + bus + "/information";
        auto text = host.read(file);
        if (!text) {
            log::warn("GPU " + bus + ": " + text.error().message);
            continue;
        }
        auto f = parse_fields(*text);
        auto minor = f.contains("Device Minor") ? parse_u64(f["Device Minor"]) : std::nullopt;
        if (!minor || f["GPU UUID"].empty()) {
            log::warn("GPU " + bus + ": `" + file + "` has no GPU UUID or Device Minor");
            continue;
        }
        if (to_lower(f["GPU Excluded"]) == "yes") continue;
        Gpu g;
        g.index = static_cast<unsigned>(gpus.size());
        g.minor = static_cast<unsigned>(*minor);
        g.model = f["Model"];
        g.uuid = f["GPU UUID"];
        g.bus_id = f["Bus Location"].empty() ? bus : f["Bus Location"];
        g.brand = brand_for_model(g.model);
        g.arch = arch_for_model(g.model);
        gpus.push_back(std::move(g));
    }
    return gpus;
}

// The major of a character driver in /proc/devices; -1 when absent.
int64_t char_major(std::string_view devices, std::string_view name) {
    bool in_char = false;
    for (const auto& line : split(devices, '\n')) {
        if (line.starts_with("Character devices:")) {
            in_char = true;
            continue;
        }
        if (line.starts_with("Block devices:")) break;
        if (!in_char) continue;
        auto t = trim(line);
        auto sp = t.find(' ');
        if (sp == std::string_view::npos || trim(t.substr(sp)) != name) continue;
        if (auto n = parse_u64(t.substr(0, sp))) return static_cast<int64_t>(*n);
    }
    return -1;
}

// The node at path: its numbers from the host node when it is a character device there, else
// the expected ones (major < 0: unknown, the node is left out).
std::optional<HostDevice> device_node(const HostRoot& host, std::string path, int64_t major,
                                      int64_t minor) {
    HostDevice d{std::move(path), major, minor, false, 0666};
    if (auto st = host.stat(d.path); st && S_ISCHR(st->st_mode)) {
        d.major = static_cast<int64_t>(::major(st->st_rdev));
        d.minor = static_cast<int64_t>(::minor(st->st_rdev));
        d.mode = st->st_mode & 07777;
        d.present = true;
    }
    if (d.major < 0) return std::nullopt;
    return d;
}

void read_libraries(const HostRoot& host, NvidiaHost& out) {
    auto data = host.read("/etc/ld.so.cache", 64u << 20);
    if (!data) {
        log::warn("no driver libraries: " + data.error().message);
        return;
    }
    auto cache = parse_ld_cache(*data);
    if (!cache) {
        log::warn("no driver libraries: `/etc/ld.so.cache`: " + cache.error().message);
        return;
    }
    const int32_t native = native_ld_flags(), compat32 = compat32_ld_flags();
    const std::string suffix = "." + out.driver_version;
    std::map<std::string, size_t, std::less<>> by_path;
    for (const auto& e : cache->entries) {
        if (e.flags != native && (compat32 == 0 || e.flags != compat32)) continue;
        const DriverLibrary* lib = driver_library_for(e.name);
        if (!lib) continue;
        auto real = host.resolve(e.path);
        if (!real) continue;  // a stale cache entry
        if (!real->ends_with(suffix)) {
            out.skipped.push_back(std::string(e.name) + " (" + *real + ": not version " +
                                  out.driver_version + ")");
            continue;
        }
        auto [it, fresh] = by_path.emplace(*real, out.libraries.size());
        if (fresh) out.libraries.push_back({*real, {}, lib->wanted_by, e.flags != native});
        auto& names = out.libraries[it->second].names;
        if (std::find(names.begin(), names.end(), e.name) == names.end())
            names.emplace_back(e.name);
    }
}

void read_binaries(const HostRoot& host, NvidiaHost& out) {
    for (const auto& bin : driver_binaries()) {
        for (auto dir : binary_search_dirs()) {
            std::string candidate = std::string(dir) + "/" + std::string(bin.name);
            auto st = host.stat(candidate);
            if (!st || !S_ISREG(st->st_mode)) continue;
            auto real = host.resolve(candidate);
            if (!real) continue;
            out.binaries.push_back({*real, {std::string(bin.name)}, bin.wanted_by, false});
            break;
        }
    }
}

void read_fixed_files(const HostRoot& host, NvidiaHost& out) {
    const std::string fw = "/lib/firmware/nvidia/" + out.driver_version;
    if (auto names = host.list(fw)) {
        std::sort(names->begin(), names->end());
        for (const auto& n : *names) {
            if (!n.starts_with("gsp") || !n.ends_with(".bin")) continue;
            if (auto real = host.resolve(fw + "/" + n))
                out.files.push_back({*real, fw + "/" + n, Capabilities::all()});
        }
    }
    const std::pair<const char*, Capabilities> sockets[] = {
        {"/run/nvidia-persistenced/socket", Capabilities{Cap::utility}},
        {"/run/nvidia-fabricmanager/socket", Capabilities{Cap::utility}},
        {"/tmp/nvidia-mps", Capabilities{Cap::compute}},
    };
    for (const auto& [path, caps] : sockets) {
        if (auto real = host.resolve(path)) out.files.push_back({*real, path, caps});
    }
    // The loaders' vendor files, without which glvnd's libEGL and the Vulkan loader never find
    // the driver's libraries (EGL: VirtualGL's EGL back end in a desktop).
    constexpr const char* k_graphics_configs[] = {
        "/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
        "/usr/share/egl/egl_external_platform.d/10_nvidia_wayland.json",
        "/usr/share/egl/egl_external_platform.d/15_nvidia_gbm.json",
        "/etc/vulkan/icd.d/nvidia_icd.json",
        "/usr/share/vulkan/icd.d/nvidia_icd.json",
        "/etc/vulkan/implicit_layer.d/nvidia_layers.json",
        "/usr/share/vulkan/implicit_layer.d/nvidia_layers.json",
    };
    for (const char* path : k_graphics_configs) {
        auto st = host.stat(path);
        if (!st || !S_ISREG(st->st_mode)) continue;
        if (auto real = host.resolve(path))
            out.files.push_back({*real, path, Capabilities{Cap::graphics, Cap::display}});
    }
}

}  // namespace

std::string parse_driver_version(std::string_view text) {
    std::string_view line = text.substr(0, text.find('\n'));
    auto at = line.find("Kernel Module");
    if (at == std::string_view::npos) return "";
    for (const auto& word : split(line.substr(at), ' ')) {
        if (word.find('.') != std::string::npos &&
            word.find_first_not_of("0123456789.") == std::string::npos)
            return word;
    }
    return "";
}

Result<NvidiaHost> discover_nvidia(const HostRoot& host) {
    NvidiaHost out;
    auto version = host.read(k_version_file);
    if (!version) {
        if (version.error().sys_errno == ENOENT) return out;
        return std::unexpected(version.error());
    }
    out.driver_version = parse_driver_version(*version);
    if (out.driver_version.empty())
        return fail("`" + std::string(k_version_file) + "`: no driver version in `" +
                    printable(version->substr(0, version->find('\n'))) + "`");
    out.driver_loaded = true;
    out.cuda_version = cuda_version_for_driver(out.driver_version).value_or("");
    out.gpus = TRY(read_gpus(host));

    if (auto devices = host.read("/proc/devices")) {
        out.uvm_major = char_major(*devices, "nvidia-uvm");
        out.caps_major = char_major(*devices, "nvidia-caps");
    }
    const std::tuple<const char*, int64_t, int64_t> nodes[] = {
        {"/dev/nvidiactl", k_nvidia_major, k_nvidiactl_minor},
        {"/dev/nvidia-uvm", out.uvm_major, 0},
        {"/dev/nvidia-uvm-tools", out.uvm_major, 1},
        {"/dev/nvidia-modeset", k_nvidia_major, k_modeset_minor},
    };
    for (const auto& [path, major, minor] : nodes) {
        auto d = device_node(host, path, major, minor);
        // nvidia-modeset only when its node exists (its module may not be loaded); the others
        // whenever their numbers are known, so a rootful container gets them even when the
        // host never created the node.
        if (d && (d->present || d->path != "/dev/nvidia-modeset"))
            out.control_devices.push_back(*d);
    }
    if (auto caps = host.list("/dev/nvidia-caps")) {
        std::sort(caps->begin(), caps->end());
        for (const auto& name : *caps) {
            auto d = device_node(host, "/dev/nvidia-caps/" + name, -1, -1);
            if (d && d->present) out.caps_devices.push_back(*d);
        }
    }
    read_libraries(host, out);
    read_binaries(host, out);
    read_fixed_files(host, out);
    return out;
}

}  // namespace ferry::gpu
