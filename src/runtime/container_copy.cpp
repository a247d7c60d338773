// Each direction is three steps, as docker's client and daemon split them: stat both ends (the
// container end below its root with RESOLVE_IN_ROOT, the host end with ordinary calls: those are
// the user's own paths), let prepare_archive_copy decide where the archive lands and how its top
// entry is renamed, then stream: write_tree on the source side, a TarReader feeding a
// TreeExtractor rooted at the destination directory on the other. Nothing is buffered beyond
// one 1 MiB read; nothing runs inside the container.

#include "ferry/runtime/container_copy.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <optional>

#include "ferry/image/copy_rules.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/tar_sink.hpp"
#include "ferry/image/tar_writer.hpp"
#include "ferry/image/tree_extract.hpp"
#include "ferry/runtime/container_commit.hpp"
#include "ferry/runtime/pid.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

using image::CopyInfo;

namespace {

// TarWriter output parsed straight into an extractor.
class ReaderSink : public image::TarSink {
  public:
    explicit ReaderSink(image::TarReader& reader) : m_reader(reader) {}
    Result<void> write(std::span<const uint8_t> bytes) override { return m_reader.feed(bytes); }

  private:
    image::TarReader& m_reader;
};

// A path as docker takes it: absolute, cleaned, a trailing `/` or `/.` kept.
std::string keep_trailing(std::string_view typed, std::string cleaned) {
    if (image::specifies_current_dir(typed)) return cleaned + (cleaned == "/" ? "." : "/.");
    if (image::has_trailing_separator(typed) && cleaned != "/") return cleaned + "/";
    return cleaned;
}

std::string container_path(std::string_view typed) {
    return keep_trailing(typed, ferry::clean_path("/" + std::string(typed)));
}

std::string host_path(std::string_view typed) {
    return keep_trailing(typed, fs::absolute_path(typed));
}

// An entry found below a root: its directory (O_PATH) and its name there ("." for the
// directory itself, when the path ends with `/` or `/.`).
struct Located {
    Fd dir;
    std::string base;
    struct stat st {};
};

// Looks path up below root: directories on the way follow symlinks inside the root, the last
// component is not followed (unless the path asserts a directory). nullopt when missing.
Result<std::optional<Located>> locate(int root, const std::string& path) {
    std::string dir = ferry::clean_path(path), base = ".";
    if (!image::asserts_directory(path)) std::tie(dir, base) = image::split_dir_entry(path);
    auto fd = fs::open_in_root(root, dir, O_PATH | O_DIRECTORY);
    if (!fd) {
        if (fd.error().sys_errno == ENOENT) return std::optional<Located>();
        return std::unexpected(std::move(fd.error()));
    }
    Located l{std::move(*fd), base, {}};
    if (::fstatat(l.dir.get(), base.c_str(), &l.st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return std::optional<Located>();
        return fail_errno("stat `" + printable(path) + "`");
    }
    return std::optional<Located>(std::move(l));
}

// The path a symlink chain at path ends at, in the container's terms (lexical, as docker's
// client joins a relative target to the link's directory).
Result<std::string> resolve_link(int root, std::string path) {
    for (int hops = 0; hops < 40; ++hops) {
        auto found = TRY(locate(root, path));
        if (!found || !S_ISLNK(found->st.st_mode)) return path;
        char buf[PATH_MAX];
        ssize_t n = ::readlinkat(found->dir.get(), found->base.c_str(), buf, sizeof buf);
        if (n < 0) return fail_errno("read link `" + printable(path) + "`");
        std::string target(buf, static_cast<size_t>(n));
        path = target.starts_with("/")
                   ? ferry::clean_path(target)
                   : ferry::clean_path(image::split_dir_entry(path).first + "/" + target);
    }
    return fail("`" + printable(path) + "`: too many levels of symbolic links");
}

// docker's ValidateOutputPath and CopyInfoDestinationPath for a host path.
Result<CopyInfo> host_destination(const std::string& path) {
    std::string parent = image::split_dir_entry(ferry::clean_path(path)).first;
    struct stat st {};
    if (::stat(parent.c_str(), &st) != 0 && errno == ENOENT)
        return fail("invalid output path: directory \"" + printable(parent) + "\" does not exist");
    std::string p = path;
    for (int n = 0;; ++n) {
        if (::lstat(p.c_str(), &st) != 0) break;
        if (!S_ISLNK(st.st_mode)) return CopyInfo{p, true, S_ISDIR(st.st_mode), ""};
        if (n > 10) return fail("too many symlinks in " + printable(path));
        char buf[PATH_MAX];
        ssize_t len = ::readlink(p.c_str(), buf, sizeof buf);
        if (len < 0) return fail_errno("read link `" + printable(p) + "`");
        std::string target(buf, static_cast<size_t>(len));
        p = target.starts_with("/") ? target : image::split_dir_entry(p).first + "/" + target;
    }
    if (errno != ENOENT) return fail_errno("stat `" + printable(p) + "`");
    std::string dir = image::split_dir_entry(p).first;
    if (::stat(dir.c_str(), &st) != 0) return fail_errno("stat `" + printable(dir) + "`");
    if (!S_ISDIR(st.st_mode)) return fail("not a directory");
    return CopyInfo{p, false, false, ""};
}

// docker's CopyInfoSourcePath for a host path: the directory part resolved, the last component
// too with follow_link.
Result<CopyInfo> host_source(const std::string& path, bool follow_link) {
    CopyInfo info;
    if (follow_link) {
        char buf[PATH_MAX];
        if (!::realpath(path.c_str(), buf)) return fail_errno("lstat `" + printable(path) + "`");
        std::tie(info.path, info.rebase_name) = image::rebase_name(path, buf);
    } else {
        auto [dir, base] = image::split_dir_entry(path);
        char buf[PATH_MAX];
        if (!::realpath(dir.c_str(), buf)) return fail_errno("lstat `" + printable(path) + "`");
        std::string resolved = std::string(buf) == "/" ? "/" + base : std::string(buf) + "/" + base;
        info.path = keep_trailing(path, resolved);
        if (image::has_trailing_separator(path) &&
            image::base_name(path) != image::base_name(info.path))
            info.rebase_name = image::base_name(path);
    }
    struct stat st {};
    if (::lstat(info.path.c_str(), &st) != 0)
        return fail_errno("lstat `" + printable(info.path) + "`");
    info.exists = true;
    info.is_dir = S_ISDIR(st.st_mode);
    return info;
}

// Streams the tree at (dir, base) named `top` into the directory dest, renaming per plan.
Result<void> pipe_tree(int dir, const std::string& base, const std::string& top,
                       const image::OwnerMaps& owners, int dest, const image::CopyPlan& plan,
                       image::ExtractOwners who) {
    image::ExtractOptions opts;
    opts.owners = who;
    if (!plan.from.empty())
        opts.rename = [&](std::string_view n) {
            return image::rebase_entry(n, plan.from, plan.to);
        };
    auto extractor = TRY(image::TreeExtractor::create(dest, opts));
    image::TarReader reader(*extractor);
    ReaderSink sink(reader);
    image::TarWriter writer(sink);
    image::TreeWriter tree(writer, owners);
    TRY(image::write_tree(tree, dir, base, top));
    TRY(writer.finish());
    TRY(reader.finish());
    return extractor->finish();
}

// Reads a tar stream from fd into the directory dest.
Result<void> extract_stream(int fd, int dest) {
    auto extractor = TRY(image::TreeExtractor::create(dest, {}));
    image::TarReader reader(*extractor);
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(size_t{1} << 20);
    for (;;) {
        ssize_t n = ::read(fd, buf.get(), size_t{1} << 20);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("read archive");
        }
        if (n == 0) break;
        TRY(reader.feed({buf.get(), static_cast<size_t>(n)}));
    }
    TRY(reader.finish());
    return extractor->finish();
}

// docker 20.10's client words for a path (or container) its daemon did not find.
std::string not_found(const std::string& path, const std::string& name) {
    return "No such container:path: " + name + ":" + path;
}

}  // namespace

