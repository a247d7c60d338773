// Building the GPU layer. The layer is ferry's own directory, but the paths come from the image
// (canonical in its merged view) and the symlink targets from driver specs, so every lookup
// inside the layer is an openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS and every name is
// created with an *at call on its parent's descriptor: nothing can lead out of the layer.
// Directories are created on the way as needed and get the image's attributes in a last pass
// (after their entries exist, so their times stay the image's). Symlinks come last, after the
// files, so a link never stands where a file is expected.

#include "ferry/runtime/gpu_layer.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

std::string parent_of(const std::string& p) {
    auto slash = p.rfind('/');
    return slash == 0 ? "/" : p.substr(0, slash);
}

std::string name_of(const std::string& p) {
    return p.substr(p.rfind('/') + 1);
}

class LayerBuilder {
  public:
    LayerBuilder(Fd root, const LayerView& view, LayerOwners owners)
        : m_view(view), m_owners(owners) {
        m_dirs.emplace("/", std::move(root));
    }

    // The layer's directory at path (canonical, absolute), created with its parents as needed.
    Result<int> dir(const std::string& path) {
        auto it = m_dirs.find(path);
        if (it != m_dirs.end()) return it->second.get();
        int parent = TRY(dir(parent_of(path)));
        std::string name = name_of(path);
        if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST)
            return fail_errno("create `" + path + "`");
        Fd fd = TRY(fs::open_at(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW));
        m_created.push_back(path);
        return m_dirs.emplace(path, std::move(fd)).first->second.get();
    }

    // An empty file or directory at path, for a mount to go onto.
    Result<void> target(const std::string& path, bool directory) {
        if (directory) {
            TRY(dir(path));
            return {};
        }
        int parent = TRY(dir(parent_of(path)));
        int fd = ::openat(parent, name_of(path).c_str(),
                          O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) return fail_errno("create `" + path + "`");
        if (fd >= 0) ::close(fd);
        return {};
    }

    // A file with content at path.
    Result<void> file(const std::string& path, std::string_view content) {
        int parent = TRY(dir(parent_of(path)));
        TRY_CTX("create `" + path + "`", write_file_atomic_at(parent, name_of(path), content, 0644,
                                                              Durability::process_crash));
        return {};
    }

    // A symlink at path; one already in the layer there (a mount target or an earlier link)
    // stays.
    Result<void> symlink(const std::string& path, const std::string& target) {
        int parent = TRY(dir(parent_of(path)));
        if (::symlinkat(target.c_str(), parent, name_of(path).c_str()) != 0 && errno != EEXIST)
            return fail_errno("create symlink `" + path + "`");
        return {};
    }

    // Gives every directory created the attributes the image shows for it.
    Result<void> copy_attributes() {
        for (const auto& path : m_created) {
            auto found = TRY(m_view.lookup(path));
            if (!found) continue;  // new in the container: ferry's 0755
            if (!S_ISDIR(found->st.st_mode))
                return fail("`" + path + "` is not a directory in the container");
            int parent = m_dirs.at(parent_of(path)).get();
            std::string name = name_of(path);
            if (::fchmodat(parent, name.c_str(), found->st.st_mode & 07777, 0) != 0)
                return fail_errno("chmod `" + path + "`");
            if (m_owners == LayerOwners::copy &&
                ::fchownat(parent, name.c_str(), found->st.st_uid, found->st.st_gid,
                           AT_SYMLINK_NOFOLLOW) != 0)
                return fail_errno("chown `" + path + "`");
            const struct timespec times[2] = {found->st.st_atim, found->st.st_mtim};
            if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
                return fail_errno("set times of `" + path + "`");
        }
        return {};
    }

    bool empty() const { return m_dirs.size() == 1 && m_files == 0; }
    void count() { ++m_files; }

  private:
    const LayerView& m_view;
    LayerOwners m_owners;
    std::map<std::string, Fd> m_dirs;
    std::vector<std::string> m_created;  // in creation order (parents first)
    size_t m_files = 0;
};

bool is_directory(const std::string& host_path) {
    struct stat st {};
    return ::stat(host_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
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

Result<bool> build(const std::string& dir, const gpu::Edits& e, const LayerView& view,
                   const std::string& upper_dir, LayerOwners owners) {
    if (fs::lexists(dir)) TRY(fs::remove_tree(dir));
    if (::mkdir(dir.c_str(), 0755) != 0) return fail_errno("create `" + dir + "`");
    LayerBuilder layer(TRY(fs::open(dir, O_PATH | O_DIRECTORY)), view, owners);
    for (const auto& m : e.cdi.mounts) {
        TRY(layer.target(m.container_path, is_directory(m.host_path)));
        layer.count();
    }
    if (e.ld_cache) {
        auto found = TRY(view.lookup("/etc/ld.so.cache"));
        if (found && found->layer == 0 && S_ISREG(found->st.st_mode) && !upper_dir.empty()) {
            TRY_CTX("replace `" + found->path + "` in the container's layer",
                    replace_in_upper(upper_dir, found->path, *e.ld_cache));
        } else {
            std::string path = found ? found->path : "/etc/ld.so.cache";
            if (!found) {
                auto etc = TRY(view.lookup("/etc"));
                if (etc && S_ISDIR(etc->st.st_mode)) path = etc->path + "/ld.so.cache";
            }
            TRY(layer.file(path, *e.ld_cache));
            layer.count();
        }
    }
    for (const auto& link : e.symlinks) {
        TRY(layer.symlink(link.path, link.target));
        layer.count();
    }
    TRY(layer.copy_attributes());
    return !layer.empty();
}

}  // namespace

Result<bool> build_gpu_layer(const std::string& dir, const gpu::Edits& e, const LayerView& view,
                             const std::string& upper_dir, LayerOwners owners) {
    auto r = build(dir, e, view, upper_dir, owners);
    if (!r) return std::unexpected(std::move(r.error()).prefix("GPU layer"));
    return r;
}

}  // namespace ferry::runtime
