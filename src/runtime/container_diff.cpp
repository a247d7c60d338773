// docker compares the container's mounted root with its image (the naive diff, used by overlay2
// too); ferry compares the same two trees without mounting anything: LayerView merges the upper
// directory over the image's layers (the new tree) and the image's layers alone (the old tree).
// Only directories the upper directory holds can differ, so the walk descends into those and
// nothing else: a diff costs what the container wrote, not the image's size.

#include "ferry/runtime/container_diff.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

using Listing = std::map<std::string, LayerView::Entry>;

struct Walk {
    const LayerView& now;
    const LayerView& before;
    std::vector<Change>& out;
};

Result<Listing> listing(const LayerView& view, const LayerView::Dir& dir) {
    Listing sorted;
    for (auto& [name, entry] : TRY(view.list(dir)))
        sorted.emplace(std::move(name), std::move(entry));
    return sorted;
}

// security.capability of name below the directory that holds it; empty when it has none.
std::string capability(int dir_fd, const std::string& name) {
    Fd fd(::openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return {};
    char buf[256];
    std::string path = "/proc/self/fd/" + std::to_string(fd.get());
    ssize_t n = ::getxattr(path.c_str(), "security.capability", buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// docker's statDifferent (mode, owner, device; size and mtime except for directories).
bool stat_different(const struct stat& a, const struct stat& b) {
    if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid ||
        a.st_rdev != b.st_rdev)
        return true;
    if (S_ISDIR(a.st_mode)) return false;
    bool same_time =
        (a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec) ||
        (a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         (a.st_mtim.tv_nsec == 0 || b.st_mtim.tv_nsec == 0));
    return !same_time || a.st_size != b.st_size;
}

std::string child_path(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

// Everything below an added directory is added.
Result<void> all_added(const Walk& w, const LayerView::Dir& dir, const std::string& path) {
    for (const auto& [name, entry] : TRY(listing(w.now, dir))) {
        std::string p = child_path(path, name);
        w.out.push_back({'A', p});
        if (S_ISDIR(entry.st.st_mode)) TRY(all_added(w, TRY(w.now.child_dir(dir, name, entry)), p));
    }
    return {};
}

Result<void> compare(const Walk& w, const LayerView::Dir& now_dir,
                     const std::optional<LayerView::Dir>& before_dir, const std::string& path);

// One name present in the new tree: its change, then (for a directory) those below it.
Result<void> compare_entry(const Walk& w, const LayerView::Dir& now_dir, const std::string& name,
                           const LayerView::Entry& entry,
                           const std::optional<LayerView::Dir>& before_dir, const Listing& before,
                           const std::string& path) {
    std::string p = child_path(path, name);
    bool is_dir = S_ISDIR(entry.st.st_mode);
    auto old = before.find(name);
    // The mount points the start made for an image without them: docker's init layer holds
    // these, so they are not the container's changes (nothing can be written below them).
    if (old == before.end() && is_dir && (p == "/proc" || p == "/sys" || p == "/dev")) return {};
    if (old == before.end()) {
        w.out.push_back({'A', p});
        if (is_dir) TRY(all_added(w, TRY(w.now.child_dir(now_dir, name, entry)), p));
        return {};
    }
    // Not from the upper directory: the same entry as in the image (a directory there may
    // still hold changes only when the upper directory has it too, and then it is from there).
    if (entry.layer != 0) return {};
    size_t at = w.out.size();
    bool changed = stat_different(old->second.st, entry.st);
    if (!changed && !is_dir && S_ISREG(entry.st.st_mode))
        changed = capability(LayerView::layer_fd(now_dir, entry.layer), name) !=
                  capability(LayerView::layer_fd(*before_dir, old->second.layer), name);
    if (changed) w.out.push_back({'C', p});
    if (!is_dir) return {};
    std::optional<LayerView::Dir> old_sub;
    if (S_ISDIR(old->second.st.st_mode))
        old_sub = TRY(w.before.child_dir(*before_dir, name, old->second));
    TRY(compare(w, TRY(w.now.child_dir(now_dir, name, entry)), old_sub, p));
    // A directory with changes inside is listed, before them, as docker's diff does.
    if (!changed && w.out.size() > at)
        w.out.insert(w.out.begin() + static_cast<long>(at), {'C', p});
    return {};
}

Result<void> compare(const Walk& w, const LayerView::Dir& now_dir,
                     const std::optional<LayerView::Dir>& before_dir, const std::string& path) {
    Listing now = TRY(listing(w.now, now_dir));
    Listing before;
    if (before_dir) before = TRY(listing(w.before, *before_dir));
    for (const auto& [name, entry] : now)
        TRY(compare_entry(w, now_dir, name, entry, before_dir, before, path));
    for (const auto& [name, entry] : before)
        if (!now.contains(name)) w.out.push_back({'D', child_path(path, name)});
    return {};
}

}  // namespace

Result<std::vector<Change>> tree_changes(const std::vector<std::string>& layers) {
    std::vector<Change> out;
    if (layers.empty()) return out;
    LayerView now = TRY(LayerView::open(layers));
    LayerView before =
        TRY(LayerView::open(std::vector<std::string>(layers.begin() + 1, layers.end())));
    auto now_root = TRY(now.open_dir("/"));
    std::optional<LayerView::Dir> before_root;
    if (layers.size() > 1) before_root = TRY(before.open_dir("/"));
    if (!now_root) return out;
    TRY(compare(Walk{now, before, out}, *now_root, before_root, "/"));
    return out;
}

Result<std::vector<Change>> container_changes(const ContainerStore& store,
                                              const ContainerRecord& record) {
    std::vector<std::string> layers = {store.dir(record.id) + "/upper"};
    for (auto it = record.chain_ids.rbegin(); it != record.chain_ids.rend(); ++it)
        layers.push_back(store.root() + "/layers/" + *it + "/diff");
    return tree_changes(layers);
}

uint64_t changes_size(const std::string& upper_dir, const std::vector<Change>& changes) {
    auto dir = fs::open(upper_dir, O_PATH | O_DIRECTORY);
    if (!dir) return 0;
    uint64_t total = 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    for (const auto& c : changes) {
        if (c.kind == 'D') continue;
        struct stat st {};
        if (::fstatat(dir->get(), c.path.c_str() + 1, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) continue;
        if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) continue;
        total += static_cast<uint64_t>(st.st_size);
    }
    return total;
}

}  // namespace ferry::runtime