Result<ContainerRoot> ContainerRoot::open(const ContainerStore& containers,
                                          const image::Store& images,
                                          const ContainerRecord& record) {
    ContainerRoot r;
    oci::RuntimeSpec spec = TRY(containers.load_spec(record.id));
    ContainerState state = TRY(containers.state(record.id));
    bool running =
        (state.status == Status::running || state.status == Status::paused) && state.pid > 0;
    if (running) {
        // The pidfd pins the process: if it is still alive after /proc/PID/root is open, that
        // root was the container's.
        auto pid = Pid::open(state.pid);
        if (pid && process_start_time(state.pid) == state.pid_start) {
            auto root =
                fs::open("/proc/" + std::to_string(state.pid) + "/root", O_PATH | O_DIRECTORY);
            if (root && pid->kill(0)) {
                r.m_root = std::move(*root);
                if (::geteuid() != 0) {
                    TRY(join_user_namespace(state.pid));
                    r.m_joined = true;
                }
                r.m_owners = container_diff_options(spec).owners;  // after joining: its ids
                return r;
            }
        }
    }
    if (::geteuid() != 0)
        return fail("copying to or from a stopped container needs root; start it first");
    r.m_pin = TRY(images.pin_layers());
    OverlaySpec overlay;
    for (auto it = record.chain_ids.rbegin(); it != record.chain_ids.rend(); ++it)
        overlay.lower_dirs.push_back(images.layer_path(*it) + "/diff");
    overlay.upper_dir = containers.dir(record.id) + "/upper";
    overlay.work_dir = containers.dir(record.id) + "/work";
    r.m_root = TRY_CTX("open the file system of container `" + record.name + "`",
                       make_overlay_mount(overlay, false));
    return r;
}

