// A recursive walk of the upper directory, one open directory descriptor per level, every name
// resolved relative to its parent's descriptor without following symlinks (the upper directory
// is the container's to shape). Names are sorted bytewise as Go's filepath.Walk sorts them, so
// the archive, and with it the diff ID, depends only on the tree. The opaque marker is the
// directory's xattr (trusted.overlay.opaque, or user.overlay.opaque for an overlay mounted with
// userxattr), read from the directory's descriptor.

#include "ferry/image/layer_diff.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

class DiffWalk {
  public:
    DiffWalk(TarWriter& writer, const DiffOptions& options)
        : m_tree(writer, options.owners),
          m_opaque_key(options.opaque_xattr == WhiteoutXattr::trusted ? "trusted.overlay.opaque"
                                                                      : "user.overlay.opaque") {}

    Result<void> walk(int dirfd, const std::string& prefix) {
        auto names = TRY_CTX("read `" + (prefix.empty() ? "/" : printable(prefix)) + "`",
                             fs::list_dir_fd(dirfd));
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            std::string path = prefix.empty() ? name : prefix + "/" + name;
            struct stat st {};
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) continue;  // removed meanwhile (commit --pause=false)
                return fail_errno("read `" + printable(path) + "`");
            }
            if (is_whiteout(st)) {
                TRY(m_tree.add_whiteout(path, st));
                continue;
            }
            TRY(m_tree.add(dirfd, name, path, st));
            if (!S_ISDIR(st.st_mode)) continue;
            Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) return fail_errno("read `" + printable(path) + "`");
            if (opaque(sub.get())) TRY(m_tree.add_opaque(path, st));
            TRY(walk(sub.get(), path));
        }
        return {};
    }

    DiffStats stats() const { return {m_tree.entries(), m_tree.data_bytes()}; }

  private:
    bool opaque(int fd) const {
        char value[2];
        ssize_t n = ::fgetxattr(fd, m_opaque_key, value, sizeof value);
        return n == 1 && value[0] == 'y';
    }

    TreeWriter m_tree;
    const char* m_opaque_key;
};

}  // namespace

Result<DiffStats> write_layer_diff(int upper_dir, TarWriter& writer, const DiffOptions& options) {
    DiffWalk walk(writer, options);
    TRY(walk.walk(upper_dir, ""));
    return walk.stats();
}

}  // namespace ferry::image
