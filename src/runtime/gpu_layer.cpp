// Building the GPU layer, in two steps. First a plan, without touching the disk: every entry
// (mount targets, the cache, links; the first one for a path wins), every directory on the way
// with the attributes the merged image shows for it. The plan, written out as text, is hashed:
// the layer is content-addressed, `<layers_dir>/<sha256>`, so the next start of this image with
// this selection and driver finds it ready (building costs a few hundred file operations; a
// start then costs one stat). Otherwise it is built in a temporary directory and renamed into
// place; a concurrent start that renamed first wins and the loser's copy is removed.
//
// The paths come from the image (canonical in its merged view) and the link targets from driver
// specs, so every name is created with an *at call on its parent's descriptor, with
// O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, and links come last: nothing can lead out of the layer.

#include "ferry/runtime/gpu_layer.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::runtime {

namespace {

std::string parent_of(const std::string& p) {
    auto slash = p.rfind('/');
    return slash == 0 ? "/" : p.substr(0, slash);
}

std::string name_of(const std::string& p) {
    return p.substr(p.rfind('/') + 1);
}

enum class Kind { file, dir, data, link };

struct Item {
    Kind kind;
    std::string path;
    std::string text;  // data: the content; link: the target
};

struct Plan {
    std::map<std::string, std::optional<struct stat>> dirs;  // sorted: parents first
    std::vector<Item> items;
    std::optional<std::pair<std::string, std::string>> upper_cache;  // path, content
};

bool is_directory(const std::string& host_path) {
    struct stat st {};
    return ::stat(host_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Adds path's directories (itself too for a directory) to the plan, with the image's attributes.
Result<void> add_dirs(Plan& plan, const std::string& path, bool itself, const LayerView& view) {
    std::string dir = itself ? path : parent_of(path);
    while (dir != "/" && !plan.dirs.contains(dir)) {
        auto found = TRY(view.lookup(dir));
        if (found && !S_ISDIR(found->st.st_mode))
            return fail("`" + dir + "` is not a directory in the container");
        plan.dirs.emplace(dir, found ? std::optional(found->st) : std::nullopt);
        dir = parent_of(dir);
    }
    return {};
}

Result<Plan> make_plan(const gpu::Edits& e, const LayerView& view, const std::string& upper_dir) {
    Plan plan;
    std::set<std::string> taken;
    auto add = [&](Kind kind, const std::string& path, std::string text) -> Result<void> {
        if (!taken.insert(path).second) return {};
        TRY(add_dirs(plan, path, kind == Kind::dir, view));
        if (kind != Kind::dir) plan.items.push_back({kind, path, std::move(text)});
        return {};
    };
    for (const auto& m : e.cdi.mounts)
        TRY(add(is_directory(m.host_path) ? Kind::dir : Kind::file, m.container_path, ""));
    if (e.ld_cache) {
        auto found = TRY(view.lookup("/etc/ld.so.cache"));
        if (found && found->layer == 0 && S_ISREG(found->st.st_mode) && !upper_dir.empty()) {
            plan.upper_cache.emplace(found->path, *e.ld_cache);
        } else {
            std::string path = found ? found->path : "/etc/ld.so.cache";
            if (!found) {
                auto etc = TRY(view.lookup("/etc"));
                if (etc && S_ISDIR(etc->st.st_mode)) path = etc->path + "/ld.so.cache";
            }
            TRY(add(Kind::data, path, *e.ld_cache));
        }
    }
    for (const auto& link : e.symlinks)
        TRY(add(Kind::link, link.path, link.target));
    return plan;
}

// The plan as text: what the layer's name is the hash of.
std::string describe(const Plan& plan, LayerOwners owners) {
    std::string out =
        owners == LayerOwners::copy ? "ferry gpu layer 1 copy\n" : "ferry gpu layer 1\n";
    for (const auto& [path, st] : plan.dirs) {
        out += "d " + path;
        if (st)
            out += " " + std::to_string(st->st_mode & 07777) + " " + std::to_string(st->st_uid) +
                   " " + std::to_string(st->st_gid) + " " + std::to_string(st->st_atim.tv_sec) +
                   "." + std::to_string(st->st_atim.tv_nsec) + " " +
                   std::to_string(st->st_mtim.tv_sec) + "." + std::to_string(st->st_mtim.tv_nsec);
        out += "\n";
    }
    for (const auto& item : plan.items) {
        switch (item.kind) {
            case Kind::file:
                out += "f " + item.path + "\n";
                break;
            case Kind::dir:
                break;
            case Kind::data:
                out += "c " + item.path + " " + sha256_hex(item.text) + "\n";
                break;
            case Kind::link:
                out += "l " + item.path + " -> " + item.text + "\n";
                break;
        }
    }
    return out;
}

Result<void> build(const Plan& plan, const std::string& dir, LayerOwners owners) {
    if (::mkdir(dir.c_str(), 0755) != 0) return fail_errno("create `" + dir + "`");
    std::map<std::string, Fd> fds;
    fds.emplace("/", TRY(fs::open(dir, O_PATH | O_DIRECTORY)));
    for (const auto& [path, st] : plan.dirs) {
        int parent = fds.at(parent_of(path)).get();
        std::string name = name_of(path);
        if (::mkdirat(parent, name.c_str(), 0755) != 0) return fail_errno("create `" + path + "`");
        fds.emplace(path, TRY(fs::open_at(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW)));
    }
    for (const auto& item : plan.items) {
        int parent = fds.at(parent_of(item.path)).get();
        std::string name = name_of(item.path);
        if (item.kind == Kind::link) {
            if (::symlinkat(item.text.c_str(), parent, name.c_str()) != 0)
                return fail_errno("create symlink `" + item.path + "`");
            continue;
        }
        Fd fd(::openat(parent, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                       0644));
        if (!fd) return fail_errno("create `" + item.path + "`");
        if (item.kind == Kind::data)
            TRY_CTX("write `" + item.path + "`", fs::write_all(fd.get(), item.text));
    }
    // Attributes last, so that creating entries does not change the directories' times.
    for (const auto& [path, st] : plan.dirs) {
        if (!st) continue;  // new in the container: ferry's 0755
        int parent = fds.at(parent_of(path)).get();
        std::string name = name_of(path);
        if (::fchmodat(parent, name.c_str(), st->st_mode & 07777, 0) != 0)
            return fail_errno("chmod `" + path + "`");
        if (owners == LayerOwners::copy &&
            ::fchownat(parent, name.c_str(), st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_errno("chown `" + path + "`");
        const struct timespec times[2] = {st->st_atim, st->st_mtim};
        if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_errno("set times of `" + path + "`");
    }
    return {};
}

// Replaces the cache the container's upper directory holds at path.
Result<void> replace_in_upper(const std::string& upper_dir, const std::string& path,
                              std::string_view content) {
    Fd upper = TRY(fs::open(upper_dir, O_PATH | O_DIRECTORY));
    Fd parent = TRY(fs::open_in_root(upper.get(), parent_of(path), O_PATH | O_DIRECTORY, 0,
                                     RESOLVE_NO_SYMLINKS));
    return write_file_atomic_at(parent.get(), name_of(path), content, 0644,
                                Durability::process_crash);
}

Result<std::string> layer(const std::string& layers_dir, const gpu::Edits& e, const LayerView& view,
                          const std::string& upper_dir, LayerOwners owners) {
    Plan plan = TRY(make_plan(e, view, upper_dir));
    if (plan.upper_cache)
        TRY_CTX("replace `" + plan.upper_cache->first + "` in the container's layer",
                replace_in_upper(upper_dir, plan.upper_cache->first, plan.upper_cache->second));
    if (plan.items.empty() && plan.dirs.empty()) return std::string();
    std::string dir = layers_dir + "/" + sha256_hex(describe(plan, owners));
    if (fs::lexists(dir)) return dir;
    TRY(fs::make_dirs(layers_dir, 0700));
    std::string tmp = layers_dir + "/.tmp-" + random_hex(8);
    if (auto built = build(plan, tmp, owners); !built) {
        (void)fs::remove_tree(tmp);
        return std::unexpected(std::move(built.error()));
    }
    TRY(fs::publish_dir(tmp, dir));  // already_there: a concurrent start was first
    return dir;
}

}  // namespace

Result<std::string> gpu_layer(const std::string& layers_dir, const gpu::Edits& e,
                              const LayerView& view, const std::string& upper_dir,
                              LayerOwners owners) {
    auto r = layer(layers_dir, e, view, upper_dir, owners);
    if (!r) return std::unexpected(std::move(r.error()).prefix("GPU layer"));
    return r;
}

}  // namespace ferry::runtime
