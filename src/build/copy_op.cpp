// COPY into a layer's upper directory, as BuildKit's file op (fsutil's copy) does it on the
// mounted snapshot, but without mounting: we write the upper directory directly and consult the
// image below through a LayerView. Destinations are placed the way the merged tree resolves
// them: every directory on the way is looked up in the image, symlinks followed there, and the
// canonical path is what we create in the upper directory, so that a write to `/bin/x` over a
// `/bin -> usr/bin` link lands in `usr/bin/x` and the link stays intact once layers are stacked.
// A directory we have to create because the image has it is recreated with the image's mode,
// owner and times (what overlayfs' copy-up would keep); one the image lacks is made 0755, owned
// by the --chown ids, as BuildKit's MkdirAll does. Metadata follows fsutil: the top of a copied
// directory keeps an existing destination's attributes, directories below it take the
// source's. Every directory in the upper tree is opened one component at a time with
// O_NOFOLLOW, so nothing copied earlier can lead a later write outside it. Directory times are
// set once everything is written, children before parents, or writing would reset them.
//
// The sources come through a CopySource: the build context here, another image's merged tree
// for COPY --from (copy_from.cpp). Both walks hand the same entries to the one writer below, so
// the destination rules exist once; the source only decides who owns the copies without
// --chown (0:0 for the context, the source's owners for an image, as BuildKit does).
//
// Where docker fails and we do not: a source directory copied onto a file or a symlink to a
// non-directory replaces it (fsutil: `cannot copy to non-directory`), a file copied onto a
// directory replaces it (`cannot replace to directory ... with file`), and a context directory
// copied onto an image symlink to a directory goes through the link. A file copied onto an
// image symlink replaces the link, as fsutil does below the top of a copy. Hard links within a
// source are copied as separate files, extended attributes are not copied, fifos are created,
// devices and sockets are skipped (a character device 0:0 would read as a whiteout).

#include "ferry/build/copy_op.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <unordered_map>

#include "ferry/build/path_match.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

constexpr std::string_view k_many_sources =
    "When using COPY with more than one source file, the destination must be a directory and "
    "end with a /";

using Times = std::array<struct timespec, 2>;  // atime, mtime, as utimensat takes them

// What to give a directory, file or link written to the layer.
struct Attrs {
    mode_t mode = 0755;  // permission bits
    uid_t uid = 0;
    gid_t gid = 0;
    std::optional<Times> times;  // nullopt: left as writing made them
};

std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start && path.substr(start, end - start) != ".")
            out.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// dir/name for an absolute image path dir.
std::string child_path(const std::string& dir, std::string_view name) {
    return (dir == "/" ? dir : dir + "/") + std::string(name);
}

