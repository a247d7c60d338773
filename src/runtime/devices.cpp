// Device nodes. Every path is resolved below rootfd with RESOLVE_IN_ROOT (the parent directory)
// and the node is made relative to that parent, so a symlinked /dev in the image cannot place a
// node elsewhere. In bind mode the host's node is cloned with open_tree and moved onto an empty
// file created in its place.

#include "ferry/runtime/devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ferry/runtime/mounts.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

std::vector<oci::Device> default_devices() {
    auto dev = [](const char* path, int64_t major, int64_t minor) {
        return oci::Device{path, "c", major, minor, 0666, 0, 0};
    };
    return {dev("/dev/null", 1, 3),   dev("/dev/zero", 1, 5),    dev("/dev/full", 1, 7),
            dev("/dev/random", 1, 8), dev("/dev/urandom", 1, 9), dev("/dev/tty", 5, 0)};
}

std::vector<oci::DeviceRule> docker_default_device_rules() {
    auto allow = [](const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                    const char* access) {
        return oci::DeviceRule{true, type, major, minor, access};
    };
    return {
        oci::DeviceRule{false, "", std::nullopt, std::nullopt, "rwm"},
        allow("c", std::nullopt, std::nullopt, "m"),
        allow("b", std::nullopt, std::nullopt, "m"),
        allow("c", 1, 3, "rwm"),
        allow("c", 1, 5, "rwm"),
        allow("c", 1, 7, "rwm"),
        allow("c", 1, 8, "rwm"),
        allow("c", 1, 9, "rwm"),
        allow("c", 5, 0, "rwm"),
        allow("c", 5, 1, "rwm"),
        allow("c", 5, 2, "rwm"),
        allow("c", 136, std::nullopt, "rwm"),
        allow("c", 10, 200, "rwm"),
    };
}

namespace {

Result<void> make_node(int parent, const std::string& base, const oci::Device& d) {
    mode_t type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
    if (d.type != "b" && d.type != "c" && d.type != "u" && d.type != "p")
        return fail("invalid device type `" + d.type + "`");
    mode_t mode = (d.file_mode.value_or(0666) & 07777) | type;
    ::unlinkat(parent, base.c_str(), 0);  // a stale node or file from the image
    dev_t dev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
    if (::mknodat(parent, base.c_str(), mode, type == S_IFIFO ? 0 : dev) != 0)
        return fail_errno("mknod");
    if (::fchownat(parent, base.c_str(), d.uid.value_or(0), d.gid.value_or(0),
                   AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno("chown");
    return {};
}

Result<void> bind_node(int rootfd, const oci::Device& d) {
    Fd source = TRY(clone_mount(AT_FDCWD, d.path, false));
    Fd target = TRY(ensure_target(rootfd, d.path, TargetKind::file));
    return attach_mount(source.get(), target.get());
}

}  // namespace

Result<void> create_device(int rootfd, const oci::Device& device, DeviceMode mode) {
    std::string path = clean_path(device.path);
    if (path.size() < 2 || path.front() != '/')
        return fail("create device `" + device.path + "`: not an absolute path");
    Result<void> r;
    if (mode == DeviceMode::bind) {
        r = bind_node(rootfd, device);
    } else {
        size_t slash = path.rfind('/');
        auto parent =
            ensure_target(rootfd, slash == 0 ? "/" : path.substr(0, slash), TargetKind::directory);
        if (!parent)
            return std::unexpected(
                std::move(parent.error()).prefix("create device `" + path + "`"));
        // O_PATH descriptors serve as the directory of *at calls.
        r = make_node(parent->get(), path.substr(slash + 1), device);
    }
    if (!r) return std::unexpected(std::move(r.error()).prefix("create device `" + path + "`"));
    return {};
}

Result<void> populate_dev(int rootfd, DeviceMode mode) {
    for (const auto& d : default_devices())
        TRY(create_device(rootfd, d, mode));
    Fd dev = TRY(fs::open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY));
    static constexpr std::pair<const char*, const char*> k_links[] = {
        {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},      {"ptmx", "pts/ptmx"},
    };
    for (const auto& [name, target] : k_links) {
        if (::symlinkat(target, dev.get(), name) != 0 && errno != EEXIST)
            return fail_errno(std::string("create symlink `/dev/") + name + "`");
    }
    return {};
}

}  // namespace ferry::runtime
