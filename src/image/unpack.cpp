// LayerUnpacker turns each tar entry into a file below the layer directory, confined to it:
// names are normalised lexically (a `..` above the root is refused), every parent directory is
// opened with openat2 RESOLVE_IN_ROOT (layer_dir.cpp), and the last component is created
// relative to that descriptor with O_EXCL / mkdirat / symlinkat / linkat / mknodat, which never
// follow a symlink there. An existing entry is replaced as tar does (a directory over a
// directory only updates its metadata); before a file written by this layer disappears, its
// content goes to the record's side area so the tar can still be regenerated.
//
// Metadata order matters: data, then owner (chown clears set-id bits and capabilities), then
// mode, then xattrs, then times. Directory modes and times are applied at finish(), after their
// contents were created; the list is kept compactly in memory and spilled to an unnamed file
// past 4 MiB, so memory stays bounded whatever the layer. With ZeroBlocks::skip (commit) a
// file is sized first and its aligned all-zero 4 KiB blocks are not written, so a sparse file of
// the container stays sparse in the layer; the record still regenerates the zeros.

#include "ferry/image/unpack.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "ferry/image/file_copy.hpp"
#include "ferry/image/layer_dir.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/tar_split.hpp"
#include "ferry/image/tar_split_format.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr std::string_view k_whiteout = ".wh.";
constexpr std::string_view k_whiteout_meta = ".wh..wh.";
constexpr std::string_view k_opaque = ".wh..wh..opq";
constexpr size_t k_deferred_spill = size_t{4} << 20;
constexpr size_t k_hole_block = 4096;

// The ids the calling process's user namespace maps, from /proc/self/<file> (uid_map or
// gid_map): `0-65536`, adjacent ranges merged, others joined by commas; `?` when unreadable.
std::string mapped_ids(const char* file) {
    auto text = fs::read_file(std::string("/proc/self/") + file, 1 << 16);
    if (!text) return "?";
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [first, last]
    for (const auto& line : ferry::split(*text, '\n')) {
        std::vector<uint64_t> v;
        for (const auto& word : ferry::split(line, ' '))
            if (auto n = parse_u64(word)) v.push_back(*n);
        if (v.size() == 3 && v[2] > 0) ranges.emplace_back(v[0], v[0] + v[2] - 1);
    }
    std::sort(ranges.begin(), ranges.end());
    std::string out;
    for (size_t i = 0; i < ranges.size(); ++i) {
        uint64_t first = ranges[i].first, last = ranges[i].second;
        while (i + 1 < ranges.size() && ranges[i + 1].first == last + 1)
            last = ranges[++i].second;
        out += (out.empty() ? "" : ",") + std::to_string(first) + "-" + std::to_string(last);
    }
    return out.empty() ? "none" : out;
}

bool all_zero(const uint8_t* p, size_t n) {
    static const uint8_t k_zero_block[k_hole_block] = {};
    return p[0] == 0 && std::memcmp(p, k_zero_block, n) == 0;
}

// Writes bytes at offset of a file already sized to its end, leaving every aligned all-zero
// k_hole_block block unwritten (a hole); the runs between them are written in one call each.
Result<void> write_keeping_holes(int fd, std::span<const uint8_t> bytes, uint64_t offset) {
    size_t run = 0, i = 0;  // the pending data run is bytes[run, i)
    while (i < bytes.size()) {
        uint64_t pos = offset + i;
        size_t n = std::min<size_t>(bytes.size() - i, k_hole_block - pos % k_hole_block);
        if (n == k_hole_block && all_zero(bytes.data() + i, n)) {
            if (i > run) TRY(pwrite_all(fd, bytes.data() + run, i - run, offset + run));
            run = i + n;
        }
        i += n;
    }
    if (i > run) TRY(pwrite_all(fd, bytes.data() + run, i - run, offset + run));
    return {};
}

bool typeflag_supported(char t) {
    return t == '0' || t == '\0' || t == '7' || t == 'S' || (t >= '1' && t <= '6') || t == 'D';
}

