#pragma once
// Helpers for the image tests: running the shell to build fixtures (GNU tar, python3 tarfile),
// hashing files, and unpacking / regenerating a layer tar between paths.

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ferry/image/pack.hpp"
#include "ferry/image/tar_entry.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "test_util.hpp"

namespace ferry::test {

// Runs cmd with /bin/sh -c; returns its exit status (-1 if it did not exit).
inline int sh(const std::string& cmd) {
    int st = std::system(cmd.c_str());
    if (st == -1 || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

// Whether a program is on PATH.
inline bool have(const std::string& program) {
    return sh("command -v " + program + " >/dev/null 2>&1") == 0;
}

// Runs a python3 script (given as text) with the arguments; returns its exit status.
inline int python(const std::string& dir, const std::string& script, const std::string& args = "") {
    std::string path = dir + "/script.py";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    (void)fs::write_all(fd, script);
    ::close(fd);
    return sh("python3 " + path + " " + args);
}

// The hex SHA-256 of a file's bytes.
inline std::string sha256_file(const std::string& path) {
    auto data = fs::read_file(path, size_t{4} << 30);
    if (!data) return "error: " + data.error().message;
    return sha256_hex(*data);
}

inline void write_text(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << path;
    ASSERT_TRUE(fs::write_all(fd, text));
    ::close(fd);
}

// Unpacks the tar at tar_path into the directory diff (created) with its record at record.
inline Result<image::UnpackStats> unpack_path(const std::string& tar_path, const std::string& diff,
                                              const std::string& record,
                                              image::UnpackOptions options = {}) {
    TRY(fs::make_dirs(diff));
    Fd tar = TRY(fs::open(tar_path, O_RDONLY));
    Fd dir = TRY(fs::open(diff, O_RDONLY | O_DIRECTORY));
    Fd rec = TRY(fs::open(record, O_RDWR | O_CREAT | O_TRUNC, 0644));
    return image::unpack_layer(tar.get(), dir.get(), rec.get(), options);
}

// Regenerates the tar of diff + record into out; returns its size.
inline Result<uint64_t> regenerate_path(const std::string& diff, const std::string& record,
                                        const std::string& out) {
    Fd dir = TRY(fs::open(diff, O_RDONLY | O_DIRECTORY));
    Fd rec = TRY(fs::open(record, O_RDONLY));
    Fd dst = TRY(fs::open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    image::FdSink sink(dst.get());
    return image::regenerate_layer(dir.get(), rec.get(), sink);
}

// Unpacks tar_path into dir/diff and regenerates it into dir/out.tar; expects the same bytes.
inline void expect_round_trip(const std::string& tar_path, const std::string& dir,
                              image::UnpackOptions options = {}) {
    auto stats = unpack_path(tar_path, dir + "/diff", dir + "/record", options);
    ASSERT_TRUE(stats) << stats.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(tar_path.c_str(), &st), 0);
    EXPECT_EQ(stats->tar_size, static_cast<uint64_t>(st.st_size));
    auto size = regenerate_path(dir + "/diff", dir + "/record", dir + "/out.tar");
    ASSERT_TRUE(size) << size.error().message;
    EXPECT_EQ(*size, static_cast<uint64_t>(st.st_size));
    EXPECT_EQ(sha256_file(dir + "/out.tar"), sha256_file(tar_path)) << tar_path;
}

// A visitor that logs what it sees and keeps every byte, to check a parse.
class RecordingVisitor : public image::TarVisitor {
  public:
    Result<void> on_raw(std::span<const uint8_t> b) override {
        bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    Result<void> on_entry(const image::TarEntry& e) override {
        entries.push_back(e);
        return {};
    }
    Result<void> on_data(std::span<const uint8_t> b) override {
        bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
        if (!entries.empty())
            data[entries.size() - 1].append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    Result<void> on_entry_end() override {
        ++ends;
        return {};
    }

    std::string bytes;  // raw and data, in order
    std::vector<image::TarEntry> entries;
    std::map<size_t, std::string> data;  // entry index -> its data
    size_t ends = 0;
};

// Parses data fed in chunks of the given sizes (cycled); returns the reader's error if any.
inline Result<void> parse_chunked(const std::string& data, RecordingVisitor& v,
                                  const std::vector<size_t>& sizes) {
    image::TarReader reader(v);
    size_t at = 0, i = 0;
    while (at < data.size()) {
        size_t n = std::min(sizes[i++ % sizes.size()], data.size() - at);
        TRY(reader.feed({reinterpret_cast<const uint8_t*>(data.data()) + at, n}));
        at += n;
    }
    return reader.finish();
}

}  // namespace ferry::test

namespace ferry::test {

// A python3 script printing one line per file below argv[1] (the root itself excluded): path,
// type and mode, owner, size (not for directories), whole-second mtime, symlink target,
// device numbers, link count for files, and xattrs (overlay's own excepted).
inline constexpr const char* k_list_tree = R"PY(
import os, stat, sys
root = sys.argv[1]
with_xattrs = sys.argv[2] == "1"
out = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        line = [rel, oct(st.st_mode), str(st.st_uid), str(st.st_gid)]
        if not stat.S_ISDIR(st.st_mode):
            line.append(str(st.st_size))
        line.append(str(int(st.st_mtime)))
        if stat.S_ISLNK(st.st_mode):
            line.append("-> " + os.readlink(p))
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            line.append("dev %d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
        if stat.S_ISREG(st.st_mode):
            line.append("links %d" % st.st_nlink)
            with open(p, "rb") as f:
                import hashlib
                line.append(hashlib.sha256(f.read()).hexdigest()[:16])
        try:
            names = sorted(os.listxattr(p, follow_symlinks=False)) if with_xattrs else []
        except OSError:
            names = []
        for x in names:
            if ".overlay." in x:
                continue
            line.append("%s=%r" % (x, os.getxattr(p, x, follow_symlinks=False)))
        out.append(" ".join(line))
print("\n".join(sorted(out)))
)PY";

// The k_list_tree listing of root.
inline std::string list_tree(const std::string& scratch, const std::string& root,
                             bool with_xattrs = true) {
    std::string script = scratch + "/list_tree.py";
    write_text(script, k_list_tree);
    std::string out = scratch + "/listing.txt";
    if (sh("python3 " + script + " '" + root + "' " + (with_xattrs ? "1" : "0") + " > " + out) != 0)
        return "listing failed";
    auto text = fs::read_file(out);
    return text ? *text : text.error().message;
}

// Python statements defining f(), d(), l(), h(), c() to add entries to the tarfile `t`
// (PAX format) opened on argv[1]; the script must end with t.close().
inline constexpr const char* k_tar_prelude = R"PY(
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def f(name, data=b"", mode=0o644):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = mode; i.mtime = 1600000000
    t.addfile(i, io.BytesIO(data))
def d(name, mode=0o755):
    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = mode; i.mtime = 1600000000
    t.addfile(i)
def l(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def h(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
def c(name, major, minor):
    i = tarfile.TarInfo(name); i.type = tarfile.CHRTYPE; i.devmajor = major; i.devminor = minor
    t.addfile(i)
)PY";

// Builds dir/name from python statements after k_tar_prelude; returns the path.
inline std::string make_tar(const std::string& dir, const std::string& name,
                            const std::string& body) {
    std::string tar = dir + "/" + name;
    EXPECT_EQ(python(dir, std::string(k_tar_prelude) + body + "\nt.close()\n", tar), 0);
    return tar;
}

// Runs fn as nobody (uid and gid 65534, no supplementary groups) in a forked child when this
// process is root, so that a file of mode 0 cannot be read (root reads everything); returns
// what fn returned, or why it could not run. Paths fn opens must be reachable by nobody.
inline std::string as_nobody(const std::function<std::string()>& fn) {
    if (::geteuid() != 0) return fn();
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        std::string out = ::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0 &&
                                  ::setresuid(65534, 65534, 65534) == 0
                              ? fn()
                              : std::string("cannot become nobody: ") + std::strerror(errno);
        (void)fs::write_all(p[1], out);
        ::_exit(0);
    }
    ::close(p[1]);
    Fd in(p[0]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(in.get(), buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    int status = 0;
    ::waitpid(pid, &status, 0);
    return out;
}

}  // namespace ferry::test
