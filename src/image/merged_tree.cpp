// One directory of the merged tree at a time: each layer that contributes to it is listed from
// the top down and every name classified once (see the header's rules) into a sorted map, which
// then drives the output and the recursion. A directory below is opened only when it is walked,
// so at most one descriptor per layer and level is open. Opaque markers are read with lgetxattr
// through /proc/self/fd/DIR/NAME, which never follows the name itself.

#include "ferry/image/merged_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <map>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

// What the merged directory holds under one name.
struct Child {
    bool settled = false;        // layers further down no longer matter
    bool deleted = false;        // a whiteout came first
    size_t top = 0;              // the layer whose entry is shown
    struct stat st {};           // that entry
    std::vector<size_t> layers;  // for a directory: the layers that merge into it, top first
};

const char* opaque_key(WhiteoutXattr x) {
    return x == WhiteoutXattr::trusted ? "trusted.overlay.opaque" : "user.overlay.opaque";
}

class MergedWalk {
  public:
    MergedWalk(TarWriter& writer, const OwnerMaps& owners) : m_tree(writer, owners) {}

    Result<void> walk(const std::vector<MergedLayer>& dirs, const std::string& prefix) {
        std::map<std::string, Child> children;
        for (size_t i = 0; i < dirs.size(); ++i)
            TRY(classify(dirs, i, prefix, children));
        for (auto& [name, c] : children) {
            if (c.deleted) continue;
            std::string path = prefix.empty() ? name : prefix + "/" + name;
            TRY(m_tree.add(dirs[c.top].dir, name, path, c.st));
            if (!S_ISDIR(c.st.st_mode)) continue;
            std::vector<Fd> owned;
            std::vector<MergedLayer> sub;
            for (size_t i : c.layers) {
                Fd fd(::openat(dirs[i].dir, name.c_str(),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!fd) return fail_errno("read `" + printable(path) + "`");
                sub.push_back({fd.get(), dirs[i].opaque_xattr});
                owned.push_back(std::move(fd));
            }
            TRY(walk(sub, path));
        }
        return {};
    }

    DiffStats stats() const { return {m_tree.entries(), m_tree.data_bytes()}; }

  private:
    static bool opaque(const MergedLayer& layer, const std::string& name) {
        std::string via = "/proc/self/fd/" + std::to_string(layer.dir) + "/" + name;
        char value[2];
        ssize_t n = ::lgetxattr(via.c_str(), opaque_key(layer.opaque_xattr), value, sizeof value);
        return n == 1 && value[0] == 'y';
    }

    static Result<void> classify(const std::vector<MergedLayer>& dirs, size_t i,
                                 const std::string& prefix, std::map<std::string, Child>& out) {
        auto names = fs::list_dir_fd(dirs[i].dir);
        if (!names)
            return std::unexpected(
                std::move(names.error())
                    .prefix("read `" + (prefix.empty() ? "/" : printable(prefix)) + "`"));
        for (auto& name : *names) {
            auto [it, fresh] = out.try_emplace(name);
            Child& c = it->second;
            if (c.settled) continue;
            struct stat st {};
            if (::fstatat(dirs[i].dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) {
                    if (fresh) out.erase(it);
                    continue;
                }
                return fail_errno("read `" +
                                  printable(prefix.empty() ? name : prefix + "/" + name) + "`");
            }
            bool dir = S_ISDIR(st.st_mode);
            if (fresh) {
                c.deleted = is_whiteout(st);
                c.top = i;
                c.st = st;
            }
            if (!dir || c.deleted) {
                c.settled = true;  // a file, a whiteout, or anything below a directory
                continue;
            }
            c.layers.push_back(i);
            if (opaque(dirs[i], name)) c.settled = true;
        }
        return {};
    }

    TreeWriter m_tree;
};

}  // namespace

Result<DiffStats> write_merged_tree(const std::vector<MergedLayer>& layers, TarWriter& writer,
                                    const OwnerMaps& owners) {
    MergedWalk walk(writer, owners);
    TRY(walk.walk(layers, ""));
    return walk.stats();
}

}  // namespace ferry::image