// dir + "/" + name (just name when dir is the root), into out (its allocation reused).
void join_into(std::string& out, std::string_view dir, std::string_view name) {
    out.clear();
    if (!dir.empty()) out.append(dir).push_back('/');
    out.append(name);
}

std::string join(std::string_view dir, std::string_view name) {
    std::string out;
    join_into(out, dir, name);
    return out;
}

// Splits "a/b/c" into "a/b" and "c".
std::pair<std::string_view, std::string_view> split_last(std::string_view path) {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {{}, path};
    return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string proc_path(int dirfd, std::string_view name) {
    return "/proc/self/fd/" + std::to_string(dirfd) + "/" + std::string(name);
}

}  // namespace

bool normalise_path(std::string_view in, std::string& out) {
    out.clear();
    size_t i = 0;
    while (i <= in.size()) {
        size_t j = in.find('/', i);
        if (j == std::string_view::npos) j = in.size();
        std::string_view comp = in.substr(i, j - i);
        i = j + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") {
            if (out.empty()) return false;
            size_t cut = out.rfind('/');
            out.resize(cut == std::string::npos ? 0 : cut);
            continue;
        }
        if (!out.empty()) out.push_back('/');
        out.append(comp);
    }
    return true;
}

struct LayerUnpacker::Impl {
    Impl(UnpackOptions o, LayerDir d, TarSplitWriter w)
        : opt(o), dirs(std::move(d)), record(std::move(w)) {}

    enum class Data { raw, file };

    UnpackOptions opt;
    LayerDir dirs;
    TarSplitWriter record;
    UnpackStats stats;
    const TarEntry* entry = nullptr;
    std::string path, link;
    std::string cur_name, cur_real;  // the entry's last component, and its real path
    Data data = Data::raw;
    Fd file;
    size_t extent = 0;
    uint64_t extent_done = 0;
    uint64_t file_pos = 0;  // next offset of a file written with holes kept
    std::vector<uint8_t> deferred;
    Fd deferred_spool;
    uint64_t spool_size = 0;
    std::set<std::string> skipped;  // device nodes not created (DeviceNodes::skip)

    int root() const { return dirs.root(); }
    // Sets cur_name and cur_real for base in directory d.
    void locate(LayerDir::Dir d, std::string_view base) {
        cur_name.assign(base);
        join_into(cur_real, d.real, base);
    }
    Result<void> begin(const TarEntry& e);
    Result<void> whiteout(std::string_view dir, std::string_view base);
    Result<void> regular(const TarEntry& e, LayerDir::Dir d, std::string_view base);
    Result<void> directory(const TarEntry& e, LayerDir::Dir d, std::string_view base);
    Result<void> symlink(const TarEntry& e, LayerDir::Dir d, std::string_view base);
    Result<void> hardlink(const TarEntry& e, std::string_view dir, std::string_view base);
    Result<void> node(const TarEntry& e, LayerDir::Dir d, std::string_view base, mode_t type);
    Result<void> skip_device(LayerDir::Dir d, std::string_view base);
    Result<void> replace(int dirfd, std::string_view name, const std::string& real);
    Result<void> remove_tree(int dirfd, std::string_view name, const std::string& real);
    Result<void> write_data(std::span<const uint8_t> bytes);
    Result<void> set_owner(const TarEntry& e, int fd, int dirfd, const char* name);
    Result<void> set_xattrs(const TarEntry& e, int fd, int dirfd, const char* name);
    Result<void> set_times(const TarEntry& e, int fd, int dirfd, const char* name);
    Result<void> finish_file();
    Result<void> defer_directory(std::string_view real, const TarEntry& e);
    Result<void> apply_deferred(std::span<const uint8_t> bytes);
    Result<void> apply_all_deferred();
};

