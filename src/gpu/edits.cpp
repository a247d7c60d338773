// Edits: finalizing host paths and device numbers, building the container's linker cache, and
// the confined file operations the runtime uses to apply them. Every lookup in a container
// rootfs is an openat2 with RESOLVE_IN_ROOT (and RESOLVE_NO_SYMLINKS where something is created),
// so neither a symlink planted in the image nor a race on one can redirect a mount or a link
// outside the container (CVE-2024-0132); nothing in the image is executed (no ldconfig).

#include "ferry/gpu/edits.hpp"

#include <elf.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

std::string dirname_of(std::string_view p) {
    auto slash = p.rfind('/');
    if (slash == std::string_view::npos) return ".";
    return slash == 0 ? "/" : std::string(p.substr(0, slash));
}

std::string basename_of(std::string_view p) {
    auto slash = p.rfind('/');
    return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

// Lexically normalizes an absolute path ("/a/./b/../c" → "/a/c").
std::string normalize(std::string_view p) {
    std::vector<std::string> parts;
    for (auto& c : split(p, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(c);
    }
    return "/" + join(parts, "/");
}

Result<void> finalize_node(oci::cdi::DeviceNode& n, const HostRoot& host) {
    std::string in_root = n.host_path.empty() ? n.path : n.host_path;
    bool need_stat = n.type.empty() || (n.type != "p" && (!n.major || !n.minor));
    if (need_stat) {
        auto st = host.stat(in_root);
        if (!st) return fail("device `" + in_root + "`: " + st.error().message);
        if (S_ISCHR(st->st_mode))
            n.type = "c";
        else if (S_ISBLK(st->st_mode))
            n.type = "b";
        else if (S_ISFIFO(st->st_mode))
            n.type = "p";
        else
            return fail("device `" + in_root + "`: not a device node");
        if (!n.major) n.major = static_cast<int64_t>(::major(st->st_rdev));
        if (!n.minor) n.minor = static_cast<int64_t>(::minor(st->st_rdev));
        if (!n.file_mode) n.file_mode = st->st_mode & 07777;
    }
    n.host_path = host.host_path(in_root);
    return {};
}

// The ld.so.cache flags of the ELF shared library at path; 0 when it is not one that runs here.
int32_t elf_library_flags(const std::string& path) {
    auto fd = fs::open(path, O_RDONLY);
    if (!fd) return 0;
    unsigned char h[20];
    if (!fs::pread_exact(fd->get(), h, sizeof h, 0)) return 0;
    if (h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F' || h[5] != ELFDATA2LSB) return 0;
    uint16_t type = static_cast<uint16_t>(h[16] | h[17] << 8);
    uint16_t machine = static_cast<uint16_t>(h[18] | h[19] << 8);
    if (type != ET_DYN) return 0;
    int32_t flags = 0;
    if (h[4] == ELFCLASS64 && machine == EM_X86_64)
        flags = k_ld_flag_elf_libc6 | k_ld_flag_x8664_lib64;
    else if (h[4] == ELFCLASS64 && machine == EM_AARCH64)
        flags = k_ld_flag_elf_libc6 | k_ld_flag_aarch64_lib64;
    else if (h[4] == ELFCLASS32 && machine == EM_386)
        flags = k_ld_flag_elf_libc6;
    if (flags != native_ld_flags() && flags != compat32_ld_flags()) return 0;
    return flags;
}

// Reads size bytes at offset of fd (at most 1 MiB); "" on failure.
std::string read_at(int fd, uint64_t offset, uint64_t size) {
    if (size == 0 || size > (1u << 20)) return "";
    std::string buf(size, '\0');
    if (!fs::pread_exact(fd, buf.data(), buf.size(), offset)) return "";
    return buf;
}

template <class T>
T load(const std::string& b, size_t off) {
    T v{};
    if (off + sizeof v <= b.size()) std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

bool looks_like_library(std::string_view name) {
    return name.starts_with("lib") &&
           (name.ends_with(".so") || name.find(".so.") != std::string_view::npos);
}

std::vector<LdCacheEntry> injected_entries(const Edits& e) {
    std::vector<LdCacheEntry> out;
    for (const auto& m : e.cdi.mounts) {
        if (!looks_like_library(basename_of(m.container_path))) continue;
        int32_t flags = elf_library_flags(m.host_path);
        if (!flags) continue;
        std::vector<std::string> names;
        for (const auto& link : e.symlinks) {
            std::string to = link.target.starts_with("/")
                                 ? normalize(link.target)
                                 : normalize(dirname_of(link.path) + "/" + link.target);
            if (to == normalize(m.container_path)) names.push_back(basename_of(link.path));
        }
        // No link names it (a CDI spec that relies on hooks or ldconfig): its soname, as
        // ldconfig would register it.
        if (names.empty())
            if (std::string soname = elf_soname(m.host_path); !soname.empty())
                names.push_back(std::move(soname));
        if (names.empty()) names.push_back(basename_of(m.container_path));
        for (auto& name : names)
            out.push_back({std::move(name), m.container_path, flags, 0});
    }
    return out;
}

// Reads and parses the image's cache into owned entries; empty when absent or unreadable.
void image_cache(const RootfsView& rootfs, std::vector<LdCacheEntry>& entries,
                 std::vector<std::string>& hwcaps) {
    auto fd = rootfs.open_file("/etc/ld.so.cache");
    if (!fd || !*fd) return;
    auto data = fs::read_all((*fd)->get(), 64u << 20);
    if (!data) return;
    auto view = parse_ld_cache(*data);
    if (!view) {
        log::warn("ignoring the image's /etc/ld.so.cache: " + view.error().message);
        return;
    }
    for (const auto& r : view->entries)
        entries.push_back({std::string(r.name), std::string(r.path), r.flags, r.hwcap});
    for (auto h : view->hwcaps)
        hwcaps.emplace_back(h);
}

Result<Fd> open_dir_creating(int rootfs_fd, const std::string& path) {
    for (int attempt = 0;; ++attempt) {
        auto fd = fs::open_in_root(rootfs_fd, path, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);
        if (fd || fd.error().sys_errno != ENOENT || attempt > 0) return fd;
        if (path == "/") return fd;
        Fd parent = TRY(open_dir_creating(rootfs_fd, dirname_of(path)));
        if (::mkdirat(parent.get(), basename_of(path).c_str(), 0755) != 0 && errno != EEXIST)
            return fail_errno("mkdir `" + path + "`");
    }
}

}  // namespace

std::string elf_soname(const std::string& path) {
    auto fd = fs::open(path, O_RDONLY);
    if (!fd) return "";
    std::string eh = read_at(fd->get(), 0, sizeof(Elf64_Ehdr));
    if (eh.size() != sizeof(Elf64_Ehdr) || eh.compare(0, 4, ELFMAG) != 0 ||
        eh[EI_CLASS] != ELFCLASS64 || eh[EI_DATA] != ELFDATA2LSB)
        return "";
    auto shoff = load<uint64_t>(eh, offsetof(Elf64_Ehdr, e_shoff));
    auto shnum = load<uint16_t>(eh, offsetof(Elf64_Ehdr, e_shnum));
    if (load<uint16_t>(eh, offsetof(Elf64_Ehdr, e_shentsize)) != sizeof(Elf64_Shdr)) return "";
    std::string sh = read_at(fd->get(), shoff, uint64_t{shnum} * sizeof(Elf64_Shdr));
    auto field = [&](size_t i, size_t off) { return i * sizeof(Elf64_Shdr) + off; };
    for (size_t i = 0; i < shnum && !sh.empty(); ++i) {
        if (load<uint32_t>(sh, field(i, offsetof(Elf64_Shdr, sh_type))) != SHT_DYNAMIC) continue;
        auto link = load<uint32_t>(sh, field(i, offsetof(Elf64_Shdr, sh_link)));
        if (link >= shnum) return "";
        std::string dyn =
            read_at(fd->get(), load<uint64_t>(sh, field(i, offsetof(Elf64_Shdr, sh_offset))),
                    load<uint64_t>(sh, field(i, offsetof(Elf64_Shdr, sh_size))));
        for (size_t d = 0; d + sizeof(Elf64_Dyn) <= dyn.size(); d += sizeof(Elf64_Dyn)) {
            auto tag = load<int64_t>(dyn, d + offsetof(Elf64_Dyn, d_tag));
            if (tag == DT_NULL) break;
            if (tag != DT_SONAME) continue;
            auto at = load<uint64_t>(dyn, d + offsetof(Elf64_Dyn, d_un));
            auto str_size = load<uint64_t>(sh, field(link, offsetof(Elf64_Shdr, sh_size)));
            if (at >= str_size) return "";
            std::string name = read_at(
                fd->get(), load<uint64_t>(sh, field(link, offsetof(Elf64_Shdr, sh_offset))) + at,
                std::min<uint64_t>(str_size - at, 4096));
            return name.substr(0, name.find('\0'));
        }
        return "";
    }
    return "";
}

bool Edits::empty() const {
    return cdi.empty() && symlinks.empty() && ld_overrides.empty() && !ld_cache;
}

void Edits::append(const Edits& o) {
    cdi.append(o.cdi);
    symlinks.insert(symlinks.end(), o.symlinks.begin(), o.symlinks.end());
    device_rules.insert(device_rules.end(), o.device_rules.begin(), o.device_rules.end());
    ld_overrides.insert(ld_overrides.end(), o.ld_overrides.begin(), o.ld_overrides.end());
    if (o.ld_cache) ld_cache = o.ld_cache;
}

// Keeps the first of the elements that have the same key (the same device node, mount target or
// link asked for twice, e.g. by --gpus and by a CDI device).
template <class T, class Key>
void dedupe(std::vector<T>& v, Key key) {
    std::vector<T> out;
    for (auto& x : v)
        if (std::none_of(out.begin(), out.end(), [&](const T& y) { return key(y) == key(x); }))
            out.push_back(std::move(x));
    v = std::move(out);
}

Result<void> finalize_edits(Edits& e, const HostRoot& host) {
    dedupe(e.cdi.device_nodes, [](const oci::cdi::DeviceNode& n) { return n.path; });
    dedupe(e.cdi.mounts, [](const oci::cdi::Mount& m) { return m.container_path; });
    dedupe(e.symlinks, [](const Symlink& l) { return l.path; });
    for (auto& n : e.cdi.device_nodes) {
        TRY(finalize_node(n, host));
        if (n.type != "c" && n.type != "b") continue;
        DeviceRule rule{n.type[0], *n.major, *n.minor,
                        n.permissions.empty() ? "rwm" : n.permissions};
        if (std::find(e.device_rules.begin(), e.device_rules.end(), rule) == e.device_rules.end())
            e.device_rules.push_back(rule);
    }
    for (auto& m : e.cdi.mounts) {
        auto real = host.resolve(m.host_path);
        if (!real) return fail("mount source `" + m.host_path + "`: " + real.error().message);
        m.host_path = host.host_path(*real);
    }
    for (auto& h : e.cdi.hooks)
        h.path = host.host_path(h.path);
    return {};
}

Result<void> container_ld_cache(Edits& e, const RootfsView& rootfs) {
    std::vector<LdCacheEntry> injected = injected_entries(e);
    for (const auto& o : e.ld_overrides) {
        std::erase_if(injected, [&](const LdCacheEntry& x) {
            return x.name == o.name && x.flags == o.flags;
        });
        injected.push_back(o);
    }
    if (injected.empty()) return {};
    std::vector<LdCacheEntry> entries;
    std::vector<std::string> hwcaps;
    image_cache(rootfs, entries, hwcaps);
    std::erase_if(entries, [&](const LdCacheEntry& x) {
        return std::any_of(injected.begin(), injected.end(), [&](const LdCacheEntry& y) {
            return x.name == y.name && x.flags == y.flags;
        });
    });
    entries.insert(entries.end(), injected.begin(), injected.end());
    e.ld_cache = write_ld_cache(std::move(entries), hwcaps);
    return {};
}

Result<std::string> canonical_container_path(const RootfsView& rootfs, std::string_view path) {
    if (path.empty() || path[0] != '/')
        return fail("container path `" + std::string(path) + "` is not absolute");
    std::string last = basename_of(path);
    std::string parent = normalize(dirname_of(path));
    std::string rest;
    for (;;) {
        auto dir = rootfs.directory(parent);
        if (!dir) return fail("container path `" + std::string(path) + "`: " + dir.error().message);
        if (*dir) {
            std::string base = **dir == "/" ? "" : **dir;
            return base + rest + "/" + last;
        }
        if (parent == "/") return fail("container path `" + std::string(path) + "`: no root");
        rest = "/" + basename_of(parent) + rest;
        parent = dirname_of(parent);
    }
}

Result<Fd> open_mount_target(int rootfs_fd, std::string_view path, TargetKind kind) {
    const std::string ctx = "mount target `" + std::string(path) + "`";
    std::string p = normalize(path);
    if (kind == TargetKind::directory) return TRY_CTX(ctx, open_dir_creating(rootfs_fd, p));
    auto fd = fs::open_in_root(rootfs_fd, p, O_PATH, 0, RESOLVE_NO_SYMLINKS);
    if (fd) return std::move(*fd);
    if (fd.error().sys_errno != ENOENT) return std::unexpected(std::move(fd.error()).prefix(ctx));
    Fd parent = TRY_CTX(ctx, open_dir_creating(rootfs_fd, dirname_of(p)));
    int created = ::openat(parent.get(), basename_of(p).c_str(),
                           O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (created < 0 && errno != EEXIST) return fail_errno(ctx + ": create");
    if (created >= 0) ::close(created);
    return TRY_CTX(ctx, fs::open_in_root(rootfs_fd, p, O_PATH, 0, RESOLVE_NO_SYMLINKS));
}

Result<void> make_symlink_in_root(int rootfs_fd, std::string_view path, std::string_view target) {
    const std::string ctx = "symlink `" + std::string(path) + "`";
    std::string p = normalize(path);
    Fd parent = TRY_CTX(ctx, open_dir_creating(rootfs_fd, dirname_of(p)));
    std::string name = basename_of(p);
    struct stat st {};
    if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) return fail(ctx + ": a directory is in the way");
        if (::unlinkat(parent.get(), name.c_str(), 0) != 0) return fail_errno(ctx + ": unlink");
    }
    if (::symlinkat(std::string(target).c_str(), parent.get(), name.c_str()) != 0)
        return fail_errno(ctx + ": create");
    return {};
}

}  // namespace ferry::gpu
