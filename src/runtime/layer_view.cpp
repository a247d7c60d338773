// The merged view is walked one component at a time. A directory of the merged tree is the list
// of its descriptors in the layers that show it (top first, down to the first opaque one, and
// never past a layer where the name is not a directory). Looking up a name asks those layers in
// order; the first answer wins. A symlink met on the way restarts the walk from the root with
// its target in place (at most 40 times, as the kernel), so links resolve in the merged tree as
// they would in the container.

#include "ferry/runtime/layer_view.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <unordered_set>

#include "ferry/runtime/mounts.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr int k_max_symlinks = 40;

std::vector<std::string> components(std::string_view path) {
    std::string clean = clean_path("/" + std::string(path));
    std::vector<std::string> out;
    if (clean == "/") return out;
    for (auto& c : split(std::string_view(clean).substr(1), '/'))
        out.push_back(std::move(c));
    return out;
}

bool is_opaque(int path_fd) {
    Fd dir(::openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return false;
    char value[2];
    for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
        ssize_t n = ::fgetxattr(dir.get(), name, value, sizeof value);
        if (n == 1 && value[0] == 'y') return true;
    }
    return false;
}

Result<Fd> dup_fd(int fd) {
    int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (d < 0) return fail_errno("dup");
    return Fd(d);
}

Result<std::string> read_link(int fd) {
    std::string buf(256, '\0');
    for (;;) {
        ssize_t n = ::readlinkat(fd, "", buf.data(), buf.size());
        if (n < 0) return fail_errno("readlink");
        if (static_cast<size_t>(n) < buf.size()) {
            buf.resize(static_cast<size_t>(n));
            return buf;
        }
        if (buf.size() >= 65536) return fail("readlink: target too long");
        buf.resize(buf.size() * 2);
    }
}

}  // namespace