LayerUnpacker::LayerUnpacker(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
LayerUnpacker::~LayerUnpacker() = default;

Result<std::unique_ptr<LayerUnpacker>> LayerUnpacker::create(int diff_dir, int record_fd,
                                                             UnpackOptions options) {
    auto dirs = TRY(LayerDir::open(diff_dir));
    auto writer = TRY(TarSplitWriter::create(record_fd, diff_dir));
    auto impl = std::make_unique<Impl>(options, std::move(dirs), std::move(writer));
    return std::unique_ptr<LayerUnpacker>(new LayerUnpacker(std::move(impl)));
}

Result<void> LayerUnpacker::on_raw(std::span<const uint8_t> bytes) {
    return m_impl->record.add_raw(bytes);
}

Result<void> LayerUnpacker::on_entry(const TarEntry& entry) {
    Impl& m = *m_impl;
    ++m.stats.entries;
    m.entry = &entry;
    m.data = Impl::Data::raw;
    TRY_CTX("entry `" + printable(entry.path) + "`", m.begin(entry));
    return {};
}

Result<void> LayerUnpacker::on_data(std::span<const uint8_t> bytes) {
    Impl& m = *m_impl;
    if (m.data == Impl::Data::raw) return m.record.add_raw(bytes);
    TRY_CTX("entry `" + printable(m.entry->path) + "`", m.write_data(bytes));
    return {};
}

Result<void> LayerUnpacker::on_entry_end() {
    Impl& m = *m_impl;
    if (!m.file) return {};
    TRY_CTX("entry `" + printable(m.entry->path) + "`", m.finish_file());
    return {};
}

Result<UnpackStats> LayerUnpacker::finish() {
    Impl& m = *m_impl;
    TRY(m.apply_all_deferred());
    auto info = TRY(m.record.finish());
    m.stats.tar_size = info.tar_size;
    return m.stats;
}

Result<void> LayerUnpacker::Impl::begin(const TarEntry& e) {
    dirs.begin_entry();
    if (e.path.find('\0') != std::string::npos) return fail("invalid name");
    if (!normalise_path(e.path, path)) return fail("path escapes the layer");
    if (!typeflag_supported(e.typeflag))
        return fail("unsupported entry type `" + printable(std::string(1, e.typeflag)) + "`");
    auto [dir, base] = split_last(path);
    if (base.starts_with(k_whiteout)) return whiteout(dir, base);
    if (path.empty()) {
        if (e.type == EntryType::directory) return {};  // the layer root keeps its own metadata
        return fail("invalid name");
    }
    if (e.type == EntryType::hardlink) return hardlink(e, dir, base);
    auto d = TRY(dirs.dir(dir, LayerDir::Missing::create));
    switch (e.type) {
        case EntryType::regular:
            return regular(e, d, base);
        case EntryType::directory:
            return directory(e, d, base);
        case EntryType::symlink:
            return symlink(e, d, base);
        case EntryType::char_device:
        case EntryType::block_device:
            if (opt.devices == DeviceNodes::refuse)
                return fail("device nodes need root (rootless store)");
            if (opt.devices == DeviceNodes::skip) return skip_device(d, base);
            return node(e, d, base, e.type == EntryType::char_device ? S_IFCHR : S_IFBLK);
        case EntryType::fifo:
            return node(e, d, base, S_IFIFO);
        case EntryType::hardlink:
            break;
    }
    return {};
}

Result<void> LayerUnpacker::Impl::whiteout(std::string_view dir, std::string_view base) {
    if (base == k_opaque) {
        auto d = TRY(dirs.dir(dir, LayerDir::Missing::create));
        int fd = ::openat(d.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail_errno("open directory");
        Fd owned(fd);
        const char* xattr = opt.whiteout_xattr == WhiteoutXattr::trusted ? "trusted.overlay.opaque"
                                                                         : "user.overlay.opaque";
        if (::fsetxattr(fd, xattr, "y", 1, 0) != 0)
            return fail_errno(std::string("set `") + xattr + "`");
        return {};
    }
    if (base.starts_with(k_whiteout_meta)) return {};  // aufs metadata (.wh..wh.plnk): skipped
    std::string_view target = base.substr(k_whiteout.size());
    if (target.empty() || target == "." || target == "..") return fail("invalid whiteout name");
    auto d = TRY(dirs.dir(dir, LayerDir::Missing::create));
    locate(d, target);
    for (int attempt = 0;; ++attempt) {
        if (::mknodat(d.fd, cur_name.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0) return {};
        if (errno != EEXIST || attempt > 0) return fail_errno("create whiteout");
        TRY(replace(d.fd, cur_name, cur_real));
    }
}

Result<void> LayerUnpacker::Impl::regular(const TarEntry& e, LayerDir::Dir d,
                                          std::string_view base) {
    locate(d, base);
    int fd;
    for (int attempt = 0;; ++attempt) {
        fd = ::openat(d.fd, cur_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600);
        if (fd >= 0) break;
        if (errno != EEXIST || attempt > 0) return fail_errno("create file");
        TRY(replace(d.fd, cur_name, cur_real));
    }
    file.reset(fd);
    bool sparse = !e.sparse.empty() || e.real_size != e.size;
    bool holes = opt.zero_blocks == ZeroBlocks::skip && e.size >= k_hole_block;
    if ((sparse || holes) && ::ftruncate(fd, static_cast<off_t>(e.real_size)) != 0)
        return fail_errno("set size");
    file_pos = 0;
    stats.content_size += e.real_size;
    if (e.size > 0) {
        TRY(record.add_payload(cur_real, e.size, e.sparse));
        data = Data::file;
        extent = 0;
        extent_done = 0;
    }
    return {};
}

Result<void> LayerUnpacker::Impl::write_data(std::span<const uint8_t> bytes) {
    const auto& sparse = entry->sparse;
    if (sparse.empty() && opt.zero_blocks == ZeroBlocks::skip && entry->size >= k_hole_block) {
        TRY(write_keeping_holes(file.get(), bytes, file_pos));
        file_pos += bytes.size();
        return {};
    }
    if (sparse.empty()) {
        return fs::write_all(file.get(),
                             {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    }
    while (!bytes.empty()) {
        while (extent < sparse.size() && extent_done == sparse[extent].length) {
            ++extent;
            extent_done = 0;
        }
        if (extent == sparse.size()) return fail("data beyond the sparse map");
        const auto& ext = sparse[extent];
        size_t n = static_cast<size_t>(std::min<uint64_t>(bytes.size(), ext.length - extent_done));
        TRY(pwrite_all(file.get(), bytes.data(), n, ext.offset + extent_done));
        extent_done += n;
        bytes = bytes.subspan(n);
    }
    return {};
}

Result<void> LayerUnpacker::Impl::finish_file() {
    Fd fd = std::move(file);
    const TarEntry& e = *entry;
    // Hand a large file's pages to the disk now, not waited for (as FdSink does): the syncfs
    // before the layer's rename then finds them written instead of flushing the whole layer.
    constexpr uint64_t k_writeback_from = 1u << 20;
    if (e.size >= k_writeback_from) (void)::sync_file_range(fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
    TRY(set_owner(e, fd.get(), -1, nullptr));
    if (::fchmod(fd.get(), e.mode) != 0) return fail_errno("set mode");
    TRY(set_xattrs(e, fd.get(), -1, nullptr));
    return set_times(e, fd.get(), -1, nullptr);
}

Result<void> LayerUnpacker::Impl::directory(const TarEntry& e, LayerDir::Dir d,
                                            std::string_view base) {
    locate(d, base);
    if (::mkdirat(d.fd, cur_name.c_str(), 0700) != 0) {
        if (errno != EEXIST) return fail_errno("create directory");
        struct stat st {};
        if (::fstatat(d.fd, cur_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_errno("create directory");
        if (!S_ISDIR(st.st_mode)) {
            TRY(replace(d.fd, cur_name, cur_real));
            if (::mkdirat(d.fd, cur_name.c_str(), 0700) != 0) return fail_errno("create directory");
        }
    }
    int fd = ::openat(d.fd, cur_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("open directory");
    Fd owned(fd);
    TRY(set_owner(e, fd, -1, nullptr));
    TRY(set_xattrs(e, fd, -1, nullptr));
    return defer_directory(cur_real, e);
}

Result<void> LayerUnpacker::Impl::symlink(const TarEntry& e, LayerDir::Dir d,
                                          std::string_view base) {
    if (e.linkpath.find('\0') != std::string::npos) return fail("invalid symlink target");
    locate(d, base);
    for (int attempt = 0;; ++attempt) {
        if (::symlinkat(e.linkpath.c_str(), d.fd, cur_name.c_str()) == 0) break;
        if (errno != EEXIST || attempt > 0) return fail_errno("create symlink");
        TRY(replace(d.fd, cur_name, cur_real));
    }
    stats.content_size += e.linkpath.size();
    TRY(set_owner(e, -1, d.fd, cur_name.c_str()));
    TRY(set_xattrs(e, -1, d.fd, cur_name.c_str()));
    return set_times(e, -1, d.fd, cur_name.c_str());
}

// A skipped device node: nothing is made, and what an earlier entry of the layer wrote there
// goes, as the node would have replaced it.
Result<void> LayerUnpacker::Impl::skip_device(LayerDir::Dir d, std::string_view base) {
    locate(d, base);
    TRY(replace(d.fd, cur_name, cur_real));
    skipped.insert(path);
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
        log::warn("device nodes in the image are not created (`" + printable(path) +
                  "` and any other): a rootless user cannot make them");
    return {};
}

Result<void> LayerUnpacker::Impl::hardlink(const TarEntry& e, std::string_view dir,
                                           std::string_view base) {
    std::string shown = printable(e.linkpath);
    if (e.linkpath.find('\0') != std::string::npos || !normalise_path(e.linkpath, link))
        return fail("hard link to `" + shown + "` escapes the layer");
    if (skipped.contains(link)) {  // a link to a skipped device node is skipped too
        skipped.insert(path);
        return {};
    }
    auto [tdir, tbase] = split_last(link);
    auto target = dirs.dir(tdir, LayerDir::Missing::fail);
    if (!target) {
        int err = target.error().sys_errno;
        if (err == ENOENT || err == ENOTDIR)
            return fail("hard link target `" + shown + "` does not exist");
        return std::unexpected(std::move(target.error()));
    }
    int tfd = target->fd;
    std::string tname(tbase);
    auto d = TRY(dirs.dir(dir, LayerDir::Missing::create));
    locate(d, base);
    for (int attempt = 0;; ++attempt) {
        if (::linkat(tfd, tname.c_str(), d.fd, cur_name.c_str(), 0) == 0) return {};
        if (errno == ENOENT) return fail("hard link target `" + shown + "` does not exist");
        if (errno != EEXIST || attempt > 0) return fail_errno("create hard link");
        struct stat a {
        }, b{};
        if (::fstatat(tfd, tname.c_str(), &a, AT_SYMLINK_NOFOLLOW) == 0 &&
            ::fstatat(d.fd, cur_name.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            return {};  // already that file
        TRY(replace(d.fd, cur_name, cur_real));
    }
}

Result<void> LayerUnpacker::Impl::node(const TarEntry& e, LayerDir::Dir d, std::string_view base,
                                       mode_t type) {
    locate(d, base);
    dev_t dev = type == S_IFIFO ? 0 : makedev(e.dev_major, e.dev_minor);
    for (int attempt = 0;; ++attempt) {
        if (::mknodat(d.fd, cur_name.c_str(), type | 0600, dev) == 0) break;
        if (errno != EEXIST || attempt > 0)
            return fail_errno(type == S_IFIFO ? "create fifo" : "create device node");
        TRY(replace(d.fd, cur_name, cur_real));
    }
    TRY(set_owner(e, -1, d.fd, cur_name.c_str()));
    if (::fchmodat(d.fd, cur_name.c_str(), e.mode, 0) != 0) return fail_errno("set mode");
    TRY(set_xattrs(e, -1, d.fd, cur_name.c_str()));
    return set_times(e, -1, d.fd, cur_name.c_str());
}

Result<void> LayerUnpacker::Impl::replace(int dirfd, std::string_view name,
                                          const std::string& real) {
    std::string n(name);
    struct stat st {};
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return {};
        return fail_errno("replace `" + real + "`");
    }
    if (S_ISDIR(st.st_mode)) {
        dirs.mark_stale();
        return remove_tree(dirfd, n, real);
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        int fd = ::openat(dirfd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return fail_errno("replace `" + real + "`");
        Fd owned(fd);
        TRY(record.add_replaced(real, fd, static_cast<uint64_t>(st.st_size)));
    }
    if (S_ISLNK(st.st_mode)) dirs.mark_stale();
    if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && st.st_nlink == 1)
        stats.content_size -=
            std::min<uint64_t>(stats.content_size, static_cast<uint64_t>(st.st_size));
    if (::unlinkat(dirfd, n.c_str(), 0) != 0) return fail_errno("replace `" + real + "`");
    return {};
}

Result<void> LayerUnpacker::Impl::remove_tree(int dirfd, std::string_view name,
                                              const std::string& real) {
    std::string n(name);
    int fd = ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("replace `" + real + "`");
    Fd owned(fd);
    auto children = TRY(fs::list_dir_fd(fd));
    for (const auto& child : children)
        TRY(replace(fd, child, join(real, child)));
    if (::unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0)
        return fail_errno("replace `" + real + "`");
    return {};
}

Result<void> LayerUnpacker::Impl::set_owner(const TarEntry& e, int fd, int dirfd,
                                            const char* name) {
    bool best_effort = opt.ownership == OwnershipMode::best_effort;
    constexpr uint64_t k_max_id = 0xfffffffe;
    std::string owner = std::to_string(e.uid) + ":" + std::to_string(e.gid);
    if (e.uid > k_max_id || e.gid > k_max_id) {
        if (best_effort) return {};
        return fail("owner " + owner + " out of range");
    }
    auto uid = static_cast<uid_t>(e.uid);
    auto gid = static_cast<gid_t>(e.gid);
    int r =
        fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r == 0 || (best_effort && (errno == EPERM || errno == EINVAL))) return {};
    if (errno != EINVAL) return fail_errno("set owner");
    // An id the user namespace does not map (podman's words).
    std::string available = "uids " + mapped_ids("uid_map") + ", gids " + mapped_ids("gid_map");
    return fail("potentially insufficient UIDs or GIDs available in user namespace (requested " +
                owner + ", available " + available + "): check /etc/subuid and /etc/subgid");
}

Result<void> LayerUnpacker::Impl::set_xattrs(const TarEntry& e, int fd, int dirfd,
                                             const char* name) {
    bool best_effort = opt.ownership != OwnershipMode::preserve;
    for (const auto& [key, value] : e.xattrs) {
        // Overlay's own attributes in a layer could redirect lookups: never applied.
        if (key.starts_with("trusted.overlay.") || key.starts_with("user.overlay.")) continue;
        if (key.find('\0') != std::string::npos) return fail("invalid xattr name");
        int r = fd >= 0 ? ::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0)
                        : ::lsetxattr(proc_path(dirfd, name).c_str(), key.c_str(), value.data(),
                                      value.size(), 0);
        if (r == 0) continue;
        bool privileged = key.starts_with("security.") || key.starts_with("trusted.");
        if (best_effort && privileged) continue;
        return fail_errno("set xattr `" + printable(key) + "`");
    }
    return {};
}

Result<void> LayerUnpacker::Impl::set_times(const TarEntry& e, int fd, int dirfd,
                                            const char* name) {
    timespec ts[2] = {fs::to_timespec(e.atime_ns.value_or(e.mtime_ns)),
                      fs::to_timespec(e.mtime_ns)};
    int r = fd >= 0 ? ::futimens(fd, ts) : ::utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
    if (r != 0) return fail_errno("set times");
    return {};
}

Result<void> LayerUnpacker::Impl::defer_directory(std::string_view real, const TarEntry& e) {
    split::put_varint(deferred, real.size());
    deferred.insert(deferred.end(), real.begin(), real.end());
    split::put_varint(deferred, e.mode);
    uint8_t times[16];
    split::put_u64(times, static_cast<uint64_t>(e.atime_ns.value_or(e.mtime_ns)));
    split::put_u64(times + 8, static_cast<uint64_t>(e.mtime_ns));
    deferred.insert(deferred.end(), times, times + 16);
    if (deferred.size() < k_deferred_spill) return {};
    if (!deferred_spool) deferred_spool = TRY(open_scratch(root()));
    TRY(pwrite_all(deferred_spool.get(), deferred.data(), deferred.size(), spool_size));
    spool_size += deferred.size();
    deferred.clear();
    return {};
}

// Applies whole records from bytes (a complete list, or a spilled part: spills happen only at
// record boundaries).
Result<void> LayerUnpacker::Impl::apply_deferred(std::span<const uint8_t> bytes) {
    const uint8_t* p = bytes.data();
    const uint8_t* end = p + bytes.size();
    std::string real;
    while (p < end) {
        uint64_t len = 0, mode = 0;
        split::get_varint(p, end, len);
        real.assign(reinterpret_cast<const char*>(p), len);
        p += len;
        split::get_varint(p, end, mode);
        timespec ts[2] = {fs::to_timespec(static_cast<int64_t>(split::get_u64(p))),
                          fs::to_timespec(static_cast<int64_t>(split::get_u64(p + 8)))};
        p += 16;
        auto fd = fs::open_in_root(root(), real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
                                   RESOLVE_NO_SYMLINKS);
        if (!fd) {
            int err = fd.error().sys_errno;
            if (err == ENOENT || err == ENOTDIR || err == ELOOP) continue;  // replaced later
            return std::unexpected(std::move(fd.error()).prefix("directory `" + real + "`"));
        }
        if (::fchmod(fd->get(), static_cast<mode_t>(mode)) != 0)
            return fail_errno("directory `" + real + "`: set mode");
        if (::futimens(fd->get(), ts) != 0)
            return fail_errno("directory `" + real + "`: set times");
    }
    return {};
}

Result<void> LayerUnpacker::Impl::apply_all_deferred() {
    if (deferred_spool) {
        std::vector<uint8_t> chunk;
        uint64_t at = 0;
        // Spills were written k_deferred_spill bytes or more at a time, at record boundaries;
        // read them back the same way.
        while (at < spool_size) {
            chunk.resize(k_deferred_spill * 2);
            size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), spool_size - at));
            TRY(fs::pread_exact(deferred_spool.get(), chunk.data(), want, at));
            // Find the last complete record in the chunk.
            const uint8_t* p = chunk.data();
            const uint8_t* end = p + want;
            const uint8_t* last = p;
            while (p < end) {
                uint64_t len = 0, mode = 0;
                const uint8_t* q = p;
                if (!split::get_varint(q, end, len) || static_cast<uint64_t>(end - q) < len) break;
                q += len;
                if (!split::get_varint(q, end, mode) || end - q < 16) break;
                p = last = q + 16;
            }
            TRY(apply_deferred({chunk.data(), static_cast<size_t>(last - chunk.data())}));
            at += static_cast<uint64_t>(last - chunk.data());
        }
    }
    return apply_deferred(deferred);
}

Result<UnpackStats> unpack_layer(int tar_fd, int diff_dir, int record_fd, UnpackOptions options) {
    auto unpacker = TRY(LayerUnpacker::create(diff_dir, record_fd, options));
    TarReader reader(*unpacker);
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(size_t{1} << 20);
    for (;;) {
        ssize_t n = ::read(tar_fd, buf.get(), size_t{1} << 20);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("read layer");
        }
        if (n == 0) break;
        TRY(reader.feed({buf.get(), static_cast<size_t>(n)}));
    }
    TRY(reader.finish());
    return unpacker->finish();
}

}  // namespace ferry::image