Result<void> copy_from_container(const ContainerRoot& root, const std::string& name,
                                 const std::string& src, const std::string& dest,
                                 const CopyOptions& options, int out_fd) {
    std::string path = container_path(src);
    std::string rebase;
    if (options.follow_link) {
        auto found = TRY(locate(root.fd(), path));
        if (found && S_ISLNK(found->st.st_mode))
            std::tie(path, rebase) = image::rebase_name(path, TRY(resolve_link(root.fd(), path)));
    }
    auto found = locate(root.fd(), path);
    if (!found && found.error().sys_errno == ENOTDIR)
        return fail("`" + printable(src) + "` in container " + name + ": not a directory");
    if (!found) return std::unexpected(std::move(found.error()));
    if (!*found) return fail(not_found(src, name));
    Located& from = **found;
    std::string top = rebase.empty() ? image::base_name(path) : rebase;
    if (top == "/") top = ".";
    if (dest == "-") {
        image::FdSink sink(out_fd);
        image::TarWriter writer(sink);
        image::TreeWriter tree(writer, root.owners());
        TRY(image::write_tree(tree, from.dir.get(), from.base, top));
        TRY(writer.finish());
        return {};
    }
    CopyInfo dst = TRY(host_destination(host_path(dest)));
    CopyInfo source{path, true, S_ISDIR(from.st.st_mode), rebase};
    image::CopyPlan plan = TRY(image::prepare_archive_copy(source, dst));
    Fd into = TRY(fs::open(plan.dst_dir, O_RDONLY | O_DIRECTORY));
    return pipe_tree(from.dir.get(), from.base, top, root.owners(), into.get(), plan,
                     image::ExtractOwners::caller);
}

Result<void> copy_to_container(const ContainerRoot& root, const std::string& name,
                               const std::string& src, const std::string& dest,
                               const CopyOptions& options, int in_fd) {
    const std::string shown = "\"" + name + ":" + dest + "\"";
    CopyInfo dst{container_path(dest), false, false, ""};
    auto found = locate(root.fd(), dst.path);
    if (found && *found && S_ISLNK((*found)->st.st_mode)) {
        dst.path = TRY(resolve_link(root.fd(), dst.path));
        found = locate(root.fd(), dst.path);
    }
    if (found && *found) {
        mode_t m = (*found)->st.st_mode;
        if (!S_ISDIR(m) && !S_ISREG(m))
            return fail("destination " + shown + " must be a directory or a regular file");
        dst.exists = true;
        dst.is_dir = S_ISDIR(m);
    }
    std::string into_path = dst.path;
    image::CopyPlan plan;
    std::optional<CopyInfo> source;
    if (src == "-") {
        if (!dst.is_dir) return fail("destination " + shown + " must be a directory");
    } else {
        source = TRY(host_source(host_path(src), options.follow_link));
        plan = TRY(image::prepare_archive_copy(*source, dst));
        into_path = plan.dst_dir;
    }
    auto into = fs::open_in_root(root.fd(), into_path, O_RDONLY | O_DIRECTORY);
    if (!into) {
        int err = into.error().sys_errno;
        if (err == ENOENT) return fail(not_found(into_path, name));
        if (err == ENOTDIR) return fail("extraction point is not a directory");
        return std::unexpected(std::move(into.error()));
    }
    if (src == "-") return extract_stream(in_fd, into->get());
    auto [dir, base] = image::asserts_directory(source->path)
                           ? std::pair(ferry::clean_path(source->path), std::string("."))
                           : image::split_dir_entry(source->path);
    Fd parent = TRY(fs::open(dir, O_PATH | O_DIRECTORY));
    std::string top =
        source->rebase_name.empty() ? image::base_name(source->path) : source->rebase_name;
    if (top == "/") top = ".";
    // Rootless, host files become the caller's (the container's root), as outside the namespace.
    return pipe_tree(parent.get(), base, top, {}, into->get(), plan,
                     root.joined() ? image::ExtractOwners::caller : image::ExtractOwners::archive);
}

}  // namespace ferry::runtime