std::string base_name(std::string_view path) {
    size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Writes the request into the upper directory; holds what the sources have in common.
class LayerWriter {
  public:
    LayerWriter(const CopySource& from, const runtime::LayerView& below, int upper,
                const CopyRequest& request)
        : m_from(from), m_below(below), m_upper(upper), m_request(request) {}

    Result<void> copy_source(const ResolvedSource& source, bool into_dir);
    Result<void> set_dir_times();
    // Whether the image shows a directory at the absolute path.
    Result<bool> is_image_dir(const std::string& path) const {
        if (path == "/") return true;  // even with no layers (FROM scratch)
        auto found = TRY(m_below.lookup(path));
        return found && S_ISDIR(found->st.st_mode);
    }
    const CopyStats& stats() const { return m_stats; }

  private:
    Result<std::string> canonical_dir(const std::string& path) const;
    Result<std::string> place(const std::string& parent, const std::string& name,
                              bool is_dir) const;
    Result<Fd> open_dir(const std::string& path);
    Result<Fd> make_dir(int parent_fd, const std::string& name, const std::string& path,
                        const Attrs& attrs);
    Result<Attrs> parent_attrs(const std::string& path) const;
    Attrs source_attrs(const ContextEntry& entry, const struct stat& st) const;
    Result<void> apply(int fd, const std::string& path, const Attrs& attrs);
    Result<void> copy_entry(ContextEntry& entry, const struct stat& st, const std::string& top,
                            std::unordered_map<std::string, std::string>& dirs);
    Result<void> copy_dir(const Attrs& source, const std::string& path, bool keep);
    Result<void> copy_file(ContextEntry& entry, const Attrs& attrs, const std::string& path);
    Result<void> copy_special(const ContextEntry& entry, const Attrs& attrs,
                              const std::string& path);

    const CopySource& m_from;
    const runtime::LayerView& m_below;
    int m_upper;
    const CopyRequest& m_request;
    std::vector<std::pair<std::string, Times>> m_dir_times;  // in creation order
    std::unordered_map<std::string, size_t> m_dir_time_index;
    CopyStats m_stats;
};

// The canonical image path of a directory that is, or will be, at path: each element that the
// image shows as a directory (through symlinks) is replaced by its canonical path; from the first
// missing element on the path is taken as written. An element that is something else fails.
Result<std::string> LayerWriter::canonical_dir(const std::string& path) const {
    std::string out = "/";
    bool missing = false;
    for (const auto& element : components(path)) {
        std::string next = child_path(out, element);
        if (!missing) {
            auto found = TRY(m_below.lookup(next));
            if (found && S_ISDIR(found->st.st_mode)) {
                out = found->path;
                continue;
            }
            if (found) return fail_errno("mkdir `" + next + "`", ENOTDIR);
            missing = true;
        }
        out = std::move(next);
    }
    return out;
}

// Where an entry called name in the canonical directory parent goes: a directory through an
// image symlink to a directory, anything else in place of what the image has there.
Result<std::string> LayerWriter::place(const std::string& parent, const std::string& name,
                                       bool is_dir) const {
    std::string path = child_path(parent, name);
    if (!is_dir) return path;
    auto found = TRY(m_below.lookup(path));
    if (found && S_ISDIR(found->st.st_mode)) return found->path;
    return path;
}

Result<Attrs> LayerWriter::parent_attrs(const std::string& path) const {
    Attrs a;
    auto found = TRY(m_below.lookup(path));
    if (found && S_ISDIR(found->st.st_mode)) {
        a.mode = found->st.st_mode & 07777;
        a.uid = found->st.st_uid;
        a.gid = found->st.st_gid;
        a.times = Times{found->st.st_atim, found->st.st_mtim};
    } else if (m_request.chown) {
        a.uid = m_request.chown->uid;
        a.gid = m_request.chown->gid;
    }
    return a;
}

Attrs LayerWriter::source_attrs(const ContextEntry& entry, const struct stat& st) const {
    Attrs a;
    a.mode = m_request.chmod.value_or(entry.mode) & 07777;
    if (m_request.chown) {
        a.uid = m_request.chown->uid;
        a.gid = m_request.chown->gid;
    } else if (m_from.owners() == SourceOwners::keep) {
        a.uid = st.st_uid;
        a.gid = st.st_gid;
    }
    a.times = Times{st.st_atim, st.st_mtim};
    return a;
}

// Gives the directory (or file) fd at path its owner and mode; a directory's times wait for
// set_dir_times, a file's are set at once (its content is written by then).
Result<void> LayerWriter::apply(int fd, const std::string& path, const Attrs& attrs) {
    if (::fchown(fd, attrs.uid, attrs.gid) != 0) return fail_errno("chown `" + path + "`");
    // After the chown, which clears set-id bits.
    if (::fchmod(fd, attrs.mode) != 0) return fail_errno("chmod `" + path + "`");
    if (!attrs.times) return {};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail_errno("stat `" + path + "`");
    if (!S_ISDIR(st.st_mode)) {
        if (::futimens(fd, attrs.times->data()) != 0) return fail_errno("utimes `" + path + "`");
        return {};
    }
    auto [it, added] = m_dir_time_index.try_emplace(path, m_dir_times.size());
    if (added)
        m_dir_times.emplace_back(path, *attrs.times);
    else
        m_dir_times[it->second].second = *attrs.times;
    return {};
}

Result<Fd> LayerWriter::make_dir(int parent_fd, const std::string& name, const std::string& path,
                                 const Attrs& attrs) {
    if (::mkdirat(parent_fd, name.c_str(), 0700) != 0 && errno != EEXIST)
        return fail_errno("mkdir `" + path + "`");
    int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("open `" + path + "`");
    Fd dir(fd);
    TRY(apply(dir.get(), path, attrs));
    return dir;
}

// Opens the directory at the canonical path in the upper tree, making each missing one on the
// way; a non-directory on the way (a symlink included) fails rather than being followed.
Result<Fd> LayerWriter::open_dir(const std::string& path) {
    int root = ::openat(m_upper, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return fail_errno("open layer directory");
    Fd dir(root);
    std::string at = "/";
    for (const auto& element : components(path)) {
        at = child_path(at, element);
        int fd =
            ::openat(dir.get(), element.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            dir.reset(fd);
            continue;
        }
        if (errno != ENOENT)
            return fail_errno("open `" + at + "`", errno == ELOOP ? ENOTDIR : errno);
        dir = TRY(make_dir(dir.get(), element, at, TRY(parent_attrs(at))));
    }
    return dir;
}

// A directory entry at the canonical path; keep: an existing directory there keeps its
// attributes (the image's, when only the image has it), else it takes the source's.
Result<void> LayerWriter::copy_dir(const Attrs& source, const std::string& path, bool keep) {
    ++m_stats.dirs;
    if (path == "/") return {};  // the layer's root is the caller's
    Fd parent = TRY(open_dir(dir_path(path)));
    std::string name = base_name(path);
    struct stat st {};
    bool in_upper = ::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (in_upper && !S_ISDIR(st.st_mode)) {
        TRY(fs::remove_tree_at(parent.get(), name));
        in_upper = false;
    }
    if (!in_upper) {
        Attrs attrs;
        if (keep && TRY(is_image_dir(path)))
            attrs = TRY(parent_attrs(path));
        else
            attrs = source;
        TRY(make_dir(parent.get(), name, path, attrs));
    } else if (!keep) {
        int fd =
            ::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return fail_errno("open `" + path + "`");
        Fd dir(fd);
        TRY(apply(dir.get(), path, source));
    }
    return {};
}

// Copies data from in to out with copy_file_range, or read and write where the file systems
// do not support it; returns the bytes copied.
Result<uint64_t> copy_data(int in, int out, const std::string& path) {
    uint64_t total = 0;
    bool ranges = true;
    std::vector<char> buf;
    for (;;) {
        ssize_t n = -1;
        if (ranges) {
            n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
            if (n < 0 && total == 0 &&
                (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                ranges = false;
                continue;
            }
        } else {
            if (buf.empty()) buf.resize(1 << 16);
            n = ::read(in, buf.data(), buf.size());
            std::string_view data(buf.data(), n > 0 ? static_cast<size_t>(n) : 0);
            if (n > 0) TRY_CTX("write `" + path + "`", fs::write_all(out, data));
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("copy to `" + path + "`");
        }
        if (n == 0) return total;
        total += static_cast<uint64_t>(n);
    }
}

// Opens a new file (or makes a link or fifo, with make) at name in parent, removing whatever an
// earlier source left there.
template <class Make>
Result<void> replace(int parent, const std::string& name, const std::string& path, Make make) {
    if (make() == 0) return {};
    if (errno != EEXIST) return fail_errno("create `" + path + "`");
    TRY(fs::remove_tree_at(parent, name));
    if (make() != 0) return fail_errno("create `" + path + "`");
    return {};
}

Result<void> LayerWriter::copy_file(ContextEntry& entry, const Attrs& attrs,
                                    const std::string& path) {
    ++m_stats.files;
    Fd parent = TRY(open_dir(dir_path(path)));
    std::string name = base_name(path);
    Fd out;
    TRY(replace(parent.get(), name, path, [&] {
        out.reset(::openat(parent.get(), name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        return out ? 0 : -1;
    }));
    m_stats.bytes += TRY(copy_data(entry.fd.get(), out.get(), path));
    return apply(out.get(), path, attrs);
}

// Symlinks (target unchanged) and fifos; other kinds are skipped.
Result<void> LayerWriter::copy_special(const ContextEntry& entry, const Attrs& attrs,
                                       const std::string& path) {
    bool link = entry.type == EntryType::symlink;
    if (!link && !S_ISFIFO(entry.mode)) return {};
    ++m_stats.files;
    Fd parent = TRY(open_dir(dir_path(path)));
    std::string name = base_name(path);
    TRY(replace(parent.get(), name, path, [&] {
        return link ? ::symlinkat(entry.link_target.c_str(), parent.get(), name.c_str())
                    : ::mkfifoat(parent.get(), name.c_str(), 0600);
    }));
    if (::fchownat(parent.get(), name.c_str(), attrs.uid, attrs.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno("chown `" + path + "`");
    // Just made by us in a directory opened without following links: it is still the fifo.
    if (!link && ::fchmodat(parent.get(), name.c_str(), attrs.mode, 0) != 0)
        return fail_errno("chmod `" + path + "`");
    if (::utimensat(parent.get(), name.c_str(), attrs.times->data(), AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno("utimes `" + path + "`");
    return {};
}

// Copies one entry of a walk; dirs maps the rel of each directory met so far to where it went.
Result<void> LayerWriter::copy_entry(ContextEntry& entry, const struct stat& st,
                                     const std::string& top,
                                     std::unordered_map<std::string, std::string>& dirs) {
    bool is_dir = entry.type == EntryType::dir;
    std::string path = top;
    bool keep = true;  // an existing directory's attributes, as fsutil keeps them for the top
    if (entry.rel != ".") {
        auto parent = dirs.find(dir_path(entry.rel));
        if (parent == dirs.end()) return fail("parent directory not copied");
        std::string written = child_path(parent->second, base_name(entry.rel));
        path = TRY(place(parent->second, base_name(entry.rel), is_dir));
        // Below the top fsutil overwrites them, except (here) behind an image symlink: that
        // directory is the link target's, which COPY did not name.
        keep = path != written;
    }
    Attrs attrs = source_attrs(entry, st);
    if (is_dir) {
        dirs[entry.rel] = path;
        return copy_dir(attrs, path, keep);
    }
    if (entry.type == EntryType::file) return copy_file(entry, attrs, path);
    return copy_special(entry, attrs, path);
}

// Copies one source: a directory's contents to dest, a file to dest or into it (into_dir).
Result<void> LayerWriter::copy_source(const ResolvedSource& source, bool into_dir) {
    std::string dest = clean_path(m_request.dest);
    std::string top;
    if (source.type == EntryType::dir && dest == "/") {
        top = dest;
    } else if (source.type == EntryType::dir) {
        std::string parent = TRY_CTX("copy `" + source.path + "`", canonical_dir(dir_path(dest)));
        top = TRY_CTX("copy `" + source.path + "`", place(parent, base_name(dest), true));
    } else if (into_dir) {
        top = TRY_CTX("copy `" + source.path + "`", canonical_dir(dest));
        top = child_path(top, base_name(source.name));
    } else {
        top = TRY_CTX("copy `" + source.path + "`", canonical_dir(dir_path(dest)));
        top = child_path(top, base_name(dest));
    }
    std::unordered_map<std::string, std::string> dirs;
    return m_from.walk(source, [&](ContextEntry& entry, const struct stat& st) -> Result<void> {
        auto done = copy_entry(entry, st, top, dirs);
        if (!done)
            return std::unexpected(std::move(done).error().prefix("copy `" + entry.path + "`"));
        return {};
    });
}

// Sets every directory's times, children (made later) before parents.
Result<void> LayerWriter::set_dir_times() {
    for (auto it = m_dir_times.rbegin(); it != m_dir_times.rend(); ++it) {
        const auto& [path, times] = *it;
        auto dir = fs::open_in_root(m_upper, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
                                    RESOLVE_NO_SYMLINKS);
        // A later source replaced it (or what held it) with a file.
        if (!dir && (dir.error().sys_errno == ENOENT || dir.error().sys_errno == ENOTDIR)) continue;
        if (!dir) return std::unexpected(std::move(dir).error());
        if (::futimens(dir->get(), times.data()) != 0) return fail_errno("utimes `" + path + "`");
    }
    return {};
}

// The build context as a source: its walk, each entry stat'ed before its content is read (which
// changes the access time we copy), owners left to the request.
class ContextSource : public CopySource {
  public:
    explicit ContextSource(const BuildContext& context) : m_context(context) {}

    Result<void> walk(const ResolvedSource& source, const CopyVisitor& visit) const override {
        return m_context.walk(source, [&](ContextEntry& entry) -> Result<void> {
            struct stat st {};
            if (entry.fd) {
                if (::fstat(entry.fd.get(), &st) != 0)
                    return fail_errno("stat `" + entry.path + "`");
            } else {
                Fd fd = TRY(fs::open_in_root(m_context.root_fd(), entry.path, O_PATH | O_NOFOLLOW,
                                             0, RESOLVE_NO_SYMLINKS));
                if (::fstat(fd.get(), &st) != 0) return fail_errno("stat `" + entry.path + "`");
            }
            return visit(entry, st);
        });
    }
    SourceOwners owners() const override { return SourceOwners::root; }

  private:
    const BuildContext& m_context;
};

}  // namespace

Result<CopyStats> copy_sources(const CopySource& from, const runtime::LayerView& below,
                               int upper_fd, const CopyRequest& request) {
    LayerWriter writer(from, below, upper_fd, request);
    const std::string& dest = request.dest;
    bool slash = dest.ends_with('/') || dest.ends_with("/.") || dest == ".";
    bool into_dir = slash || TRY(writer.is_image_dir(clean_path(dest)));
    if (request.wildcard_or_many && !into_dir) return fail(std::string(k_many_sources));
    for (const auto& source : request.sources)
        TRY(writer.copy_source(source, into_dir));
    TRY(writer.set_dir_times());
    return writer.stats();
}

Result<CopyStats> copy_into_layer(const BuildContext& context, const runtime::LayerView& below,
                                  int upper_fd, const CopyRequest& request) {
    return copy_sources(ContextSource(context), below, upper_fd, request);
}

}  // namespace ferry::build
