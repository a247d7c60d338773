// Copy-up: the image's tree at a volume's target, read through the merged layers (LayerView),
// is recreated in the volume's _data. Every name comes from readdir (one component) and is made
// with an *at call relative to a descriptor of the destination directory with O_EXCL /
// O_NOFOLLOW, so neither the image nor a concurrent writer can redirect a write. Files are copied
// with copy_file_range; a file seen twice (same layer inode, more than one link) is hard-linked
// to its first copy. Directory attributes are set after their content, so times survive.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>

#include "ferry/runtime/volumes.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

constexpr int k_max_depth = 256;

struct Copier {
    const LayerView& view;
    int data_fd;  // the volume's _data
    bool root = ::geteuid() == 0;
    // (dev, ino) of a multiply linked source file -> its copy's path below _data.
    std::map<std::pair<dev_t, ino_t>, std::string> links;

    Result<void> owner(int dirfd, const char* name, const struct stat& st) const {
        int flags = name[0] ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
        if (::fchownat(dirfd, name, st.st_uid, st.st_gid, flags) != 0 &&
            (root || (errno != EPERM && errno != EINVAL)))
            return fail_errno("chown");
        return {};
    }
    static Result<void> times(int dirfd, const char* name, const struct stat& st) {
        timespec ts[2] = {st.st_atim, st.st_mtim};
        if (::utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) != 0) return fail_errno("utimes");
        return {};
    }

    Result<void> file(const LayerView::Dir& src, int dst, const std::string& name,
                      const LayerView::Entry& e, const std::string& rel) {
        if (e.st.st_nlink > 1) {
            auto key = std::make_pair(e.st.st_dev, e.st.st_ino);
            if (auto it = links.find(key); it != links.end()) {
                if (::linkat(data_fd, it->second.c_str(), dst, name.c_str(), 0) == 0) return {};
            }
            links.emplace(key, rel);
        }
        Fd in = TRY(view.open_entry(src, name, e));
        Fd out = TRY(fs::open_at(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
        for (off_t left = e.st.st_size; left > 0;) {
            ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr,
                                          static_cast<size_t>(left), 0);
            if (n < 0) return fail_errno("copy");
            if (n == 0) break;  // the source shrank
            left -= n;
        }
        TRY(owner(out.get(), "", e.st));
        if (::fchmod(out.get(), e.st.st_mode & 07777) != 0) return fail_errno("chmod");
        return times(dst, name.c_str(), e.st);
    }

    Result<void> other(const LayerView::Dir& src, int dst, const std::string& name,
                       const LayerView::Entry& e) {
        if (S_ISLNK(e.st.st_mode)) {
            int fd = LayerView::layer_fd(src, e.layer);
            std::string target(static_cast<size_t>(e.st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(fd, name.c_str(), target.data(), target.size());
            if (n < 0) return fail_errno("readlink");
            target.resize(static_cast<size_t>(n));
            if (::symlinkat(target.c_str(), dst, name.c_str()) != 0) return fail_errno("symlink");
        } else {
            if (::mknodat(dst, name.c_str(), e.st.st_mode & (S_IFMT | 07777), e.st.st_rdev) != 0) {
                if (errno == EPERM && !S_ISFIFO(e.st.st_mode)) return {};  // no devices rootless
                return fail_errno("mknod");
            }
        }
        TRY(owner(dst, name.c_str(), e.st));
        if (!S_ISLNK(e.st.st_mode) && ::fchmodat(dst, name.c_str(), e.st.st_mode & 07777, 0) != 0)
            return fail_errno("chmod");
        return times(dst, name.c_str(), e.st);
    }

    // Copies the content of src into the directory dst; rel is dst's path below _data.
    Result<void> tree(const LayerView::Dir& src, int dst, const std::string& where,
                      const std::string& rel, int depth) {
        if (depth > k_max_depth)
            return fail("copy `" + where + "` into volume: directories nested too deep");
        for (const auto& [name, e] : TRY(view.list(src))) {
            std::string path = where + "/" + name;
            std::string child_rel = rel.empty() ? name : rel + "/" + name;
            Result<void> r;
            if (S_ISDIR(e.st.st_mode)) {
                r = directory(src, dst, name, e, path, child_rel, depth);
            } else if (S_ISREG(e.st.st_mode)) {
                r = file(src, dst, name, e, child_rel);
            } else {
                r = other(src, dst, name, e);
            }
            if (!r) {
                if (r.error().message.starts_with("copy `")) return r;
                return std::unexpected(
                    std::move(r.error()).prefix("copy `" + path + "` into volume"));
            }
        }
        return {};
    }

    Result<void> directory(const LayerView::Dir& src, int dst, const std::string& name,
                           const LayerView::Entry& e, const std::string& path,
                           const std::string& rel, int depth) {
        if (::mkdirat(dst, name.c_str(), 0700) != 0) return fail_errno("mkdir");
        Fd sub = TRY(fs::open_at(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        LayerView::Dir child = TRY(view.child_dir(src, name, e));
        TRY(tree(child, sub.get(), path, rel, depth + 1));
        TRY(owner(sub.get(), "", e.st));
        if (::fchmod(sub.get(), e.st.st_mode & 07777) != 0) return fail_errno("chmod");
        return times(dst, name.c_str(), e.st);
    }
};

}  // namespace

Result<void> copy_up(const LayerView& image, const std::string& target,
                     const std::string& data_dir) {
    auto src = TRY(image.open_dir(target));
    if (!src) return {};
    Fd data = TRY(fs::open(data_dir, O_RDONLY | O_DIRECTORY));
    if (!TRY(fs::list_dir_fd(data.get())).empty()) return {};
    // The volume's root takes the attributes of the image's directory.
    struct stat st {};
    int top = src->layers.front().second.get();
    if (::fstat(top, &st) != 0) return fail_errno("stat `" + target + "`");
    Copier copier{image, data.get(), ::geteuid() == 0, {}};
    std::string where =
        target.size() > 1 && target.back() == '/' ? target.substr(0, target.size() - 1) : target;
    TRY(copier.tree(*src, data.get(), where == "/" ? "" : where, "", 0));
    auto r = copier.owner(data.get(), "", st);
    if (r && ::fchmod(data.get(), st.st_mode & 07777) != 0) r = fail_errno("chmod");
    if (!r)
        return std::unexpected(std::move(r.error()).prefix("copy `" + target + "` into volume"));
    return {};
}

}  // namespace ferry::runtime