bool is_whiteout(const struct stat& st) {
    return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

Result<LayerView> LayerView::open(const std::vector<std::string>& layer_dirs) {
    LayerView view;
    view.m_layers.reserve(layer_dirs.size());
    for (const auto& dir : layer_dirs)
        view.m_layers.push_back(TRY(fs::open(dir, O_PATH | O_DIRECTORY)));
    return view;
}

Result<LayerView::Dir> LayerView::root() const {
    Dir d;
    d.layers.reserve(m_layers.size());
    for (size_t i = 0; i < m_layers.size(); ++i)
        d.layers.emplace_back(i, TRY(dup_fd(m_layers[i].get())));
    return d;
}

Result<std::optional<LayerView::Entry>> LayerView::find(const Dir& dir,
                                                        const std::string& name) const {
    for (const auto& [index, fd] : dir.layers) {
        auto entry = fs::open_in_root(fd.get(), name, O_PATH | O_NOFOLLOW);
        if (!entry) {
            if (entry.error().sys_errno == ENOENT) continue;
            return std::unexpected(std::move(entry.error()));
        }
        Entry e{index, std::move(*entry), {}};
        if (::fstat(e.fd.get(), &e.st) != 0) return fail_errno("stat `" + name + "`");
        if (is_whiteout(e.st)) return std::nullopt;
        return std::optional<Entry>(std::move(e));
    }
    return std::nullopt;
}

Result<LayerView::Dir> LayerView::child_dir(const Dir& dir, const std::string& name,
                                            const Entry& entry) const {
    Dir child;
    size_t pos = 0;
    while (pos < dir.layers.size() && dir.layers[pos].first != entry.layer)
        ++pos;
    if (pos == dir.layers.size()) return fail("`" + name + "`: layer not in its directory");
    Fd top = entry.fd ? TRY(dup_fd(entry.fd.get()))
                      : TRY(fs::open_in_root(dir.layers[pos].second.get(), name,
                                             O_PATH | O_NOFOLLOW | O_DIRECTORY));
    bool opaque = pos + 1 < dir.layers.size() && is_opaque(top.get());
    child.layers.emplace_back(entry.layer, std::move(top));
    if (opaque || pos + 1 >= dir.layers.size()) return child;
    for (size_t i = pos + 1; i < dir.layers.size(); ++i) {
        auto lower = fs::open_in_root(dir.layers[i].second.get(), name, O_PATH | O_NOFOLLOW);
        if (!lower) {
            if (lower.error().sys_errno == ENOENT) continue;
            return std::unexpected(std::move(lower.error()));
        }
        struct stat st {};
        if (::fstat(lower->get(), &st) != 0) return fail_errno("stat `" + name + "`");
        if (!S_ISDIR(st.st_mode)) break;  // a file or whiteout below a directory is hidden
        bool lower_opaque = i + 1 < dir.layers.size() && is_opaque(lower->get());
        child.layers.emplace_back(dir.layers[i].first, std::move(*lower));
        if (lower_opaque) break;
    }
    return child;
}

// Walks path, following symlinks in the merged tree.
Result<std::optional<LayerView::Resolved>> LayerView::resolve(std::string_view path) const {
    std::vector<std::string> comps = components(path);
    Dir cur = TRY(root());
    size_t i = 0;
    int hops = 0;
    while (i < comps.size()) {
        auto found = TRY(find(cur, comps[i]));
        if (!found) return std::nullopt;
        if (S_ISLNK(found->st.st_mode)) {
            if (++hops > k_max_symlinks)
                return fail("open `" + std::string(path) + "`: too many levels of symbolic links");
            std::string target = TRY(read_link(found->fd.get()));
            std::string next;
            if (target.empty() || target.front() != '/')
                for (size_t k = 0; k < i; ++k)
                    next += "/" + comps[k];
            next += "/" + target;
            for (size_t k = i + 1; k < comps.size(); ++k)
                next += "/" + comps[k];
            comps = components(next);
            cur = TRY(root());
            i = 0;
            continue;
        }
        if (i + 1 == comps.size()) {
            std::string canonical;
            for (const auto& c : comps)
                canonical += "/" + c;
            return std::optional<Resolved>(
                Resolved{std::move(*found), std::move(cur), comps[i], std::move(canonical)});
        }
        if (!S_ISDIR(found->st.st_mode)) return std::nullopt;
        cur = TRY(child_dir(cur, comps[i], *found));
        ++i;
    }
    return std::nullopt;
}

int LayerView::layer_fd(const Dir& dir, size_t layer) {
    for (const auto& [index, fd] : dir.layers)
        if (index == layer) return fd.get();
    return -1;
}

Result<Fd> LayerView::open_entry(const Dir& dir, const std::string& name,
                                 const Entry& entry) const {
    int fd = layer_fd(dir, entry.layer);
    if (fd < 0) return fail("`" + name + "`: layer not in its directory");
    return fs::open_in_root(fd, name, O_RDONLY | O_NOFOLLOW);
}

Result<std::optional<LayerView::Found>> LayerView::lookup(std::string_view path) const {
    std::string key = clean_path("/" + std::string(path));
    if (auto it = m_lookups.find(key); it != m_lookups.end()) return it->second;
    if (key == "/") {
        if (m_layers.empty()) return std::nullopt;
        Found root{"/", 0, {}};
        if (::fstat(m_layers[0].get(), &root.st) != 0) return fail_errno("stat `/`");
        return std::optional<Found>(std::move(root));
    }
    auto r = TRY(resolve(key));
    std::optional<Found> found;
    if (r) found = Found{std::move(r->path), r->entry.layer, r->entry.st};
    m_lookups.emplace(std::move(key), found);
    return found;
}

Result<std::optional<Fd>> LayerView::open_file(std::string_view path) const {
    auto r = TRY(resolve(path));
    if (!r || !S_ISREG(r->entry.st.st_mode)) return std::nullopt;
    return std::optional<Fd>(TRY(open_entry(r->parent, r->name, r->entry)));
}

Result<std::optional<LayerView::Dir>> LayerView::open_dir(std::string_view path) const {
    if (components(path).empty()) return std::optional<Dir>(TRY(root()));
    auto r = TRY(resolve(path));
    if (!r || !S_ISDIR(r->entry.st.st_mode)) return std::nullopt;
    return std::optional<Dir>(TRY(child_dir(r->parent, r->name, r->entry)));
}

Result<std::vector<std::pair<std::string, LayerView::Entry>>> LayerView::list(
    const Dir& dir) const {
    std::vector<std::pair<std::string, Entry>> out;
    std::unordered_set<std::string> seen;  // every name met so far, whiteouts included
    for (const auto& [index, fd] : dir.layers) {
        Fd readable(::openat(fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!readable) return fail_errno("open directory");
        auto names = TRY(fs::list_dir_fd(readable.get()));
        for (auto& name : names) {
            if (!seen.insert(name).second) continue;
            Entry e{index, Fd(), {}};
            // A name from readdir is one component: it cannot lead out of the layer.
            if (::fstatat(fd.get(), name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) != 0)
                return fail_errno("stat `" + name + "`");
            if (is_whiteout(e.st)) continue;
            out.emplace_back(std::move(name), std::move(e));
        }
    }
    return out;
}

}  // namespace ferry::runtime
